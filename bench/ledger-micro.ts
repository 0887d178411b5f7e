// `npm exec -- node bench/ledger-micro.ts [sqlite|postgres] [seconds]`: a quick A/B of ledger earns and spends with group
// commit on and off, alternating, against the write ceiling measured in between (a development aid for PF-1..PF-4).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createSimulatedClock } from '../src/platform/clock.ts';
import { createIdGenerator } from '../src/platform/ids.ts';
import { configureGroupCommit, earnForOrder, grantBonus, groupCommitStats, spendCredits } from '../src/modules/credits/index.ts';
import { sqliteWriteCeiling } from './ceilings.ts';
import type { Ctx } from '../src/deps.ts';

const dialect = process.argv[2] ?? 'sqlite';
const seconds = Number(process.argv[3] ?? 2);
const callers = Number(process.argv[4] ?? 16);
const dir = mkdtempSync(join(tmpdir(), 'patron-ledger-micro-'));
const pgUrl = process.env.PATRON_BENCH_DATABASE_URL;
const schema = `ledger_micro_${process.pid}`;
if (dialect === 'postgres') {
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
}
const database = dialect === 'postgres' ? await openDatabase({ url: pgUrl!, schema, poolSize: 10 }) : await openDatabase({ url: join(dir, 'l.sqlite') });
await migrateToLatest(database.db);
const clock = createSimulatedClock(Date.parse('2026-03-02T17:00:00Z'));
const ctx = { db: database.db, clock, ids: createIdGenerator(clock) } as unknown as Ctx;
const members = Array.from({ length: 2000 }, (_, i) => `mem_micro_${String(i).padStart(20, '0')}`);
for (let i = 0; i < members.length; i += 100) await Promise.all(members.slice(i, i + 100).map((memberId) => grantBonus(ctx, { memberId, kind: 'registration' })));

async function run(label: string, op: (w: number, i: number) => Promise<unknown>): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const before = groupCommitStats(database.db);
  await Promise.all(Array.from({ length: callers }, async (_, w) => {
    for (let i = 0; performance.now() < end; i++) {
      try {
        await op(w, i);
        n++;
      } catch {
        // refused spends
      }
    }
  }));
  const after = groupCommitStats(database.db);
  const rate = n / seconds;
  process.stdout.write(`${label}: ${rate.toFixed(0)}/s (${((after.operations - before.operations) / Math.max(1, after.groups - before.groups)).toFixed(1)} per group)\n`);
  return rate;
}

let round = 0;
for (const on of [true, false, true, false]) {
  configureGroupCommit(database.db, { enabled: on });
  round++;
  if (dialect === 'sqlite') process.stdout.write(`C_sqlite ${sqliteWriteCeiling(dir, { synchronous: 'NORMAL', seconds: 1 }).toFixed(0)}\n`);
  rmSync(join(dir, 'ceiling-NORMAL.sqlite'), { force: true });
  await run(`earn  group ${on ? 'on ' : 'off'}`, (w, i) =>
    earnForOrder(ctx, { memberId: members[(w * 131 + i * 7) % members.length]!, orderId: `ord_${round}_${w}_${i}`, paidAtMs: clock.nowMs(), plusActive: false, lines: [{ lineId: 'a', qualifyingMinor: 5000, plusBonus: false, earnsCredits: true }, { lineId: 'b', qualifyingMinor: 700, plusBonus: false, earnsCredits: true }] }),
  );
  await run(`spend group ${on ? 'on ' : 'off'}`, (w, i) => spendCredits(ctx, { memberId: members[(w * 131 + i * 7) % members.length]!, credits: 1, idempotencyKey: `s_${round}_${w}_${i}` }));
}
await database.close();
if (dialect === 'postgres') {
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
}
rmSync(dir, { recursive: true, force: true });
const timings = (globalThis as { __sqlT?: Map<string, [number, number]> }).__sqlT;
if (timings) for (const [k, [ms, n]] of [...timings].sort((a, b) => b[1][0] - a[1][0]).slice(0, 25)) process.stdout.write(`${ms.toFixed(0).padStart(7)} ms ${String(n).padStart(8)} ${(1000 * ms / n).toFixed(1).padStart(7)} µs  ${k.replace(/\s+/g, ' ')}\n`);
