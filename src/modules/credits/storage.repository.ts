// How much room the ledger takes in PostgreSQL: what its hot reads want in the server's buffer cache
// (docs/OPERATIONS.md, `shared_buffers`; `patron doctor` compares the two).
import { sql } from 'kysely';
import { isPostgres, type Executor } from '../../db/database.ts';

/** PostgreSQL: bytes of the credits tables of this schema with their indexes; undefined on SQLite. */
export async function ledgerTablesBytes(db: Executor): Promise<number | undefined> {
  if (!isPostgres(db)) return undefined;
  const { rows } = await sql<{ bytes: number | string }>`select coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint as bytes from pg_class c
    where c.relkind = 'r' and c.relnamespace = current_schema()::regnamespace and c.relname like 'credit\\_%'`.execute(db);
  return Number(rows[0]?.bytes ?? 0);
}
