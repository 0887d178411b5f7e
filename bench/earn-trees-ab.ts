// `npm exec -- node bench/earn-trees-ab.ts <other checkout> [members] [seconds] [rounds]`: SQLite earns through the
// service of this checkout and of another one (say `git worktree add /tmp/wt-old <commit>` with node_modules linked),
// alternating on one ledger file loaded as the ledger bench loads it (10 lots a member): the bench's earns
// (benchEarnInput), 16 callers, group commit as configured. For a change whose effect is smaller than the machine's
// drift between two bench runs (PF-1's ceilings moved by a third within two hours in session 33). The other checkout
// must have the same migrations. A development aid, not a CI script.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const other = process.argv[2];
if (!other) throw new Error('usage: bench/earn-trees-ab.ts <other checkout> [members] [seconds] [rounds]');
const trees = { this: pathToFileURL(resolve(import.meta.dirname, '..')).href + '/', other: pathToFileURL(resolve(other)).href + '/' };
const members = Number(process.argv[3] ?? 100_000);
const seconds = Number(process.argv[4] ?? 5);
const rounds = Number(process.argv[5] ?? 4);
const dir = mkdtempSync(join(tmpdir(), 'patron-earn-ab-'));
const file = join(dir, 'ledger.sqlite');

{
  const { openDatabase } = await import(`${trees.this}src/db/database.ts`);
  const { migrateToLatest } = await import(`${trees.this}src/db/migrate.ts`);
  const { loadDataset } = await import(`${trees.this}bench/ledger-dataset.ts`);
  const database = await openDatabase({ url: file });
  await migrateToLatest(database.db);
  const started = performance.now();
  await loadDataset(database, members, 10);
  process.stdout.write(`${members} members loaded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  await database.close();
}
const { T0, memberId, benchEarnInput } = await import(`${trees.this}bench/ledger-dataset.ts`);
let seed = 7;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
// One simulated clock across the rounds, so no tree's earn lands before the other's.
let clockMs: number = T0;

async function earnsPerSecond(tree: string): Promise<number> {
  const { openDatabase } = await import(`${tree}src/db/database.ts`);
  const { createSimulatedClock } = await import(`${tree}src/platform/clock.ts`);
  const { createIdGenerator } = await import(`${tree}src/platform/ids.ts`);
  const { earnForOrder, getBalance } = await import(`${tree}src/modules/credits/index.ts`);
  const database = await openDatabase({ url: file });
  const clock = createSimulatedClock(clockMs);
  const ctx = { db: database.db, clock, ids: createIdGenerator(clock) };
  for (let i = 0; i < 200; i++) await getBalance(ctx, memberId(Math.floor(random() * members)));
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  let earns = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < end) {
        await earnForOrder(ctx, benchEarnInput(ctx.ids, clock.nowMs(), random, memberId(Math.floor(random() * members))));
        earns += 1;
      }
    }),
  );
  const rate = earns / ((performance.now() - started) / 1000);
  clockMs = clock.nowMs() + 1;
  await database.close();
  return rate;
}

const rates: Record<keyof typeof trees, number[]> = { this: [], other: [] };
try {
  for (let round = 0; round < rounds; round++) {
    // ABBA: each tree goes first in every other round.
    for (const name of round % 2 === 0 ? (['other', 'this'] as const) : (['this', 'other'] as const)) {
      const rate = await earnsPerSecond(trees[name]);
      rates[name].push(rate);
      process.stdout.write(`round ${round} ${name.padEnd(5)} ${rate.toFixed(0)} earns/s\n`);
    }
  }
  for (const [name, list] of Object.entries(rates)) {
    const sorted = [...list].sort((a, b) => a - b);
    process.stdout.write(`${name.padEnd(5)} median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} earns/s (${list.map((r) => r.toFixed(0)).join(', ')})\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
