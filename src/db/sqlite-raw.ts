// Synchronous access to a SQLite database's own connection, for the few hot paths whose cost is mostly the query
// builder and the promise per statement (the ledger's append groups, issue 12): measured on one earn, Kysely's
// compile-and-await path took several times the SQL's own time. Work given here runs while holding the connection
// Kysely hands out one caller at a time, so it never interleaves with another transaction of this process; it is
// synchronous, so nothing else runs on the connection until it returns.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { CompiledQuery, type Kysely } from 'kysely';
import { toSqliteInput, type AdaptedSqlite } from './node-sqlite-adapter.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the shared handle (database.ts Executor), named here without importing it back
type Executor = Kysely<any>;

export interface RawSqlite {
  /** A prepared statement for `text`, prepared once per connection. */
  statement(text: string): StatementSync;
  exec(text: string): void;
  /** Whether a transaction is open on the connection (some caller holds it between BEGIN and COMMIT). */
  inTransaction(): boolean;
}

// Keyed by the adapter every transaction of one Kysely instance shares (as database-memo.ts does).
const rawOf = new WeakMap<object, RawSqlite>();

/** `connection`: the adapted connection Kysely uses, whose prepared-statement cache the raw callers share. */
export function registerRawSqlite(db: Executor, connection: DatabaseSync, adapted: AdaptedSqlite): void {
  rawOf.set(db.getExecutor().adapter, { statement: (text) => adapted.statement(text), exec: (text) => connection.exec(text), inTransaction: () => connection.isTransaction });
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

/**
 * The raw connection of a SQLite database outside any transaction: when no caller has a transaction open on it, a
 * statement run synchronously now is a transaction of its own and sees only committed rows, exactly as it would
 * after waiting its turn through Kysely, and nothing else can run on the connection until it returns. Undefined
 * while a transaction is open (the statement would see, or join, another caller's uncommitted work): then it waits.
 */
function rawSqliteWhenIdle(db: Executor): RawSqlite | undefined {
  if (db.isTransaction) return undefined;
  const raw = rawOf.get(db.getExecutor().adapter);
  return raw && !raw.inTransaction() ? raw : undefined;
}

/**
 * Rows of a raw statement written for `db`'s dialect. On SQLite inside the caller's transaction it runs synchronously
 * on the connection the transaction owns (no query-executor round, no promise per statement), and so does a
 * statement outside one while no transaction is open (rawSqliteWhenIdle: a balance read allocated 27 kB, 60 % of it
 * the query executor's); otherwise through Kysely.
 */
export async function queryRaw<T>(db: Executor, text: string, params: readonly unknown[]): Promise<T[]> {
  const raw = rawSqliteInTransaction(db) ?? rawSqliteWhenIdle(db);
  if (raw) return raw.statement(text).all(...params.map(toSqliteInput)) as T[];
  return (await db.executeQuery<T>(CompiledQuery.raw(text, params as unknown[]))).rows as T[];
}

/** Rows changed by a raw statement, on the same terms as queryRaw. */
export async function executeRaw(db: Executor, text: string, params: readonly unknown[] = []): Promise<number> {
  const raw = rawSqliteInTransaction(db);
  if (raw) return Number(raw.statement(text).run(...params.map(toSqliteInput)).changes);
  return Number((await db.executeQuery(CompiledQuery.raw(text, params as unknown[]))).numAffectedRows ?? 0n);
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
