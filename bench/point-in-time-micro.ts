// `npm exec -- node bench/point-in-time-micro.ts [sqlite|postgres] [seconds]`: a quick A/B of PF-7 point-in-time
// reads, alternating in one process (same machine load): the full replay (every posting of the member, the reference)
// against the read from balance snapshots, on one-transaction members (the bench dataset) and on long histories,
// before and after the snapshot job ran. A development aid, not a CI script.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { DAY_MS, createSimulatedClock } from '../src/platform/clock.ts';
import { createIdGenerator } from '../src/platform/ids.ts';
import { getBalanceAt, runCreditsSnapshots } from '../src/modules/credits/index.ts';
import { getBalanceAtByFullReplay } from '../src/modules/credits/balance.service.ts';
import { loadDataset } from './ledger-dataset.ts';
import { loadLongHistories, longMemberId } from './ledger-history.ts';
import { measure } from './load-measure.ts';
import type { Ctx } from '../src/deps.ts';

const dialect = process.argv[2] ?? 'sqlite';
const seconds = Number(process.argv[3] ?? 1);
const callers = dialect === 'postgres' ? 16 : 1;
const T0 = Date.parse('2026-03-02T17:00:00.000Z');
const dir = mkdtempSync(join(tmpdir(), 'patron-pit-micro-'));
const pgUrl = process.env.PATRON_BENCH_DATABASE_URL ?? process.env.PATRON_TEST_DATABASE_URL;
const schema = `pit_micro_${process.pid}`;
const admin = async (text: string) => {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(text);
  await client.end();
};
if (dialect === 'postgres') await admin(`create schema ${schema}`);
const database = dialect === 'postgres' ? await openDatabase({ url: pgUrl!, schema, poolSize: 20 }) : await openDatabase({ url: join(dir, 'p.sqlite') });
try {
  await migrateToLatest(database.db);
  const members = 2_000;
  const longMembers = 200;
  await loadDataset(database, members, 10);
  await loadLongHistories(database, { members: longMembers, transactions: 500, startMs: T0 - 400 * DAY_MS, endMs: T0 - DAY_MS, expiresAtMs: T0 + 200 * DAY_MS });
  const clock = createSimulatedClock(T0);
  const ctx = { db: database.db, clock, ids: createIdGenerator(clock) } as unknown as Ctx;
  const short = (i: number) => `mem_${String(i).padStart(26, '0')}`;
  const history = { startMs: T0 - 400 * DAY_MS, endMs: T0 - DAY_MS };
  /** A day back, or (`spread`) a moment anywhere in the long histories: the read then skips the later periods. */
  const row = async (label: string, read: typeof getBalanceAt, member: (i: number) => string, count: number, spread = false) => {
    const momentOf = (n: number) => (spread ? history.startMs + ((n * 7_919_993) % (history.endMs - history.startMs)) : T0 - DAY_MS);
    const m = await measure(seconds, callers, (w, i) => read(ctx, member((w * 7919 + i * 31) % count), momentOf(w * 100_003 + i)));
    process.stdout.write(`${label.padEnd(44)} ${m.perSecond.toFixed(0).padStart(7)}/s  p50 ${m.p50Ms.toFixed(3)} ms  p99 ${m.p99Ms.toFixed(3)} ms\n`);
  };
  for (let round = 0; round < 2; round++) {
    await row('one transaction, full replay', getBalanceAtByFullReplay, short, members);
    await row('one transaction, from snapshots', getBalanceAt, short, members);
    await row('500 transactions, full replay', getBalanceAtByFullReplay, longMemberId, longMembers);
    await row('500 transactions, no snapshot taken yet', getBalanceAt, longMemberId, longMembers);
  }
  process.stdout.write(`snapshot job: ${(await runCreditsSnapshots(ctx, { maxBatches: 1_000 })).taken} taken\n`);
  for (let round = 0; round < 2; round++) {
    await row('500 transactions, full replay', getBalanceAtByFullReplay, longMemberId, longMembers);
    await row('500 transactions, from snapshots', getBalanceAt, longMemberId, longMembers);
    await row('500 transactions, any moment, full replay', getBalanceAtByFullReplay, longMemberId, longMembers, true);
    await row('500 transactions, any moment, from snapshots', getBalanceAt, longMemberId, longMembers, true);
  }
} finally {
  await database.close();
  if (dialect === 'postgres') await admin(`drop schema ${schema} cascade`);
  rmSync(dir, { recursive: true, force: true });
}
