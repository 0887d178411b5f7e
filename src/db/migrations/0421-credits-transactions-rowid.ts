import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { makeAppendOnly } from '../schema-helpers.ts';

// SQLite only (issue 12, PF-1): credit_transactions becomes an ordinary rowid table. Migration 0400 clustered it on
// (member_id, version) (WITHOUT ROWID) when a row was ~300 bytes; with its postings in it (migration 0420) a row is
// ~750 bytes, five to a page, and an insert at a random member's place split pages often: decoded from the WAL, 4.1
// of the 9.7 pages an earn wrote were this table's. A rowid table takes new rows at its right edge (rowids only grow),
// so consecutive transactions of any members share pages; (member_id, version) stays the primary key as an index
// whose entries are ~45 bytes. Transactions are never updated, so their rows never need to sit by member; a member's
// reads (history, point in time) go through that index. PostgreSQL's tables are heaps already.
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  const columns = `member_id, version, id, kind, reason, idem_scope, idem_key, request_hash, policy_version, at_ms, recorded_at_ms, credits,
    available_after, pending_after, held_after, debt_after, lifetime_after, order_id, order_line_id, case_id, hold_id, lot_id, reason_code, note,
    actor_id, actor_role, result, postings`;
  const view = (await sql<{ sql: string }>`select sql from sqlite_master where type = 'view' and name = 'credit_postings'`.execute(db)).rows[0];
  if (!view) throw new Error('migration 0420 creates the credit_postings view');
  await sql`drop view credit_postings`.execute(db);
  await sql`create table credit_transactions_rowid (
    member_id text not null, version integer not null, id text not null, kind text not null, reason text not null, idem_scope text not null,
    idem_key text not null, request_hash text not null, policy_version integer not null, at_ms bigint not null, recorded_at_ms bigint not null,
    credits integer not null, available_after integer not null, pending_after integer not null, held_after integer not null,
    debt_after integer not null, lifetime_after integer not null, order_id text, order_line_id text, case_id text, hold_id text, lot_id text,
    reason_code text, note text, actor_id text, actor_role text, result text, postings text,
    constraint credit_transactions_pk primary key (member_id, version),
    constraint credit_transactions_idempotency unique (member_id, idem_scope, idem_key))`.execute(db);
  await sql.raw(`insert into credit_transactions_rowid (${columns}) select ${columns} from credit_transactions order by recorded_at_ms, member_id, version`).execute(db);
  await sql`drop table credit_transactions`.execute(db);
  await sql`alter table credit_transactions_rowid rename to credit_transactions`.execute(db);
  await makeAppendOnly(db, 'credit_transactions');
  await sql`create index credit_transactions_snapshot_due on credit_transactions (recorded_at_ms) where version % 200 = 0`.execute(db);
  await sql.raw(view.sql).execute(db);
}
