// PF-7 LG-4: point-in-time reads from balance snapshots answer exactly what the full replay answers, for random
// histories (earnings, bonuses, spends, holds captured, released and timed out, refund reversals, adjustments up and
// down, expiries, sweeps, and operations on one member issued concurrently) with snapshots at random versions; the
// snapshot job finds its work through the partial index and the auditor recomputes snapshots from the postings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../../src/platform/errors.ts';
import {
  adjustCredits, auditCreditsLedger, captureHold, getBalance, getBalanceAt, getHistory, grantBonus, placeHold, releaseHold, reverseForRefund,
  runCreditsSnapshots, runCreditsSweep, spendCredits,
} from '../../src/modules/credits/index.ts';
import { getBalanceAtByFullReplay } from '../../src/modules/credits/balance.service.ts';
import { rawQuery, readLot } from '../../src/modules/credits/ledger.repository.ts';
import type { Lot } from '../../src/modules/credits/ledger.rules.ts';
import type { CreditHoldRow, CreditLotRow } from '../../src/modules/credits/ledger.table.ts';
import { computeSnapshot, insertSnapshot, selectReplayFromSnapshot, snapshotEvery } from '../../src/modules/credits/snapshot.repository.ts';
import type { Ctx } from '../../src/deps.ts';
import { createSimulatedClock } from '../../src/platform/clock.ts';
import { ledgerOnlyMembers } from '../support/deps.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { DAY_MS, earnOrder, MINUTE_MS } from './credits-fixtures.ts';

const runs = Math.max(10, Math.ceil(Number(process.env.PATRON_PROPERTY_RUNS ?? 1000) / 40));

type Step =
  | { kind: 'earn'; qualifying: number[]; paidAgo: number }
  | { kind: 'bonus'; which: 'registration' | 'profile_completion' }
  | { kind: 'spend' | 'hold' | 'adjustDown'; percent: number }
  | { kind: 'capture' | 'release'; pick: number; percent: number }
  | { kind: 'refund'; pick: number; percent: number }
  | { kind: 'adjustUp'; credits: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'concurrent' }
  | { kind: 'sweep' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('earn' as const), qualifying: fc.array(fc.integer({ min: 0, max: 30_000 }), { minLength: 1, maxLength: 3 }), paidAgo: fc.constantFrom(0, 0, 31 * DAY_MS) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('bonus' as const), which: fc.constantFrom('registration' as const, 'profile_completion' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constantFrom('spend' as const, 'hold' as const, 'adjustDown' as const), percent: fc.integer({ min: 1, max: 100 }) }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constantFrom('capture' as const, 'release' as const), pick: fc.nat(), percent: fc.integer({ min: 1, max: 100 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), percent: fc.integer({ min: 1, max: 100 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('adjustUp' as const), credits: fc.integer({ min: 1, max: 300 }) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(MINUTE_MS, 31 * MINUTE_MS, DAY_MS, 29 * DAY_MS, 31 * DAY_MS, 200 * DAY_MS, 366 * DAY_MS) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('concurrent' as const) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('sweep' as const) }), weight: 1 },
);

const history = fc.record({
  steps: fc.array(step, { minLength: 10, maxLength: 40 }),
  /** Where snapshots are taken, as fractions of the final version. */
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }),
  /** Snapshots are derived data: one may be rebuilt from nothing (its period then overlaps the others) or deleted. */
  rebuild: fc.option(fc.nat(), { nil: undefined }),
  drop: fc.option(fc.nat(), { nil: undefined }),
});

const ignoreRefusal = (error: unknown) => {
  if (!(error instanceof AppError)) throw error;
};

/** credits_replay_from_snapshot's answer (objects), mapped as the service mapped it before migration 0430. */
type OldReplay = {
  snapshot: [string | null, string | null, string, number][] | null;
  sums: { lot_id: string | null; hold_id: string | null; account: string; total: number | string }[];
  last: { version: number; at_ms: number; lifetime_after: number } | null;
  lots: CreditLotRow[];
  holds: CreditHoldRow[];
  policy_version: number | null;
};

function fromOldReplay(r: OldReplay) {
  return {
    sums: [...(r.snapshot ?? []), ...r.sums.map((s) => [s.lot_id, s.hold_id, s.account, s.total] as const)].map(([lot_id, hold_id, account, total]) => ({ lot_id, hold_id, account, total: Number(total) })),
    last: r.last ? { version: Number(r.last.version), at_ms: Number(r.last.at_ms), lifetime_after: Number(r.last.lifetime_after) } : undefined,
    lots: r.lots.map(readLot),
    holds: r.holds,
    policyVersion: Number(r.policy_version ?? 1),
  };
}

function inOrder<T extends { sums: { lot_id: string | null; hold_id: string | null; account: string }[]; lots: { id: string }[]; holds: { id: unknown }[] }>(rows: T): T {
  const key = (s: T['sums'][number]) => `${s.lot_id}|${s.hold_id}|${s.account}`;
  return {
    ...rows,
    sums: [...rows.sums].sort((a, b) => key(a).localeCompare(key(b))),
    lots: [...rows.lots].sort((a, b) => a.id.localeCompare(b.id)),
    holds: [...rows.holds].sort((a, b) => String(a.id).localeCompare(String(b.id))),
  };
}

describeEachDatabase('credits balance snapshots (PF-7)', (suite) => {
  let sequence = 0;

  async function play(ctx: Ctx & { clock: { advanceMs(ms: number): void } }, memberId: string, steps: Step[]): Promise<void> {
    const key = (what: string) => `${what}-${memberId}-${++sequence}`;
    const lines: { lineId: string; qualifying: number }[] = [];
    const holds: string[] = [];
    const spendable = async () => (await getBalance(ctx, memberId)).spendable;
    const agent = { id: 'mem_agent', role: 'agent' as const };
    for (const s of steps) {
      switch (s.kind) {
        case 'earn': {
          const result = await earnOrder(ctx, memberId, s.qualifying.map((q) => ({ qualifyingMinor: q })), { paidAtMs: ctx.clock.nowMs() - s.paidAgo });
          result.lines.forEach((line, i) => lines.push({ lineId: line.lineId, qualifying: s.qualifying[i]! }));
          break;
        }
        case 'bonus':
          await grantBonus(ctx, { memberId, kind: s.which });
          break;
        case 'spend':
        case 'hold':
        case 'adjustDown': {
          const credits = Math.max(1, Math.floor(((await spendable()) * s.percent) / 100));
          if (s.kind === 'spend') await spendCredits(ctx, { memberId, credits, orderId: key('ord'), idempotencyKey: key('spend') }).catch(ignoreRefusal);
          else if (s.kind === 'hold') await placeHold(ctx, { memberId, credits, orderId: key('ord'), idempotencyKey: key('hold') }).then((h) => holds.push(h.holdId), ignoreRefusal);
          else await adjustCredits(ctx, { memberId, credits: -credits, reasonCode: 'correction', note: 'snapshot test', actor: agent, idempotencyKey: key('adj') }).catch(ignoreRefusal);
          break;
        }
        case 'capture':
        case 'release': {
          if (holds.length === 0) break;
          const holdId = holds[s.pick % holds.length]!;
          if (s.kind === 'release') await releaseHold(ctx, { memberId, holdId, idempotencyKey: key('release') }).catch(ignoreRefusal);
          else await captureHold(ctx, { memberId, holdId, credits: Math.max(1, s.percent), idempotencyKey: key('capture') }).catch(ignoreRefusal);
          break;
        }
        case 'refund': {
          if (lines.length === 0) break;
          const line = lines[s.pick % lines.length]!;
          const input = { memberId, orderLineId: line.lineId, refundedQualifyingMinor: Math.floor((line.qualifying * s.percent) / 100), lineQualifyingMinor: line.qualifying, idempotencyKey: key('refund') };
          await reverseForRefund(ctx, input).catch(ignoreRefusal);
          break;
        }
        case 'adjustUp':
          await adjustCredits(ctx, { memberId, credits: s.credits, reasonCode: 'correction', note: 'snapshot test', actor: agent, idempotencyKey: key('adj') });
          break;
        case 'advance':
          ctx.clock.advanceMs(s.ms);
          break;
        case 'concurrent': {
          // Transaction times are not increasing in version: an operation takes its time before it waits for the
          // member's lock, and another process's clock may be behind. Here one is an hour behind, and two
          // operations started a minute apart race for the lock.
          const behind: Ctx = { ...ctx, clock: createSimulatedClock(ctx.clock.nowMs() - 60 * MINUTE_MS) };
          await adjustCredits(behind, { memberId, credits: 3, reasonCode: 'correction', note: 'clock behind', actor: agent, idempotencyKey: key('c0') });
          const first = adjustCredits(ctx, { memberId, credits: 7, reasonCode: 'correction', note: 'first', actor: agent, idempotencyKey: key('c1') });
          ctx.clock.advanceMs(MINUTE_MS);
          const second = spendCredits(ctx, { memberId, credits: 1, idempotencyKey: key('c2') }).catch(ignoreRefusal);
          await Promise.all([first, second]);
          break;
        }
        case 'sweep':
          await runCreditsSweep(ctx, { maxBatches: 3 });
          break;
      }
    }
  }

  test('PF-7 LG-4 a point-in-time read from snapshots equals the full replay at every moment of random histories', async () => {
    const deps = suite.deps();
    await fc.assert(
      fc.asyncProperty(history, async ({ steps, cuts, rebuild, drop }) => {
        const memberId = deps.ids.next('mem');
        const startMs = deps.clock.nowMs();
        await play(deps, memberId, steps);
        const transactions = (await getHistory(deps, memberId, { limit: 200 })).entries;
        const lastVersion = transactions[0]?.version ?? 0;
        // Snapshots at the chosen versions, oldest first (each built on the one before, as the job does).
        // Also at every version whose time is earlier than one before it: a snapshot there must not serve reads
        // between the two times (max_at_ms).
        const wentBack: number[] = [];
        let latest = 0;
        for (const t of [...transactions].reverse()) {
          if (t.atMs < latest) wentBack.push(t.version);
          latest = Math.max(latest, t.atMs);
        }
        const chosen = [...cuts.map((c) => Math.max(1, Math.round(c * lastVersion))), ...wentBack];
        const versions = [...new Set(chosen)].filter((v) => v <= lastVersion).sort((a, b) => a - b);
        for (const version of versions) {
          const row = await computeSnapshot(deps.db, memberId, version, deps.clock.nowMs());
          assert.ok(row, `version ${version} exists`);
          await insertSnapshot(deps.db, row);
        }
        const remove = (version: number) => rawQuery(deps.db, 'delete from credit_balance_snapshots where member_id = ? and version = ?', [memberId, version]);
        if (rebuild !== undefined && versions.length > 0) {
          const version = versions[rebuild % versions.length]!;
          await remove(version);
          await insertSnapshot(deps.db, (await computeSnapshot(deps.db, memberId, version, deps.clock.nowMs(), { fromScratch: true }))!);
        }
        if (drop !== undefined && versions.length > 1) await remove(versions[drop % versions.length]!);
        const moments = new Set<number>([startMs - 1, deps.clock.nowMs()]);
        for (const t of transactions) for (const d of [-1, 0, 1, 15 * DAY_MS]) moments.add(t.atMs + d);
        for (const atMs of [...moments].filter((m) => m >= 0 && m <= deps.clock.nowMs()).sort((a, b) => a - b)) {
          assert.deepEqual(await getBalanceAt(deps, memberId, atMs), await getBalanceAtByFullReplay(deps, memberId, atMs), `at ${atMs} (snapshots at ${versions.join(', ')} of ${lastVersion})`);
        }
        const report = await auditCreditsLedger(deps, { trigger: 'test', actorId: null, memberId });
        assert.deepEqual(report.problems, [], 'the auditor agrees with every snapshot');
      }),
      { numRuns: runs },
    );
  });

  test(`PF-7 the snapshot job takes one at every ${snapshotEvery}th transaction, found through its index, once`, async () => {
    const deps = suite.deps();
    const memberId = deps.ids.next('mem');
    const agent = { id: 'mem_agent', role: 'agent' as const };
    const momentsMs: number[] = [];
    for (let i = 1; i <= 2 * snapshotEvery + 1; i++) {
      await adjustCredits(deps, { memberId, credits: i % 5 === 0 ? -1 : 2, reasonCode: 'correction', note: 'long history', actor: agent, idempotencyKey: `long-${memberId}-${i}` });
      if (i % 50 === 0) {
        momentsMs.push(deps.clock.nowMs());
        deps.clock.advanceMs(DAY_MS);
      }
    }
    const first = await runCreditsSnapshots(deps);
    assert.ok(first.taken >= 2, `took ${first.taken}`);
    const mine = await rawQuery<{ version: number }>(deps.db, 'select version from credit_balance_snapshots where member_id = ? order by version', [memberId]);
    assert.deepEqual(mine.map((r) => Number(r.version)), [snapshotEvery, 2 * snapshotEvery]);
    assert.equal((await runCreditsSnapshots(deps)).taken, 0, 'nothing is due twice');
    for (const atMs of [...momentsMs, deps.clock.nowMs()]) assert.deepEqual(await getBalanceAt(deps, memberId, atMs), await getBalanceAtByFullReplay(deps, memberId, atMs));
    const report = await auditCreditsLedger(deps, { trigger: 'test', actorId: null, memberId });
    assert.deepEqual(report.problems, []);
    if (suite.dialect === 'sqlite') {
      // PF-8: the work list is the partial index, never a scan of the transactions.
      const plan = await rawQuery<{ detail: string }>(deps.db, `explain query plan select t.member_id, t.version from credit_transactions t
        where version % ${snapshotEvery} = 0 and t.recorded_at_ms >= 0 order by t.recorded_at_ms limit 10`, []);
      assert.match(plan.map((p) => p.detail).join('\n'), /credit_transactions_snapshot_due/);
    }
  });

  test('PF-7 the point-in-time read answers every column of each lot as stored', async () => {
    const deps = suite.deps();
    const memberId = deps.ids.next('mem');
    await grantBonus(deps, { memberId, kind: 'registration' });
    await earnOrder(deps, memberId, [{ qualifyingMinor: 12_345 }, { qualifyingMinor: 6_789 }], { paidAtMs: deps.clock.nowMs() - 31 * DAY_MS });
    await runCreditsSweep(deps);
    await spendCredits(deps, { memberId, credits: 30, idempotencyKey: `spend-${memberId}` });
    deps.clock.advanceMs(MINUTE_MS);
    const read = (await selectReplayFromSnapshot(deps.db, memberId, deps.clock.nowMs())).lots;
    const stored = (await rawQuery<CreditLotRow>(deps.db, 'select * from credit_lots where member_id = ?', [memberId])).map(readLot);
    const byId = (a: Lot, b: Lot) => (a.id < b.id ? -1 : 1);
    assert.equal(stored.length, 3);
    assert.ok(stored.some((lot) => lot.orderId !== null && lot.orderLineId !== null && lot.remaining < lot.original && lot.state === 'available'), 'an order lot, partly spent');
    assert.deepEqual(read.sort(byId), stored.sort(byId));
  });

  test('PF-7 the point-in-time read answers every column of each hold as stored', async () => {
    const deps = suite.deps();
    const memberId = deps.ids.next('mem');
    await earnOrder(deps, memberId, [{ qualifyingMinor: 20_000 }], { paidAtMs: deps.clock.nowMs() - 31 * DAY_MS });
    await runCreditsSweep(deps);
    const captured = await placeHold(deps, { memberId, credits: 40, orderId: `ord-${memberId}-1`, idempotencyKey: `hold-${memberId}-1` });
    const released = await placeHold(deps, { memberId, credits: 30, orderId: `ord-${memberId}-2`, idempotencyKey: `hold-${memberId}-2` });
    await placeHold(deps, { memberId, credits: 20, orderId: `ord-${memberId}-3`, idempotencyKey: `hold-${memberId}-3` });
    await captureHold(deps, { memberId, holdId: captured.holdId, credits: 25, idempotencyKey: `capture-${memberId}` });
    await releaseHold(deps, { memberId, holdId: released.holdId, idempotencyKey: `release-${memberId}` });
    deps.clock.advanceMs(MINUTE_MS);
    const read = (await selectReplayFromSnapshot(deps.db, memberId, deps.clock.nowMs())).holds.map((h) => ({ ...h }));
    const stored = await rawQuery<Record<string, unknown>>(deps.db, 'select * from credit_holds where member_id = ?', [memberId]);
    const byId = (a: Record<string, unknown>, b: Record<string, unknown>) => (String(a.id) < String(b.id) ? -1 : 1);
    assert.equal(stored.length, 3);
    assert.ok(stored.some((h) => h.resolved_at_ms !== null) && stored.some((h) => h.resolved_at_ms === null), 'resolved and active holds');
    const numbers = (h: Record<string, unknown>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v]));
    assert.deepEqual(read.map(numbers).sort(byId), stored.map(numbers).sort(byId));
  });

  if (suite.dialect === 'postgres') {
    test('PF-7 PostgreSQL: the point-in-time arrays (migration 0430) answer what credits_replay_from_snapshot answers, on both of its plans', async () => {
      const deps = suite.deps();
      const memberId = deps.ids.next('mem');
      const agent = { id: 'mem_agent', role: 'agent' as const };
      await earnOrder(deps, memberId, [{ qualifyingMinor: 30_000 }, { qualifyingMinor: 9_000 }], { paidAtMs: deps.clock.nowMs() - 31 * DAY_MS });
      const moments: number[] = [];
      for (let i = 0; i < 8; i++) {
        deps.clock.advanceMs(DAY_MS);
        moments.push(deps.clock.nowMs());
        if (i === 1) await runCreditsSweep(deps);
        else if (i % 3 === 0) await placeHold(deps, { memberId, credits: 11 + i, orderId: `ord-${memberId}-${i}`, idempotencyKey: `hold-${memberId}-${i}` }).catch(ignoreRefusal);
        else await adjustCredits(deps, { memberId, credits: i % 2 === 0 ? -5 : 9, reasonCode: 'correction', note: 'two plans', actor: agent, idempotencyKey: `adj-${memberId}-${i}` });
      }
      // Snapshots at versions 3 and 6: a moment between the first's and the second's periods skips the second
      // (the ranges plan); a moment after both takes the plain one.
      for (const version of [3, 6]) await insertSnapshot(deps.db, (await computeSnapshot(deps.db, memberId, version, deps.clock.nowMs()))!);
      const plans = new Set<string>();
      for (const atMs of moments.flatMap((m) => [m - 1, m, m + MINUTE_MS]).filter((m) => m <= deps.clock.nowMs())) {
        const [{ r: reference }] = await rawQuery<{ r: OldReplay }>(deps.db, 'select credits_replay_from_snapshot(?, ?) as r', [memberId, atMs]) as [{ r: OldReplay }];
        const [{ ranges }] = await rawQuery<{ ranges: boolean }>(deps.db, `select exists (select 1 from credit_balance_snapshots k where k.member_id = ? and k.period_min_at_ms > ?
          and k.version > coalesce((select max(version) from credit_balance_snapshots where member_id = ? and max_at_ms <= ?), 0)) as ranges`, [memberId, atMs, memberId, atMs]) as [{ ranges: boolean }];
        plans.add(ranges ? 'ranges' : 'plain');
        // Rows in any order: neither function orders its aggregates.
        assert.deepEqual(inOrder(await selectReplayFromSnapshot(deps.db, memberId, atMs)), inOrder(fromOldReplay(reference)), `at ${atMs}`);
      }
      assert.deepEqual([...plans].sort(), ['plain', 'ranges'], 'both plans were read');
    });
  }

  test('LG-5 the auditor reports a snapshot that disagrees with the postings', async () => {
    const deps = suite.deps();
    const memberId = deps.ids.next('mem');
    await grantBonus(deps, { memberId, kind: 'registration' });
    const row = await computeSnapshot(deps.db, memberId, 1, deps.clock.nowMs());
    assert.ok(row);
    await insertSnapshot(deps.db, { ...row, sums: row.sums.replace(/\d+\]\]$/, '1]]') });
    const report = await auditCreditsLedger(deps, { trigger: 'test', actorId: null, memberId });
    assert.deepEqual(report.problems.map((p) => p.check), ['snapshot-vs-postings']);
  });
}, { ports: { memberContacts: ledgerOnlyMembers } });
