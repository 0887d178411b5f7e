import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Ctx } from '../../src/deps.ts';
import { getBalance, getPolicyVersion, grantBonus, placeHold, runCreditsSweep, spendCredits, type CreditBalance } from '../../src/modules/credits/index.ts';
import { balanceView } from '../../src/modules/credits/balance.service.ts';
import { readMember } from '../../src/modules/credits/ledger.repository.ts';
import { advanceTo, newBook } from '../../src/modules/credits/ledger.rules.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { assertLedgerSound, DAY_MS, earnOrder, MINUTE_MS, newMemberId } from './credits-fixtures.ts';

/** The balance computed the exact way: the whole book, every time event due by now applied (CR-9). */
async function exactBalance(ctx: Ctx, memberId: string): Promise<CreditBalance> {
  const nowMs = ctx.clock.nowMs();
  const snapshot = await readMember(ctx.db, memberId);
  assert.ok(snapshot, 'the member has an account');
  const policy = await getPolicyVersion(ctx, snapshot.currentPolicyVersion);
  const book = newBook(snapshot.account, snapshot.lots, snapshot.holds, true);
  advanceTo(book, { nowMs, policyVersion: policy.version, newId: () => '' }, nowMs);
  return balanceView(book, nowMs, policy);
}

describeEachDatabase('credits balance read (PF-7)', (suite) => {
  test('PF-7 CR-9 the short balance read equals the exact computation at every boundary, before and after the sweep', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const startMs = deps.clock.nowMs();
    await grantBonus(deps, { memberId, kind: 'registration' });
    // Two lines of one order share an unlock time (grouped); a second order a day later unlocks a day later.
    const first = await earnOrder(deps, memberId, [{ qualifyingMinor: 10_000 }, { qualifyingMinor: 5_000 }]);
    deps.clock.advanceMs(DAY_MS);
    const second = await earnOrder(deps, memberId, [{ qualifyingMinor: 7_000 }]);
    await spendCredits(deps, { memberId, credits: 50, idempotencyKey: 'balance-read-spend' });
    const hold = await placeHold(deps, { memberId, credits: 100, idempotencyKey: 'balance-read-hold' });
    const bonusExpiry = startMs + 365 * DAY_MS;
    const warnMs = 30 * DAY_MS;
    const moments = [
      deps.clock.nowMs(),
      hold.expiresAtMs - 1, hold.expiresAtMs, hold.expiresAtMs + 1,
      first.unlockAtMs - 1, first.unlockAtMs, first.unlockAtMs + 1,
      second.unlockAtMs - 1, second.unlockAtMs,
      bonusExpiry - warnMs - 1, bonusExpiry - warnMs, bonusExpiry - warnMs + 1,
      first.unlockAtMs + 365 * DAY_MS - warnMs, bonusExpiry - 1, bonusExpiry, bonusExpiry + 1,
      first.unlockAtMs + 365 * DAY_MS - 1, first.unlockAtMs + 365 * DAY_MS + MINUTE_MS,
    ].sort((a, b) => a - b);
    let sawPending = false;
    let sawExpiring = false;
    for (const atMs of moments) {
      deps.clock.setMs(atMs);
      const fast = await getBalance(deps, memberId);
      assert.deepEqual(fast, await exactBalance(deps, memberId), `at ${atMs - startMs} ms`);
      sawPending ||= fast.pending.length > 0;
      sawExpiring ||= fast.expiringSoon.length > 0;
      // The sweep materialises what was due; the balance stays the same.
      await runCreditsSweep(deps);
      assert.deepEqual(await getBalance(deps, memberId), fast, `after the sweep at ${atMs - startMs} ms`);
    }
    assert.ok(sawPending && sawExpiring, 'the scenario shows both lists');
    await assertLedgerSound(deps);
  });
});
