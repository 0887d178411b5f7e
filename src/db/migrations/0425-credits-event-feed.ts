import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Issue 12 (PF-1, PF-5, PF-8): the `credits.*` events are read from the ledger rows instead of being written as
// domain-event rows beside them. An earn wrote its transaction row and, in the same commit, an outbox row with the
// same facts (four more B-tree inserts: the row, its key, the member index, the undispatched index). Now a consumer
// (the webhook fan-out) reads the transactions committed after its position and builds the events from them
// (src/modules/credits/event-feed.ts); `credit_event_cursors` keeps each consumer's position (`key` the consumer,
// `cursor` the position).
//
// The position must follow commit order, or a transaction that commits after a later-numbered one is skipped:
// - SQLite: the rowid. One writer at a time, and a new row takes the largest rowid + 1, so a row with a smaller rowid
//   than a committed one has committed too (transactions are append-only: no row is ever deleted to be reused).
// - PostgreSQL: `commit_xid`, the writing transaction's ID (xid8, by default). A reader takes only rows whose
//   transaction ID is below the oldest one still running (`pg_snapshot_xmin(pg_current_snapshot())`): every such
//   transaction has ended, so nothing below the position can still appear. Existing rows keep NULL (the column is
//   added without a default, so the table is not rewritten) and are never read: their events are in domain_events.
//
// credits_write (0420) inserted `select *` of a record typed like the table, which would now give commit_xid an
// explicit NULL; it lists its columns instead. The other writers name theirs or give the first 28 by position, so
// the default applies to them.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await sql`create table credit_event_cursors (key text primary key, cursor text not null)`.execute(db);
  if (!postgres) {
    await sql`insert into credit_event_cursors (key, cursor) select 'webhooks', cast(coalesce(max(rowid), 0) as text) from credit_transactions`.execute(db);
    return;
  }
  // The start of the feed: rows with a transaction ID (none yet).
  await sql`insert into credit_event_cursors (key, cursor) values ('webhooks', '')`.execute(db);
  await sql`alter table credit_transactions add column commit_xid xid8`.execute(db);
  await sql`alter table credit_transactions alter column commit_xid set default pg_current_xact_id()`.execute(db);
  await sql`create index credit_transactions_commit_order on credit_transactions (commit_xid) where commit_xid is not null`.execute(db);
  const columns = sql.raw(`member_id, version, id, kind, reason, idem_scope, idem_key, request_hash, policy_version, at_ms, recorded_at_ms, credits,
    available_after, pending_after, held_after, debt_after, lifetime_after, order_id, order_line_id, case_id, hold_id, lot_id, reason_code, note,
    actor_id, actor_role, result, postings`);
  await sql`
    create or replace function credits_write(p jsonb) returns void language plpgsql as $$
    begin
      insert into credit_transactions (${columns}) select ${columns} from jsonb_populate_recordset(null::credit_transactions, p->'transactions');
      insert into credit_lots select * from jsonb_populate_recordset(null::credit_lots, p->'newLots');
      update credit_lots l set state = x.state, remaining = x.remaining, held = x.held, reversed = x.reversed,
          refunded_qualifying_minor = x.refunded_qualifying_minor, warned_at_ms = x.warned_at_ms
        from jsonb_populate_recordset(null::credit_lots, p->'changedLots') x where l.member_id = x.member_id and l.id = x.id;
      insert into credit_holds select * from jsonb_populate_recordset(null::credit_holds, p->'newHolds');
      update credit_holds h set state = x.state, captured = x.captured, resolved_at_ms = x.resolved_at_ms
        from jsonb_populate_recordset(null::credit_holds, p->'changedHolds') x where h.id = x.id;
      insert into credit_hold_lots select * from jsonb_populate_recordset(null::credit_hold_lots, p->'newHoldLots');
      update credit_hold_lots h set held = x.held, captured = x.captured
        from jsonb_populate_recordset(null::credit_hold_lots, p->'changedHoldLots') x where h.hold_id = x.hold_id and h.lot_id = x.lot_id;
      update credit_accounts a set state = x.state, version = x.version, available = x.available, pending = x.pending, held = x.held,
          debt = x.debt, lifetime_earned = x.lifetime_earned, next_due_at_ms = x.next_due_at_ms, updated_at_ms = x.updated_at_ms
        from jsonb_populate_recordset(null::credit_accounts, p->'accounts') x where a.member_id = x.member_id;
    end $$`.execute(db);
}
