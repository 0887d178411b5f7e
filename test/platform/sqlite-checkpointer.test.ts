// PF-1: a SQLite file's WAL is checkpointed by a worker thread, not by the committing connection (sqlite-checkpointer.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.ts';
import { defaultCheckpointPace, isSqliteFile, nextCheckpointDelay } from '../../src/db/sqlite-checkpointer.ts';

/** Writes ~4 MB (about 1,000 pages: below the writer's own threshold either way) in 20 commits. */
async function writeSome(db: Awaited<ReturnType<typeof openDatabase>>['db']): Promise<void> {
  await sql`create table filler (id integer primary key, body text not null)`.execute(db);
  for (let i = 0; i < 20; i++) {
    await db.transaction().execute(async (trx) => {
      for (let k = 0; k < 50; k++) await sql`insert into filler (body) values (${'x'.repeat(4000)})`.execute(trx);
    });
  }
}

async function fileGrowsWithin(path: string, fromBytes: number, attempts: number): Promise<boolean> {
  for (let n = 0; n < attempts; n++) {
    if (statSync(path).size > fromBytes) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return statSync(path).size > fromBytes;
}

test('PF-1 background checkpoints copy committed pages into the database file while the writer only appends to the WAL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'patron-checkpointer-'));
  try {
    const path = join(dir, 'bg.sqlite');
    const database = await openDatabase({ url: path });
    const before = statSync(path).size;
    await writeSome(database.db);
    // The writer's threshold is 16,000 pages: only the worker can have moved these ~1,000 pages into the file.
    assert.equal(await fileGrowsWithin(path, before, 200), true, 'the worker checkpointed');
    const [row] = (await sql<{ n: number }>`select count(*) as n from filler`.execute(database.db)).rows;
    assert.equal(Number(row!.n), 1000);
    await database.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PF-1 with inline checkpoints the same writes stay in the WAL until the writer’s own threshold (4,000 pages)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'patron-checkpointer-'));
  try {
    const path = join(dir, 'inline.sqlite');
    const database = await openDatabase({ url: path, sqliteCheckpoints: 'inline' });
    const before = statSync(path).size;
    await writeSome(database.db);
    assert.equal(statSync(path).size, before, 'nothing checkpointed yet');
    assert.ok(statSync(`${path}-wal`).size > 4_000_000);
    await database.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('in-memory databases have no WAL and get no checkpointer', () => {
  assert.equal(isSqliteFile(':memory:'), false);
  assert.equal(isSqliteFile('file::memory:?cache=shared'), false);
  assert.equal(isSqliteFile('/var/lib/patron/patron.sqlite'), true);
});

test('PF-1 the checkpoint thread comes back soon while the writer adds frames and at the idle pace once nothing is new', () => {
  const pace = { busyMs: 10, idleMs: 250 };
  assert.equal(nextCheckpointDelay({ log: 0, checkpointed: 0 }, -1, pace), 250, 'an empty WAL: nothing to do');
  assert.equal(nextCheckpointDelay({ log: 900, checkpointed: 600 }, 600, pace), 10, 'frames left over (the writer appended meanwhile)');
  assert.equal(nextCheckpointDelay({ log: 900, checkpointed: 900 }, 600, pace), 10, 'this one copied frames: the writer may be at work');
  assert.equal(nextCheckpointDelay({ log: 900, checkpointed: 900 }, 900, pace), 250, 'nothing new since the last one');
  assert.equal(nextCheckpointDelay({ log: 40, checkpointed: 40 }, 900, pace), 10, 'the WAL restarted and got new frames');
  assert.deepEqual(defaultCheckpointPace, { busyMs: 10, idleMs: 250 });
});
