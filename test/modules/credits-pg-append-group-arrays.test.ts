// PostgreSQL: the append group's operations as arrays (migration 0432, issue 12 PF-3/PF-5) are read in the order the
// repository sends them, and the function writes exactly what credits_append_group writes from the same operations
// as objects (the rows, the accounts, the answers: applied, retry, replay, fallback).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { appendGroupArrayColumns, appendGroupOperationFields } from '../../src/db/migrations/0432-credits-pg-append-group-arrays.ts';
import { appendColumns, appendGroupFields, appendPayloadAsRows, callAppendGroup } from '../../src/modules/credits/ledger.repository.ts';
import type { Executor } from '../../src/db/database.ts';
import { openTestDatabase, testDialects } from '../support/databases.ts';
import { earn } from './credits-append-payloads.ts';

test('PF-3 PF-5 credits_append_group_arrays (migration 0432) reads an operation as the repository sends it: its fields, then the transaction and lot columns in order', () => {
  assert.deepEqual([...appendGroupOperationFields], [...appendGroupFields]);
  assert.deepEqual([...appendGroupArrayColumns.transaction[1]], [...appendColumns.transaction]);
  assert.deepEqual([...appendGroupArrayColumns.lots[1]], [...appendColumns.lots]);
});

/** Two groups: new accounts, two earns of one member, a key repeated in the group, another policy; then replays. */
const groups = [
  [earn('mem_a', 'a1', [40, 60]), earn('mem_a', 'a2', [25], { warned: true }), earn('mem_b', 'b1', [10]), earn('mem_b', 'b1', [10]), earn('mem_c', 'c1', [5], { policyVersion: 99 })],
  [earn('mem_a', 'a1', [40, 60]), earn('mem_b', 'b2', [7, 8, 9]), earn('mem_a', 'a3', [1])],
];

async function ledgerRows(db: Executor): Promise<unknown> {
  const transactions = await sql`select * from credit_transactions order by member_id, version`.execute(db);
  const lots = await sql`select * from credit_lots order by member_id, id`.execute(db);
  const accounts = await sql`select * from credit_accounts order by member_id`.execute(db);
  // commit_xid is the writing transaction's ID: another database's counter.
  return { transactions: transactions.rows.map((row) => ({ ...(row as object), commit_xid: null })), lots: lots.rows, accounts: accounts.rows };
}

for (const dialect of testDialects().filter((d) => d === 'postgres')) {
  test(`[${dialect}] PF-3 PF-5 LG-3 credits_append_group_arrays writes and answers what credits_append_group does for the same operations`, async () => {
    const [arrays, objects] = [await openTestDatabase(dialect), await openTestDatabase(dialect)];
    try {
      const answers: unknown[][] = [[], []];
      for (const group of groups) {
        answers[0]!.push(await callAppendGroup(arrays.db, group));
        const [row] = (await sql<{ r: unknown }>`select credits_append_group(${JSON.stringify(group.map(appendPayloadAsRows))}::jsonb) as r`.execute(objects.db)).rows;
        answers[1]!.push(row!.r);
      }
      assert.deepEqual(answers[0], answers[1]);
      const config = await sql<{ proconfig: string[] | null }>`select proconfig from pg_proc where proname = 'credits_append_group_arrays' and pronamespace = current_schema()::regnamespace`.execute(arrays.db);
      // Planned once per connection, as migration 0423 set for the function it replaces, and by key whatever the
      // tables' size at the first call (migrations 0433, 0434).
      assert.deepEqual(config.rows.map((r) => r.proconfig), [['plan_cache_mode=force_generic_plan', 'enable_seqscan=off', 'enable_bitmapscan=off']]);
      const statuses = (answers[0] as { status: string }[][]).map((group) => group.map((answer) => answer.status));
      assert.deepEqual(statuses, [['applied', 'applied', 'applied', 'retry', 'fallback'], ['replay', 'applied', 'applied']]);
      const written = await ledgerRows(arrays.db);
      assert.deepEqual(written, await ledgerRows(objects.db));
      const { transactions } = written as { transactions: { member_id: string; version: number; pending_after: number; lifetime_after: number }[] };
      assert.deepEqual(
        transactions.map((t) => [t.member_id, t.version, t.pending_after, t.lifetime_after]),
        [['mem_a', 1, 100, 100], ['mem_a', 2, 125, 125], ['mem_a', 3, 126, 126], ['mem_b', 1, 10, 10], ['mem_b', 2, 34, 34]],
      );
    } finally {
      await arrays.dispose();
      await objects.dispose();
    }
  });
}
