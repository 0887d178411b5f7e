// `npm exec -- node bench/sweep-read-ahead.ts [sqlite|postgres] [members] [a,b]`: a quick A/B of the credits sweep's
// read-ahead (SweepOptions.readAhead: how many batches' worth of due members are found at once and cut into batches in
// member order), on bench/ledger.ts's dataset in one process: a first day not counted (the first sweep after loading
// was the slowest in every run), eight days alternating a b b a a b b a, then a 30-day
// backlog in alternating slices of 16 batches of 500, then the auditor. Defaults: sqlite, 100000, 1,16. A development
// aid (docs/PERFORMANCE.md, "Sweep batches by key range"), not a CI script.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { DAY_MS, createSimulatedClock } from '../src/platform/clock.ts';
import { runCreditsAudit, runCreditsSweep } from '../src/modules/credits/index.ts';
import { ctxOf } from './ledger.ts';
import { loadDataset } from './ledger-dataset.ts';
import { withPostgresBenchSchema } from './postgres-schema.ts';

const dialect = process.argv[2] ?? 'sqlite';
const members = Number(process.argv[3] ?? 100_000);
const [a, b] = (process.argv[4] ?? '1,16').split(',').map(Number) as [number, number];
const pattern = [a, b, b, a, a, b, b, a];
const T0 = Date.parse('2026-03-02T17:00:00.000Z');
const eventsPerDayAtM = 170_000;

async function run(label: string, database: Database): Promise<boolean> {
  await loadDataset(database, members, 10);
  const clock = createSimulatedClock(T0);
  const ctx = ctxOf(database, clock);
  const say = (text: string) => process.stdout.write(`[${label}] ${text}\n`);
  const phase = async (maxBatches: number, dayOf: (i: number) => number | undefined) => {
    const tally = new Map<number, { events: number; seconds: number }>([[a, { events: 0, seconds: 0 }], [b, { events: 0, seconds: 0 }]]);
    for (const [i, readAhead] of pattern.entries()) {
      const day = dayOf(i);
      if (day !== undefined) clock.setMs(T0 + day * DAY_MS);
      const started = performance.now();
      const report = await runCreditsSweep(ctx, { batchSize: 500, maxBatches, readAhead });
      const seconds = (performance.now() - started) / 1000;
      const t = tally.get(readAhead)!;
      t.events += report.transactions;
      t.seconds += seconds;
      if (day !== undefined) say(`day ${day}, read-ahead ${readAhead}: ${report.transactions} events in ${seconds.toFixed(2)} s`);
    }
    return tally;
  };
  clock.setMs(T0 + DAY_MS);
  await runCreditsSweep(ctx, { batchSize: 500, maxBatches: 1_000_000 });
  const days = await phase(1_000_000, (i) => i + 2);
  for (const [readAhead, t] of days) say(`read-ahead ${readAhead}: a day ${(t.events / t.seconds).toFixed(0)} events/s (≈ ${(eventsPerDayAtM / (t.events / t.seconds)).toFixed(1)} s at M)`);
  clock.setMs(T0 + 40 * DAY_MS);
  const backlog = await phase(16, () => undefined);
  for (const [readAhead, t] of backlog) say(`read-ahead ${readAhead}: backlog ${(t.events / t.seconds).toFixed(0)} events/s`);
  const audit = await runCreditsAudit(ctx, { trigger: 'bench', actorId: null });
  say(`LG-5 auditor: ${audit.ok ? 'ok' : `${audit.problemCount} problems`}`);
  return audit.ok;
}

let ok: boolean;
if (dialect === 'sqlite') {
  const dir = mkdtempSync(join(tmpdir(), 'patron-sweep-read-ahead-'));
  try {
    const database = await openDatabase({ url: join(dir, 'sweep.sqlite') });
    await migrateToLatest(database.db);
    ok = await run('sqlite', database);
    await database.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  const url = process.env.PATRON_BENCH_DATABASE_URL ?? process.env.PATRON_TEST_DATABASE_URL;
  if (!url) throw new Error('Set PATRON_BENCH_DATABASE_URL for the PostgreSQL run.');
  ok = await withPostgresBenchSchema(url, 'bench_read_ahead', { poolSize: 4 }, async (database) => {
    await migrateToLatest(database.db);
    return run('postgres', database);
  });
}
if (!ok) process.exitCode = 1;
