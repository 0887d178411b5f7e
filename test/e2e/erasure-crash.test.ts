// An erasure with real processes (PV-18, PV-19), on a SQLite file and on PostgreSQL: the child is SIGKILLed after the
// rows were erased and before the journal; a restarted process's resume job finishes the run once: journal written,
// registry recorded, the ledger auditor (LG-2) and the audit chain (PV-33) still pass.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { sql } from 'kysely';
import { runDueJobs } from '../../src/modules.ts';
import { runCreditsAudit } from '../../src/modules/credits/index.ts';
import { verifyAuditChain } from '../../src/modules/audit/index.ts';
import { findErasureOfMember, readErasureJournal } from '../../src/modules/privacy/index.ts';
import { advanceStoredClock, crashDialects, newInstallation, withRestart, type Installation } from '../support/crash-installation.ts';

function runErasureChild(installation: Installation): void {
  const child = spawnSync(process.execPath, ['test/support/crash-erasure-child.ts'], { env: { ...process.env, ...installation.environment, NODE_NO_WARNINGS: '1' }, encoding: 'utf8' });
  assert.equal(child.signal, 'SIGKILL', `the child should die by SIGKILL before the journal step (status ${child.status}): ${child.stderr}`);
}

for (const dialect of crashDialects()) {
  test(`PV-18 PV-19 [${dialect}] an erasure killed after its rows were erased is finished once by a restarted process`, async () => {
    const installation = await newInstallation(dialect, 'erasure-crash');
    try {
      runErasureChild(installation);
      const memberId = await withRestart(installation, async (deps) => {
        const runs = await sql<{ state: string; current_step: string; input: string }>`select state, current_step, input from flow_runs where type = 'erasure'`.execute(deps.db);
        assert.equal(runs.rows.length, 1);
        assert.equal(runs.rows[0]!.state, 'running');
        assert.equal(runs.rows[0]!.current_step, 'erase', 'the erase step is the last recorded one');
        const { memberId: id } = JSON.parse(runs.rows[0]!.input) as { memberId: string };
        assert.equal((await sql<{ email: string }>`select email from members where id = ${id}`.execute(deps.db)).rows[0]!.email, `erased+${id}@invalid`);
        assert.equal(await findErasureOfMember(deps.db, id), undefined, 'not recorded before the kill');
        assert.ok(!readErasureJournal(deps.config.dataDir).some((entry) => entry.memberId === id), 'not journaled before the kill');
        await advanceStoredClock(deps, 11 * 60_000);
        await runDueJobs(deps);
        return id;
      });
      await withRestart(installation, async (deps) => {
        const state = await sql<{ state: string }>`select state from flow_runs where type = 'erasure'`.execute(deps.db);
        assert.equal(state.rows[0]!.state, 'completed');
        assert.ok(await findErasureOfMember(deps.db, memberId));
        assert.equal(readErasureJournal(deps.config.dataDir).filter((entry) => entry.memberId === memberId).length, 1, 'journaled once');
        assert.equal(Number((await sql<{ n: number | string }>`select count(*) as n from member_addresses where member_id = ${memberId}`.execute(deps.db)).rows[0]!.n), 0);
        assert.equal((await runCreditsAudit(deps)).ok, true, 'LG-2');
        assert.equal((await verifyAuditChain(deps)).ok, true, 'PV-33');
      });
    } finally {
      await installation.dispose();
    }
  });
}
