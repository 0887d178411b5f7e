// One isUniqueViolation (src/db/unique-violation.ts) for both dialects: it recognises each database's own refusal of a
// duplicate key and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { isUniqueViolation } from '../../src/db/unique-violation.ts';
import { describeEachDatabase } from '../support/each-database.ts';

async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  assert.fail('the statement was expected to fail');
}

describeEachDatabase('unique violations', (suite) => {
  test('PL-5 isUniqueViolation recognises a duplicate unique column and a duplicate primary key from this database', async () => {
    const { db } = suite.deps();
    await sql`create table unique_probe (id text primary key, email text not null unique, n integer check (n > 0))`.execute(db);
    await sql`insert into unique_probe (id, email, n) values ('a', 'a@example.com', 1)`.execute(db);
    const duplicateColumn = await errorOf(() => sql`insert into unique_probe (id, email, n) values ('b', 'a@example.com', 1)`.execute(db));
    const duplicateKey = await errorOf(() => sql`insert into unique_probe (id, email, n) values ('a', 'c@example.com', 1)`.execute(db));
    assert.equal(isUniqueViolation(duplicateColumn), true);
    assert.equal(isUniqueViolation(duplicateKey), true);
    assert.equal(isUniqueViolation(new Error('wrapped', { cause: duplicateColumn })), true, 'a wrapped refusal is still one');
  });

  test('PL-5 isUniqueViolation is false for other constraint failures and other errors', async () => {
    const { db } = suite.deps();
    await sql`create table unique_probe_2 (id text primary key, n integer not null check (n > 0))`.execute(db);
    const notNull = await errorOf(() => sql`insert into unique_probe_2 (id, n) values ('a', null)`.execute(db));
    const check = await errorOf(() => sql`insert into unique_probe_2 (id, n) values ('a', 0)`.execute(db));
    const syntax = await errorOf(() => sql`select from nowhere at all`.execute(db));
    for (const error of [notNull, check, syntax, new Error('boom'), null, undefined, 'UNIQUE', { code: 23505 }]) assert.equal(isUniqueViolation(error), false, String(error));
  });
});

test('PL-5 isUniqueViolation knows both drivers\' shapes without a database', () => {
  assert.equal(isUniqueViolation({ code: '23505', message: 'duplicate key value violates unique constraint "x"' }), true);
  assert.equal(isUniqueViolation({ code: 'ERR_SQLITE_ERROR', errcode: 2067, message: 'UNIQUE constraint failed: t.email' }), true);
  assert.equal(isUniqueViolation({ code: 'ERR_SQLITE_ERROR', errcode: 1555, message: 'UNIQUE constraint failed: t.id' }), true);
  assert.equal(isUniqueViolation({ code: 'ERR_SQLITE_ERROR', errcode: 1299, message: 'NOT NULL constraint failed: t.n' }), false);
  assert.equal(isUniqueViolation({ code: '23502', message: 'null value in column "n" violates not-null constraint' }), false);
});
