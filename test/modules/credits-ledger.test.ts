import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import {
  auditCreditsLedger, captureHold, getBalance, getBalanceAt, grantBonus, jobHandlers, listAuditRuns, placeHold, restoreSpend,
  reverseForRefund, runCreditsAudit, schedules, spendCredits, type CreditBalance,
} from '../../src/modules/credits/index.ts';
import { createTestDeps } from '../support/deps.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { assertLedgerSound, DAY_MS, earnOrder, MINUTE_MS, newMemberId } from './credits-fixtures.ts';

describeEachDatabase('credits ledger integrity', (suite) => {
  test('LG-1 postings and transactions are append-only: the database refuses UPDATE and DELETE', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    await grantBonus(deps, { memberId, kind: 'registration' });
    for (const statement of [
      // The postings are in their transaction's row (migration 0420).
      sql`update credit_transactions set postings = null where member_id = ${memberId}`,
      sql`update credit_transactions set credits = 0 where member_id = ${memberId}`,
      sql`delete from credit_transactions where member_id = ${memberId}`,
      sql`update credit_policies set registration_bonus_credits = 1000000`,
    ]) {
      await assert.rejects(statement.execute(deps.db), /append-only/);
    }
    // Postings written before migration 0420 keep their own append-only table (a row added and refused to change
    // inside a transaction that is rolled back); the view over both is read-only.
    for (const change of [sql`update credit_postings_legacy set amount = amount + 1 where member_id = ${memberId}`, sql`delete from credit_postings_legacy where member_id = ${memberId}`]) {
      await assert.rejects(
        deps.db.transaction().execute(async (trx) => {
          await sql`insert into credit_postings_legacy (member_id, version, seq, transaction_id, account, lot_id, hold_id, amount, at_ms)
            values (${memberId}, 1, 99, 'ltx_legacy', 'available', null, null, 0, 0)`.execute(trx);
          await change.execute(trx);
        }),
        /append-only/,
      );
    }
    await assert.rejects(sql`delete from credit_postings where member_id = ${memberId}`.execute(deps.db));
    await assertLedgerSound(deps);
  });

  test('LG-2 LG-5 the auditor finds nothing in a sound ledger and reports a tampered lot or balance', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    await grantBonus(deps, { memberId, kind: 'registration' });
    const order = await earnOrder(deps, memberId, [{ qualifyingMinor: 9000 }]);
    deps.clock.setMs(order.unlockAtMs);
    const hold = await placeHold(deps, { memberId, credits: 300, idempotencyKey: 'lg2-hold' });
    await captureHold(deps, { memberId, holdId: hold.holdId, credits: 120 });
    await reverseForRefund(deps, { memberId, orderLineId: order.lines[0]!.lineId, refundedQualifyingMinor: 4500, lineQualifyingMinor: 9000, idempotencyKey: 'lg2-refund' });
    const sound = await auditCreditsLedger(deps, { trigger: 'test', actorId: null });
    assert.deepEqual(sound.problems, []);
    assert.equal(sound.totals.outstanding, sound.totals.memberPostings);
    assert.equal(sound.totals.accountBalances, sound.totals.memberPostings);

    await sql`update credit_lots set remaining = remaining - 1 where member_id = ${memberId} and state = 'available' and source = 'registration'`.execute(deps.db);
    const tamperedLot = await auditCreditsLedger(deps, { trigger: 'test', actorId: null });
    assert.equal(tamperedLot.ok, false);
    assert.ok(tamperedLot.problems.some((p) => p.check === 'lot-vs-postings' && p.memberId === memberId));
    assert.ok(tamperedLot.problems.some((p) => p.check === 'conservation'));
    await sql`update credit_lots set remaining = remaining + 1 where member_id = ${memberId} and state = 'available' and source = 'registration'`.execute(deps.db);

    await sql`update credit_accounts set available = available + 7 where member_id = ${memberId}`.execute(deps.db);
    const tamperedAccount = await auditCreditsLedger(deps, { trigger: 'test', actorId: null });
    assert.ok(tamperedAccount.problems.some((p) => p.check === 'balance-vs-postings' && p.memberId === memberId));
    await sql`update credit_accounts set available = available - 7 where member_id = ${memberId}`.execute(deps.db);
    await assertLedgerSound(deps);
  });

  test('LG-5 the auditor names each kind of damage it checks for, and the member it is in', async () => {
    // A database of its own: damage written as ledger rows cannot be taken back (they are append-only).
    const deps = await createTestDeps(suite.dialect);
    try {
      const memberId = newMemberId(deps);
      await grantBonus(deps, { memberId, kind: 'registration' });
      const hold = await placeHold(deps, { memberId, credits: 100, idempotencyKey: 'lg5-hold' });
      const found = async () => {
        const report = await auditCreditsLedger(deps, { trigger: 'test', actorId: null });
        return new Set(report.problems.map((p) => `${p.check} ${p.memberId ?? '-'}`));
      };
      const expectFound = async (expected: string[]) => {
        const problems = await found();
        for (const problem of expected) assert.ok(problems.has(problem), `${problem} among ${[...problems].join(', ')}`);
      };
      assert.deepEqual(await found(), new Set());
      const [lot] = (await sql<{ id: string; held: number }>`select id, held from credit_lots where member_id = ${memberId}`.execute(deps.db)).rows;

      await sql`update credit_accounts set debt = 5 where member_id = ${memberId}`.execute(deps.db);
      await expectFound([`debt-settles-first ${memberId}`, `balance-vs-postings ${memberId}`]);
      await sql`update credit_accounts set debt = 0 where member_id = ${memberId}`.execute(deps.db);

      // A lot holding more than it has left is refused by the database itself (the auditor's lot-bounds is the second line).
      await assert.rejects(sql`update credit_lots set held = remaining + 1 where member_id = ${memberId}`.execute(deps.db));
      await sql`update credit_lots set held = held + 1 where member_id = ${memberId}`.execute(deps.db);
      await expectFound([`lot-vs-postings ${memberId}`, `lot-vs-holds ${memberId}`, `balance-vs-lots ${memberId}`]);
      await sql`update credit_lots set held = ${lot!.held} where member_id = ${memberId}`.execute(deps.db);

      await sql`update credit_hold_lots set held = held + 1 where hold_id = ${hold.holdId}`.execute(deps.db);
      await expectFound(['hold-vs-postings -', `lot-vs-holds ${memberId}`]);
      await sql`update credit_hold_lots set held = held - 1 where hold_id = ${hold.holdId}`.execute(deps.db);

      await sql`update credit_accounts set pending = pending + 3 where member_id = ${memberId}`.execute(deps.db);
      await expectFound([`balance-vs-lots ${memberId}`, `balance-vs-postings ${memberId}`, 'conservation -']);
      await sql`update credit_accounts set pending = pending - 3 where member_id = ${memberId}`.execute(deps.db);
      assert.deepEqual(await found(), new Set(), 'every damage above was undone');

      // Rows that stay: a transaction whose postings do not balance, past the account's version; postings for a member
      // with no account (its ID sorts after every account's) on a lot that does not exist. (A legacy posting without its
      // transaction, orphan-postings, is the postings migration's test.)
      const json = (value: unknown) => (suite.dialect === 'postgres' ? sql`cast(${JSON.stringify(value)} as jsonb)` : sql`${JSON.stringify(value)}`);
      const insertTransaction = (member: string, version: number, postings: unknown[]) => sql`insert into credit_transactions
        (member_id, version, id, kind, reason, idem_scope, idem_key, request_hash, policy_version, at_ms, recorded_at_ms, credits,
         available_after, pending_after, held_after, debt_after, lifetime_after, postings)
        values (${member}, ${version}, ${`ltx_lg5_${version}_${member.slice(-6)}`}, 'adjust', 'test', 'test', ${`lg5-${version}`}, '', 1, 0, 0, 5,
         0, 0, 0, 0, 0, ${json(postings)})`.execute(deps.db);
      await insertTransaction(memberId, 3, [['available', lot!.id, null, 5]]);
      await expectFound([`double-entry ${memberId}`, `gap-free-versions ${memberId}`, `balance-vs-postings ${memberId}`, `lot-vs-postings ${memberId}`, 'global-double-entry -']);
      const stranger = newMemberId(deps);
      await insertTransaction(stranger, 1, [['available', 'lot_lg5_missing', null, 5], ['program:issued', 'lot_lg5_missing', null, -5]]);
      await expectFound([`account-missing ${stranger}`, 'lot-missing -']);
    } finally {
      await deps.database.dispose();
    }
  });

  test('LG-5 pages audited in parallel (PostgreSQL) check every member once and find what one page at a time finds', async () => {
    const deps = await createTestDeps(suite.dialect);
    try {
      const members = Array.from({ length: 14 }, () => newMemberId(deps)).sort();
      for (const [i, memberId] of members.entries()) {
        await grantBonus(deps, { memberId, kind: 'registration' });
        if (i % 3 === 0) await earnOrder(deps, memberId, [{ qualifyingMinor: 2000 + i * 100 }]);
        if (i % 4 === 1) await spendCredits(deps, { memberId, credits: 40 + i, idempotencyKey: `lg5-pages-${i}` });
      }
      // Damage on the first, a middle and the last member, and postings of a member without an account whose ID sorts
      // between two of them (pages of 3 end at members 2, 5, 8…: it falls inside the second page's range).
      for (const i of [0, 7, 13]) await sql`update credit_accounts set pending = pending + 1 where member_id = ${members[i]!}`.execute(deps.db);
      const stranger = `${members[4]!}x`;
      const postings = JSON.stringify([['available', 'lot_lg5_pages', null, 5], ['program:issued', 'lot_lg5_pages', null, -5]]);
      await sql`insert into credit_transactions
        (member_id, version, id, kind, reason, idem_scope, idem_key, request_hash, policy_version, at_ms, recorded_at_ms, credits,
         available_after, pending_after, held_after, debt_after, lifetime_after, postings)
        values (${stranger}, 1, 'ltx_lg5_pages', 'adjust', 'test', 'test', 'lg5-pages', '', 1, 0, 0, 5, 0, 0, 0, 0, 0,
         ${suite.dialect === 'postgres' ? sql`cast(${postings} as jsonb)` : sql`${postings}`})`.execute(deps.db);

      const audit = async (pageSize: number, concurrency: number) => {
        const report = await auditCreditsLedger(deps, { trigger: 'test', actorId: null, pageSize, concurrency });
        return { members: report.membersChecked, transactions: report.transactionsChecked, problems: report.problems.map((p) => `${p.check} ${p.memberId ?? '-'}`).sort() };
      };
      const onePage = await audit(100, 1);
      assert.equal(onePage.members, 14);
      for (const i of [0, 7, 13]) assert.ok(onePage.problems.includes(`balance-vs-postings ${members[i]}`), onePage.problems.join(', '));
      assert.ok(onePage.problems.includes(`account-missing ${stranger}`));
      // Every member once (no page overlaps another or leaves a gap), every finding once.
      assert.deepEqual(await audit(3, 1), onePage);
      assert.deepEqual(await audit(3, 4), onePage);
      assert.deepEqual(await audit(1, 3), onePage);
    } finally {
      await deps.database.dispose();
    }
  });

  test('LG-3 the same event replayed ten times changes nothing after the first', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    await grantBonus(deps, { memberId, kind: 'registration' });
    const replays = await Promise.all(Array.from({ length: 10 }, () => spendCredits(deps, { memberId, credits: 75, orderId: 'rdm_lg3', idempotencyKey: 'redemption:rdm_lg3' })));
    for (const result of replays) assert.deepEqual(result, replays[0]);
    assert.equal((await getBalance(deps, memberId)).spendable, 425);
    const restored = await Promise.all(Array.from({ length: 10 }, () => restoreSpend(deps, { memberId, orderId: 'rdm_lg3', credits: 75, idempotencyKey: 'refund:lg3' })));
    for (const result of restored) assert.deepEqual(result, restored[0]);
    assert.equal((await getBalance(deps, memberId)).spendable, 500);
    await assertLedgerSound(deps);
  });

  test('LG-4 the balance at any past moment, replayed from the postings, equals what the balance said then', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const said: CreditBalance[] = [];
    // A look at moment T sees everything recorded at or before T, so every change happens a minute after a look.
    const look = async () => said.push(await getBalance(deps, memberId));
    const tick = () => deps.clock.advanceMs(MINUTE_MS);
    await look();
    tick();
    await grantBonus(deps, { memberId, kind: 'registration' });
    await look();
    tick();
    const order = await earnOrder(deps, memberId, [{ qualifyingMinor: 6000 }, { qualifyingMinor: 1234 }]);
    await look();
    tick();
    const hold = await placeHold(deps, { memberId, credits: 450, idempotencyKey: 'lg4-hold' });
    await look();
    deps.clock.setMs(hold.expiresAtMs); // released lazily, never materialised
    await look();
    deps.clock.setMs(order.unlockAtMs - 1);
    await look();
    deps.clock.setMs(order.unlockAtMs);
    await look();
    tick();
    await spendCredits(deps, { memberId, credits: 520, idempotencyKey: 'lg4-spend' });
    await look();
    tick();
    await reverseForRefund(deps, { memberId, orderLineId: order.lines[0]!.lineId, refundedQualifyingMinor: 6000, lineQualifyingMinor: 6000, idempotencyKey: 'lg4-refund' });
    await look();
    deps.clock.advanceMs(400 * DAY_MS);
    await look();
    for (const balance of said) {
      assert.deepEqual(await getBalanceAt(deps, memberId, balance.asOfMs), balance, `at ${new Date(balance.asOfMs).toISOString()}`);
    }
  });

  test('LG-5 runCreditsAudit stores its run for the console; the job module schedules the sweep, a daily audit and the PF-7 snapshots', async () => {
    const deps = suite.deps();
    const report = await runCreditsAudit(deps, { trigger: 'manual', actorId: 'mem_admin' });
    assert.equal(report.ok, true);
    assert.ok(report.membersChecked >= 1);
    const [latest] = await listAuditRuns(deps, { limit: 1 });
    assert.deepEqual(latest, report);
    assert.deepEqual(schedules.map((s) => [s.type, s.everyMs]), [['credits-sweep', MINUTE_MS], ['credits-audit', DAY_MS], ['credits-snapshots', 5 * MINUTE_MS]]);
    await jobHandlers['credits-audit']!(deps, null, { id: 'job_x', type: 'credits-audit', attempt: 1 });
    assert.equal((await listAuditRuns(deps, { limit: 5 }))[0]!.trigger, 'schedule');
  });
});
