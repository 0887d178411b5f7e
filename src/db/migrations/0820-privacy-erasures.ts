import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Erasure (PV-18, PV-19): the registry of erased subjects, by pseudonymous member ID only, with the report summary
// (table and column names, row counts, legal bases: no personal data). And the one narrow exception to the
// append-only rule of aftersales_transitions: erasure may clear the typed `note` of a transition (set it to NULL)
// while every other column stays as it was. Any other UPDATE and every DELETE is still refused.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('privacy_erasures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().unique())
    .addColumn('request_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('request', 'retention', 'agent', 'restore')`))
    .addColumn('report', 'text', (c) => c.notNull())
    .addColumn('erased_at_ms', 'bigint', (c) => c.notNull())
    // When retention (PV-30) removed the values kept for law at the end of the transaction-records period.
    .addColumn('records_expired_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('privacy_erasures_erased_at').on('privacy_erasures').column('erased_at_ms').execute();

  const others = ['id', 'case_id', 'member_id', 'seq', 'from_state', 'to_state', 'action', 'actor_role', 'actor_id', 'reason_code', 'at_ms'];
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`
      create or replace function patron_transition_note_erasure() returns trigger language plpgsql as $$
      begin
        if tg_op = 'UPDATE' and new.note is null and (to_jsonb(new) - 'note') = (to_jsonb(old) - 'note') then
          return new;
        end if;
        raise exception 'append-only table %: % refused', tg_table_name, tg_op using errcode = 'P0001';
      end $$`.execute(db);
    await sql`drop trigger aftersales_transitions_append_only on aftersales_transitions`.execute(db);
    await sql`create trigger aftersales_transitions_append_only before update or delete on aftersales_transitions for each row execute function patron_transition_note_erasure()`.execute(db);
    return;
  }
  const unchanged = others.map((column) => `new.${column} is old.${column}`).join(' and ');
  await sql`drop trigger aftersales_transitions_no_update`.execute(db);
  await sql
    .raw(
      `create trigger aftersales_transitions_no_update before update on aftersales_transitions when not (new.note is null and ${unchanged}) begin select raise(abort, 'append-only table aftersales_transitions: update refused'); end`,
    )
    .execute(db);
}
