// Drill (b) of issue 13 part 4, short form: a private PostgreSQL (initdb + pg_ctl in a temporary folder, never the
// machine's shared cluster) is stopped and started again under mixed load while one `patron serve` keeps running.
// While it is down every request is answered at once with 503, the problem body and Retry-After (PL-9), and
// `/readyz` says 503 (PL-12); once it is back the same process serves again, and the requests refused meanwhile,
// retried with their keys, are each done exactly once (PL-4), the auditor clean. Long form:
// `npm run bench -- drill-pg-restart --long`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPostgresRestartDrillReport, runPostgresRestartDrill } from '../support/drill-pg-restart.ts';

test('PL-9 PL-12 PL-4 drill (b): PostgreSQL restarted mid-load: 503 with a problem body while it is down, recovery without restarting Patron, every request done once', async (t) => {
  const report = await runPostgresRestartDrill({ operations: 45, outages: 1, answersWhileDown: 15, concurrency: 4, members: 3 });
  t.diagnostic(formatPostgresRestartDrillReport(report));
  const down = report.whileDown;
  assert.equal(report.outages, 1);
  assert.ok(down.answered >= 15, 'requests were answered while PostgreSQL was down');
  assert.equal(down.noAnswer, 0, 'no request hangs or is cut off while PostgreSQL is down');
  assert.equal(down.status500, 0, 'no 500 while PostgreSQL is down');
  assert.deepEqual(down.otherStatus, {});
  assert.equal(down.unavailable503, down.answered, 'every answer while down is a 503');
  assert.equal(down.withProblemBody, down.answered, 'with the error body { error: { code: "unavailable", message, requestId } }');
  assert.equal(down.withRetryAfter, down.answered, 'with Retry-After');
  assert.deepEqual(report.readyWhileDown, [503], '/readyz says 503 while the database is down');
  assert.equal(report.sameProcess, true, 'Patron recovered without a restart');
  assert.equal(report.serverErrorsWhileUp, 0);
  assert.equal(report.acknowledged, report.sent, 'every request got through in the end');
  assert.deepEqual(report.refusals, []);
  assert.equal(report.lost, 0);
  assert.equal(report.duplicated, 0, report.duplicates.join('; '));
  assert.equal(report.auditorOk, true);
});
