// SQLite reads outside a transaction run synchronously on the connection only while no transaction is open on it
// (db/sqlite-raw.ts rawSqliteWhenIdle): they must never see, or slip into, another caller's uncommitted work.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.ts';
import { queryRaw } from '../../src/db/sqlite-raw.ts';

test('a read outside a transaction waits while another caller holds a transaction open, then sees only what it committed', async () => {
  const database = await openDatabase({ url: ':memory:' });
  try {
    await sql`create table notes (id integer primary key, body text not null)`.execute(database.db);
    await sql`insert into notes (body) values ('committed before')`.execute(database.db);
    let settledDuringTransaction = false;
    let read: Promise<{ body: string }[]> | undefined;
    await database.db.transaction().execute(async (trx) => {
      await sql`insert into notes (body) values ('uncommitted')`.execute(trx);
      read = queryRaw<{ body: string }>(database.db, 'select body from notes order by id', []);
      void read.then(() => (settledDuringTransaction = true));
      // Turns of the event loop while the transaction is open: a read run at once would have settled by now.
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(settledDuringTransaction, false, 'the read waits for the transaction to end');
    });
    assert.deepEqual((await read!).map((row) => row.body), ['committed before', 'uncommitted']);

    // Idle: answered at once (nothing holds the connection), the committed rows only.
    const idle = await queryRaw<{ n: number }>(database.db, 'select count(*) as n from notes', []);
    assert.equal(Number(idle[0]!.n), 2);
  } finally {
    await database.close();
  }
});

test('a read outside a transaction never joins a rolled-back transaction', async () => {
  const database = await openDatabase({ url: ':memory:' });
  try {
    await sql`create table notes (id integer primary key, body text not null)`.execute(database.db);
    let read: Promise<{ n: number }[]> | undefined;
    await assert.rejects(
      database.db.transaction().execute(async (trx) => {
        await sql`insert into notes (body) values ('rolled back')`.execute(trx);
        read = queryRaw<{ n: number }>(database.db, 'select count(*) as n from notes', []);
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error('the caller gives up');
      }),
      /the caller gives up/,
    );
    assert.equal(Number((await read!)[0]!.n), 0, 'the rolled-back row was never seen');
  } finally {
    await database.close();
  }
});
