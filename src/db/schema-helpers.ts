// Dialect differences that migrations need, in one place (CONVENTIONS 5). Migrations may import this file only.
import { sql, type Kysely } from 'kysely';
import { isPostgres } from './database.ts';

/**
 * Refuses UPDATE and DELETE on a table at the database level (LG-1): ledger rows are facts.
 * PostgreSQL gets a trigger function; SQLite gets BEFORE triggers that abort.
 */
export async function makeAppendOnly(db: Kysely<any>, table: string): Promise<void> {
  if (isPostgres(db)) {
    await sql`
      create or replace function patron_refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception 'append-only table %: % refused', tg_table_name, tg_op using errcode = 'P0001';
      end $$`.execute(db);
    await sql.raw(`create trigger ${table}_append_only before update or delete on ${table} for each row execute function patron_refuse_change()`).execute(db);
    return;
  }
  for (const op of ['update', 'delete'] as const) {
    await sql.raw(`create trigger ${table}_no_${op} before ${op} on ${table} begin select raise(abort, 'append-only table ${table}: ${op} refused'); end`).execute(db);
  }
}
