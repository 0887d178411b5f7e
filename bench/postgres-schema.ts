// A benchmark's PostgreSQL database: a schema of its own (dropped first if a killed run left one, and afterwards), and
// the pool Patron opens on it; the work runs in between.
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
