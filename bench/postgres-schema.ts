// A benchmark's PostgreSQL database: a schema of its own (dropped first if a killed run left one, and afterwards), and
// the pool Patron opens on it; the work runs in between. And copies of the ledger's write-path tables for the
// raw-statement ceilings (earn-rows-ceiling.ts, sweep-rows-ceiling.ts).
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { loadDataset } from './ledger-dataset.ts';

export async function withPostgresBenchSchema<T>(url: string, name: string, options: { poolSize: number }, work: (database: Database) => Promise<T>): Promise<T> {
  const schema = `${name}_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.query(`create schema ${schema}`);
  try {
    const database = await openDatabase({ url, schema, poolSize: options.poolSize });
    try {
      return await work(database);
    } finally {
      await database.close();
    }
  } finally {
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

/**
 * Copies of the ledger's three write-path tables (transactions, lots, accounts) with their indexes, in a schema of
 * their own (dropped first), vacuumed, analyzed and checkpointed, as loadDataset leaves the ledger's own: what the
 * raw-statement ceilings write into. Each table is copied in `parts` ranges of members at once, a connection each,
 * as the dataset was loaded (a copy at M took minutes on one); members whose ID starts with `except` are left out.
 * The caller drops the schema.
 */
export async function copyLedgerTables(url: string, schema: string, scratchSchema: string, options: { parts?: number; except?: string } = {}): Promise<void> {
  const tables = ['credit_transactions', 'credit_lots', 'credit_accounts'];
  const parts = Math.max(1, options.parts ?? 2);
  const pool = new pg.Pool({ connectionString: url, max: parts });
  try {
    await pool.query(`drop schema if exists ${scratchSchema} cascade`);
    await pool.query(`create schema ${scratchSchema}`);
    const [{ n }] = (await pool.query<{ n: string }>(`select count(*) as n from ${schema}.credit_accounts`)).rows as [{ n: string }];
    // The members' IDs that cut the accounts into `parts` equal ranges.
    const cuts: string[] = [];
    for (let p = 1; p < parts; p++) {
      const [row] = (await pool.query<{ member_id: string }>(`select member_id from ${schema}.credit_accounts order by member_id offset $1 limit 1`, [Math.floor((Number(n) * p) / parts)])).rows;
      if (row) cuts.push(row.member_id);
    }
    const ranges = [undefined, ...cuts].map((from, i) => ({ from, to: cuts[i] }));
    for (const table of tables) {
      await pool.query(`create table ${scratchSchema}.${table} (like ${schema}.${table} including all)`);
      // Generated columns (credit_lots.live) take no value: the stored ones are copied by name.
      const stored = (await pool.query<{ c: string }>(
        `select string_agg(column_name, ', ' order by ordinal_position) as c from information_schema.columns where table_schema = $1 and table_name = $2 and is_generated = 'NEVER'`,
        [schema, table],
      )).rows[0]!.c;
      await Promise.all(
        ranges.map(({ from, to }) => {
          const bounds: string[] = [];
          const params: string[] = [];
          const where = (condition: (placeholder: string) => string, value: string) => {
            params.push(value);
            bounds.push(condition(`$${params.length}`));
          };
          if (from !== undefined) where((p) => `member_id >= ${p}`, from);
          if (to !== undefined) where((p) => `member_id < ${p}`, to);
          if (options.except !== undefined) where((p) => `not starts_with(member_id, ${p})`, options.except);
          return pool.query(`insert into ${scratchSchema}.${table} (${stored}) select ${stored} from ${schema}.${table}${bounds.length > 0 ? ` where ${bounds.join(' and ')}` : ''}`, params);
        }),
      );
    }
    await pool.query(`vacuum (analyze) ${tables.map((t) => `${scratchSchema}.${t}`).join(', ')}`);
    await pool.query('checkpoint');
  } finally {
    await pool.end();
  }
}

/**
 * Reads every table and index of `schema` into memory (pg_prewarm, from PostgreSQL's contrib; skipped with a note
 * where it is missing), so that the measured phases start from a known state whatever ran before (at M the other
 * database's part and the ceilings' copy put 21 GB through the page cache): a ledger in use has its pages in memory.
 * Into PostgreSQL's own buffers when the schema fills at most three quarters of `shared_buffers` (a server sized as
 * docs/OPERATIONS.md says), else into the page cache. Installs the extension in `schema` when the database has none,
 * so that dropping the schema removes it.
 */
export async function prewarmSchema(admin: pg.Client, schema: string, options: { onlyIntoSharedBuffers?: boolean } = {}): Promise<{ megabytes: number; into: 'shared_buffers' | 'the page cache' } | { skipped: string }> {
  try {
    const [existing] = (await admin.query<{ schema: string }>(`select extnamespace::regnamespace::text as schema from pg_extension where extname = 'pg_prewarm'`)).rows;
    if (!existing) await admin.query(`create extension pg_prewarm with schema ${schema}`);
    const [sizes] = (await admin.query<{ schema_bytes: string; buffer_bytes: string }>(
      `select (select coalesce(sum(pg_relation_size(c.oid)), 0) from pg_class c where c.relnamespace = $1::regnamespace and c.relkind in ('r', 'i')) as schema_bytes,
        (select setting::bigint * current_setting('block_size')::bigint from pg_settings where name = 'shared_buffers') as buffer_bytes`,
      [schema],
    )).rows;
    const into = Number(sizes?.schema_bytes ?? 0) <= 0.75 * Number(sizes?.buffer_bytes ?? 0) ? 'shared_buffers' : 'the page cache';
    if (options.onlyIntoSharedBuffers && into !== 'shared_buffers') return { skipped: 'larger than three quarters of shared_buffers' };
    const [read] = (await admin.query<{ blocks: string }>(
      `select coalesce(sum(${existing?.schema ?? schema}.pg_prewarm(c.oid::regclass, $2)), 0) as blocks from pg_class c where c.relnamespace = $1::regnamespace and c.relkind in ('r', 'i')`,
      [schema, into === 'shared_buffers' ? 'buffer' : 'read'],
    )).rows;
    return { megabytes: (Number(read?.blocks ?? 0) * 8) / 1024, into };
  } catch (error) {
    return { skipped: error instanceof Error ? error.message : String(error) };
  }
}

/** `url` naming `database` instead of its own. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Runs `work` on a client of its own connected to `url`, closed afterwards. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A database of the bench's own named `name` (one a killed run left is dropped first), made through `admin`, which is
 * connected elsewhere; or why it could not be made (a role without CREATEDB): the bench then works in a schema.
 */
export async function createBenchDatabase(admin: pg.Client, name: string): Promise<{ made: true } | { skipped: string }> {
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    return { made: true };
  } catch (error) {
    return { skipped: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * `target`, a copy of the whole database `source` made by copying its files (PostgreSQL 15's `strategy file_copy`,
 * the only way before 15): seconds for a ledger at M, where copying its three tables row by row took three minutes.
 * Nothing may be connected to `source` meanwhile. The copy is the source as it is on disk, bloat and index shapes
 * included, so the raw-statement ceilings write into tables exactly like the ledger's.
 */
export async function copyDatabase(admin: pg.Client, source: string, target: string): Promise<void> {
  const [{ server_version_num: version }] = (await admin.query<{ server_version_num: string }>('show server_version_num')).rows as [{ server_version_num: string }];
  await admin.query(`drop database if exists ${target} with (force)`);
  await admin.query(`create database ${target} template ${source}${Number(version) >= 150_000 ? ' strategy file_copy' : ''}`);
}

/**
 * PostgreSQL's shared memory setting and, when the server runs on this machine, the huge pages in use
 * (/proc/meminfo): on a 2-core VM, backends touching shared_buffers through 4 kB pages took a page fault per page per
 * backend (docs/OPERATIONS.md, huge pages).
 */
export async function serverMemory(admin: pg.Client): Promise<string> {
  const [buffers] = (await admin.query<{ shared_buffers: string }>('show shared_buffers')).rows;
  const [huge] = (await admin.query<{ huge_pages: string }>('show huge_pages')).rows;
  let inUse = '';
  try {
    const meminfo = readFileSync('/proc/meminfo', 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1] ?? 0);
    inUse = `, ${field('HugePages_Total') - field('HugePages_Free') + field('HugePages_Rsvd')} of ${field('HugePages_Total')} huge pages taken`;
  } catch {
    // Not Linux: the setting alone.
  }
  return `shared_buffers=${buffers?.shared_buffers}, huge_pages=${huge?.huge_pages}${inUse}`;
}

/**
 * A new schema `schema` holding the ledger bench's dataset (`members` members, ten lots each), migrated and loaded,
 * then checkpointed: what the what-if benches (earn-rows-variants-pg.ts, sweep-rows-variants-pg.ts) copy their
 * tables from. The caller drops it.
 */
export async function loadLedgerSchema(admin: pg.Client, url: string, schema: string, members: number): Promise<void> {
  await admin.query(`create schema ${schema}`);
  const database = await openDatabase({ url, schema, poolSize: 4 });
  try {
    await migrateToLatest(database.db);
    await loadDataset(database, members, 10);
  } finally {
    await database.close();
  }
  await admin.query('checkpoint');
}
