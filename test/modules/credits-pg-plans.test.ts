// PostgreSQL: the ledger's append-group function keeps the planner setting migration 0423 gave it (issue 12, PF-3/PF-5).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openTestDatabase, testDialects } from '../support/databases.ts';

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
}
