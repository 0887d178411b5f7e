// SQLite's deferred lots (issue 12, PF-1; migration 0429): an earn through an append group leaves its lots in its
// transaction row and marks its account; every reader reads them as lots, the first write to one of the member's
// lots copies them all into credit_lots, and the expiry warnings find them through the account's mark. On PostgreSQL
// the same operations write lot rows as before: each test checks the answers on both databases and where the rows
// are on each.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { auditCreditsLedger, configureGroupCommit, getBalance, getBalanceAt, getHistory, placeHold, releaseHold, reverseForRefund, runCreditsSweep, spendCredits } from '../../src/modules/credits/index.ts';
import { transact } from '../../src/deps.ts';
import { rawSqliteInTransaction } from '../../src/db/sqlite-raw.ts';
import { lotsTable, materializeDeferredLots } from '../../src/modules/credits/ledger.repository.ts';
import { sqliteAppendGroup } from '../../src/modules/credits/sqlite-append.repository.ts';
import type { Lot, TransactionDraft } from '../../src/modules/credits/ledger.rules.ts';
import { createTestDeps, type TestDeps } from '../support/deps.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { assertLedgerSound, DAY_MS, earnOrder, MINUTE_MS, newMemberId } from './credits-fixtures.ts';

interface LotView {
  id: string;
  state: string;
  remaining: number;
  warned: boolean;
}

async function lotsIn(deps: TestDeps, table: string, memberId: string): Promise<LotView[]> {
  const rows = await sql<{ id: string; state: string; remaining: number; warned_at_ms: number | null }>`select id, state, remaining, warned_at_ms from ${sql.table(table)}
    where member_id = ${memberId} order by id`.execute(deps.db);
  return rows.rows.map((r) => ({ id: r.id, state: r.state, remaining: Number(r.remaining), warned: r.warned_at_ms !== null }));
}

/** The account's mark (SQLite only): [from version, soonest expiry, whether it has its order in the index]. */
async function markOf(deps: TestDeps, memberId: string): Promise<[number | null, number | null, boolean]> {
  const [row] = (
    await sql<{ v: number | null; e: number | null; s: number | null }>`select deferred_from_version as v, deferred_expires_at_ms as e, deferred_seq as s
      from credit_accounts where member_id = ${memberId}`.execute(deps.db)
  ).rows;
  return [row!.v, row!.e === null ? null : Number(row!.e), row!.s !== null];
}

describeEachDatabase('credits deferred lots', (suite) => {
  test('PF-1 LG-2 an earn writes its lots into its transaction row on SQLite, marked on the account, and every read sees them as lots', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const earned = await earnOrder(deps, memberId, [{ qualifyingMinor: 5000 }, { qualifyingMinor: 7000 }]);
    const all = await lotsIn(deps, lotsTable(deps.db), memberId);
    assert.deepEqual(all.map((l) => [l.state, l.remaining]), [['pending', 50], ['pending', 70]]);
    if (suite.dialect === 'sqlite') {
      assert.deepEqual(await lotsIn(deps, 'credit_lots', memberId), [], 'no lot row');
      assert.deepEqual(await markOf(deps, memberId), [1, earned.expiresAtMs, true]);
    } else {
      assert.deepEqual(await lotsIn(deps, 'credit_lots', memberId), all);
    }
    const balance = await getBalance(deps, memberId);
    assert.equal(balance.pendingTotal, 120);
    assert.deepEqual(balance.pending, [{ credits: 120, unlockAtMs: earned.unlockAtMs }]);
    assert.equal((await getBalanceAt(deps, memberId, deps.clock.nowMs())).pendingTotal, 120, 'the point-in-time read finds the lots');
    await assertLedgerSound(deps);

    // A second earn adds to the deferred lots; the mark keeps the first (its lots expire sooner).
    deps.clock.advanceMs(DAY_MS);
    await earnOrder(deps, memberId, [{ qualifyingMinor: 1000 }]);
    assert.equal((await lotsIn(deps, lotsTable(deps.db), memberId)).length, 3);
    if (suite.dialect === 'sqlite') assert.deepEqual(await markOf(deps, memberId), [1, earned.expiresAtMs, true]);
    assert.equal((await getBalance(deps, memberId)).pendingTotal, 130);
    await assertLedgerSound(deps);
  });

  test('PF-1 LG-2 a deferred lot reads, and is copied into credit_lots, as the row the general path writes for the same earn', async () => {
    const deps = suite.deps();
    const [grouped, general] = [newMemberId(deps), newMemberId(deps)];
    const lines = [{ qualifyingMinor: 5000 }, { qualifyingMinor: 7000, plusBonus: true }];
    await earnOrder(deps, grouped, lines, { orderId: 'ord_deferred_shape_a', plusActive: true });
    configureGroupCommit(deps.db, { enabled: false });
    try {
      await earnOrder(deps, general, lines, { orderId: 'ord_deferred_shape_b', plusActive: true });
    } finally {
      configureGroupCommit(deps.db, { enabled: true });
    }
    // Every column but the ones naming this member, lot, transaction and order.
    const rows = async (table: string, memberId: string) =>
      (await sql<Record<string, unknown>>`select * from ${sql.table(table)} where member_id = ${memberId} order by order_line_id`.execute(deps.db)).rows.map((row) => {
        const { id, member_id, transaction_id, order_id, order_line_id, ...rest } = row;
        assert.ok(id && member_id && transaction_id && order_id && order_line_id);
        return Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, typeof value === 'bigint' || typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value]));
      });
    const expected = await rows('credit_lots', general);
    assert.equal(expected.length, 2);
    assert.deepEqual(await rows(lotsTable(deps.db), grouped), expected);
    if (suite.dialect === 'sqlite') {
      await transact(deps, async (trx) => materializeDeferredLots(rawSqliteInTransaction(trx.db)!, grouped));
      assert.deepEqual(await rows('credit_lots', grouped), expected, 'copied as they read');
      assert.deepEqual(await markOf(deps, grouped), [null, null, false]);
    }
    await assertLedgerSound(deps);
  });

  test('PF-1 CR-9 CR-11 the unlock leaves deferred lots where they are; the first spend copies them all into credit_lots and spends FIFO', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const earned = await earnOrder(deps, memberId, [{ qualifyingMinor: 5000 }, { qualifyingMinor: 7000 }]);
    deps.clock.setMs(earned.unlockAtMs + MINUTE_MS);
    await runCreditsSweep(deps);
    const sqlite = suite.dialect === 'sqlite';
    if (sqlite) assert.deepEqual(await lotsIn(deps, 'credit_lots', memberId), [], 'an unlock writes no lot, so none is copied');
    await earnOrder(deps, memberId, [{ qualifyingMinor: 3000 }]);
    assert.equal((await getBalance(deps, memberId)).spendable, 120);

    await spendCredits(deps, { memberId, credits: 60, idempotencyKey: 'deferred-spend' });
    const stored = await lotsIn(deps, 'credit_lots', memberId);
    assert.deepEqual(stored.map((l) => [l.state, l.remaining]), [['depleted', 0], ['available', 60], ['pending', 30]], 'every lot in credit_lots, the soonest spent first');
    assert.deepEqual(await lotsIn(deps, lotsTable(deps.db), memberId), stored, 'and only there');
    if (sqlite) assert.deepEqual(await markOf(deps, memberId), [null, null, false]);
    const balance = await getBalance(deps, memberId);
    assert.deepEqual([balance.spendable, balance.pendingTotal], [60, 30]);
    assert.deepEqual((await getHistory(deps, memberId)).entries.map((e) => e.kind), ['spend', 'earn', 'unlock', 'unlock', 'earn']);
    await assertLedgerSound(deps);
  });

  test('PF-1 CR-10 CR-8 a deferred lot’s expiry warning is found through the account’s mark, on time, and its expiry follows', async () => {
    // A fresh database: the sweep finds only this test's member.
    const deps = await createTestDeps(suite.dialect);
    try {
      const memberId = newMemberId(deps);
      const earned = await earnOrder(deps, memberId, [{ qualifyingMinor: 4000 }]);
      deps.clock.setMs(earned.unlockAtMs + MINUTE_MS);
      await runCreditsSweep(deps);
      // One day before the warning window opens nothing is due; the day it opens the warning is sent.
      deps.clock.setMs(earned.expiresAtMs - 31 * DAY_MS);
      assert.deepEqual(await runCreditsSweep(deps), { batches: 0, members: 0, transactions: 0, warnings: 0, more: false });
      if (suite.dialect === 'sqlite') assert.deepEqual(await lotsIn(deps, 'credit_lots', memberId), []);
      deps.clock.setMs(earned.expiresAtMs - 30 * DAY_MS + MINUTE_MS);
      const warned = await runCreditsSweep(deps);
      assert.deepEqual([warned.members, warned.warnings], [1, 1]);
      assert.deepEqual((await lotsIn(deps, 'credit_lots', memberId)).map((l) => [l.state, l.remaining, l.warned]), [['available', 40, true]]);
      if (suite.dialect === 'sqlite') assert.deepEqual(await markOf(deps, memberId), [null, null, false]);
      assert.equal((await runCreditsSweep(deps)).members, 0, 'found once');
      deps.clock.setMs(earned.expiresAtMs);
      assert.equal((await runCreditsSweep(deps)).transactions, 1);
      assert.deepEqual((await lotsIn(deps, lotsTable(deps.db), memberId)).map((l) => [l.state, l.remaining]), [['expired', 0]]);
      await assertLedgerSound(deps);
    } finally {
      await deps.database.dispose();
    }
  });

  test('PF-1 CR-15 CR-16 a refund reverses a deferred lot and a hold draws on one: each copies the lots first', async () => {
    const deps = suite.deps();
    const refunded = newMemberId(deps);
    const pending = await earnOrder(deps, refunded, [{ qualifyingMinor: 5000 }, { qualifyingMinor: 3000 }]);
    const reversed = await reverseForRefund(deps, { memberId: refunded, orderLineId: `${pending.orderId}-2`, refundedQualifyingMinor: 3000, lineQualifyingMinor: 3000, idempotencyKey: 'deferred-refund' });
    assert.deepEqual([reversed.voided, reversed.clawedBack], [30, 0], 'a pending lot is voided');
    assert.deepEqual((await lotsIn(deps, 'credit_lots', refunded)).map((l) => [l.state, l.remaining]), [['pending', 50], ['voided', 0]]);
    assert.equal((await getBalance(deps, refunded)).pendingTotal, 50);
    await assertLedgerSound(deps);

    const holder = newMemberId(deps);
    const earned = await earnOrder(deps, holder, [{ qualifyingMinor: 8000 }]);
    deps.clock.setMs(earned.unlockAtMs + MINUTE_MS);
    await runCreditsSweep(deps);
    const hold = await placeHold(deps, { memberId: holder, credits: 30, idempotencyKey: 'deferred-hold', orderId: 'ord_deferred_hold' });
    assert.deepEqual((await lotsIn(deps, 'credit_lots', holder)).map((l) => [l.state, l.remaining]), [['available', 80]]);
    assert.equal((await getBalance(deps, holder)).held, 30);
    await releaseHold(deps, { holdId: hold.holdId, memberId: holder });
    assert.deepEqual([(await getBalance(deps, holder)).held, (await getBalance(deps, holder)).spendable], [0, 80]);
    await assertLedgerSound(deps);
  });

  test('LG-5 the auditor finds a deferred lot that is also in credit_lots, and a mark later than the soonest deferred expiry', async (t) => {
    if (suite.dialect !== 'sqlite') {
      // PostgreSQL has no deferred lots to audit: its earns write lot rows (checked in the first test).
      assert.equal((await auditCreditsLedger(suite.deps(), { trigger: 'test', actorId: null })).ok, true);
      return;
    }
    const deps = await createTestDeps(suite.dialect);
    t.after(() => deps.database.dispose());
    const memberId = newMemberId(deps);
    const earned = await earnOrder(deps, memberId, [{ qualifyingMinor: 5000 }]);
    await assertLedgerSound(deps);
    const checks = async () => (await auditCreditsLedger(deps, { trigger: 'test', actorId: null })).problems.map((p) => p.check).sort();

    await sql`update credit_accounts set deferred_expires_at_ms = ${earned.expiresAtMs + 1} where member_id = ${memberId}`.execute(deps.db);
    assert.deepEqual(await checks(), ['lot-deferred-mark']);
    await sql`update credit_accounts set deferred_expires_at_ms = ${earned.expiresAtMs} where member_id = ${memberId}`.execute(deps.db);
    await assertLedgerSound(deps);

    // The same lot in credit_lots as well (what a copy that forgot to clear the mark would leave).
    await sql`insert into credit_lots (member_id, id, source, state, original, remaining, held, reversed, qualifying_minor, refunded_qualifying_minor, unlock_at_ms,
        expires_at_ms, order_id, order_line_id, transaction_id, policy_version, warned_at_ms, created_at_ms)
      select member_id, id, source, state, original, remaining, held, reversed, qualifying_minor, refunded_qualifying_minor, unlock_at_ms,
        expires_at_ms, order_id, order_line_id, transaction_id, policy_version, warned_at_ms, created_at_ms from credit_lots_deferred where member_id = ${memberId}`.execute(deps.db);
    assert.ok((await checks()).includes('lot-deferred-twice'));
  });
});

test('PF-1 LG-2 [sqlite] an append group defers only lots of the short form’s shape; any other gets its row, and both read alike', async (t) => {
  const deps = await createTestDeps('sqlite');
  t.after(() => deps.database.dispose());
  const memberId = newMemberId(deps);
  const nowMs = deps.clock.nowMs();
  const [txId, fresh, warned] = [deps.ids.next('ltx'), deps.ids.next('lot'), deps.ids.next('lot')];
  const unlockAtMs = nowMs + 30 * DAY_MS;
  const expiresAtMs = unlockAtMs + 365 * DAY_MS;
  // The payload carries the rules' own objects, as prepareAppend packs them for SQLite (ledger.repository.ts appendBook).
  const lot = (id: string, credits: number, extra: Partial<Lot>): Lot => ({
    id, memberId, source: 'order', state: 'pending', original: credits, remaining: credits, held: 0, reversed: 0, qualifyingMinor: credits * 100,
    refundedQualifyingMinor: 0, unlockAtMs, expiresAtMs, orderId: 'ord_shape', orderLineId: `ord_shape-${id}`,
    transactionId: txId, policyVersion: 1, warnedAtMs: null, createdAtMs: nowMs, ...extra,
  });
  // The second lot carries a warning mark, which the short form has no place for.
  const lots = [lot(fresh, 40, {}), lot(warned, 60, { warnedAtMs: nowMs })];
  const transaction: TransactionDraft = {
    id: txId, memberId, version: 1, kind: 'earn', reason: 'order', idemScope: 'earn', idemKey: 'ord_shape', requestHash: 'shape', policyVersion: 1,
    atMs: nowMs, recordedAtMs: nowMs, links: { orderId: 'ord_shape' }, credits: 100, result: '{}',
    postings: lots.flatMap((l) => [{ account: 'pending' as const, lotId: l.id, holdId: null, amount: l.original }, { account: 'program:issued' as const, lotId: l.id, holdId: null, amount: -l.original }]),
    after: { available: 0, pending: 100, held: 0, debt: 0, lifetimeEarned: 100 },
  };
  const [answer] = await sqliteAppendGroup(deps.db, [{
    memberId, nowMs, idemScope: 'earn', idemKey: 'ord_shape', requestHash: 'shape', policyVersion: 1, requireNoDebt: false,
    availableDelta: 0, pendingDelta: 100, lifetimeDelta: 100, nextDueAtMs: unlockAtMs,
    transaction,
    lots,
  }]);
  assert.equal(answer!.status, 'applied');
  const [row] = (await sql<{ lots: string }>`select lots from credit_transactions where id = ${txId}`.execute(deps.db)).rows;
  assert.deepEqual((JSON.parse(row!.lots) as unknown[][]).map((entry) => entry[0]), [fresh], 'the fresh lot is deferred');
  assert.deepEqual((await lotsIn(deps, 'credit_lots', memberId)).map((l) => [l.id, l.warned]), [[warned, true]], 'the other has its row');
  assert.deepEqual((await lotsIn(deps, lotsTable(deps.db), memberId)).map((l) => [l.id, l.remaining]), [[fresh, 40], [warned, 60]]);
  assert.deepEqual(await markOf(deps, memberId), [1, expiresAtMs, true]);
  assert.equal((await getBalance(deps, memberId)).pendingTotal, 100);
  await assertLedgerSound(deps);
});
