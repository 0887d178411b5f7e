// Drill (d) of issue 13 in its short form (the long form: `npm run bench -- drill-webhooks --size M`): the webhook
// endpoint is down for an hour of simulated time while events keep coming and three dispatchers poll; once it is
// back, every event arrives exactly once, in order per subject, signed. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runWebhookOutageDrill, shortDrill } from '../../bench/drill-webhook-outage.ts';
import { describeEachDatabase } from '../support/each-database.ts';

describeEachDatabase(
  'drill (d): webhook endpoint down for an hour',
  (suite) => {
    test('issue 13 drill (d): after an hour-long outage every event is delivered once, in order per subject, with a valid signature', async () => {
      const result = await runWebhookOutageDrill(suite.deps(), shortDrill);
      assert.equal(result.events, shortDrill.subjects * shortDrill.eventsPerSubject);
      assert.ok(result.refusedDuringOutage > 0, 'the endpoint was really down: attempts were refused');
      assert.deepEqual(
        { lost: result.lost, duplicated: result.duplicated, outOfOrderSubjects: result.outOfOrderSubjects, badSignatures: result.badSignatures, deliveredOnce: result.deliveredOnce },
        { lost: 0, duplicated: 0, outOfOrderSubjects: 0, badSignatures: 0, deliveredOnce: result.events },
      );
      assert.ok(result.ok);
    });
  },
  { poolSize: 6 },
);
