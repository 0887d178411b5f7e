// `npm run bench -- sweep [--size XS|S|M]`: the credits sweep alone (PF-8), the set-based path against the
// whole-book path alternating in one process on one dataset (bench/ledger.ts's), so both meet the same machine load:
// six days' sweeps (odd days whole books, even days set-based), then a 30-day backlog swept in alternating slices
// of a few batches. Then the auditor (LG-5). SQLite (a WAL file) always; PostgreSQL when PATRON_BENCH_DATABASE_URL (or
// PATRON_TEST_DATABASE_URL) is set. Extrapolates one day's work to M (1M members) from the events per second.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { DAY_MS, createSimulatedClock } from '../src/platform/clock.ts';
import { runCreditsAudit, runCreditsSweep } from '../src/modules/credits/index.ts';
import type { Ctx } from '../src/deps.ts';
import { ctxOf } from './ledger.ts';
import { loadDataset } from './ledger-dataset.ts';
import { withPostgresBenchSchema } from './postgres-schema.ts';

type Size = 'XS' | 'S' | 'M';

const membersOf: Record<Size, number> = { XS: 1_000, S: 100_000, M: 1_000_000 };
/** Batches of 500 members per backlog slice; slices alternate between the two paths. */
const sliceBatchesOf: Record<Size, number> = { XS: 1, S: 10, M: 40 };
/** The backlog is swept for at most this long (whole books are slow). */
const capSecondsOf: Record<Size, number> = { XS: 30, S: 60, M: 120 };
/** A day's work at M, in events: what the PF-8 target's 10 s is for (1M members, 10 lots each). */
const eventsPerDayAtM = 170_000;
const T0 = Date.parse('2026-03-02T17:00:00.000Z');

interface Tally {
  events: number;
  seconds: number;
}

const rate = (t: Tally) => (t.seconds > 0 ? t.events / t.seconds : 0);

async function sweep(ctx: Ctx, setBased: boolean, maxBatches: number): Promise<Tally & { done: boolean }> {
  const started = performance.now();
  const part = await runCreditsSweep(ctx, { batchSize: 500, maxBatches, setBased });
  return { events: part.transactions, seconds: (performance.now() - started) / 1000, done: !part.more };
}

async function measureSweeps(label: string, database: Database, members: number, sliceBatches: number, capSeconds: number): Promise<Record<string, unknown>> {
  const say = (text: string) => process.stdout.write(`  [${label}] ${text}\n`);
  let started = performance.now();
  await loadDataset(database, members, 10);
  say(`loaded ${members} members / ${members * 10} lots in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const clock = createSimulatedClock(T0);
  const ctx = ctxOf(database, clock);
  const day: Record<'whole' | 'set', Tally> = { whole: { events: 0, seconds: 0 }, set: { events: 0, seconds: 0 } };
  for (let d = 1; d <= 6; d++) {
    const mode = d % 2 === 1 ? 'whole' : 'set';
    clock.setMs(T0 + d * DAY_MS);
    const part = await sweep(ctx, mode === 'set', 1_000_000);
    day[mode].events += part.events;
    day[mode].seconds += part.seconds;
    say(`day ${d} (${mode === 'set' ? 'set-based' : 'whole books'}): ${part.events} events in ${part.seconds.toFixed(2)} s = ${rate(part).toFixed(0)}/s`);
  }
  clock.setMs(T0 + 36 * DAY_MS);
  const backlog: Record<'whole' | 'set', Tally> = { whole: { events: 0, seconds: 0 }, set: { events: 0, seconds: 0 } };
  let done = false;
  const backlogStarted = performance.now();
  for (let slice = 0; !done && performance.now() - backlogStarted < capSeconds * 1000; slice++) {
    const mode = slice % 2 === 0 ? 'whole' : 'set';
    const part = await sweep(ctx, mode === 'set', sliceBatches);
    backlog[mode].events += part.events;
    backlog[mode].seconds += part.seconds;
    done = part.done;
    say(`backlog slice ${slice + 1} (${mode === 'set' ? 'set-based' : 'whole books'}): ${part.events} events in ${part.seconds.toFixed(2)} s = ${rate(part).toFixed(0)}/s${done ? ' (done)' : ''}`);
  }
  started = performance.now();
  const audit = await runCreditsAudit(ctx, { trigger: 'bench', actorId: null });
  say(`LG-5 auditor: ${audit.ok ? 'ok' : `${audit.problemCount} problems`} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  for (const mode of ['whole', 'set'] as const) {
    const perSecond = rate(day[mode]);
    say(
      `PF-8 ${mode === 'set' ? 'set-based  ' : 'whole books'}: one day ${perSecond.toFixed(0)} events/s (≈ ${(eventsPerDayAtM / Math.max(perSecond, 1)).toFixed(1)} s for a day at M); ` +
        `backlog ${rate(backlog[mode]).toFixed(0)} lots/s`,
    );
  }
  return { label, dayPerSecond: { whole: rate(day.whole), set: rate(day.set) }, backlogPerSecond: { whole: rate(backlog.whole), set: rate(backlog.set) }, auditOk: audit.ok };
}

export async function runSweepBench(options: { size: Size }): Promise<void> {
  const members = membersOf[options.size];
  const sliceBatches = sliceBatchesOf[options.size];
  const capSeconds = capSecondsOf[options.size];
  const results: Record<string, unknown>[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'patron-bench-sweep-'));
  try {
    const sqlite = await openDatabase({ url: join(dir, 'sweep.sqlite') });
    await migrateToLatest(sqlite.db);
    results.push(await measureSweeps('sqlite', sqlite, members, sliceBatches, capSeconds));
    await sqlite.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pgUrl = process.env.PATRON_BENCH_DATABASE_URL ?? process.env.PATRON_TEST_DATABASE_URL;
  if (pgUrl) {
    results.push(
      await withPostgresBenchSchema(pgUrl, 'bench_sweep', { poolSize: 4 }, async (postgres) => {
        await migrateToLatest(postgres.db);
        return measureSweeps('postgres', postgres, members, sliceBatches, capSeconds);
      }),
    );
  }
  process.stdout.write(`${JSON.stringify({ bench: 'sweep', size: options.size, members, results })}\n`);
  if (results.some((r) => r.auditOk !== true)) process.exitCode = 1;
}
