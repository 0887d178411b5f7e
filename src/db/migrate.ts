// Applies the versioned migrations in migrations/ (PL-6); each file exports up(db) and never imports app code.
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import { sql } from 'kysely';
import { isPostgres, type Executor } from './database.ts';

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Migration files are named `NNNN-module-what.ts`; they run in name order. `before` leaves out the later ones. */
async function migrationFiles(before?: string): Promise<string[]> {
  return (await readdir(migrationsDir)).filter((f) => /^\d{4}-.*\.ts$/.test(f) && (before === undefined || f < before)).sort();
}

const folderProvider = (before?: string): MigrationProvider => ({
  async getMigrations() {
    const files = await migrationFiles(before);
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      migrations[file.replace(/\.ts$/, '')] = (await import(pathToFileURL(migrationsDir + file).href)) as Migration;
    }
    return migrations;
  },
});

export interface MigrationReport {
  applied: string[];
}

/**
 * Applies every migration not yet applied. `before` (tests of a data migration only) stops short of the migrations
 * whose file name sorts at or after it, so a test can write rows in an older layout and then migrate the rest.
 */
export async function migrateToLatest(db: Executor, options: { before?: string } = {}): Promise<MigrationReport> {
  if (await upToDate(db, options.before)) return { applied: [] };
  const migrator = await migratorFor(db, options.before);
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/**
 * Whether every migration file (before `before`) is recorded as applied, read straight from the bookkeeping table of
 * the connection's own schema. The usual start of an instance then skips Kysely's migrator, whose table checks
 * introspect every schema of the database: slower, and racing any schema another installation (or test suite)
 * drops meanwhile. A missing table means a fresh database: the migrator runs.
 */
async function upToDate(db: Executor, before?: string): Promise<boolean> {
  const files = (await migrationFiles(before)).map((f) => f.replace(/\.ts$/, ''));
  let applied: Set<string>;
  try {
    applied = new Set((await sql<{ name: string }>`select name from schema_migrations`.execute(db)).rows.map((row) => row.name));
  } catch {
    return false;
  }
  return files.every((name) => applied.has(name));
}

/** The migrations this code has that the database has not applied yet (`patron doctor`); nothing is applied. */
export async function pendingMigrations(db: Executor): Promise<string[]> {
  const migrator = await migratorFor(db);
  return (await migrator.getMigrations()).filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
}

async function migratorFor(db: Executor, before?: string): Promise<Migrator> {
  // On PostgreSQL the bookkeeping tables live in the connection's own schema: otherwise Kysely finds another
  // schema's tables (several installations or test suites in one database) and skips creating its own.
  const migrationTableSchema = isPostgres(db)
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
    : undefined;
  return new Migrator({
    db: migrationTableSchema ? ownSchemaIntrospection(db, migrationTableSchema) : db,
    provider: folderProvider(before),
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
    // Each module numbers its migrations in its own range (docs/CONTRACTS.md), so a module's next migration can sort
    // before another module's applied one; order matters within a module, where names still sort.
    allowUnorderedMigrations: true,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
}

/**
 * The database handle as the migrator sees it on PostgreSQL: its table checks list the tables of the connection's own
 * schema only. Kysely's introspector reads every schema and fails ("relation … does not exist") when another
 * installation or test suite drops a schema meanwhile (seen in CI on a fresh schema). Everything else is the handle's own.
 */
function ownSchemaIntrospection(db: Executor, schema: string): Executor {
  const introspection = {
    async getTables() {
      const rows = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = ${schema}`.execute(db);
      return rows.rows.map((row) => ({ name: row.name, schema, isView: false, columns: [] }));
    },
    getSchemas: () => db.introspection.getSchemas(),
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      // Kysely's classes keep their state in private fields: a method must run on the handle itself.
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
