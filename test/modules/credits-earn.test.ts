import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../src/platform/errors.ts';
import {
  computeOrderEarnings, defaultPolicySettings, earnForOrder, getBalance, getHistory, grantBonus, listPolicies, publishPolicy,
} from '../../src/modules/credits/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { assertLedgerSound, DAY_MS, earnOrder, newMemberId } from './credits-fixtures.ts';

test('CR-4 order credits are floor(total qualifying × rate) for the order, split over lines by largest remainder', () => {
  // 3 lines of 3.33: per-line floors would give 3 × 3 = 9; the order total is floor(9.99) = 9 as well, but 3 lines
  // of 0.50 earn floor(1.50) = 1 for the order where per-line flooring would give 0.
  const halves = computeOrderEarnings(defaultPolicySettings, [0, 1, 2].map((i) => ({ lineId: `l${i}`, qualifyingMinor: 50, plusBonus: false, earnsCredits: true })), false);
  assert.equal(halves.total, 1);
  assert.deepEqual(halves.lines.map((l) => l.credits), [1, 0, 0]);
  const mixed = computeOrderEarnings(defaultPolicySettings, [
    { lineId: 'a', qualifyingMinor: 1999, plusBonus: false, earnsCredits: true },
    { lineId: 'b', qualifyingMinor: 2550, plusBonus: false, earnsCredits: true },
    { lineId: 'gift', qualifyingMinor: 5000, plusBonus: false, earnsCredits: false },
  ], false);
  assert.equal(mixed.total, 45);
  assert.equal(mixed.lines.reduce((s, l) => s + l.credits, 0), 45);
  assert.equal(mixed.lines[2]!.credits, 0, 'gift cards and other non-earning lines earn nothing');
});

test('CR-5 the Plus multiplier applies to flagged lines only, and only when Plus was active at payment', () => {
  const lines = [
    { lineId: 'flagged', qualifyingMinor: 1000, plusBonus: true, earnsCredits: true },
    { lineId: 'plain', qualifyingMinor: 1000, plusBonus: false, earnsCredits: true },
  ];
  const plus = computeOrderEarnings(defaultPolicySettings, lines, true);
  assert.deepEqual(plus.lines.map((l) => l.credits), [20, 10]);
  const notPlus = computeOrderEarnings(defaultPolicySettings, lines, false);
  assert.deepEqual(notPlus.lines.map((l) => l.credits), [10, 10]);
});

describeEachDatabase('credits earning', (suite) => {
  test('CR-1 registration grants 500 available at once, once per account ever', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const first = await grantBonus(deps, { memberId, kind: 'registration' });
    assert.equal(first.credits, 500);
    const balance = await getBalance(deps, memberId);
    assert.equal(balance.available, 500);
    assert.equal(balance.pendingTotal, 0);
    assert.equal(balance.lifetimeEarned, 500);
    const again = await grantBonus(deps, { memberId, kind: 'registration' });
    assert.deepEqual(again, first, 'a second registration bonus returns the first grant');
    assert.equal((await getBalance(deps, memberId)).available, 500);
    await assertLedgerSound(deps);
  });

  test('CR-2 profile completion grants its bonus once; completing it again earns nothing more', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    await grantBonus(deps, { memberId, kind: 'registration' });
    const profile = await grantBonus(deps, { memberId, kind: 'profile_completion' });
    assert.equal(profile.credits, 100);
    deps.clock.advanceMs(DAY_MS);
    await grantBonus(deps, { memberId, kind: 'profile_completion' });
    assert.equal((await getBalance(deps, memberId)).available, 600);
    assert.equal((await getHistory(deps, memberId)).entries.length, 2);
  });

  test('CR-3 CR-4 CR-7 each earning line gets a pending lot that unlocks 30 days after payment', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const paidAtMs = deps.clock.nowMs() - 2 * DAY_MS;
    const result = await earnOrder(deps, memberId, [{ qualifyingMinor: 4999 }, { qualifyingMinor: 2501 }, { qualifyingMinor: 900, earnsCredits: false }], { paidAtMs });
    assert.equal(result.credits, 75);
    assert.equal(result.lines.reduce((s, l) => s + l.credits, 0), 75);
    assert.equal(result.lines[2]!.lotId, null);
    assert.equal(result.unlockAtMs, paidAtMs + 30 * DAY_MS);
    assert.equal(result.expiresAtMs, paidAtMs + 30 * DAY_MS + 365 * DAY_MS);
    const balance = await getBalance(deps, memberId);
    assert.equal(balance.available, 0, 'pending credits cannot be spent');
    assert.equal(balance.pendingTotal, 75);
    assert.deepEqual(balance.pending, [{ credits: 75, unlockAtMs: paidAtMs + 30 * DAY_MS }]);
    assert.equal(balance.lifetimeEarned, 75);
    await assertLedgerSound(deps);
  });

  test('CR-5 a Plus order earns the multiplier on flagged lines', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const result = await earnOrder(deps, memberId, [{ qualifyingMinor: 1000, plusBonus: true }, { qualifyingMinor: 1000 }], { plusActive: true });
    assert.deepEqual(result.lines.map((l) => l.credits), [20, 10]);
  });

  test('CR-6 every earning records the policy version it used; a new version applies to later earnings only', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const before = await earnOrder(deps, memberId, [{ qualifyingMinor: 1000 }]);
    const current = (await listPolicies(deps))[0]!;
    const published = await publishPolicy(deps, { settings: { ...defaultPolicySettings, earnCreditsPerMajorUnit: 3 }, note: 'Triple credits week', actor: { id: 'mem_admin', role: 'admin' } });
    assert.equal(published.version, current.version + 1);
    const after = await earnOrder(deps, memberId, [{ qualifyingMinor: 1000 }]);
    assert.equal(before.policyVersion, current.version);
    assert.equal(before.credits, 10);
    assert.equal(after.policyVersion, published.version);
    assert.equal(after.credits, 30);
    const history = await getHistory(deps, memberId);
    assert.deepEqual(history.entries.map((e) => e.policyVersion), [published.version, current.version]);
    // Restore the defaults for the other tests of this suite.
    await publishPolicy(deps, { settings: defaultPolicySettings, note: 'Back to defaults', actor: { id: 'mem_admin', role: 'admin' } });
  });

  test('LG-3 an order earns once: the same key replays the first result, a different body is an idempotency conflict', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const orderId = deps.ids.next('ord');
    const input = { memberId, orderId, paidAtMs: deps.clock.nowMs(), plusActive: false, lines: [{ lineId: 'l1', qualifyingMinor: 2500, plusBonus: false, earnsCredits: true }] };
    const first = await earnForOrder(deps, input);
    const second = await earnForOrder(deps, { ...input, lines: [...input.lines] });
    assert.deepEqual(second, first);
    await assert.rejects(
      earnForOrder(deps, { ...input, lines: [{ ...input.lines[0]!, qualifyingMinor: 9999 }] }),
      (error: unknown) => error instanceof AppError && error.code === 'idempotency_conflict',
    );
    const balance = await getBalance(deps, memberId);
    assert.equal(balance.pendingTotal, 25);
    assert.equal((await getHistory(deps, memberId)).entries.length, 1);
  });

  test('CR-3 an order paid in the future is refused', async () => {
    const deps = suite.deps();
    await assert.rejects(
      earnOrder(deps, newMemberId(deps), [{ qualifyingMinor: 100 }], { paidAtMs: deps.clock.nowMs() + 1000 }),
      (error: unknown) => error instanceof AppError && error.code === 'validation',
    );
  });
});
