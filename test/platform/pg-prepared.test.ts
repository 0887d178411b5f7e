// The ledger's PostgreSQL function calls run as named prepared statements (src/db/pg-prepared.ts), on whichever
// connection runs them, inside a transaction too; other statements stay unnamed; the answers are the same either way.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { inTransaction, type Executor } from '../../src/db/database.ts';
import { configurePreparedStatements, preparedStatement } from '../../src/db/pg-prepared.ts';
import { earnForOrder, getBalance, getBalanceAt, spendCredits } from '../../src/modules/credits/index.ts';
import { testDialects } from '../support/databases.ts';
import { createTestDeps, ledgerOnlyMembers, type TestDeps } from '../support/deps.ts';
import { newMemberId } from '../modules/credits-fixtures.ts';

/** The named statements of the one connection a pool of one holds. */
async function preparedOnConnection(db: Executor): Promise<{ name: string; statement: string }[]> {
  const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements order by name`.execute(db);
  return rows;
}

for (const dialect of testDialects()) {
  if (dialect !== 'postgres') continue;
  describe('named prepared statements [postgres]', () => {
    let deps: TestDeps;
    before(async () => {
      // One connection: every statement below runs on it, so pg_prepared_statements shows all of theirs.
      deps = await createTestDeps('postgres', { poolSize: 1, ports: { memberContacts: ledgerOnlyMembers } });
    });
    after(async () => {
      configurePreparedStatements({ enabled: true });
      await deps.database.dispose();
    });

    test('PF-7 the balance and point-in-time reads run by name; the same text keeps one name', async () => {
      const memberId = newMemberId(deps);
      await earnForOrder(deps, { memberId, orderId: 'ord_prep_1', paidAtMs: deps.clock.nowMs(), plusActive: false, lines: [{ lineId: 'oln_prep_1', qualifyingMinor: 5000, plusBonus: false, earnsCredits: true }] });
      deps.clock.advanceMs(1000);
      for (let i = 0; i < 3; i++) {
        await getBalance(deps, memberId);
        await getBalanceAt(deps, memberId, deps.clock.nowMs() - 500);
      }
      const named = await preparedOnConnection(deps.db);
      const texts = named.map((row) => row.statement);
      assert.ok(texts.includes('select credits_balance($1, $2) as r'), texts.join('\n'));
      assert.ok(texts.includes('select credits_point_in_time($1, $2) as r'), texts.join('\n'));
      assert.equal(new Set(texts).size, texts.length, 'each text prepared once on the connection');
      for (const row of named) assert.match(row.name, /^patron_\d+$/);
    });

    test('PF-3 a marked call inside a caller\'s transaction runs by name on that transaction\'s connection and commits with it', async () => {
      const memberId = newMemberId(deps);
      await earnForOrder(deps, { memberId, orderId: 'ord_prep_2', paidAtMs: deps.clock.nowMs(), plusActive: false, lines: [{ lineId: 'oln_prep_2', qualifyingMinor: 5000, plusBonus: false, earnsCredits: true }] });
      deps.clock.advanceMs(31 * 86_400_000);
      const before = await getBalance(deps, memberId);
      assert.ok(before.available > 0, 'the earn has unlocked');
      await inTransaction(deps.db, (trx) => spendCredits({ ...deps, db: trx }, { memberId, credits: 1, idempotencyKey: 'prep-spend-1' }));
      assert.equal((await getBalance(deps, memberId)).available, before.available - 1);
      const texts = (await preparedOnConnection(deps.db)).map((row) => row.statement);
      assert.ok(texts.some((text) => text.startsWith('select credits_lock(')), texts.join('\n'));
    });

    test('PL-5 statements that are not marked stay unnamed', async () => {
      await sql`select ${1}::integer as one`.execute(deps.db);
      const texts = (await preparedOnConnection(deps.db)).map((row) => row.statement);
      assert.equal(texts.filter((text) => !text.startsWith('select credits_')).length, 0, texts.join('\n'));
      assert.equal(preparedStatement('select credits_balance($1, $2) as r'), 'select credits_balance($1, $2) as r', 'marking returns the text');
    });

    test('PF-7 the answers are the same with names switched off', async () => {
      const memberId = newMemberId(deps);
      await earnForOrder(deps, { memberId, orderId: 'ord_prep_3', paidAtMs: deps.clock.nowMs(), plusActive: false, lines: [{ lineId: 'oln_prep_3', qualifyingMinor: 7000, plusBonus: false, earnsCredits: true }] });
      deps.clock.advanceMs(1000);
      const at = deps.clock.nowMs() - 500;
      const named = { now: await getBalance(deps, memberId), then: await getBalanceAt(deps, memberId, at) };
      configurePreparedStatements({ enabled: false });
      try {
        assert.deepEqual({ now: await getBalance(deps, memberId), then: await getBalanceAt(deps, memberId, at) }, named);
      } finally {
        configurePreparedStatements({ enabled: true });
      }
      assert.ok(named.now.pendingTotal > 0 && named.then.pendingTotal > 0, "both reads see the pending earn");
    });
  });
}
