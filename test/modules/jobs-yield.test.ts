// PF-8 "online p99 at most doubles while it runs", for `patron serve`, which runs the job worker in the server's own
// process: a long job lets the event loop turn between its batches (db/batches.ts yieldBetweenBatches). On SQLite
// every statement answers synchronously, so without those turns a sweep or an audit of many batches held the loop —
// and every HTTP request — for its whole run. Proven by counting the turns of a callback that re-queues itself with
// setImmediate while the job runs: it can only run when the loop turns. Both databases (PostgreSQL turns on its
// sockets anyway; SQLite is the case that failed before).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditCreditsLedger, runCreditsSweep } from '../../src/modules/credits/index.ts';
import { deleteInBatches } from '../../src/db/batches.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { DAY_MS, earnOrder, newMemberId } from './credits-fixtures.ts';

/** Runs `work` and counts how many times the event loop turned meanwhile. */
async function loopTurnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  // The first turn may come before the work starts: count from here.
  await new Promise((resolve) => setImmediate(resolve));
  const before = turns;
  try {
    await work();
  } finally {
    running = false;
  }
  return turns - before;
}

describeEachDatabase('long jobs let the event loop turn between batches', (suite) => {
  test('PF-8 a sweep of several batches and an audit of several pages give the loop a turn between each', async () => {
    const deps = suite.deps();
    const members = Array.from({ length: 5 }, () => newMemberId(deps));
    for (const memberId of members) await earnOrder(deps, memberId, [{ qualifyingMinor: 10_000 }]);
    deps.clock.setMs(deps.clock.nowMs() + 31 * DAY_MS);

    let sweptBatches = 0;
    const sweepTurns = await loopTurnsDuring(async () => {
      const report = await runCreditsSweep(deps, { batchSize: 1, maxBatches: 100 });
      sweptBatches = report.batches;
    });
    assert.ok(sweptBatches >= members.length, `one member per batch: ${sweptBatches} batches`);
    assert.ok(sweepTurns >= sweptBatches - 1, `the loop turned ${sweepTurns} times during ${sweptBatches} sweep batches`);

    let pages = 0;
    const auditTurns = await loopTurnsDuring(async () => {
      const report = await auditCreditsLedger(deps, { trigger: 'manual', actorId: null, pageSize: 1 });
      assert.ok(report.ok, 'the ledger is sound');
      pages = report.membersChecked;
    });
    assert.ok(pages >= members.length && auditTurns >= pages - 1, `the loop turned ${auditTurns} times during ${pages} audit pages`);
  });

  test('upkeep deletes in batches give the loop a turn between batches', async () => {
    let left = 7;
    const turns = await loopTurnsDuring(() =>
      deleteInBatches(async (limit) => {
        const deleted = Math.min(limit, left);
        left -= deleted;
        return deleted;
      }, { batchSize: 2, maxBatches: 10 }),
    );
    assert.equal(left, 0);
    assert.ok(turns >= 3, `the loop turned ${turns} times during 4 batches`);
  });
});
