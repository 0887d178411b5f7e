import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Retention of rights-request records (PV-31): at the end of the legal-hold period the daily retention job deletes a
// closed request with its timeline, codes and documents. The timeline (privacy_request_events) is append-only; this
// is its one narrow exception: a DELETE goes through only when its request carries `retention_ended_at_ms`, which the
// job sets in the same transaction in which it deletes the events and then the request (so the mark never outlives
// that transaction). Every UPDATE, and every DELETE of a live request's event, is still refused.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('privacy_requests').addColumn('retention_ended_at_ms', 'bigint').execute();
  // The job reads closed requests by the time they closed.
  await db.schema.createIndex('privacy_requests_closed_at').on('privacy_requests').column('closed_at_ms').where(sql<boolean>`closed_at_ms is not null`).execute();

  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`
      create or replace function patron_request_event_retention() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' and exists (select 1 from privacy_requests r where r.id = old.request_id and r.retention_ended_at_ms is not null) then
          return old;
        end if;
        raise exception 'append-only table %: % refused', tg_table_name, tg_op using errcode = 'P0001';
      end $$`.execute(db);
    await sql`drop trigger privacy_request_events_append_only on privacy_request_events`.execute(db);
    await sql`create trigger privacy_request_events_append_only before update or delete on privacy_request_events for each row execute function patron_request_event_retention()`.execute(db);
    return;
  }
  await sql`drop trigger privacy_request_events_no_delete`.execute(db);
  await sql
    .raw(
      `create trigger privacy_request_events_no_delete before delete on privacy_request_events when not exists (select 1 from privacy_requests r where r.id = old.request_id and r.retention_ended_at_ms is not null) begin select raise(abort, 'append-only table privacy_request_events: delete refused'); end`,
    )
    .execute(db);
}
