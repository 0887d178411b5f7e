// Group commit (issue 12): concurrent ledger operations that open their own transaction commit together, each in a
// savepoint of its own; a caller holding a transaction runs inline; each applied operation gives its credits event.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { transact } from '../../src/deps.ts';
import { AppError } from '../../src/platform/errors.ts';
import {
  adjustCredits, configureGroupCommit, defaultGroupCommit, getBalance, grantBonus, groupCommitStats, runCreditsSweep, spendCredits,
} from '../../src/modules/credits/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { ledgerOnlyMembers } from '../support/deps.ts';
import { assertLedgerSound, creditEventsSince, creditFeedPosition, DAY_MS, earnOrder, newMemberId } from './credits-fixtures.ts';

const agent = { id: 'mem_agent', role: 'agent' as const };

describeEachDatabase(
  'credits group commit',
  (suite) => {
    test('PF-1 LG-3 concurrent operations share commits; a failing operation fails alone and its writes roll back', async () => {
      const deps = suite.deps();
      const members = Array.from({ length: 12 }, () => newMemberId(deps));
      await Promise.all(members.map((memberId) => grantBonus(deps, { memberId, kind: 'registration' })));
      const before = groupCommitStats(deps.db);
      // 12 spends that fit, 12 that do not (insufficient), 12 earns: all issued at once.
      const outcomes = await Promise.allSettled([
        ...members.map((memberId) => spendCredits(deps, { memberId, credits: 300, idempotencyKey: 'ok' })),
        ...members.map((memberId) => spendCredits(deps, { memberId, credits: 10_000, idempotencyKey: 'too-much' })),
        ...members.map((memberId, i) => earnOrder(deps, memberId, [{ qualifyingMinor: 1000 * (i + 1) }])),
      ]);
      const after = groupCommitStats(deps.db);
      assert.ok(after.operations - before.operations >= 36, 'every operation went through a group');
      assert.ok(after.groups - before.groups < after.operations - before.operations, 'some operations shared a commit');
      outcomes.slice(0, 12).forEach((o) => assert.equal(o.status, 'fulfilled'));
      outcomes.slice(12, 24).forEach((o) => assert.ok(o.status === 'rejected' && o.reason instanceof AppError && o.reason.code === 'insufficient_credits'));
      outcomes.slice(24).forEach((o) => assert.equal(o.status, 'fulfilled'));
      for (const [i, memberId] of members.entries()) {
        const balance = await getBalance(deps, memberId);
        assert.equal(balance.spendable, 200);
        assert.equal(balance.pendingTotal, 10 * (i + 1));
      }
      // A replay of a committed key answers the first result.
      const replay = await spendCredits(deps, { memberId: members[0]!, credits: 300, idempotencyKey: 'ok' });
      assert.equal(replay.credits, 300);
      await assertLedgerSound(deps);
    });

    test('PF-2 PF-4 LG-3 spends issued together share a spend group (one call on PostgreSQL, one synchronous write transaction on SQLite): a spend that raises fails alone, a repeated key applies once, each applied spend records one credits.spent event', async () => {
      const deps = suite.deps();
      const [a, b, c, broken] = Array.from({ length: 4 }, () => newMemberId(deps)) as [string, string, string, string];
      await Promise.all([a, b, c, broken].map((memberId) => grantBonus(deps, { memberId, kind: 'registration' })));
      const start = await creditFeedPosition(deps);
      // An account that claims more than its lots hold: spending past the lots fails inside the ledger (PostgreSQL's
      // credits_spend raises; SQLite's rules refuse from the lots).
      await sql`update credit_accounts set available = available + 1000 where member_id = ${broken}`.execute(deps.db);
      try {
        const before = groupCommitStats(deps.db);
        const outcomes = await Promise.allSettled([
          spendCredits(deps, { memberId: a, credits: 100, idempotencyKey: 'together' }),
          spendCredits(deps, { memberId: a, credits: 100, idempotencyKey: 'together' }),
          spendCredits(deps, { memberId: b, credits: 50, idempotencyKey: 'together' }),
          spendCredits(deps, { memberId: broken, credits: 1200, idempotencyKey: 'together' }),
          spendCredits(deps, { memberId: c, credits: 10_000, idempotencyKey: 'together' }),
        ]);
        const after = groupCommitStats(deps.db);
        assert.ok(after.groups - before.groups < after.operations - before.operations, 'spends shared a group');
        assert.ok(after.spendGroupOperations - before.spendGroupOperations >= 5, 'they went through spend groups');
        const [first, repeated, other, failed, refused] = outcomes;
        assert.ok(first!.status === 'fulfilled' && repeated!.status === 'fulfilled' && other!.status === 'fulfilled');
        assert.deepEqual(repeated.value, first.value, 'the repeated key answers the first spend');
        assert.equal(failed!.status, 'rejected', 'the spend that fails reaches its own caller');
        assert.ok(refused!.status === 'rejected' && refused.reason instanceof AppError && refused.reason.code === 'insufficient_credits');
        assert.equal((await getBalance(deps, a)).spendable, 400);
        assert.equal((await getBalance(deps, b)).spendable, 450);
        const spent = (await creditEventsSince(deps, start)).filter((e) => e.type === 'credits.spent');
        assert.deepEqual(spent.map((e) => e.memberId).sort(), [a, b].sort(), 'one credits.spent event per applied spend');
        assert.equal(spent.find((e) => e.memberId === a)!.data.transactionId, first.value.transactionId);
      } finally {
        await sql`update credit_accounts set available = available - 1000 where member_id = ${broken}`.execute(deps.db);
      }
      assert.equal((await getBalance(deps, broken)).spendable, 500, 'nothing of the failed spend was written');
      await assertLedgerSound(deps);
    });

    test('PF-1 a caller that holds a transaction runs inline: its rollback takes the ledger write with it', async () => {
      const deps = suite.deps();
      const memberId = newMemberId(deps);
      await grantBonus(deps, { memberId, kind: 'registration' });
      const before = groupCommitStats(deps.db);
      await assert.rejects(
        transact(deps, async (trx) => {
          await spendCredits(trx, { memberId, credits: 100, idempotencyKey: 'inline' });
          throw new AppError('invalid_state', 'the caller changes its mind');
        }),
      );
      assert.deepEqual(groupCommitStats(deps.db), before);
      assert.equal((await getBalance(deps, memberId)).spendable, 500);
      await transact(deps, (trx) => spendCredits(trx, { memberId, credits: 100, idempotencyKey: 'inline' }));
      assert.equal((await getBalance(deps, memberId)).spendable, 400);
    });

    test('PF-1 a full queue holds callers back until there is room; every operation still commits once', async () => {
      const deps = suite.deps();
      configureGroupCommit(deps.db, { maxQueued: 3, maxGroupSize: 2 });
      try {
        const memberId = newMemberId(deps);
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => adjustCredits(deps, { memberId, credits: 5, reasonCode: 'goodwill', note: 'queue', actor: agent, idempotencyKey: `q-${i}` })),
        );
        assert.equal(new Set(results.map((r) => r.transactionId)).size, 20);
        assert.equal((await getBalance(deps, memberId)).spendable, 100);
      } finally {
        configureGroupCommit(deps.db, suite.dialect === 'postgres' ? defaultGroupCommit.postgres : defaultGroupCommit.sqlite);
      }
      await assertLedgerSound(deps);
    });

    test('PF-1 with group commit off every operation commits alone, with the same results', async () => {
      const deps = suite.deps();
      configureGroupCommit(deps.db, { enabled: false });
      try {
        const memberId = newMemberId(deps);
        await grantBonus(deps, { memberId, kind: 'registration' });
        const before = groupCommitStats(deps.db);
        await Promise.all(Array.from({ length: 5 }, (_, i) => spendCredits(deps, { memberId, credits: 100, idempotencyKey: `alone-${i}` })));
        assert.deepEqual(groupCommitStats(deps.db), before);
        assert.equal((await getBalance(deps, memberId)).spendable, 0);
      } finally {
        configureGroupCommit(deps.db, { enabled: true });
      }
    });

    test('PF-3 LG-1 LG-3 appends issued together (one statement per group on PostgreSQL, one synchronous write transaction on SQLite): consecutive versions and running balances per member, a repeated key applies once, a due time event takes the general path', async () => {
      const deps = suite.deps();
      const memberId = newMemberId(deps);
      const other = newMemberId(deps);
      const start = await creditFeedPosition(deps);
      const before = groupCommitStats(deps.db);
      const results = await Promise.all([
        ...Array.from({ length: 6 }, (_, i) => earnOrder(deps, memberId, [{ qualifyingMinor: 1000 * (i + 1) }], { orderId: `ord_together_${i}` })),
        // The same order three times at once (a webhook delivered thrice): one earning, three equal answers.
        ...Array.from({ length: 3 }, () => earnOrder(deps, memberId, [{ qualifyingMinor: 7000 }], { orderId: 'ord_repeated' })),
        earnOrder(deps, other, [{ qualifyingMinor: 2500 }]),
      ]);
      const after = groupCommitStats(deps.db);
      assert.ok(after.groups - before.groups < after.operations - before.operations, 'operations shared commits');
      const repeated = results.slice(6, 9);
      assert.equal(new Set(repeated.map((r) => r.transactionId)).size, 1, 'the repeated order earned once');
      assert.deepEqual(repeated[1], repeated[0]);
      assert.equal((await getBalance(deps, memberId)).pendingTotal, 10 + 20 + 30 + 40 + 50 + 60 + 70);
      assert.equal((await getBalance(deps, other)).pendingTotal, 25);
      const history = await sql<{ version: number; pending_after: number }>`select version, pending_after from credit_transactions where member_id = ${memberId} order by version`.execute(deps.db).then((r) => r.rows);
      assert.deepEqual(history.map((h) => Number(h.version)), [1, 2, 3, 4, 5, 6, 7], 'versions are consecutive');
      assert.equal(Number(history.at(-1)!.pending_after), 280, 'balances after run through the group');
      const earned = (await creditEventsSince(deps, start)).filter((e) => e.memberId === memberId && e.type === 'credits.earned');
      assert.equal(earned.length, 7, 'one credits.earned event per applied earning, none for the replays');

      // An unlock due and not yet swept: the one-statement path answers "fallback" and the general path applies the
      // unlock before the new earning.
      deps.clock.advanceMs(31 * DAY_MS);
      await earnOrder(deps, memberId, [{ qualifyingMinor: 1000 }], { orderId: 'ord_after_unlock' });
      const balance = await getBalance(deps, memberId);
      assert.equal(balance.spendable, 280);
      assert.equal(balance.pendingTotal, 10);
      await assertLedgerSound(deps);
    });

    test('PF-2 CR-11 a spend in a spend group writes what the general path writes: the same transaction row, postings, answer and lots', async () => {
      const deps = suite.deps();
      const [grouped, general] = [newMemberId(deps), newMemberId(deps)];
      for (const memberId of [grouped, general]) {
        await grantBonus(deps, { memberId, kind: 'registration' });
        await earnOrder(deps, memberId, [{ qualifyingMinor: 9000 }, { qualifyingMinor: 4000 }], { orderId: `ord_fifo_${memberId}` });
      }
      deps.clock.advanceMs(31 * DAY_MS);
      await runCreditsSweep(deps);
      const before = groupCommitStats(deps.db).spendGroupOperations;
      // 560 of 630 available: the bonus lot (expires first) to nothing, then the order's lots soonest-expiring first.
      const viaGroup = await spendCredits(deps, { memberId: grouped, credits: 560, orderId: 'ord_same', idempotencyKey: 'same' });
      assert.equal(groupCommitStats(deps.db).spendGroupOperations - before, 1, 'the first went through a spend group');
      const viaGeneral = await transact(deps, (trx) => spendCredits(trx, { memberId: general, credits: 560, orderId: 'ord_same', idempotencyKey: 'same' }));
      const rowOf = async (memberId: string, transactionId: string) => {
        const [row] = (await sql<Record<string, unknown>>`select * from credit_transactions where member_id = ${memberId} and id = ${transactionId}`.execute(deps.db)).rows;
        const lots = (await sql<Record<string, unknown>>`select id, state, remaining, held from credit_lots where member_id = ${memberId} order by expires_at_ms, created_at_ms, id`.execute(deps.db)).rows;
        const lotIndex = new Map(lots.map((lot, i) => [lot.id as string, `lot${i}`]));
        // Everything but the IDs drawn and the member (lot IDs by their FIFO place).
        const anonymous = (text: string) => text.replaceAll(memberId, 'MEMBER').replaceAll(transactionId, 'TX').replace(/lot_\w+/g, (id) => lotIndex.get(id) ?? id);
        const { member_id: _m, id: _id, commit_xid: _x, ...rest } = row!;
        return { row: JSON.parse(anonymous(JSON.stringify(rest))) as unknown, lots: lots.map(({ id: _lot, ...lot }) => lot) };
      };
      assert.deepEqual(await rowOf(grouped, viaGroup.transactionId), await rowOf(general, viaGeneral.transactionId));
      assert.deepEqual(viaGroup.lots.map((l) => l.credits), viaGeneral.lots.map((l) => l.credits));
      assert.deepEqual(await getBalance(deps, grouped), { ...(await getBalance(deps, general)), memberId: grouped });
      await assertLedgerSound(deps);
    });

    test('PF-3 a failing append fails alone: the others in its group commit', async () => {
      const deps = suite.deps();
      const memberId = newMemberId(deps);
      const other = newMemberId(deps);
      // Two earnings of one member, one of which fails at a statement, next to a third. PostgreSQL: both would write
      // the same lot ID (a primary-key violation). SQLite's earns write no lot row (migration 0429), so a trigger
      // stands in for the unexpected failure there: it refuses the second order's transaction row, alone or not.
      const colliding = { ...deps, ids: { next: (prefix: string) => (prefix === 'lot' ? 'lot_group_commit_collision' : deps.ids.next(prefix as 'lot')) } } as typeof deps;
      const sqlite = suite.dialect === 'sqlite';
      if (sqlite) {
        await sql`create trigger fail_one_append before insert on credit_transactions when new.order_id = 'ord_collide_2' begin select raise(abort, 'refused by the test'); end`.execute(deps.db);
      }
      try {
        const outcomes = await Promise.allSettled([
          earnOrder(colliding, memberId, [{ qualifyingMinor: 1000 }], { orderId: 'ord_collide_1' }),
          earnOrder(colliding, memberId, [{ qualifyingMinor: 2000 }], { orderId: 'ord_collide_2' }),
          earnOrder(deps, other, [{ qualifyingMinor: 3000 }]),
        ]);
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 2);
        assert.equal(outcomes[2]!.status, 'fulfilled');
        const pending = (await getBalance(deps, memberId)).pendingTotal;
        if (sqlite) assert.equal(outcomes[1]!.status, 'rejected');
        assert.ok(pending === 10 || pending === 20, 'exactly one of the colliding earnings applied');
        assert.equal((await getBalance(deps, other)).pendingTotal, 30);
        await assertLedgerSound(deps);
      } finally {
        if (sqlite) await sql`drop trigger fail_one_append`.execute(deps.db);
      }
    });
  },
  { ports: { memberContacts: ledgerOnlyMembers } },
);
