// Group commit with a real process (issue 12): a child process issues ledger operations concurrently through group
// commit and is SIGKILLed inside a group's open transaction. After a restart every operation whose caller got success
// is there exactly once (with its one credits event), nothing of the killed group is, and the auditor is clean (LG-5).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { auditCreditsLedger } from '../../src/modules/credits/index.ts';
import { crashDialects, newInstallation, withRestart, type Installation } from '../support/crash-installation.ts';
import { creditEventsSince } from '../modules/credits-fixtures.ts';

interface Entry {
  op: string;
  memberId: string;
  scope: string;
  key: string;
  transactionId: string;
}

const readLog = (logFile: string): Entry[] => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter((line) => line.endsWith('}')).map((line) => JSON.parse(line) as Entry) : []);

/** After a restart: every acknowledged operation once, with its one event; no event without its transaction; LG-5. */
async function assertAcknowledgedOnce(installation: Installation, acknowledged: readonly Entry[]): Promise<void> {
  await withRestart(installation, async (deps) => {
    const rows = await sql<{ member_id: string; idem_scope: string; idem_key: string; id: string; n: number }>`
      select member_id, idem_scope, idem_key, min(id) as id, count(*) as n from credit_transactions group by member_id, idem_scope, idem_key`.execute(deps.db);
    const stored = new Map(rows.rows.map((r) => [`${r.member_id}|${r.idem_scope}|${r.idem_key}`, r]));
    for (const entry of acknowledged) {
      const row = stored.get(`${entry.memberId}|${entry.scope}|${entry.key}`);
      assert.ok(row, `acknowledged ${entry.op} ${entry.key} of ${entry.memberId} is missing`);
      assert.equal(Number(row.n), 1, `${entry.key} recorded once`);
      assert.equal(row.id, entry.transactionId);
    }
    assert.equal([...stored.keys()].filter((k) => k.endsWith('|earn|ord_in_the_killed_group')).length, 0, 'nothing of the killed group committed');
    // Each committed earn or spend gives exactly one credits event from the ledger feed, and no event lacks its transaction.
    const events = (await creditEventsSince(deps, '')).filter((e) => e.type === 'credits.earned' || e.type === 'credits.spent');
    const eventCount = new Map<string, number>();
    for (const event of events) eventCount.set(event.subjectId, (eventCount.get(event.subjectId) ?? 0) + 1);
    for (const row of rows.rows) if (row.idem_scope !== 'system') assert.equal(eventCount.get(row.id), 1, `one event for ${row.id}`);
    assert.equal(eventCount.size, rows.rows.filter((r) => r.idem_scope !== 'system').length, 'no event without its transaction');
    const report = await auditCreditsLedger(deps, { trigger: 'test', actorId: null });
    assert.deepEqual(report.problems, []);
  });
}

for (const dialect of crashDialects()) {
  test(`LG-3 LG-5 PF-1 [${dialect}] SIGKILL while a group commits: every acknowledged operation is present once, none of the killed group, the auditor clean`, async () => {
    const installation = await newInstallation(dialect, 'ledger-crash');
    try {
      const logFile = join(installation.environment.PATRON_DATA_DIR!, 'acknowledged.log');
      const child = spawnSync(process.execPath, ['test/support/crash-ledger-child.ts'], {
        env: { ...process.env, ...installation.environment, PATRON_CRASH_LOG: logFile, PATRON_CRASH_AFTER: '300', NODE_NO_WARNINGS: '1' },
        encoding: 'utf8',
      });
      assert.equal(child.signal, 'SIGKILL', `the child should die by SIGKILL inside a group (status ${child.status}): ${child.stderr}`);
      const entries = readLog(logFile);
      assert.ok(entries.some((e) => e.op === 'killing'), 'killed inside the group');
      const acknowledged = entries.filter((e) => e.op !== 'killing');
      assert.ok(acknowledged.length >= 300);

      await assertAcknowledgedOnce(installation, acknowledged);
    } finally {
      await installation.dispose();
    }
  });
}

for (const dialect of crashDialects()) {
  test(`LG-3 LG-5 PF-1 PF-3 [${dialect}] SIGKILL from outside at an arbitrary moment, append groups included: every acknowledged operation is present once, the auditor clean`, async () => {
    const installation = await newInstallation(dialect, 'ledger-crash-external');
    try {
      const logFile = join(installation.environment.PATRON_DATA_DIR!, 'acknowledged.log');
      const child = spawn(process.execPath, ['test/support/crash-ledger-child.ts'], {
        env: { ...process.env, ...installation.environment, PATRON_CRASH_LOG: logFile, PATRON_CRASH_MODE: 'external', NODE_NO_WARNINGS: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      // Kill once a good number of operations were acknowledged: the moment is whatever the child is doing then.
      for (let waited = 0; readLog(logFile).length < 400; waited++) {
        assert.ok(child.exitCode === null && waited < 600, `the child stopped or stalled before 400 acknowledgements: ${stderr}`);
        await sleep(100);
      }
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      const acknowledged = readLog(logFile);
      assert.ok(acknowledged.some((e) => e.op === 'earn'));
      await assertAcknowledgedOnce(installation, acknowledged);
    } finally {
      await installation.dispose();
    }
  });
}
