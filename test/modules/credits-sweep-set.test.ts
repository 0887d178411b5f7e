// PF-8 differential proof of the set-based sweep: two copies of one ledger, built by the same deterministic script
// through the services (sequential IDs, the same simulated clock), are swept at the same moments, one through the
// reference path (every member's whole book, `setBased: false`), the other through the set-based path. Every
// ledger table, the notice jobs and the domain events must be identical row by row after every sweep (CR-7..CR-10,
// CR-12, LG-1..LG-3), nothing may still be due, and the auditor must be clean on both (LG-5).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import {
  captureHold, earnForOrder, forfeitOnClosure, grantBonus, placeHold, reverseForRefund, runCreditsSweep, spendCredits, type SweepReport,
} from '../../src/modules/credits/index.ts';
import { lotReadsAvailableSql, lotReadsPendingSql } from '../../src/modules/credits/ledger.repository.ts';
import { AppError } from '../../src/platform/errors.ts';
import { createSequentialIdGenerator } from '../../src/platform/ids.ts';
import { createTestDeps, ledgerOnlyMembers, testStartMs, type TestDeps } from '../support/deps.ts';
import { testDialects } from '../support/databases.ts';
import { assertLedgerSound, creditEventsSince, DAY_MS, MINUTE_MS } from './credits-fixtures.ts';

const T = testStartMs;
const memberCount = 80;
const memberOf = (i: number) => `mem_sweep_${String(i).padStart(4, '0')}`;

/** Park–Miller minimal standard generator: the same seed gives the same script on both copies. */
function prng(seed: number): () => number {
  let state = seed % 2147483647 || 1;
  return () => (state = (state * 48271) % 2147483647) / 2147483647;
}

/** An operation the script expects may be refused (not enough credits, a closed account): refused the same on both. */
async function tolerate(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
  }
}

/**
 * Members of every shape the sweep meets: pending and available lots, several events on one day, a lot expiring at
 * the very millisecond another unlocks, several lots of one order unlocking and expiring together, warnings due,
 * partial spends, holds left to time out (and captured ones), debt from a refund after a spend, closed accounts.
 */
async function seed(ctx: TestDeps): Promise<void> {
  const random = prng(20261205);
  const pick = (n: number) => Math.floor(random() * n);
  for (let i = 0; i < memberCount; i++) {
    const memberId = memberOf(i);
    const orders = 1 + pick(3);
    for (let o = 0; o < orders; o++) {
      const orderId = `ord_${i}_${o}`;
      // Paid up to 40 days ago: some lots unlock at once, the others over the coming 30 days, several on one day.
      const paidAtMs = T - pick(40) * DAY_MS - pick(3) * 7 * MINUTE_MS;
      const lines = Array.from({ length: 1 + pick(3) }, (_, l) => ({ lineId: `${orderId}-${l}`, qualifyingMinor: 1000 + pick(20) * 500, plusBonus: random() < 0.2, earnsCredits: true }));
      await earnForOrder(ctx, { memberId, orderId, paidAtMs, plusActive: random() < 0.3, lines });
    }
    if (random() < 0.35) {
      // One lot expires at the millisecond another unlocks (T + 30 days − x): the unlock comes first.
      const x = pick(20) * DAY_MS + pick(60) * MINUTE_MS;
      await earnForOrder(ctx, { memberId, orderId: `ord_${i}_old`, paidAtMs: T - 365 * DAY_MS - x, plusActive: false, lines: [{ lineId: `ord_${i}_old-0`, qualifyingMinor: 4000, plusBonus: false, earnsCredits: true }] });
      await earnForOrder(ctx, { memberId, orderId: `ord_${i}_new`, paidAtMs: T - x, plusActive: false, lines: [{ lineId: `ord_${i}_new-0`, qualifyingMinor: 3000, plusBonus: false, earnsCredits: true }] });
    }
    if (random() < 0.5) await grantBonus(ctx, { memberId, kind: 'registration' });
    if (random() < 0.25) await tolerate(spendCredits(ctx, { memberId, credits: 10 + pick(80), idempotencyKey: `spend-${i}` }));
    const shape = random();
    if (shape < 0.12) {
      // A hold left to time out (30 minutes) or captured in part.
      const hold = placeHold(ctx, { memberId, credits: 5 + pick(40), idempotencyKey: `hold-${i}` });
      await tolerate(hold);
      if (random() < 0.4) await tolerate(hold.then((h) => captureHold(ctx, { memberId, holdId: h.holdId, credits: 3 })));
    } else if (shape < 0.22) {
      // Debt: an available line spent, then refunded in full.
      const orderId = `ord_${i}_debt`;
      await earnForOrder(ctx, { memberId, orderId, paidAtMs: T - 31 * DAY_MS, plusActive: false, lines: [{ lineId: `${orderId}-0`, qualifyingMinor: 20_000, plusBonus: false, earnsCredits: true }] });
      await tolerate(spendCredits(ctx, { memberId, credits: 150, idempotencyKey: `spend-debt-${i}` }));
      await reverseForRefund(ctx, { memberId, orderLineId: `${orderId}-0`, refundedQualifyingMinor: 20_000, lineQualifyingMinor: 20_000, idempotencyKey: `refund-${i}` });
    } else if (shape < 0.27) {
      await forfeitOnClosure(ctx, { memberId });
    }
  }
}

/** Between sweeps: more of the same on some members (earnings, spends, a hold), so later sweeps meet fresh state. */
async function interlude(ctx: TestDeps, round: number): Promise<void> {
  const random = prng(1000 + round);
  for (let i = 0; i < memberCount; i += 1 + Math.floor(random() * 4)) {
    const memberId = memberOf(i);
    const orderId = `ord_${i}_r${round}`;
    await tolerate(earnForOrder(ctx, { memberId, orderId, paidAtMs: ctx.clock.nowMs() - Math.floor(random() * 35) * DAY_MS, plusActive: false, lines: [{ lineId: `${orderId}-0`, qualifyingMinor: 2500, plusBonus: false, earnsCredits: true }] }));
    if (random() < 0.3) await tolerate(spendCredits(ctx, { memberId, credits: 20, idempotencyKey: `spend-${i}-r${round}` }));
    if (random() < 0.1) await tolerate(placeHold(ctx, { memberId, credits: 10, idempotencyKey: `hold-${i}-r${round}` }));
  }
}

const tables: Record<string, string> = {
  credit_accounts: 'member_id',
  credit_transactions: 'member_id, version',
  credit_postings: 'member_id, version, seq',
  credit_lots: 'member_id, id',
  credit_holds: 'id',
  credit_hold_lots: 'hold_id, lot_id',
  jobs: 'id',
};

type Row = Record<string, unknown>;

/**
 * The ledger with the IDs a sweep draws left out: transactions by (member, version) without their ID, the events
 * counted by type and member, the notices and warnings as a sorted list. Lots and holds keep theirs (the seed made them).
 */
async function withoutDrawnIds(ctx: TestDeps): Promise<Record<string, Row[]>> {
  const query = async (text: string) => (await sql.raw<Row>(text).execute(ctx.db)).rows.map((row) => ({ ...row }));
  return {
    accounts: await query('select * from credit_accounts order by member_id'),
    lots: await query('select * from credit_lots order by member_id, id'),
    holds: await query('select * from credit_holds order by id'),
    transactions: await query(`select member_id, version, kind, reason, idem_scope, credits, available_after, pending_after, held_after, debt_after, at_ms, lot_id, hold_id
      from credit_transactions order by member_id, version`),
    postings: await query('select member_id, version, seq, account, lot_id, hold_id, amount from credit_postings order by member_id, version, seq'),
    events: eventCounts(await creditEventsSince(ctx, '')),
    // Batches may group members differently (each has at most one notice job), so the notices are compared, not jobs.
    notices: (await query(`select payload from jobs where type = 'credits-notices'`))
      .flatMap((row) => {
        const payload = JSON.parse(String(row.payload)) as { notices: unknown[]; warnings: unknown[] };
        return [...payload.notices.map((n) => `notice ${JSON.stringify(n)}`), ...payload.warnings.map((w) => `warning ${JSON.stringify(w)}`)];
      })
      .sort()
      .map((notice) => ({ notice })),
  };
}

/** Every row of the tables the sweep writes; a notice job's warnings sorted (only their member order reaches an email). */
async function dump(ctx: TestDeps): Promise<Record<string, Row[]>> {
  const out: Record<string, Row[]> = {};
  for (const [table, key] of Object.entries(tables)) {
    const rows = (await sql.raw<Row>(`select * from ${table} order by ${key}`).execute(ctx.db)).rows;
    out[table] = rows.map((row) => {
      // PostgreSQL: the writing transaction's ID (the event feed's order, migration 0425) differs from run to run.
      if (table === 'credit_transactions') delete row.commit_xid;
      if (table !== 'jobs' || row.type !== 'credits-notices') return row;
      const payload = JSON.parse(String(row.payload)) as { notices: unknown[]; warnings: { memberId: string; lotId: string }[] };
      payload.warnings.sort((a, b) => (a.memberId + a.lotId < b.memberId + b.lotId ? -1 : 1));
      return { ...row, payload };
    });
  }
  // The credits events read from the ledger (event-feed.ts), by ID (the order of rows within one batch may differ).
  out.credit_events = (await creditEventsSince(ctx, '')).sort((x, y) => (x.id < y.id ? -1 : 1)) as unknown as Row[];
  return out;
}

/** Credits events counted by type and member. */
function eventCounts(events: readonly { type: string; memberId: string | null }[]): Row[] {
  const counts = new Map<string, number>();
  for (const event of events) counts.set(`${event.type} ${event.memberId}`, (counts.get(`${event.type} ${event.memberId}`) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, n]) => ({ key, n }));
}

// A lot `l` of the account `a` as the ledger reads it (effectiveLotState).
const isPending = sql.raw(lotReadsPendingSql);
const isAvailable = sql.raw(lotReadsAvailableSql);

/** Due members whose events the set-based path can take (open, no debt, nothing held, no active hold, a lot due). */
async function simpleDueMembers(ctx: TestDeps): Promise<number> {
  const now = ctx.clock.nowMs();
  const rows = (await sql<{ n: number }>`select count(distinct a.member_id) as n from credit_accounts a join credit_lots l on l.member_id = a.member_id
    where a.state = 'open' and a.debt = 0 and a.held = 0
      and not exists (select 1 from credit_holds h where h.member_id = a.member_id and h.state = 'active')
      and ((${isPending} and l.unlock_at_ms <= ${now}) or (${isAvailable} and l.expires_at_ms <= ${now}))`.execute(ctx.db)).rows;
  return Number(rows[0]!.n);
}

/** Nothing due is left behind: the sweep found every member through the next-due and warning indexes (PF-8). */
async function nothingDue(ctx: TestDeps, warningMs: number): Promise<void> {
  const now = ctx.clock.nowMs();
  const rows = (await sql<{ n: number }>`select
      (select count(*) from credit_lots l join credit_accounts a on a.member_id = l.member_id where a.state = 'open'
        and ((${isPending} and l.unlock_at_ms <= ${now}) or (${isAvailable} and l.expires_at_ms <= ${now}))) +
      (select count(*) from credit_holds where state = 'active' and expires_at_ms <= ${now}) +
      (select count(*) from credit_lots l join credit_accounts a on a.member_id = l.member_id
        where ${isAvailable} and l.warned_at_ms is null and l.expires_at_ms <= ${now + warningMs}) +
      (select count(*) from credit_accounts where next_due_at_ms <= ${now}) as n`.execute(ctx.db)).rows;
  assert.equal(Number(rows[0]!.n), 0, 'something due was left');
}

async function copy(dialect: 'sqlite' | 'postgres'): Promise<TestDeps> {
  const deps = await createTestDeps(dialect, { ports: { memberContacts: ledgerOnlyMembers } });
  return { ...deps, ids: createSequentialIdGenerator() };
}

for (const dialect of testDialects()) {
  describe(`credits sweep, set-based vs whole books [${dialect}]`, () => {
    let reference: TestDeps;
    let setBased: TestDeps;
    before(async () => {
      reference = await copy(dialect);
      setBased = await copy(dialect);
    });
    after(async () => {
      await reference.database.dispose();
      await setBased.database.dispose();
    });

    test('PF-8 CR-7 CR-8 CR-10 CR-12 LG-5 both paths write the same rows, notices and events at every sweep', async () => {
      for (const ctx of [reference, setBased]) await seed(ctx);
      assert.deepEqual(await dump(setBased), await dump(reference), 'the copies start equal');
      // Sweep moments: the first warnings, a day of unlocks (in small batches), the unlock/expiry collisions, a day
      // after a round of new activity, the first bonus expiries, and everything expired.
      const moments: { atMs: number; batchSize: number }[] = [
        { atMs: T + DAY_MS, batchSize: 500 },
        { atMs: T + 12 * DAY_MS + 3 * MINUTE_MS, batchSize: 7 },
        { atMs: T + 30 * DAY_MS, batchSize: 13 },
        { atMs: T + 31 * DAY_MS + 1, batchSize: 500 },
        { atMs: T + 75 * DAY_MS, batchSize: 5 },
        { atMs: T + 366 * DAY_MS, batchSize: 11 },
        { atMs: T + 380 * DAY_MS, batchSize: 500 },
        { atMs: T + 800 * DAY_MS, batchSize: 9 },
      ];
      let setBasedMembers = 0;
      let transactions = 0;
      for (const [round, moment] of moments.entries()) {
        for (const ctx of [reference, setBased]) ctx.clock.setMs(moment.atMs);
        setBasedMembers += await simpleDueMembers(setBased);
        const reports: SweepReport[] = [];
        // One batch at a time, so both copies draw their sequential IDs in the same order (the test below covers two).
        reports.push(await runCreditsSweep(reference, { batchSize: moment.batchSize, setBased: false, concurrency: 1 }));
        reports.push(await runCreditsSweep(setBased, { batchSize: moment.batchSize, concurrency: 1 }));
        assert.deepEqual(reports[1], reports[0], `the reports at sweep ${round}`);
        transactions += reports[0]!.transactions;
        const [want, got] = [await dump(reference), await dump(setBased)];
        for (const table of [...Object.keys(tables), 'credit_events']) assert.deepEqual(got[table], want[table], `${table} after sweep ${round}`);
        for (const ctx of [reference, setBased]) await nothingDue(ctx, 30 * DAY_MS);
        if (round === 3) for (const ctx of [reference, setBased]) await interlude(ctx, round);
      }
      assert.ok(setBasedMembers > 50, `the set-based path had work (${setBasedMembers} member-sweeps)`);
      assert.ok(transactions > 300, `the sweeps wrote transactions (${transactions})`);
      for (const ctx of [reference, setBased]) await assertLedgerSound(ctx);
    });

    test('PF-8 LG-5 two batches in flight on disjoint members (PostgreSQL; SQLite runs one) write what one batch at a time writes, but for the IDs they draw', async () => {
      const [one, two] = [await copy(dialect), await copy(dialect)];
      try {
        for (const ctx of [one, two]) await seed(ctx);
        let busiest = 0;
        for (const [round, atMs] of [T + DAY_MS, T + 12 * DAY_MS, T + 31 * DAY_MS + 1, T + 366 * DAY_MS, T + 800 * DAY_MS].entries()) {
          for (const ctx of [one, two]) ctx.clock.setMs(atMs);
          const [alone, paired] = [await runCreditsSweep(one, { batchSize: 6, concurrency: 1 }), await runCreditsSweep(two, { batchSize: 6, concurrency: 2 })];
          assert.deepEqual({ ...paired, batches: 0 }, { ...alone, batches: 0 }, `the reports at sweep ${round}`);
          busiest = Math.max(busiest, alone.batches);
          assert.deepEqual(await withoutDrawnIds(two), await withoutDrawnIds(one), `the ledgers after sweep ${round}`);
          for (const ctx of [one, two]) await nothingDue(ctx, 30 * DAY_MS);
        }
        assert.ok(busiest >= 4, `some sweep needed several batches (${busiest}), so two ran at once on PostgreSQL`);
        for (const ctx of [one, two]) await assertLedgerSound(ctx);
      } finally {
        await one.database.dispose();
        await two.database.dispose();
      }
    });

    test('PF-8 a second sweep at the same moment writes nothing (idempotent)', async () => {
      const before = await dump(setBased);
      const report = await runCreditsSweep(setBased, { batchSize: 3 });
      assert.deepEqual(report, { batches: 0, members: 0, transactions: 0, warnings: 0, more: false });
      assert.deepEqual(await dump(setBased), before);
    });
  });
}
