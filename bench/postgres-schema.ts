// A benchmark's PostgreSQL database: a schema of its own (dropped first if a killed run left one, and afterwards), and
// the pool Patron opens on it; the work runs in between. And copies of the ledger's write-path tables for the
// raw-statement ceilings (earn-rows-ceiling.ts, sweep-rows-ceiling.ts).
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/database.ts';

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
 * their own (dropped first), analyzed and checkpointed: what the raw-statement ceilings write into. The caller drops
 * the schema.
 */
export async function copyLedgerTables(admin: pg.Client, schema: string, scratchSchema: string): Promise<void> {
  const tables = ['credit_transactions', 'credit_lots', 'credit_accounts'];
  await admin.query(`drop schema if exists ${scratchSchema} cascade`);
  await admin.query(`create schema ${scratchSchema}`);
  for (const table of tables) {
    await admin.query(`create table ${scratchSchema}.${table} (like ${schema}.${table} including all)`);
    await admin.query(`insert into ${scratchSchema}.${table} select * from ${schema}.${table}`);
  }
  await admin.query(`analyze ${tables.map((t) => `${scratchSchema}.${t}`).join(', ')}`);
  await admin.query('checkpoint');
}
