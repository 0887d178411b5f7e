// Real concurrency needs a server with many connections: these suites run on PostgreSQL (SQLite serialises writers,
// and credits-spend.test.ts covers its races).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../../src/platform/errors.ts';
import { adjustCredits, earnForOrder, getBalance, getHistory, grantBonus, placeHold, spendCredits } from '../../src/modules/credits/index.ts';
import { testDialects } from '../support/databases.ts';
import { createTestDeps, ledgerOnlyMembers, type TestDeps } from '../support/deps.ts';
import { assertLedgerSound, newMemberId } from './credits-fixtures.ts';

const agent = { id: 'mem_agent', role: 'agent' as const };

for (const dialect of testDialects()) {
  if (dialect !== 'postgres') continue;
  describe('credits under concurrency [postgres]', () => {
    let deps: TestDeps;
    before(async () => {
      deps = await createTestDeps('postgres', { poolSize: 40, ports: { memberContacts: ledgerOnlyMembers } });
    });
    after(async () => deps.database.dispose());

    async function memberWith(balance: number): Promise<string> {
      const memberId = newMemberId(deps);
      await grantBonus(deps, { memberId, kind: 'registration' });
      // Several lots, so that spends cross lot boundaries while they race.
      let left = balance - 500;
      let n = 0;
      while (left > 0) {
        const credits = Math.min(left, 137);
        await adjustCredits(deps, { memberId, credits, reasonCode: 'goodwill', note: 'concurrency setup', actor: agent, idempotencyKey: `setup-${n++}` });
        left -= credits;
      }
      return memberId;
    }

    for (const [balance, x] of [[1000, 70], [500, 10], [700, 1000]] as const) {
      test(`PF-6 CR-14 32 parallel spends of ${x} on one member with ${balance} credits: exactly min(32, ⌊B/x⌋) succeed, no deadlock`, async () => {
        const memberId = await memberWith(balance);
        const outcomes = await Promise.allSettled(Array.from({ length: 32 }, (_, i) => spendCredits(deps, { memberId, credits: x, idempotencyKey: `hot-${i}` })));
        const expected = Math.min(32, Math.floor(balance / x));
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, expected);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') assert.ok(outcome.reason instanceof AppError && outcome.reason.code === 'insufficient_credits', String(outcome.reason));
        }
        assert.equal((await getBalance(deps, memberId)).spendable, balance - expected * x);
        await assertLedgerSound(deps);
      });
    }

    test('CR-14 holds and spends racing on one member never use a credit twice', async () => {
      const memberId = await memberWith(900);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? spendCredits(deps, { memberId, credits: 50, idempotencyKey: `mix-s-${i}` }) : placeHold(deps, { memberId, credits: 50, idempotencyKey: `mix-h-${i}` }))),
      );
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 18);
      const balance = await getBalance(deps, memberId);
      assert.equal(balance.spendable + balance.held, 900 - 50 * outcomes.filter((o, i) => o.status === 'fulfilled' && i % 2 === 0).length);
      await assertLedgerSound(deps);
    });

    test('LG-3 the same event replayed 10 times concurrently has one effect', async () => {
      const memberId = newMemberId(deps);
      const input = { memberId, orderId: 'ord_concurrent', paidAtMs: deps.clock.nowMs(), plusActive: false, lines: [{ lineId: 'l1', qualifyingMinor: 4321, plusBonus: false, earnsCredits: true }] };
      const earns = await Promise.all(Array.from({ length: 10 }, () => earnForOrder(deps, input)));
      for (const result of earns) assert.deepEqual(result, earns[0]);
      const bonuses = await Promise.all(Array.from({ length: 10 }, () => grantBonus(deps, { memberId, kind: 'registration' })));
      for (const result of bonuses) assert.deepEqual(result, bonuses[0]);
      const spends = await Promise.all(Array.from({ length: 10 }, () => spendCredits(deps, { memberId, credits: 99, idempotencyKey: 'once' })));
      for (const result of spends) assert.deepEqual(result, spends[0]);
      const history = await getHistory(deps, memberId);
      assert.deepEqual(history.entries.map((e) => e.kind).sort(), ['bonus', 'earn', 'spend']);
      const balance = await getBalance(deps, memberId);
      assert.deepEqual({ pending: balance.pendingTotal, spendable: balance.spendable }, { pending: 43, spendable: 401 });
      await assertLedgerSound(deps);
    });
  });
}
