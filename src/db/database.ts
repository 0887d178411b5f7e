// Opens the database chosen by configuration: a file path (or :memory:) is SQLite, postgres://… is PostgreSQL.
import { Kysely, PostgresAdapter, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { NodeSqliteDialect, adaptNodeSqlite, openNodeSqlite } from './node-sqlite-adapter.ts';
import { nameMarkedStatements } from './pg-prepared.ts';
import { isSqliteFile, safetyNetCheckpointPages, startCheckpointer } from './sqlite-checkpointer.ts';
import { registerRawSqlite } from './sqlite-raw.ts';

/**
 * The handle modules receive. Each module narrows it to its own tables with `tables<T>()`, so no module's table
 * types leak into another's. `any` lives here only, where the union of every module's tables would otherwise be.
 */
export type Executor = Kysely<any>;
export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  readonly db: Executor;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  url: string;
  /** PostgreSQL only: the schema to use (tests give each suite its own). */
  schema?: string;
  poolSize?: number;
  /**
   * PostgreSQL only: told of a connection the server closed or lost (a restart, a failover). Without a listener such
   * an error would end the process; with one the pool drops the connection, the query in flight fails (answered
   * 503, see unavailable.ts) and the next one connects afresh once the server is back.
   */
  onConnectionError?: (error: Error) => void;
  /**
   * SQLite files only: `background` (the default) checkpoints the WAL in a worker thread, off the commit path
   * (sqlite-checkpointer.ts); `inline` leaves it to the committing connection, as SQLite does by default.
   */
  sqliteCheckpoints?: 'background' | 'inline';
}

export function dialectOf(url: string): Dialect {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
}

export function isPostgres(db: Executor): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Narrows the shared handle to one module's tables. */
export function tables<T>(db: Executor): Kysely<T> {
  return db as Kysely<T>;
}

/** pg returns BIGINT (timestamps in ms, money, credits) and COUNT as strings; all ours fit in 2^53. */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (dialectOf(options.url) === 'postgres') {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types: pgTypes,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // node-postgres emits a lost connection's error on the pool (idle connections) and on the client itself (one in
    // use, for which the pool has no listener): an unhandled 'error' event would end the process (drill (b)).
    const onConnectionError = (error: Error) => options.onConnectionError?.(error);
    pool.on('error', onConnectionError);
    pool.on('connect', (client) => {
      client.on('error', onConnectionError);
      nameMarkedStatements(client);
    });
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }) as Executor;
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const background = options.sqliteCheckpoints !== 'inline' && isSqliteFile(options.url);
  const connection = openNodeSqlite(options.url, background ? safetyNetCheckpointPages : undefined);
  const adapted = adaptNodeSqlite(connection);
  const db = new Kysely<unknown>({ dialect: new NodeSqliteDialect(adapted) }) as Executor;
  registerRawSqlite(db, connection, adapted);
  const checkpointer = background ? startCheckpointer(options.url) : undefined;
  return {
    db,
    dialect: 'sqlite',
    close: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/** Runs `work` in one transaction: the caller owns the boundary (CONVENTIONS 3). */
export function inTransaction<T>(db: Executor, work: (trx: Transaction<any>) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}

/** `SELECT … FOR UPDATE` on PostgreSQL; SQLite needs none because its write transactions are serial. */
export function forUpdate<Q extends { forUpdate(): Q }>(db: Executor, query: Q): Q {
  return isPostgres(db) ? query.forUpdate() : query;
}

export async function pingDatabase(db: Executor): Promise<void> {
  await sql`select 1`.execute(db);
}
