// Drill (c) of issue 13 part 4, short form: three Patron instances (two `patron serve`, one `patron worker`) on one
// PostgreSQL database (PL-7); storefront deliveries at both servers, the simulated clock moved so every schedule fires
// and earned credits unlock (NT-1 notices by email). Every job ran exactly once (jobs table and the instances' own
// logs agree), every outbox message reached the sandbox SMTP server exactly once, the auditor is clean. Long form:
// `npm run bench -- drill-instances --long`. PostgreSQL only (SQLite is one process's embedded database).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { postgresTestUrl } from '../support/databases.ts';
import { formatInstancesDrillReport, runInstancesDrill } from '../support/drill-instances.ts';

if (postgresTestUrl) {
  test('PL-7 NT-1 [postgres] drill (c): three instances on one database run every scheduled job and every outbox message exactly once', async (t) => {
    const report = await runInstancesDrill({ webhooks: 15, members: 2, clockSteps: ['7m', '1h', '1d', '31d'] });
    t.diagnostic(formatInstancesDrillReport(report));
    assert.equal(report.webhooksAcknowledged, 15);
    assert.equal(report.clockSteps, 4);
    assert.ok(report.scheduleTypes >= 10 && report.fewestSlotsPerSchedule >= 2, 'every schedule fired at several slots');
    assert.ok(report.jobs > report.scheduledJobs + 15, 'the deliveries and the notices were jobs too');
    assert.deepEqual(report.notDoneOnce, [], 'every job done after exactly one attempt');
    assert.deepEqual(report.executionsOffByOne, [], 'every job finished by exactly one instance, once');
    assert.equal(report.leaseLost, 0);
    assert.ok(Object.keys(report.finishedBy).length >= 2, `the instances shared the work: ${JSON.stringify(report.finishedBy)}`);
    assert.ok(report.outboxMessages >= 2, 'the unlocked credits were announced by email');
    assert.equal(report.outboxNotSent, 0);
    assert.equal(report.smtpReceived, report.outboxMessages, 'each outbox message reached the SMTP server once');
    assert.equal(report.smtpDuplicates, 0);
    assert.equal(report.smtpMissing, 0);
    assert.equal(report.auditorOk, true);
  });
}
