// `PATRON_BENCH_DATABASE_URL=… npm exec -- node bench/sweep-rows-variants-pg.ts [members] [rounds] [variants…]`: what each of the
// index entries a sweep event writes costs PostgreSQL's set-based day (PF-8r, sweep-rows-ceiling.ts; issue 12 PF-8),
// and what a different layout of the same rows would give. Loads the ledger bench's dataset once, then, alternating in
// rounds, sweeps its first day by raw SQL on a fresh copy of the ledger's tables, as written and with one change made
// to the copy first: an index dropped, the accounts' next-due index replaced by a table of its own (`due marks`), the
// lots rewritten in member order (`lots clustered`: a member's lots on one or two pages, as SQLite's table keyed by
// member keeps them, where PostgreSQL's heap puts each lot where it was written), the accounts rewritten with room on
// their pages (`accounts at fillfactor 90`), or each account given its pending lots' schedule so that unlocks read no
// lot (`pending schedule`, sweep-rows-ceiling.ts). Each copy is read into the cache before its day
// (shared_buffers when it fits, else the page cache: a rewritten table is otherwise read from disk and measures that).
// Since session 36 the application's day is about as long as PF-8r's (1.0–1.4×), so PF-8's 10 s at M waits on the
// rows themselves: this says which change to make next. (The idempotency index was one, 1.07× at S and 1.08× at M:
// since migration 0434 the sweep's events write no entry there.) A development aid for choosing the data model's next
// change, not a CI script.
import pg from 'pg';
import { DAY_MS } from '../src/platform/clock.ts';
import { copyLedgerTables, loadLedgerSchema, prewarmSchema } from './postgres-schema.ts';
import { T0 } from './ledger-dataset.ts';
import { pgSweepRowsCeiling, prepareSweepRowsVariant, type SweepRowsVariant } from './sweep-rows-ceiling.ts';

const url = process.env.PATRON_BENCH_DATABASE_URL ?? process.env.PATRON_TEST_DATABASE_URL;
if (!url) throw new Error('Set PATRON_BENCH_DATABASE_URL to a PostgreSQL database.');
const members = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 3);
/** The dataset's first day, as PF-8 and PF-8r sweep it. */
const nowMs = T0 + DAY_MS;
const warnUntilMs = nowMs + 30 * DAY_MS;
/** A change made to the copy before its day (see the header); none: the data model as written. */
type Change =
  | { drop: [table: string, definition: string] }
  | 'due marks'
  | 'lots clustered'
  | 'accounts at fillfactor 90'
  | 'pending schedule';
/**
 * Each variant: an index dropped from the copy, as its table and a part of its definition (the copy's indexes have
 * generated names); 'due marks' and 'pending schedule': another data model for the day (sweep-rows-ceiling.ts's
 * variants: the next steps sessions 37 and 38 measured for); the two rewrites (session 38).
 */
const allVariants: Record<string, Change | undefined> = {
  'as written (PF-8r)': undefined,
  'without the transactions’ commit-order index (the event feed)': { drop: ['credit_transactions', '(commit_xid)'] },
  'without the accounts’ next-due index': { drop: ['credit_accounts', '(next_due_at_ms, member_id)'] },
  'without the lots’ warning index': { drop: ['credit_lots', 'warned_at_ms IS NULL'] },
  'due marks instead of the accounts’ next-due index': 'due marks',
  'lots clustered by member': 'lots clustered',
  'accounts at fillfactor 90': 'accounts at fillfactor 90',
  'pending schedule in the accounts (unlocks read no lot)': 'pending schedule',
};

/** Whether the change is one of sweep-rows-ceiling.ts's data models (a setup and the day's statements of its own). */
function isModelVariant(change: Change | undefined): change is SweepRowsVariant {
  return change === 'due marks' || change === 'pending schedule';
}

/** Makes `change` to the copy in `scratch`. */
async function applyChange(admin: pg.Client, scratch: string, change: Change | undefined): Promise<void> {
  if (change === undefined) return;
  if (isModelVariant(change)) return prepareSweepRowsVariant(admin, scratch, change);
  if (change === 'lots clustered') {
    const pk = await admin.query<{ indexname: string }>(`select indexname from pg_indexes where schemaname = $1 and tablename = 'credit_lots' and strpos(indexdef, '(member_id, id)') > 0 and strpos(indexdef, 'UNIQUE') > 0`, [scratch]);
    if (pk.rows.length !== 1) throw new Error(`credit_lots: ${pk.rows.length} unique indexes on (member_id, id)`);
    await admin.query(`cluster ${scratch}.credit_lots using ${pk.rows[0]!.indexname}`);
    // Vacuumed for its visibility map, not analyzed again: ANALYZE's sample of pages holding whole members counts
    // too few distinct members (at M it planned 25–32 lots a member against 3, and hash joins), which measured the
    // planner's estimate, not the layout.
    await admin.query(`vacuum ${scratch}.credit_lots`);
    return;
  }
  if (change === 'accounts at fillfactor 90') {
    await admin.query(`alter table ${scratch}.credit_accounts set (fillfactor = 90)`);
    await admin.query(`vacuum full ${scratch}.credit_accounts`);
    await admin.query(`vacuum analyze ${scratch}.credit_accounts`);
    return;
  }
  const [table, definition] = change.drop;
  const found = await admin.query<{ indexname: string }>('select indexname from pg_indexes where schemaname = $1 and tablename = $2 and strpos(indexdef, $3) > 0', [scratch, table, definition]);
  if (found.rows.length !== 1) throw new Error(`${table}: ${found.rows.length} indexes match ${definition}`);
  // A unique constraint's index goes with its constraint.
  const name = found.rows[0]!.indexname;
  const constraint = await admin.query('select 1 from pg_constraint where conname = $1 and connamespace = $2::regnamespace', [name, scratch]);
  await admin.query(constraint.rows.length > 0 ? `alter table ${scratch}.${table} drop constraint ${name}` : `drop index ${scratch}.${name}`);
}

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
      await applyChange(admin, scratch, change);
      const warmed = await prewarmSchema(admin, scratch);
      if ('skipped' in warmed) throw new Error(`the copy could not be read into the cache: ${warmed.skipped}`);
      await admin.query('checkpoint');
      const day = await pgSweepRowsCeiling(url, schema, scratch, nowMs, warnUntilMs, { copied: true, variant: isModelVariant(change) ? change : undefined });
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
