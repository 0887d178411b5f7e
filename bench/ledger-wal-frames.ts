// `npm exec -- node bench/ledger-wal-frames.ts [members] [earns]`: where an earn's COMMIT cost goes on SQLite (a
// development aid for PF-1). Loads the bench dataset, turns checkpoints off, runs grouped earns from 16 callers (two
// lines each, as PF-1), then decodes the WAL frame by frame and maps each frame's page to its B-tree with dbstat:
// pages written per earn, by table and index. A dirty page costs ~6.5 µs at COMMIT on the bench machine (PERFORMANCE.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createSimulatedClock } from '../src/platform/clock.ts';
import { configureGroupCommit, earnForOrder, groupCommitStats } from '../src/modules/credits/index.ts';
import { ctxOf } from './ledger.ts';
import { loadDataset } from './ledger-dataset.ts';
import { pagesPerUnitLines, walPagesByTree } from './wal-frames.ts';

const members = Number(process.argv[2] ?? 20_000);
const earns = Number(process.argv[3] ?? 4_000);
const dir = mkdtempSync(join(tmpdir(), 'patron-wal-frames-'));
const file = join(dir, 'ledger.sqlite');
const database = await openDatabase({ url: file, sqliteCheckpoints: 'inline' });
await migrateToLatest(database.db);
await loadDataset(database, members, 10);
await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(database.db);
await sql`PRAGMA wal_autocheckpoint = 0`.execute(database.db);

const clock = createSimulatedClock(Date.parse('2026-03-02T17:00:00Z'));
const ctx = ctxOf(database, clock);
configureGroupCommit(database.db, { enabled: true });
let seed = 7;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
const memberId = (i: number) => `mem_${String(i).padStart(26, '0')}`;
const before = groupCommitStats(database.db);
let issued = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (issued < earns) {
      issued++;
      await earnForOrder(ctx, {
        memberId: memberId(Math.floor(random() * members)),
        orderId: ctx.ids.next('ord'),
        paidAtMs: clock.nowMs(),
        plusActive: false,
        lines: [
          { lineId: ctx.ids.next('oln'), qualifyingMinor: 500 + Math.floor(random() * 20_000), plusBonus: false, earnsCredits: true },
          { lineId: ctx.ids.next('oln'), qualifyingMinor: 700, plusBonus: false, earnsCredits: true },
        ],
      });
    }
  }),
);
const elapsedMs = performance.now() - started;
const after = groupCommitStats(database.db);

const { pages, perTree } = await walPagesByTree(database.db, file);
const perGroup = (after.operations - before.operations) / Math.max(1, after.groups - before.groups);
process.stdout.write(`${earns} earns on ${members} members in ${elapsedMs.toFixed(0)} ms (${((earns / elapsedMs) * 1000).toFixed(0)}/s), ${perGroup.toFixed(1)} per commit\n`);
process.stdout.write(`${(pages / earns).toFixed(2)} WAL pages per earn\n${pagesPerUnitLines(perTree, earns)}`);
await database.close();
rmSync(dir, { recursive: true, force: true });
