// `PATRON_BENCH_DATABASE_URL=… npm exec -- node bench/earn-rows-variants-pg.ts [members] [seconds] [rounds]`: what
// each part of an earn's rows costs on PostgreSQL against C_pg_batch (issue 12, PF-5). Loads the ledger bench's
// dataset once, then, alternating in rounds, measures C_pg_batch and writes earns by raw statements, 100 a statement
// from 16 connections, into a copy of the ledger's tables (earn-rows-ceiling.ts pgEarnRowsCeiling): as PF-5c writes
// them, and with parts left out. Says how far from 0.25 × C_pg_batch an earn stays with fewer rows and indexes. A
// development aid for choosing the data model's next change, not a CI script.
import pg from 'pg';
import { pgEarnRowsCeiling, type PgEarnRowsVariant } from './earn-rows-ceiling.ts';
import { loadLedgerSchema } from './postgres-schema.ts';
import { pgCeilings } from './ledger.ts';

const url = process.env.PATRON_BENCH_DATABASE_URL ?? process.env.PATRON_TEST_DATABASE_URL;
if (!url) throw new Error('Set PATRON_BENCH_DATABASE_URL to a PostgreSQL database.');
const members = Number(process.argv[2] ?? 100_000);
const seconds = Number(process.argv[3] ?? 3);
const rounds = Number(process.argv[4] ?? 2);
const variants: Record<string, PgEarnRowsVariant> = {
  'as written (PF-5c): transaction, two lots, account': 'asWritten',
  'the lots as JSON in the transaction row': 'lotsInRow',
  'the transaction row alone': 'transactionRow',
  'the transaction row, primary key only': 'transactionRowBare',
};
const schema = `earn_variants_${process.pid}`;
const ceilings = `${schema}_ceilings`;
const scratch = `${schema}_copy`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
try {
  await loadLedgerSchema(admin, url, schema, members);
  for (let round = 0; round < rounds; round++) {
    await admin.query(`drop schema if exists ${ceilings} cascade`);
    await admin.query(`create schema ${ceilings}`);
    const { cPgBatch } = await pgCeilings(url, ceilings, seconds);
    process.stdout.write(`round ${round + 1}: C_pg_batch ${cPgBatch.toFixed(0)} rows/s\n`);
    for (const [label, variant] of Object.entries(variants)) {
      const perSecond = await pgEarnRowsCeiling(url, schema, scratch, seconds, { variant });
      process.stdout.write(`  ${label.padEnd(52)} ${perSecond.toFixed(0).padStart(7)} earns/s  ${(perSecond / cPgBatch).toFixed(3)} × C_pg_batch\n`);
    }
  }
} finally {
  for (const name of [scratch, ceilings, schema]) await admin.query(`drop schema if exists ${name} cascade`);
  await admin.end();
}
