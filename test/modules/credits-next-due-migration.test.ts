// Migration 0428 on accounts written before it (issue 12, PF-8): on SQLite the next-due index is rebuilt keyed by day,
// and the members already due are found through it; PostgreSQL keeps 0404's index.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { configureGroupCommit, getBalance, grantBonus, runCreditsSweep } from '../../src/modules/credits/index.ts';
import { migrateTestSchema, testDialects } from '../support/databases.ts';
import { createTestDeps } from '../support/deps.ts';
import { assertLedgerSound, DAY_MS, newMemberId } from './credits-fixtures.ts';

for (const dialect of testDialects()) {
  test(`PF-8 CR-8 migration 0428 keeps every account due as it was, found by the sweep through the rebuilt index [${dialect}]`, async () => {
    const deps = await createTestDeps(dialect, { migrateBefore: '0428' });
    try {
      const members = [newMemberId(deps), newMemberId(deps), newMemberId(deps)];
      // Rows as the schema before 0428 has them: the general path writes no column of a later migration (SQLite's
      // append groups write 0429's), and on SQLite it reads lots through 0429's view, stood in for here by the table.
      configureGroupCommit(deps.db, { enabled: false });
      if (dialect === 'sqlite') await sql`create view credit_lots_all as select * from credit_lots`.execute(deps.db);
      for (const memberId of members) {
        await grantBonus(deps, { memberId, kind: 'registration' });
        deps.clock.advanceMs(DAY_MS);
      }
      if (dialect === 'sqlite') await sql`drop view credit_lots_all`.execute(deps.db);
      configureGroupCommit(deps.db, { enabled: true });
      await migrateTestSchema(dialect, () => migrateToLatest(deps.db));
      const indexes = (
        dialect === 'sqlite'
          ? await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'credit_accounts' and sql is not null`.execute(deps.db)
          : await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'credit_accounts' and schemaname = current_schema()`.execute(deps.db)
      ).rows.map((r) => r.name);
      assert.deepEqual(indexes.sort(), dialect === 'sqlite' ? ['credit_accounts_deferred_expiry', 'credit_accounts_next_due_day'] : ['credit_accounts_next_due', 'credit_accounts_pkey']);

      // Past the first two bonuses' expiry (CR-8), not the third's (whose warning is due, CR-10): two expiries.
      deps.clock.advanceMs(365 * DAY_MS - 2 * DAY_MS + 1);
      const report = await runCreditsSweep(deps, { batchSize: 10 });
      assert.equal(report.transactions, 2);
      assert.equal(report.warnings, 1);
      const expired = await sql<{ member_id: string }>`select member_id from credit_transactions where kind = 'expire' order by member_id`.execute(deps.db);
      assert.deepEqual(expired.rows.map((r) => r.member_id), members.slice(0, 2).sort());
      assert.deepEqual(await Promise.all(members.map(async (memberId) => (await getBalance(deps, memberId)).available)), [0, 0, 500]);
      await assertLedgerSound(deps);
    } finally {
      await deps.database.dispose();
    }
  });
}
