// Migration 0434 (issue 12, PF-8): the sweep's time events carry no idempotency key, outside operations keep theirs,
// unique as before, and every lookup of a key still reads the idempotency index, now partial (where idem_key is not
// null), on both planners. Run on a schema migrated up to 0434 with rows already in it, so the rebuild of SQLite's
// table is checked too: rows, rowids (the event feed's positions), triggers and views as they were.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { isUniqueViolation } from '../../src/db/unique-violation.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { getBalance, runCreditsSweep, spendCredits } from '../../src/modules/credits/index.ts';
import { appendPayloadAsArray, rawQuery, sqliteHeadSql } from '../../src/modules/credits/ledger.repository.ts';
import { groupSql } from '../../src/modules/credits/sqlite-append.repository.ts';
import { migrateTestSchema, openTestDatabase, postgresTestUrl, testDialects } from '../support/databases.ts';
import { createTestDeps } from '../support/deps.ts';
import { earn, nowMs } from './credits-append-payloads.ts';
import { assertLedgerSound, creditEventsSince, creditFeedPosition, earnOrder, newMemberId } from './credits-fixtures.ts';

interface KeyRow {
  member_id: string;
  version: number;
  kind: string;
  idem_scope: string;
  idem_key: string | null;
}

for (const dialect of testDialects()) {
  test(`PF-8 LG-3 CR-8 CR-9 [${dialect}] time events are written without an idempotency key (migration 0434, on a ledger written before it); outside operations keep theirs, unique`, async () => {
    const deps = await createTestDeps(dialect, { migrateBefore: '0434' });
    try {
      const [first, second] = [newMemberId(deps), newMemberId(deps)];
      const orders = { first: deps.ids.next('ord'), second: deps.ids.next('ord') };
      const paidAtMs = deps.clock.nowMs();
      const earned = await earnOrder(deps, first, [{ qualifyingMinor: 10_000 }, { qualifyingMinor: 2_500 }], { orderId: orders.first });
      await earnOrder(deps, second, [{ qualifyingMinor: 7_000 }], { orderId: orders.second });
      const rowsBefore = await rawQuery<{ member_id: string; version: number; id: string }>(deps.db, 'select member_id, version, id from credit_transactions order by member_id, version', []);
      const feedBefore = { end: await creditFeedPosition(deps), events: await creditEventsSince(deps, '') };

      await migrateTestSchema(dialect, () => migrateToLatest(deps.db));

      // The rows as they were, and on SQLite at the same rowids: a consumer's position still reads what followed it.
      assert.deepEqual(await rawQuery(deps.db, 'select member_id, version, id from credit_transactions order by member_id, version', []), rowsBefore);
      assert.deepEqual({ end: await creditFeedPosition(deps), events: await creditEventsSince(deps, '') }, feedBefore);
      // The append-only trigger came back with the table.
      await assert.rejects(sql`update credit_transactions set note = 'changed'`.execute(deps.db));

      // Unlock of both orders' lots (one through the sweep, one written by a spend before the sweep comes), then the
      // first member's expiry: each its own row, scope `system`, no key; two such rows of one member side by side.
      deps.clock.setMs(earned.unlockAtMs + 1);
      await spendCredits(deps, { memberId: second, credits: 10, idempotencyKey: 'spend-before-the-sweep' });
      assert.equal((await runCreditsSweep(deps)).transactions, 2, 'the first member has two lots to unlock');
      deps.clock.setMs(earned.expiresAtMs + 1);
      assert.equal((await runCreditsSweep(deps)).transactions, 3, 'both lots of the first member and the rest of the second expire');
      const rows = await rawQuery<KeyRow>(deps.db, 'select member_id, version, kind, idem_scope, idem_key from credit_transactions order by member_id, version', []);
      const timeEvents = rows.filter((r) => r.kind === 'unlock' || r.kind === 'expire');
      assert.equal(timeEvents.length, 6);
      for (const row of timeEvents) assert.deepEqual({ scope: row.idem_scope, key: row.idem_key }, { scope: 'system', key: null }, `${row.kind} of ${row.member_id}`);
      for (const row of rows.filter((r) => r.kind === 'earn' || r.kind === 'spend')) assert.notEqual(row.idem_key, null, `${row.kind} keeps its key`);

      // An outside operation replayed changes nothing (LG-3), and its key is still unique in the database itself.
      const replay = await earnOrder(deps, first, [{ qualifyingMinor: 10_000 }, { qualifyingMinor: 2_500 }], { orderId: orders.first, paidAtMs });
      assert.equal(replay.transactionId, earned.transactionId);
      assert.equal((await rawQuery(deps.db, 'select 1 from credit_transactions', [])).length, rows.length);
      const copy = `insert into credit_transactions (member_id, version, id, kind, reason, idem_scope, idem_key, request_hash, policy_version, at_ms,
          recorded_at_ms, credits, available_after, pending_after, held_after, debt_after, lifetime_after)
        select member_id, version + 100, id || '_copy', kind, reason, idem_scope, idem_key, request_hash, policy_version, at_ms, recorded_at_ms, 0,
          available_after, pending_after, held_after, debt_after, lifetime_after
        from credit_transactions where member_id = ? and kind = ?`;
      await assert.rejects(rawQuery(deps.db, copy, [first, 'earn']), (error) => isUniqueViolation(error));
      assert.deepEqual(await getBalance(deps, first).then((b) => [b.available, b.pendingTotal]), [0, 0]);
      await assertLedgerSound(deps);
    } finally {
      await deps.database.dispose();
    }
  });

  test(`PF-8 [${dialect}] every lookup of an idempotency key reads the partial idempotency index by its key (migration 0434), planned on tables as small as a new installation's`, async () => {
    if (dialect === 'sqlite') {
      const database = await openTestDatabase(dialect);
      try {
        // The general path's head read and the append and spend groups' account read, as the repositories run them.
        for (const statement of [sqliteHeadSql, groupSql.account]) {
          const plan = (await sql<{ detail: string }>`explain query plan ${sql.raw(statement.replace(/\?/g, "'x'"))}`.execute(database.db)).rows.map((r) => r.detail);
          const reads = plan.filter((line) => /\bt\b/.test(line));
          assert.deepEqual(reads.map((line) => /SEARCH t USING INDEX credit_transactions_idempotency \(idem_scope=\? AND idem_key=\? AND member_id=\?\)/.test(line)), [true], plan.join('\n'));
        }
      } finally {
        await database.dispose();
      }
      return;
    }
    // PostgreSQL: the plans the functions themselves make, logged by auto_explain into this connection, at their first
    // call on empty tables (what a connection keeps: plan_cache_mode, migrations 0423 and 0432). A whole scan of the
    // partial index (its predicate as the only condition) under a hash join was the append group's plan there until
    // the function was told not to use bitmap scans.
    const database = await openTestDatabase(dialect);
    const [{ schema }] = (await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db)).rows as [{ schema: string }];
    const client = new pg.Client({ connectionString: postgresTestUrl, options: `-c search_path=${schema}` });
    const logged: string[] = [];
    client.on('notice', (notice) => logged.push(notice.message ?? ''));
    await client.connect();
    try {
      await client.query("load 'auto_explain'");
      await client.query("set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on; set auto_explain.log_level = 'notice'");
      for (const group of [[earn('mem_a', 'a1', [40, 60]), earn('mem_b', 'b1', [10])], [earn('mem_a', 'a1', [40, 60]), earn('mem_a', 'a2', [5])]]) {
        await client.query('select credits_append_group_arrays($1::jsonb)', [JSON.stringify(group.map(appendPayloadAsArray))]);
      }
      await client.query('select credits_lock($1, $2, $3, $4, $5)', ['mem_a', 'earn', 'a1', false, nowMs]);
      const lookups = [
        { statement: 'left join credit_transactions t on t.member_id = it.m and t.idem_scope = it.sc and t.idem_key = it.k', calls: 2 },
        { statement: 't.idem_key = p_key', calls: 1 },
      ];
      for (const { statement, calls } of lookups) {
        const plans = logged.filter((text) => text.includes(statement));
        assert.equal(plans.length, calls, `${statement}: one plan logged per call`);
        for (const plan of plans) {
          const reads = plan.split('\n').filter((line) => /on credit_transactions t\b/.test(line));
          assert.deepEqual(reads.map((line) => /Index Scan using credit_transactions_idempotency on credit_transactions t\b/.test(line)), [true], plan);
          assert.match(plan, /Index Cond: \(\(idem_scope = [^)]+\) AND \(idem_key = [^)]+\) AND \(member_id = [^)]+\)\)/);
        }
      }
    } finally {
      await client.end();
      await database.dispose();
    }
  });
}
