import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { getMessage, listMessages } from '../../src/modules/notifications/index.ts';
import { runDueJobs } from '../../src/modules.ts';
import { getBalance, getHistory, grantBonus, placeHold, reverseForRefund, runCreditsSweep, spendCredits } from '../../src/modules/credits/index.ts';
import { createTestDeps, type TestDeps } from '../support/deps.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { lotsTable, rawQuery } from '../../src/modules/credits/ledger.repository.ts';
import { dueByTimeQuery } from '../../src/modules/credits/sweep.repository.ts';
import { assertLedgerSound, DAY_MS, earnOrder, HOUR_MS, MINUTE_MS, newMemberId } from './credits-fixtures.ts';

async function subjectsFor(deps: TestDeps, memberId: string): Promise<string[]> {
  const messages = await listMessages(deps, { limit: 100 });
  return messages.filter((m) => m.memberId === memberId).map((m) => m.subject).sort();
}

let emailCounter = 0;
async function personWithEmail(deps: TestDeps): Promise<string> {
  emailCounter += 1;
  const { memberId } = await createMemberForSeed(deps, {
    email: `credits-time-${emailCounter}-${deps.clock.nowMs()}@example.test`,
    password: 'correct horse battery staple 42',
    country: 'US',
    dateOfBirth: '1990-01-01',
    firstName: 'Ada',
    emailVerified: true,
  });
  return memberId;
}

describeEachDatabase('credits over time', (suite) => {
  test('CR-7 CR-9 purchase credits unlock exactly at paid + 30 days, in a read, before any sweep has run', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const paidAtMs = deps.clock.nowMs();
    const earned = await earnOrder(deps, memberId, [{ qualifyingMinor: 12_345 }]);
    deps.clock.setMs(earned.unlockAtMs - 1);
    let balance = await getBalance(deps, memberId);
    assert.equal(balance.pendingTotal, 123);
    assert.equal(balance.spendable, 0);
    deps.clock.setMs(paidAtMs + 30 * DAY_MS);
    balance = await getBalance(deps, memberId);
    assert.equal(balance.pendingTotal, 0, 'unlocked at the exact millisecond');
    assert.equal(balance.spendable, 123);
    assert.deepEqual(balance.pending, []);
    assert.deepEqual((await getHistory(deps, memberId)).entries.map((e) => e.kind), ['earn'], 'nothing materialised yet');
    // Spendable before the sweep: the spend itself first writes the unlock down.
    await spendCredits(deps, { memberId, credits: 23, idempotencyKey: 'spend-after-unlock' });
    assert.deepEqual((await getHistory(deps, memberId)).entries.map((e) => e.kind), ['spend', 'unlock', 'earn']);
    assert.equal((await getBalance(deps, memberId)).spendable, 100);
    await assertLedgerSound(deps);
  });

  test('CR-9 the sweep materialises the unlock; the balance is the same before and after it', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const earned = await earnOrder(deps, memberId, [{ qualifyingMinor: 5000 }]);
    deps.clock.setMs(earned.unlockAtMs + 5 * MINUTE_MS);
    const before = await getBalance(deps, memberId);
    await runCreditsSweep(deps);
    const after = await getBalance(deps, memberId);
    assert.deepEqual(after, before);
    const history = await getHistory(deps, memberId);
    assert.equal(history.entries[0]!.kind, 'unlock');
    assert.equal(history.entries[0]!.atMs, earned.unlockAtMs, 'dated at the unlock, not at the sweep');
    await assertLedgerSound(deps);
  });

  test('PF-8 CR-9 LG-2 an unlock writes its posting and the account, not its lot: the lot reads as available through the account, and whatever next writes it writes its state', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const earned = await earnOrder(deps, memberId, [{ qualifyingMinor: 5000 }, { qualifyingMinor: 7000 }]);
    const rows = async () =>
      (await sql<{ id: string; state: string; remaining: number; warned_at_ms: number | null }>`select id, state, remaining, warned_at_ms from ${sql.table(lotsTable(deps.db))} where member_id = ${memberId} order by id`.execute(deps.db)).rows.map((r) => ({
        id: r.id, state: r.state, remaining: Number(r.remaining), warned: r.warned_at_ms !== null,
      }));
    const unlockedThrough = async () => (await sql<{ t: number | null }>`select unlocked_through_ms as t from credit_accounts where member_id = ${memberId}`.execute(deps.db)).rows[0]!.t;
    const [first, second] = await rows();
    assert.equal(await unlockedThrough(), null, 'no moment before the book was first brought forward');

    deps.clock.setMs(earned.unlockAtMs + 5 * MINUTE_MS);
    assert.equal((await runCreditsSweep(deps)).transactions, 2);
    assert.deepEqual(await rows(), [first, second], 'the unlocks left both lots as stored');
    assert.equal(Number(await unlockedThrough()), deps.clock.nowMs());
    let balance = await getBalance(deps, memberId);
    assert.equal(balance.pendingTotal, 0);
    assert.equal(balance.spendable, 120);
    assert.deepEqual((await getHistory(deps, memberId)).entries.map((e) => e.kind), ['unlock', 'unlock', 'earn']);
    assert.equal((await runCreditsSweep(deps)).transactions, 0, 'nothing is unlocked twice');
    await assertLedgerSound(deps);

    // A spend (the one-call path: nothing is due) writes the lot it takes from as the available lot it is.
    await spendCredits(deps, { memberId, credits: 10, idempotencyKey: 'pf8-spend' });
    const afterSpend = await rows();
    assert.deepEqual(afterSpend.map((r) => [r.state, r.remaining]), [['available', 40], ['pending', 70]]);
    await assertLedgerSound(deps);

    // The expiry warning finds the lot still stored as pending and writes it as available with its mark (CR-10).
    deps.clock.setMs(earned.expiresAtMs - 10 * DAY_MS);
    await runCreditsSweep(deps);
    assert.deepEqual((await rows()).map((r) => [r.state, r.warned]), [['available', true], ['available', true]]);
    balance = await getBalance(deps, memberId);
    assert.deepEqual(balance.expiringSoon, [{ credits: 110, expiresAtMs: earned.expiresAtMs }]);
    deps.clock.setMs(earned.expiresAtMs);
    await runCreditsSweep(deps);
    assert.deepEqual((await rows()).map((r) => [r.state, r.remaining]), [['expired', 0], ['expired', 0]]);
    assert.equal((await getBalance(deps, memberId)).spendable, 0);
    await assertLedgerSound(deps);
  });

  test('PF-8 CR-9 a lot unlocked without its write is spent, held and reversed as the available lot it is, on every path', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const earned = await earnOrder(deps, memberId, [{ qualifyingMinor: 5000 }, { qualifyingMinor: 3000 }]);
    deps.clock.setMs(earned.unlockAtMs + MINUTE_MS);
    await runCreditsSweep(deps);
    // A hold (the general path, the book read) draws on the first lot.
    await placeHold(deps, { memberId, credits: 30, idempotencyKey: 'pf8-hold', orderId: 'ord_pf8' });
    assert.equal((await getBalance(deps, memberId)).held, 30);
    await assertLedgerSound(deps);
    // A refund of the second line claws back the unlocked lot (CR-15), not a void of a pending one.
    const reversed = await reverseForRefund(deps, { memberId, orderLineId: `${earned.orderId}-2`, refundedQualifyingMinor: 3000, lineQualifyingMinor: 3000, idempotencyKey: 'pf8-refund' });
    assert.equal(reversed.clawedBack, 30);
    assert.equal(reversed.voided, 0);
    const balance = await getBalance(deps, memberId);
    assert.equal(balance.spendable, 20);
    assert.equal(balance.held, 30);
    await assertLedgerSound(deps);
  });

  test('CR-8 CR-9 a lot expires one lifetime after it unlocked; the expiry is an explicit posting in the history', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const earned = await earnOrder(deps, memberId, [{ qualifyingMinor: 7000 }]);
    deps.clock.setMs(earned.expiresAtMs - 1);
    assert.equal((await getBalance(deps, memberId)).spendable, 70);
    deps.clock.setMs(earned.expiresAtMs);
    const lazy = await getBalance(deps, memberId);
    assert.equal(lazy.spendable, 0, 'expired at the exact millisecond, before the sweep');
    await runCreditsSweep(deps);
    assert.deepEqual(await getBalance(deps, memberId), lazy);
    const kinds = (await getHistory(deps, memberId)).entries.map((e) => ({ kind: e.kind, credits: e.credits, at: e.atMs }));
    assert.deepEqual(kinds, [
      { kind: 'expire', credits: -70, at: earned.expiresAtMs },
      { kind: 'unlock', credits: 0, at: earned.unlockAtMs },
      { kind: 'earn', credits: 70, at: earned.expiresAtMs - 395 * DAY_MS },
    ]);
    await assertLedgerSound(deps);
  });

  test('CR-8 expiry removes only the unheld remainder; held credits expire when their hold is released', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    await grantBonus(deps, { memberId, kind: 'registration' });
    deps.clock.advanceMs(365 * DAY_MS - 10 * MINUTE_MS);
    const hold = await placeHold(deps, { memberId, credits: 200, idempotencyKey: 'hold-at-expiry' });
    deps.clock.advanceMs(10 * MINUTE_MS);
    const atExpiry = await getBalance(deps, memberId);
    assert.equal(atExpiry.spendable, 0);
    assert.equal(atExpiry.held, 200, 'held credits survive the expiry while the hold lasts');
    deps.clock.setMs(hold.expiresAtMs);
    const afterTimeout = await getBalance(deps, memberId);
    assert.equal(afterTimeout.held, 0);
    assert.equal(afterTimeout.spendable, 0, 'released into an expired lot: expired at once');
    await runCreditsSweep(deps);
    assert.deepEqual(await getBalance(deps, memberId), afterTimeout);
    await assertLedgerSound(deps);
  });

  test('CR-10 CR-8 a warning 30 days ahead, once per lot; the expired notice at expiry; the unlocked notice at unlock (job runner)', async () => {
    const deps = suite.deps();
    const memberId = await personWithEmail(deps);
    // Registration grants a bonus lot (accounts wires CR-1); spend it so that only the order's lot is left to watch.
    const bonus = (await getBalance(deps, memberId)).spendable;
    if (bonus > 0) await spendCredits(deps, { memberId, credits: bonus, idempotencyKey: 'cr10-spend-bonus' });
    const earned = await earnOrder(deps, memberId, [{ qualifyingMinor: 4200 }]);
    deps.clock.setMs(earned.unlockAtMs);
    await runDueJobs(deps);
    assert.deepEqual(await subjectsFor(deps, memberId), ['Your rewards credits are ready to use']);
    deps.clock.setMs(earned.expiresAtMs - 30 * DAY_MS - MINUTE_MS);
    await runCreditsSweep(deps);
    assert.deepEqual(await subjectsFor(deps, memberId), ["Your rewards credits are ready to use"], "not yet in the warning window");
    deps.clock.setMs(earned.expiresAtMs - 30 * DAY_MS);
    await runCreditsSweep(deps);
    deps.clock.advanceMs(DAY_MS);
    await runCreditsSweep(deps);
    await runDueJobs(deps);
    assert.deepEqual(await subjectsFor(deps, memberId), ['Your rewards credits are ready to use', 'Your rewards credits expire soon']);
    const balance = await getBalance(deps, memberId);
    assert.deepEqual(balance.expiringSoon, [{ credits: 42, expiresAtMs: earned.expiresAtMs }]);
    deps.clock.setMs(earned.expiresAtMs);
    await runDueJobs(deps);
    assert.deepEqual(await subjectsFor(deps, memberId), ['Some of your rewards credits have expired', 'Your rewards credits are ready to use', 'Your rewards credits expire soon']);
    await runCreditsSweep(deps);
    assert.equal((await subjectsFor(deps, memberId)).length, 3);
    await assertLedgerSound(deps);
  });

  test('CR-10 lots coming into the warning window together: each lot is warned once, the member gets one email for them', async () => {
    const deps = suite.deps();
    const memberId = await personWithEmail(deps);
    const bonus = (await getBalance(deps, memberId)).spendable;
    if (bonus > 0) await spendCredits(deps, { memberId, credits: bonus, idempotencyKey: 'cr10-group-spend-bonus' });
    const first = await earnOrder(deps, memberId, [{ qualifyingMinor: 4200 }]);
    deps.clock.advanceMs(2 * DAY_MS);
    const second = await earnOrder(deps, memberId, [{ qualifyingMinor: 1700 }, { qualifyingMinor: 300 }]);
    deps.clock.setMs(second.unlockAtMs);
    await runCreditsSweep(deps);
    await runDueJobs(deps);
    const before = (await listMessages(deps, { limit: 100 })).filter((m) => m.memberId === memberId).length;
    // Both orders' lots are inside the 30-day window now: one sweep warns all three lots.
    deps.clock.setMs(second.expiresAtMs - 30 * DAY_MS);
    const report = await runCreditsSweep(deps);
    assert.equal(report.warnings, 3);
    await runDueJobs(deps);
    const warnings = (await listMessages(deps, { limit: 100 })).filter((m) => m.memberId === memberId && m.subject === 'Your rewards credits expire soon');
    assert.equal(warnings.length, 1, 'one email for the lots warned together');
    const message = await getMessage(deps, warnings[0]!.id);
    assert.ok(message);
    assert.match(message.text, /62 credits in your account will expire on/, 'the total of the lots warned');
    const lotLines = message.text.split('\n').filter((line) => line.startsWith('- '));
    assert.equal(lotLines.length, 3, 'one line per lot warned');
    for (const amount of [42, 17, 3]) assert.ok(lotLines.some((line) => line.startsWith(`- ${amount} credits — `)), `lists the ${amount}-credit lot`);
    assert.match(message.html, /<td[^>]*>42 credits<\/td>/);
    assert.equal((await listMessages(deps, { limit: 100 })).filter((m) => m.memberId === memberId).length, before + 1);
    const balance = await getBalance(deps, memberId);
    assert.deepEqual(balance.expiringSoon, [{ credits: 42, expiresAtMs: first.expiresAtMs }, { credits: 20, expiresAtMs: second.expiresAtMs }]);
    // Once per lot: later sweeps in the window warn nothing again.
    deps.clock.advanceMs(DAY_MS);
    assert.equal((await runCreditsSweep(deps)).warnings, 0);
    await runDueJobs(deps);
    assert.equal((await listMessages(deps, { limit: 100 })).filter((m) => m.memberId === memberId && m.subject === 'Your rewards credits expire soon').length, 1);
    await assertLedgerSound(deps);
  });

  test('CR-12 a hold left open past the timeout releases itself, lazily in a read and for good in the sweep', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    await grantBonus(deps, { memberId, kind: 'registration' });
    const hold = await placeHold(deps, { memberId, credits: 300, idempotencyKey: 'abandoned-checkout' });
    assert.equal(hold.expiresAtMs, deps.clock.nowMs() + 30 * MINUTE_MS);
    deps.clock.setMs(hold.expiresAtMs - 1);
    assert.equal((await getBalance(deps, memberId)).held, 300);
    deps.clock.setMs(hold.expiresAtMs);
    const lazy = await getBalance(deps, memberId);
    assert.equal(lazy.held, 0);
    assert.equal(lazy.spendable, 500);
    const report = await runCreditsSweep(deps);
    assert.ok(report.transactions >= 1);
    assert.deepEqual(await getBalance(deps, memberId), lazy);
    assert.equal((await getHistory(deps, memberId)).entries[0]!.kind, 'hold_expired');
    await assertLedgerSound(deps);
  });

  test('PF-8 the sweep works in bounded batches and stops when nothing is due', async () => {
    const deps = suite.deps();
    const members = Array.from({ length: 7 }, () => newMemberId(deps));
    for (const memberId of members) await earnOrder(deps, memberId, [{ qualifyingMinor: 1000 }, { qualifyingMinor: 2000 }]);
    deps.clock.advanceMs(31 * DAY_MS);
    const first = await runCreditsSweep(deps, { batchSize: 3, maxBatches: 2 });
    assert.equal(first.batches, 2);
    assert.equal(first.more, true);
    const rest = await runCreditsSweep(deps, { batchSize: 3 });
    assert.equal(first.members + rest.members >= 7, true);
    const idle = await runCreditsSweep(deps, { batchSize: 3 });
    assert.equal(idle.batches, 0);
    for (const memberId of members) assert.equal((await getBalance(deps, memberId)).spendable, 30);
    await assertLedgerSound(deps);
  });

  test('PF-8 the sweep cuts the due members it finds into batches in member order, whatever order they fell due in', async () => {
    // A fresh database: only this test's members are due.
    const deps = await createTestDeps(suite.dialect);
    try {
      const members = Array.from({ length: 12 }, () => newMemberId(deps)).sort();
      // They fall due m0, m6, m1, m7, …: the first three due span half the member IDs.
      const dueOrder = members.slice(0, 6).flatMap((memberId, i) => [memberId, members[i + 6]!]);
      for (const memberId of dueOrder) {
        await earnOrder(deps, memberId, [{ qualifyingMinor: 1000 }]);
        deps.clock.advanceMs(MINUTE_MS);
      }
      deps.clock.advanceMs(31 * DAY_MS);
      const report = await runCreditsSweep(deps, { batchSize: 3, concurrency: 1 });
      assert.equal(report.batches, 4);
      assert.equal(report.transactions, 12);
      // Each batch queues one notices job naming its members (one unlock each).
      const jobs = await sql<{ payload: string }>`select payload from jobs where type = 'credits-notices'`.execute(deps.db);
      const batches = jobs.rows
        .map((row) => (JSON.parse(String(row.payload)) as { notices: { kind: string; memberId: string }[] }).notices.filter((n) => n.kind === 'unlocked').map((n) => n.memberId).sort())
        .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
      assert.deepEqual(batches, [members.slice(0, 3), members.slice(3, 6), members.slice(6, 9), members.slice(9, 12)]);
      for (const memberId of members) assert.equal((await getBalance(deps, memberId)).spendable, 10);
      await assertLedgerSound(deps);
    } finally {
      await deps.database.dispose();
    }
  });
  test('PF-8 due members are found through one index range, never a scan: on SQLite by the day they fell due, then in member order; one due later today waits for its time', async () => {
    // A fresh database: only this test's members are due. Times are set from a day boundary (UTC).
    const deps = await createTestDeps(suite.dialect);
    try {
      const [m0, m1, m2, m3] = Array.from({ length: 4 }, () => newMemberId(deps)).sort() as [string, string, string, string];
      const day0 = Math.ceil(deps.clock.nowMs() / DAY_MS) * DAY_MS + DAY_MS;
      const earnAt = async (memberId: string, atMs: number) => {
        deps.clock.setMs(atMs);
        await earnOrder(deps, memberId, [{ qualifyingMinor: 1000 }]);
      };
      // Unlocks 30 days on: m3 late on the day before, m1 then m0 early on the day itself, m2 late on it.
      await earnAt(m3, day0 + 22 * HOUR_MS);
      await earnAt(m1, day0 + DAY_MS + HOUR_MS);
      await earnAt(m0, day0 + DAY_MS + 2 * HOUR_MS);
      await earnAt(m2, day0 + DAY_MS + 20 * HOUR_MS);
      deps.clock.setMs(day0 + 31 * DAY_MS + 10 * HOUR_MS);
      const swept: string[] = [];
      for (;;) {
        const report = await runCreditsSweep(deps, { batchSize: 1, maxBatches: 1, readAhead: 1, concurrency: 1 });
        if (report.batches === 0) break;
        const unlocked = await sql<{ member_id: string }>`select member_id from credit_transactions where kind = 'unlock'`.execute(deps.db);
        swept.push(unlocked.rows.map((r) => r.member_id).find((id) => !swept.includes(id))!);
      }
      // SQLite's index is keyed by day, then member (migration 0428); PostgreSQL's by the millisecond (0404): m1 fell
      // due before m0 on the same day.
      assert.deepEqual(swept, suite.dialect === 'sqlite' ? [m3, m0, m1] : [m3, m1, m0]);
      deps.clock.setMs(day0 + 31 * DAY_MS + 20 * HOUR_MS);
      assert.equal((await runCreditsSweep(deps, { batchSize: 1 })).members, 1);
      const unlocked = await sql<{ member_id: string }>`select member_id from credit_transactions where kind = 'unlock' order by member_id`.execute(deps.db);
      assert.deepEqual(unlocked.rows.map((r) => r.member_id), [m0, m1, m2, m3]);

      const query = dueByTimeQuery(deps.db, deps.clock.nowMs(), 100);
      if (suite.dialect === 'sqlite') {
        const plan = await rawQuery<{ detail: string }>(deps.db, `explain query plan ${query.text}`, query.params);
        const accounts = plan.map((row) => row.detail).filter((detail) => / credit_accounts( |$)/.test(detail) && !detail.includes('PRIMARY KEY'));
        assert.deepEqual(accounts, ['SEARCH credit_accounts USING COVERING INDEX credit_accounts_next_due_day (<expr><?)']);
      } else {
        // A small table may be scanned by choice: forbid scans, then the plan must name the index, or it cannot be used.
        // In one transaction (`set local`), so the setting and the plan are one pooled connection's.
        const lines = await deps.db.transaction().execute(async (trx) => {
          await sql`set local enable_seqscan = off`.execute(trx);
          const plan = await rawQuery<{ 'QUERY PLAN': string }>(trx, `explain ${query.text}`, query.params);
          return plan.map((row) => row['QUERY PLAN']);
        });
        const at = lines.findIndex((line) => line.includes('using credit_accounts_next_due on credit_accounts'));
        // A range of the index (its bound an index condition), not the whole index walked in order under a filter.
        assert.match(lines[at + 1] ?? '', /Index Cond: \(next_due_at_ms <= /, lines.join('\n'));
      }
      await assertLedgerSound(deps);
    } finally {
      await deps.database.dispose();
    }
  });

  test('PF-8 CR-10 a round takes the members with time events due first; a member with an expiry warning and nothing else due comes once they are done', async () => {
    // A fresh database: only this test's members are due.
    const deps = await createTestDeps(suite.dialect);
    try {
      const [warned, timed] = Array.from({ length: 2 }, () => newMemberId(deps)).sort() as [string, string];
      const lot = await earnOrder(deps, warned, [{ qualifyingMinor: 1000 }]);
      deps.clock.setMs(lot.unlockAtMs);
      assert.equal((await runCreditsSweep(deps)).transactions, 1);
      // At `at` the warned member's lot comes into its warning window; the other's unlock falls due then too.
      const at = lot.expiresAtMs - 30 * DAY_MS;
      deps.clock.setMs(at - 30 * DAY_MS);
      await earnOrder(deps, timed, [{ qualifyingMinor: 1000 }]);
      deps.clock.setMs(at);
      const warnedAt = async () => (await sql<{ warned_at_ms: number | null }>`select warned_at_ms from ${sql.table(lotsTable(deps.db))} where member_id = ${warned}`.execute(deps.db)).rows.map((r) => r.warned_at_ms);
      const unlocks = async () => (await sql<{ member_id: string }>`select member_id from credit_transactions where kind = 'unlock' and member_id = ${timed}`.execute(deps.db)).rows.length;
      // One member a run: the one with the time event, though the other sorts first.
      const first = await runCreditsSweep(deps, { batchSize: 1, maxBatches: 1, readAhead: 1, concurrency: 1 });
      assert.deepEqual([first.members, first.warnings, await unlocks()], [1, 0, 1]);
      assert.deepEqual(await warnedAt(), [null]);
      const second = await runCreditsSweep(deps, { batchSize: 1, maxBatches: 1, readAhead: 1, concurrency: 1 });
      assert.deepEqual([second.members, second.warnings], [1, 1]);
      assert.deepEqual(await warnedAt(), [at]);
      assert.equal((await runCreditsSweep(deps, { batchSize: 1 })).members, 0);
      await assertLedgerSound(deps);
    } finally {
      await deps.database.dispose();
    }
  });
});
