// Drill (a) of issue 13 part 4, short form: `patron serve` is SIGKILLed during mixed load (checkouts with credits,
// signed storefront webhook earns, agents' refunds) and restarted, on a SQLite file and on PostgreSQL. Every request
// that got a 2xx is there exactly once, nothing twice, the credits auditor is clean (PL-4, LG-3, LG-5). The long form
// with more requests and kills: `npm run bench -- drill-crash --long`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashDialects } from '../support/crash-installation.ts';
import { formatCrashDrillReport, runCrashDrill } from '../support/drill-crash.ts';

for (const dialect of crashDialects()) {
  test(`PL-4 LG-3 LG-5 [${dialect}] drill (a): SIGKILL during mixed load, restart: every acknowledged request is there exactly once, none twice, the auditor clean`, async (t) => {
    const report = await runCrashDrill({ dialect, operations: 45, kills: 1, concurrency: 4, members: 3 });
    t.diagnostic(formatCrashDrillReport(report));
    assert.equal(report.kills, 1);
    assert.equal(report.acknowledged, report.sent, 'every request is answered in the end (retried with its key after the restart)');
    assert.ok(report.acknowledgedBeforeAKill > 0, 'requests were acknowledged before the kill');
    for (const kind of ['checkout', 'webhook', 'refund'] as const) assert.ok(report.byKind[kind].acknowledged > 0, `${kind} requests were part of the load`);
    assert.equal(report.serverErrors, 0, JSON.stringify(report.refusals));
    assert.equal(report.refused, 0, JSON.stringify(report.refusals));
    assert.equal(report.lost, 0, 'no acknowledged request is missing');
    assert.equal(report.duplicated, 0, report.duplicates.join('; '));
    assert.deepEqual(report.duplicates, []);
    assert.equal(report.auditorOk, true, 'the ledger auditor is clean');
  });
}
