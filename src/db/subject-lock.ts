// Serializes writers of one subject without a table of locks: a PostgreSQL transaction-scoped advisory lock on a
// 64-bit hash of a key. SQLite needs none, because its write transactions begin IMMEDIATE and so already run one
// at a time (node-sqlite-adapter.ts). Used where two concurrent requests would otherwise both decide to write the
// same fact (a consent change "recorded once", PV-24, when a page's parallel requests all carry Sec-GPC).
import { sql } from 'kysely';
import { assert } from '../platform/assert.ts';
import { isPostgres, type Executor } from './database.ts';

/** Takes the locks of the keys in a fixed (sorted) order, so two writers never wait on each other in a cycle. */
export async function lockSubjectKeys(db: Executor, keys: readonly string[]): Promise<void> {
  assert(db.isTransaction, 'lockSubjectKeys runs inside a transaction (the lock ends with it)');
  if (!isPostgres(db)) return;
  for (const key of [...new Set(keys)].sort()) await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(db);
}
