import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../../src/platform/errors.ts';
import { cumulativeReversalTarget, getBalance, getHistory, grantBonus, restoreSpend, reverseForRefund, spendCredits } from '../../src/modules/credits/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { assertLedgerSound, DAY_MS, earnOrder, newMemberId } from './credits-fixtures.ts';

test('CR-16 cumulative targets: reversals of a line never exceed its earning and a full refund by parts is exact', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 10_000_000 }), fc.array(fc.integer({ min: 0, max: 5_000_000 }), { maxLength: 12 }), (earned, qualifying, refunds) => {
      let cumulative = 0;
      let reversed = 0;
      for (const refund of refunds) {
        cumulative = Math.min(qualifying, cumulative + refund);
        const delta = Math.max(0, cumulativeReversalTarget(earned, qualifying, cumulative) - reversed);
        reversed += delta;
        assert.ok(reversed <= earned);
      }
      const rest = qualifying - cumulative;
      reversed += Math.max(0, cumulativeReversalTarget(earned, qualifying, cumulative + rest) - reversed);
      assert.equal(reversed, earned);
    }),
  );
});

describeEachDatabase('credits reversal and restore', (suite) => {
  test('CR-15 a refund while pending voids the lot: exactly what the order earned', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const order = await earnOrder(deps, memberId, [{ qualifyingMinor: 3000 }, { qualifyingMinor: 4500 }]);
    for (const [i, line] of order.lines.entries()) {
      const result = await reverseForRefund(deps, { memberId, orderLineId: line.lineId, refundedQualifyingMinor: [3000, 4500][i]!, lineQualifyingMinor: [3000, 4500][i]!, idempotencyKey: `cancel:${line.lineId}` });
      assert.equal(result.voided, line.credits);
      assert.equal(result.reversedCredits, line.credits);
    }
    const balance = await getBalance(deps, memberId);
    assert.equal(balance.pendingTotal, 0);
    assert.equal(balance.lifetimeEarned, 0);
    deps.clock.setMs(order.unlockAtMs);
    assert.equal((await getBalance(deps, memberId)).spendable, 0, 'a voided lot never unlocks');
    await assertLedgerSound(deps);
  });

  test('CR-15 CR-16 partial refunds after unlock claw back in proportion; a full refund by parts is exact and then stops', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const order = await earnOrder(deps, memberId, [{ qualifyingMinor: 10_000 }]);
    const lineId = order.lines[0]!.lineId;
    deps.clock.setMs(order.unlockAtMs + DAY_MS);
    const parts = [3333, 3333, 3334, 500];
    const reversed: number[] = [];
    for (const [i, part] of parts.entries()) {
      const result = await reverseForRefund(deps, { memberId, orderLineId: lineId, refundedQualifyingMinor: part, lineQualifyingMinor: 10_000, idempotencyKey: `refund-${i}` });
      reversed.push(result.reversedCredits);
    }
    assert.deepEqual(reversed, [33, 33, 34, 0]);
    assert.equal((await getBalance(deps, memberId)).spendable, 0);
    const history = await getHistory(deps, memberId);
    assert.deepEqual(history.entries.slice(0, 4).map((e) => [e.kind, e.orderLineId, e.credits]), [
      ['reversal', lineId, 0], ['reversal', lineId, -34], ['reversal', lineId, -33], ['reversal', lineId, -33],
    ]);
    await assertLedgerSound(deps);
  });

  test('CR-17 spent credits: the shortfall comes from other credits FIFO, then becomes debt that later credits settle first', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const order = await earnOrder(deps, memberId, [{ qualifyingMinor: 80_000 }]); // 800 credits
    deps.clock.setMs(order.unlockAtMs);
    await grantBonus(deps, { memberId, kind: 'registration' }); // 500, expires after the order lot
    await spendCredits(deps, { memberId, credits: 700, idempotencyKey: 'big-spend' }); // 700 from the order lot
    const result = await reverseForRefund(deps, { memberId, orderLineId: order.lines[0]!.lineId, refundedQualifyingMinor: 80_000, lineQualifyingMinor: 80_000, idempotencyKey: 'full-refund' });
    assert.deepEqual({ clawedBack: result.clawedBack, fromOtherLots: result.fromOtherLots, debt: result.debt }, { clawedBack: 100, fromOtherLots: 500, debt: 200 });
    let balance = await getBalance(deps, memberId);
    assert.equal(balance.available, -200, 'debt shows as a negative balance');
    assert.equal(balance.debt, 200);
    assert.equal(balance.spendable, 0);
    await grantBonus(deps, { memberId, kind: 'profile_completion' }); // 100 settles debt first
    balance = await getBalance(deps, memberId);
    assert.deepEqual({ available: balance.available, debt: balance.debt, spendable: balance.spendable }, { available: -100, debt: 100, spendable: 0 });
    const later = await earnOrder(deps, memberId, [{ qualifyingMinor: 25_000 }]);
    assert.equal((await getBalance(deps, memberId)).debt, 100, 'pending credits do not settle debt');
    deps.clock.setMs(later.unlockAtMs);
    balance = await getBalance(deps, memberId);
    assert.deepEqual({ available: balance.available, debt: balance.debt, spendable: balance.spendable }, { available: 150, debt: 0, spendable: 150 });
    await assertLedgerSound(deps);
  });

  test('CR-18 a refund of a credits-paid order restores to the original lots with their expiry; expired lots stay expired', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const registration = await grantBonus(deps, { memberId, kind: 'registration' }); // expires at +365d
    deps.clock.advanceMs(200 * DAY_MS);
    const profile = await grantBonus(deps, { memberId, kind: 'profile_completion' }); // expires at +565d
    const spend = await spendCredits(deps, { memberId, credits: 550, orderId: 'ord_paid_with_credits', reason: 'checkout', idempotencyKey: 'pay' });
    assert.deepEqual(spend.lots, [{ lotId: registration.lotId, credits: 500 }, { lotId: profile.lotId, credits: 50 }]);
    const part = await restoreSpend(deps, { memberId, orderId: 'ord_paid_with_credits', credits: 60, idempotencyKey: 'refund-1' });
    assert.deepEqual(part.lots, [{ lotId: profile.lotId, restored: 50, expired: 0 }, { lotId: registration.lotId, restored: 10, expired: 0 }]);
    let balance = await getBalance(deps, memberId);
    assert.equal(balance.spendable, 110);
    deps.clock.advanceMs(166 * DAY_MS); // past the registration lot's expiry
    balance = await getBalance(deps, memberId);
    assert.equal(balance.spendable, 100, 'the 10 restored to the registration lot kept its expiry and expired with it');
    const rest = await restoreSpend(deps, { memberId, orderId: 'ord_paid_with_credits', credits: 490, idempotencyKey: 'refund-2' });
    assert.deepEqual({ restored: rest.restored, expired: rest.expired }, { restored: 0, expired: 490 });
    assert.equal((await getBalance(deps, memberId)).spendable, 100);
    await assert.rejects(restoreSpend(deps, { memberId, orderId: 'ord_paid_with_credits', credits: 1, idempotencyKey: 'refund-3' }), (e: unknown) => e instanceof AppError && e.code === 'invalid_state');
    await assertLedgerSound(deps);
  });

  test('CR-16 a line that earned nothing, or an unknown member, reverses nothing', async () => {
    const deps = suite.deps();
    const stranger = await reverseForRefund(deps, { memberId: newMemberId(deps), orderLineId: 'oln_x', refundedQualifyingMinor: 100, lineQualifyingMinor: 100, idempotencyKey: 'k' });
    assert.equal(stranger.reversedCredits, 0);
    const memberId = newMemberId(deps);
    const order = await earnOrder(deps, memberId, [{ qualifyingMinor: 50 }, { qualifyingMinor: 5000, earnsCredits: false }]);
    const gift = await reverseForRefund(deps, { memberId, orderLineId: order.lines[1]!.lineId, refundedQualifyingMinor: 5000, lineQualifyingMinor: 5000, idempotencyKey: 'gift' });
    assert.equal(gift.reversedCredits, 0);
    await assertLedgerSound(deps);
  });
});
