// PostgreSQL: the ledger's append-group function keeps the planner setting migration 0423 gave it (issue 12, PF-3/PF-5),
// a lot's unlock is a HOT update (migration 0426, PF-8), and the writer's arrays (migration 0431) are read in the
// column order the repository sends them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { writeArrayColumns } from '../../src/db/migrations/0431-credits-pg-write-arrays.ts';
import { pgWriteParts } from '../../src/modules/credits/ledger.repository.ts';
import { openTestDatabase, testDialects } from '../support/databases.ts';

test('PF-8 credits_write_arrays (migration 0431) reads each part of the payload as the repository writes it: table and columns in order', () => {
  assert.deepEqual(Object.keys(writeArrayColumns).sort(), Object.keys(pgWriteParts).sort());
  for (const [part, spec] of Object.entries(pgWriteParts)) {
    const [table, columns] = writeArrayColumns[part as keyof typeof writeArrayColumns];
    assert.deepEqual({ part, table, columns: [...columns] }, { part, table: spec.table, columns: [...spec.columns] });
  }
});

for (const dialect of testDialects().filter((d) => d === 'postgres')) {
  test(`[${dialect}] credits_append_group plans its statements once (force_generic_plan), and still answers a group`, async () => {
    const database = await openTestDatabase(dialect);
    try {
      const config = await sql<{ proconfig: string[] | null }>`select proconfig from pg_proc where proname = 'credits_append_group' and pronamespace = current_schema()::regnamespace`.execute(database.db);
      assert.deepEqual(config.rows.map((r) => r.proconfig), [['plan_cache_mode=force_generic_plan']]);
      // The setting holds inside the call only: the session's own stays the server's default.
      const answers = await sql<{ r: unknown }>`select credits_append_group('[]'::jsonb) as r`.execute(database.db);
      assert.equal(answers.rows[0]!.r, null);
      const session = await sql<{ plan_cache_mode: string }>`show plan_cache_mode`.execute(database.db);
      assert.equal(session.rows[0]!.plan_cache_mode, 'auto');
    } finally {
      await database.dispose();
    }
  });

  test(`[${dialect}] PF-8 a lot's unlock written by the sweep's writer is a HOT update (no index names what it changes); its expiry is not`, async () => {
    const database = await openTestDatabase(dialect);
    try {
      await database.db.transaction().execute(async (trx) => {
        await sql`insert into credit_lots (member_id, id, source, state, original, remaining, held, reversed, qualifying_minor, refunded_qualifying_minor,
            unlock_at_ms, expires_at_ms, order_id, order_line_id, transaction_id, policy_version, warned_at_ms, created_at_ms)
          values ('mem_hot', 'lot_hot', 'purchase', 'pending', 100, 100, 0, 0, 10000, 0, 1000, 2000, 'ord_hot', 'oln_hot', 'ltx_hot', 1, null, 0)`.execute(trx);
        // As the sweep writes a lot's new state: credits_write_arrays's changedLots, the lot's columns in their order.
        const change = async (state: string, remaining: number) => {
          const [row] = (await sql<{ lot: Record<string, unknown> }>`select to_jsonb(l) - 'live' as lot from credit_lots l where member_id = 'mem_hot'`.execute(trx)).rows;
          const lot: Record<string, unknown> = { ...row!.lot, state, remaining };
          const changed = writeArrayColumns.changedLots[1].map((column) => lot[column]);
          await sql`select credits_write_arrays(${JSON.stringify({ changedLots: [changed] })}::jsonb)`.execute(trx);
          const [counts] = (await sql<{ updated: string; hot: string }>`select n_tup_upd as updated, n_tup_hot_upd as hot from pg_stat_xact_user_tables
            where schemaname = current_schema() and relname = 'credit_lots'`.execute(trx)).rows;
          return { updated: Number(counts!.updated), hot: Number(counts!.hot) };
        };
        assert.deepEqual(await change('available', 100), { updated: 1, hot: 1 }, 'the unlock, in place');
        assert.deepEqual(await change('expired', 0), { updated: 2, hot: 1 }, 'the expiry leaves the live lots: a new index entry');
        const [lot] = (await sql<{ state: string; live: boolean }>`select state, live from credit_lots where member_id = 'mem_hot'`.execute(trx)).rows;
        assert.deepEqual(lot, { state: 'expired', live: false });
      });
    } finally {
      await database.dispose();
    }
  });
}
