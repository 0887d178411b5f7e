// `PATRON_BENCH_DATABASE_URL=… npm exec -- node bench/sweep-rows-variants-pg.ts [members] [rounds] [variants…]`: what each of the
// index entries a sweep event writes costs PostgreSQL's set-based day (PF-8r, sweep-rows-ceiling.ts; issue 12 PF-8).
// Loads the ledger bench's dataset once, then, alternating in rounds, sweeps its first day by raw SQL on a fresh copy
// of the ledger's tables, as written and with one index dropped from the copy first (or, `due marks`, the accounts'
// next-due index replaced by a table of its own). Since session 36 the
// application's day is about as long as PF-8r's (1.0–1.4×), so PF-8's 10 s at M waits on the rows themselves: this
// says which entry to take out next. (The idempotency index was one, 1.07× at S and 1.08× at M: since migration 0434
// the sweep's events write no entry there.) A development aid for choosing the data model's next change, not a CI script.
import pg from 'pg';
import { DAY_MS } from '../src/platform/clock.ts';
import { copyLedgerTables, loadLedgerSchema } from './postgres-schema.ts';
import { T0 } from './ledger-dataset.ts';
import { pgSweepRowsCeiling } from './sweep-rows-ceiling.ts';

const url = process.env.PATRON_BENCH_DATABASE_URL ?? process.env.PATRON_TEST_DATABASE_URL;
if (!url) throw new Error('Set PATRON_BENCH_DATABASE_URL to a PostgreSQL database.');
const members = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 3);
/** The dataset's first day, as PF-8 and PF-8r sweep it. */
const nowMs = T0 + DAY_MS;
const warnUntilMs = nowMs + 30 * DAY_MS;
/**
 * Each variant: the index dropped from the copy before its day, as its table and a part of its definition (the copy's
 * indexes have generated names); 'due marks': the accounts' next-due index replaced by a table of due marks
 * (sweep-rows-ceiling.ts `dueMarks`, the next step session 37 measured for); none: the data model as written.
 */
const allVariants: Record<string, [table: string, definition: string] | 'due marks' | undefined> = {
  'as written (PF-8r)': undefined,
  'without the transactions’ commit-order index (the event feed)': ['credit_transactions', '(commit_xid)'],
  'without the accounts’ next-due index': ['credit_accounts', '(next_due_at_ms, member_id)'],
  'without the lots’ warning index': ['credit_lots', 'warned_at_ms IS NULL'],
  'due marks instead of the accounts’ next-due index': 'due marks',
};
/** The variants to run (their names' starts, after the members and rounds): all by default; `as written` always. */
const chosen = process.argv.slice(4);
const variants = Object.fromEntries(
  Object.entries(allVariants).filter(([name]) => name.startsWith('as written') || chosen.length === 0 || chosen.some((start) => name.startsWith(start))),
);
const schema = `sweep_variants_${process.pid}`;
const scratch = `${schema}_copy`;
const admin = new pg.Client({ connectionString: url });
await admin.connect();
try {
  await loadLedgerSchema(admin, url, schema, members);
  const results: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, change] of Object.entries(variants)) {
      await copyLedgerTables(url, schema, scratch);
      if (Array.isArray(change)) {
        const [table, definition] = change;
        const found = await admin.query<{ indexname: string }>('select indexname from pg_indexes where schemaname = $1 and tablename = $2 and strpos(indexdef, $3) > 0', [scratch, table, definition]);
        if (found.rows.length !== 1) throw new Error(`${table}: ${found.rows.length} indexes match ${definition}`);
        // A unique constraint's index goes with its constraint.
        const name = found.rows[0]!.indexname;
        const constraint = await admin.query('select 1 from pg_constraint where conname = $1 and connamespace = $2::regnamespace', [name, scratch]);
        await admin.query(constraint.rows.length > 0 ? `alter table ${scratch}.${table} drop constraint ${name}` : `drop index ${scratch}.${name}`);
      }
      await admin.query('checkpoint');
      const day = await pgSweepRowsCeiling(url, schema, scratch, nowMs, warnUntilMs, { copied: true, dueMarks: change === 'due marks' });
      (results[name] ??= []).push(day.events / day.seconds);
      process.stdout.write(`round ${round + 1}, ${name}: ${day.events} events in ${day.seconds.toFixed(2)} s = ${(day.events / day.seconds).toFixed(0)}/s\n`);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const base = median(results['as written (PF-8r)']!);
  for (const [name, rates] of Object.entries(results)) {
    process.stdout.write(`${name}: median ${median(rates).toFixed(0)} events/s (${(median(rates) / base).toFixed(2)} × as written)\n`);
  }
} finally {
  await admin.query(`drop schema if exists ${scratch} cascade`);
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
}
