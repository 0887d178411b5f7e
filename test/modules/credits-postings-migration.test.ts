// Migrations 0420, 0421 and 0422 on a ledger written before them: the postings already written stay where they are
// (the legacy table, never rewritten, LG-1) and read through the credit_postings view with the ones now kept in their
// transaction's row; on SQLite every transaction row survives the moves to a rowid table and to the idempotency index
// that leads with the key (0422), which still refuses a key used twice (LG-3). On both databases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { auditCreditsLedger, getBalance, getBalanceAt, spendCredits } from '../../src/modules/credits/index.ts';
import { isPostgres, type Executor } from '../../src/db/database.ts';
import { migrateTestSchema, testDialects } from '../support/databases.ts';
import { createTestDeps } from '../support/deps.ts';
import { assertLedgerSound, DAY_MS } from './credits-fixtures.ts';

for (const dialect of testDialects()) {
  test(`LG-1 LG-2 LG-3 LG-4 migrations 0420–0422 keep a ledger written before them whole: old postings in the legacy table, new ones in their transaction row, one view over both, the key-first idempotency index still refusing a used key [${dialect}]`, async () => {
    const deps = await createTestDeps(dialect, { migrateBefore: '0420' });
    try {
      const memberId = 'mem_legacy_000000000000000001';
      const atMs = deps.clock.nowMs() - DAY_MS;
      const expiresAtMs = atMs + 365 * DAY_MS;
      // A registration bonus of 500 as the code before migration 0420 wrote it: a transaction row and two posting rows.
      await sql`insert into credit_accounts (member_id, state, version, available, pending, held, debt, lifetime_earned, next_due_at_ms, created_at_ms, updated_at_ms)
        values (${memberId}, 'open', 1, 500, 0, 0, 0, 500, ${expiresAtMs}, ${atMs}, ${atMs})`.execute(deps.db);
      await sql`insert into credit_transactions (member_id, version, id, kind, reason, idem_scope, idem_key, request_hash, policy_version, at_ms, recorded_at_ms,
          credits, available_after, pending_after, held_after, debt_after, lifetime_after, result)
        values (${memberId}, 1, 'ltx_legacy_1', 'bonus', 'registration', 'bonus', 'registration', 'h', 1, ${atMs}, ${atMs}, 500, 500, 0, 0, 0, 500, null)`.execute(deps.db);
      await sql`insert into credit_postings (member_id, version, seq, transaction_id, account, lot_id, hold_id, amount, at_ms) values
        (${memberId}, 1, 0, 'ltx_legacy_1', 'available', 'lot_legacy_1', null, 500, ${atMs}),
        (${memberId}, 1, 1, 'ltx_legacy_1', 'program:issued', 'lot_legacy_1', null, -500, ${atMs})`.execute(deps.db);
      await sql`insert into credit_lots (member_id, id, source, state, original, remaining, held, reversed, qualifying_minor, refunded_qualifying_minor,
          unlock_at_ms, expires_at_ms, order_id, order_line_id, transaction_id, policy_version, warned_at_ms, created_at_ms)
        values (${memberId}, 'lot_legacy_1', 'registration', 'available', 500, 500, 0, 0, 0, 0, ${atMs}, ${expiresAtMs}, null, null, 'ltx_legacy_1', 1, null, ${atMs})`.execute(deps.db);

      await migrateTestSchema(dialect, () => migrateToLatest(deps.db));
      await assertLedgerSound(deps);
      const spent = await spendCredits(deps, { memberId, credits: 120, idempotencyKey: 'after-0420' });

      const postings = await sql<{ version: number; seq: number; transaction_id: string; account: string; lot_id: string | null; amount: number }>`
        select version, seq, transaction_id, account, lot_id, amount from credit_postings where member_id = ${memberId} order by version, seq`.execute(deps.db);
      assert.deepEqual(postings.rows.map((row) => ({ ...row, version: Number(row.version), seq: Number(row.seq), amount: Number(row.amount) })), [
        { version: 1, seq: 0, transaction_id: 'ltx_legacy_1', account: 'available', lot_id: 'lot_legacy_1', amount: 500 },
        { version: 1, seq: 1, transaction_id: 'ltx_legacy_1', account: 'program:issued', lot_id: 'lot_legacy_1', amount: -500 },
        { version: 2, seq: 0, transaction_id: spent.transactionId, account: 'available', lot_id: 'lot_legacy_1', amount: -120 },
        { version: 2, seq: 1, transaction_id: spent.transactionId, account: 'program:spent', lot_id: 'lot_legacy_1', amount: 120 },
      ]);
      const legacy = await sql<{ n: number | string }>`select count(*) as n from credit_postings_legacy`.execute(deps.db);
      assert.equal(Number(legacy.rows[0]?.n), 2, 'the new postings are not written to the legacy table');
      const stored = await sql<{ version: number; postings: unknown }>`select version, postings from credit_transactions where member_id = ${memberId} order by version`.execute(deps.db);
      assert.deepEqual(stored.rows.map((row) => row.postings === null), [true, false], 'the legacy transaction row is kept as it was; the new one carries its postings');

      assert.equal((await getBalanceAt(deps, memberId, atMs)).available, 500, 'LG-4 replays the legacy postings');
      assert.deepEqual(await idempotencyColumns(deps.db), ['idem_scope', 'idem_key', 'member_id'], '0422: the key leads, the member last');
      await assert.rejects(
        sql`insert into credit_transactions (member_id, version, id, kind, reason, idem_scope, idem_key, request_hash, policy_version, at_ms, recorded_at_ms,
            credits, available_after, pending_after, held_after, debt_after, lifetime_after, result)
          values (${memberId}, 99, 'ltx_legacy_again', 'bonus', 'registration', 'bonus', 'registration', 'h', 1, ${atMs}, ${atMs}, 500, 500, 0, 0, 0, 500, null)`.execute(deps.db),
        /unique|duplicate/i,
        'LG-3: the legacy transaction key is still taken after the rebuild',
      );
      assert.equal((await getBalance(deps, memberId)).available, 380);
      await assertLedgerSound(deps);

      // LG-5: a legacy posting whose transaction is missing is still found (the orphan check reads the legacy rows;
      // a posting written since 0420 lives in its transaction's row and cannot be orphaned).
      await sql`insert into credit_postings_legacy (member_id, version, seq, transaction_id, account, lot_id, hold_id, amount, at_ms)
        values (${memberId}, 99, 0, 'ltx_legacy_gone', 'program:issued', null, null, 0, ${atMs})`.execute(deps.db);
      const audit = await auditCreditsLedger(deps, { trigger: 'test', actorId: null });
      assert.deepEqual(audit.problems.map((problem) => problem.check), ['orphan-postings']);
    } finally {
      await deps.database.dispose();
    }
  });
}

/** The columns of the unique idempotency index of credit_transactions, in index order. */
async function idempotencyColumns(db: Executor): Promise<string[]> {
  if (isPostgres(db)) {
    const rows = await sql<{ attname: string }>`select a.attname from pg_index i
      join pg_class c on c.oid = i.indexrelid and c.relname = 'credit_transactions_idempotency' and c.relnamespace = current_schema()::regnamespace
      join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      order by array_position(i.indkey::int2[], a.attnum)`.execute(db);
    return rows.rows.map((r) => r.attname);
  }
  // A table constraint until migration 0434, a partial unique index since.
  const unique = await sql<{ name: string; unique: number; origin: string }>`select name, "unique", origin from pragma_index_list('credit_transactions')`.execute(db);
  const names = unique.rows.filter((r) => r.unique === 1 && r.origin !== 'pk').map((r) => r.name);
  assert.equal(names.length, 1, 'one unique index besides the primary key');
  const rows = await sql<{ name: string }>`select name from pragma_index_info(${names[0]}) order by seqno`.execute(db);
  return rows.rows.map((r) => r.name);
}
