// Synchronous access to a SQLite database's own connection, for the few hot paths whose cost is mostly the query
// builder and the promise per statement (the ledger's append groups, issue 12): measured on one earn, Kysely's
// compile-and-await path took several times the SQL's own time. Work given here runs while holding the connection
// Kysely hands out one caller at a time, so it never interleaves with another transaction of this process; it is
// synchronous, so nothing else runs on the connection until it returns.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the shared handle (database.ts Executor), named here without importing it back
type Executor = Kysely<any>;

export interface RawSqlite {
  /** A prepared statement for `text`, prepared once per connection. */
  statement(text: string): StatementSync;
  exec(text: string): void;
}

const statementCacheSize = 200;

// Keyed by the adapter every transaction of one Kysely instance shares (as database-memo.ts does).
const rawOf = new WeakMap<object, RawSqlite>();

export function registerRawSqlite(db: Executor, database: DatabaseSync): void {
  const statements = new Map<string, StatementSync>();
  rawOf.set(db.getExecutor().adapter, {
    statement(text) {
      let prepared = statements.get(text);
      if (!prepared) {
        prepared = database.prepare(text);
        if (statements.size >= statementCacheSize) statements.delete(statements.keys().next().value!);
        statements.set(text, prepared);
      }
      return prepared;
    },
    exec: (text) => database.exec(text),
  });
}

/** Whether `db` is a SQLite database opened by openDatabase (and so has a raw connection to lend). */
export function hasRawSqlite(db: Executor): boolean {
  return rawOf.has(db.getExecutor().adapter);
}

/**
 * The raw connection under a SQLite transaction the caller holds (`db` is that transaction): its statements run on
 * the connection the transaction already owns, so they are part of it. Undefined outside a transaction (the
 * connection may be another caller's, mid-transaction) and on PostgreSQL.
 */
export function rawSqliteInTransaction(db: Executor): RawSqlite | undefined {
  return db.isTransaction ? rawOf.get(db.getExecutor().adapter) : undefined;
}

/** Values as node:sqlite binds them (the adapter's conversion: booleans as 0/1, undefined as null). */
export function sqliteParams(params: readonly unknown[]): (string | number | bigint | null | Uint8Array)[] {
  return params.map((value) => (typeof value === 'boolean' ? (value ? 1 : 0) : value === undefined ? null : (value as string | number | bigint | null | Uint8Array)));
}

/**
 * Runs `work` synchronously on the raw connection once no other caller holds it. Not inside a transaction of the
 * caller's: the connection would be its own, already in use.
 */
export async function withRawSqlite<T>(db: Executor, work: (raw: RawSqlite) => T): Promise<T> {
  const raw = rawOf.get(db.getExecutor().adapter);
  if (!raw || db.isTransaction) throw new Error('withRawSqlite needs a SQLite database opened by openDatabase, outside a transaction');
  return db.connection().execute(async () => work(raw));
}
