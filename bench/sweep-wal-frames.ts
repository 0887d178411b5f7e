// `npm exec -- node bench/sweep-wal-frames.ts [members]`: where a day's sweep's COMMIT cost goes on SQLite (a
// development aid for PF-8, as ledger-wal-frames.ts is for PF-1). Loads the bench dataset (10 lots a member), sweeps a
// first day that is not counted, turns checkpoints off, sweeps the next day in batches of 500 as the ledger bench does,
// then names the B-tree of every page its commits wrote: pages per event, by table and index, and the day's time
// without a checkpoint beside it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { DAY_MS, createSimulatedClock } from '../src/platform/clock.ts';
import { runCreditsSweep } from '../src/modules/credits/index.ts';
import { ctxOf } from './ledger.ts';
import { loadDataset, T0 } from './ledger-dataset.ts';
import { pagesPerUnitLines, walPagesByTree } from './wal-frames.ts';

const members = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'patron-sweep-wal-frames-'));
const file = join(dir, 'ledger.sqlite');
try {
  const database = await openDatabase({ url: file, sqliteCheckpoints: 'inline' });
  await migrateToLatest(database.db);
  await loadDataset(database, members, 10);
  const clock = createSimulatedClock(T0 + DAY_MS);
  const ctx = ctxOf(database, clock);
  await runCreditsSweep(ctx, { batchSize: 500, maxBatches: 1_000_000 });
  await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(database.db);
  await sql`PRAGMA wal_autocheckpoint = 0`.execute(database.db);
  clock.setMs(T0 + 2 * DAY_MS);
  const started = performance.now();
  const day = await runCreditsSweep(ctx, { batchSize: 500, maxBatches: 1_000_000 });
  const elapsedMs = performance.now() - started;
  const { pages, perTree } = await walPagesByTree(database.db, file);
  const events = day.transactions;
  process.stdout.write(`${events} events for ${day.members} members in ${day.batches} batches, ${elapsedMs.toFixed(0)} ms (${((events / elapsedMs) * 1000).toFixed(0)} events/s, no checkpoint meanwhile)\n`);
  process.stdout.write(`${(pages / events).toFixed(2)} WAL pages per event\n${pagesPerUnitLines(perTree, events)}`);
  await database.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
