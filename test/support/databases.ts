// Both databases for module and HTTP tests (PL-5): SQLite always; PostgreSQL when PATRON_TEST_DATABASE_URL is set.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

export type TestDialect = 'sqlite' | 'postgres';

export interface TestDatabase extends Database {
  /** Drops what the test created (the PostgreSQL schema); closes the connection. */
  dispose(): Promise<void>;
}

export const postgresTestUrl = process.env.PATRON_TEST_DATABASE_URL;

export function testDialects(): TestDialect[] {
  return postgresTestUrl ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** Runs one statement as the test database's owner (creating and dropping schemas, reading a server setting). */
export async function adminQuery<Row = never>(text: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: postgresTestUrl });
  await client.connect();
  try {
    return (await client.query(text)).rows as Row[];
  } finally {
    await client.end();
  }
}

/**
 * Kysely's migrator checks for its tables by introspecting every schema of the database, and a schema another test
 * process drops during that scan fails it ("schema t_… does not exist", seen once in a few full runs). Migrations
 * therefore hold this advisory lock shared and dropping a schema holds it exclusively, so the two never overlap.
 */
const schemaLockKey = 7_042_001;

async function withSchemaLock<T>(mode: 'shared' | 'exclusive', work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresTestUrl });
  await client.connect();
  try {
    await client.query(mode === 'shared' ? 'select pg_advisory_lock_shared($1)' : 'select pg_advisory_lock($1)', [schemaLockKey]);
    return await work();
  } finally {
    await client.end(); // ending the session releases its advisory locks
  }
}

/** Drops a test schema once no migration anywhere in the test database is introspecting it. */
export async function dropTestSchema(schema: string): Promise<void> {
  await withSchemaLock('exclusive', () => adminQuery(`drop schema if exists ${schema} cascade`));
}

/** Runs migrations (on PostgreSQL) while no test schema can be dropped under them. */
export function migrateTestSchema<T>(dialect: TestDialect, work: () => Promise<T>): Promise<T> {
  return dialect === 'postgres' ? withSchemaLock('shared', work) : work();
}

/**
 * A fresh, migrated database: in-memory SQLite, or a new schema of its own in the PostgreSQL test database.
 * `migrateBefore` stops short of the migrations from that file name on (tests of a data migration).
 */
export async function openTestDatabase(dialect: TestDialect, options: { poolSize?: number; file?: string; migrateBefore?: string } = {}): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const database = await openDatabase({ url: options.file ?? ':memory:' });
    await migrateToLatest(database.db, { before: options.migrateBefore });
    return { ...database, dispose: () => database.close() };
  }
  if (!postgresTestUrl) throw new Error('PATRON_TEST_DATABASE_URL is not set');
  const schema = `t_${process.pid}_${randomBytes(5).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  const database = await openDatabase({ url: postgresTestUrl, schema, poolSize: options.poolSize ?? 8 });
  await migrateTestSchema('postgres', () => migrateToLatest(database.db, { before: options.migrateBefore }));
  return {
    ...database,
    dispose: async () => {
      await database.close();
      await dropTestSchema(schema);
    },
  };
}
