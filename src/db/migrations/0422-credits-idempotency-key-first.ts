import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Issue 12, point 2 (fewer index pages per operation): the unique idempotency key of a ledger transaction is indexed
// as (idem_scope, idem_key, member_id) instead of (member_id, idem_scope, idem_key). The same three columns, so the
// same uniqueness and the same one-entry lookup (every reader gives all three), but entries now sort by the key
// rather than by the member: an earn's key is its order ID and the sweep's keys are `unlock:` / `expire:` and a lot
// ID, all time-ordered IDs, so new entries land together at a few places instead of on a random member's leaf.
// Decoded from the WAL (bench/ledger-wal-frames.ts), the old index cost 1.29 random pages per grouped earn on SQLite
// of 8.15; on PostgreSQL a random leaf is a full-page image after every checkpoint.
//
// SQLite cannot change a table's constraint in place: the table is rebuilt as migration 0421 did, rows copied in
// rowid order (their order of arrival), and its triggers, indexes and the credit_postings view recreated as they were.
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`alter table credit_transactions drop constraint credit_transactions_idempotency,
      add constraint credit_transactions_idempotency unique (idem_scope, idem_key, member_id)`.execute(db);
    return;
  }
  // Everything else defined on the table (the append-only triggers, the snapshot index) and the view reading it.
  const dependents = (
    await sql<{ type: string; name: string; sql: string }>`select type, name, sql from sqlite_master
      where sql is not null and ((tbl_name = 'credit_transactions' and type in ('index', 'trigger')) or (type = 'view' and name = 'credit_postings'))`.execute(db)
  ).rows;
  if (!dependents.some((d) => d.type === 'view')) throw new Error('migration 0420 creates the credit_postings view');
  // The table as migration 0421 created it, with only the constraint's column order changed: same columns, same order.
  const table = (await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'credit_transactions'`.execute(db)).rows[0]?.sql ?? '';
  const oldKey = 'constraint credit_transactions_idempotency unique (member_id, idem_scope, idem_key)';
  if (!table.includes(oldKey)) throw new Error('migration 0421 creates credit_transactions with the member-first idempotency key');
  const keyed = table
    .replace(oldKey, 'constraint credit_transactions_idempotency unique (idem_scope, idem_key, member_id)')
    .replace(/^create table\s+("credit_transactions"|credit_transactions)(?=\s*\()/i, 'create table credit_transactions_keyed');
  if (!keyed.startsWith('create table credit_transactions_keyed')) throw new Error('unexpected definition of credit_transactions');
  await sql`drop view credit_postings`.execute(db);
  await sql.raw(keyed).execute(db);
  await sql`insert into credit_transactions_keyed select * from credit_transactions order by rowid`.execute(db);
  await sql`drop table credit_transactions`.execute(db);
  await sql`alter table credit_transactions_keyed rename to credit_transactions`.execute(db);
  for (const dependent of dependents) await sql.raw(dependent.sql).execute(db);
}
