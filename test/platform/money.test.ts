import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { allocateLargestRemainder, formatAmount, formatMoney, mulDivFloor, mulDivRoundHalfUp } from '../../src/platform/money.ts';
import { creditsToMinor, defaultPolicySettings } from '../../src/modules/credits/index.ts';
import { creditsValueMinor } from '../../web/src/lib/credits-money.ts';

test('PL-2 largest remainder: parts sum exactly to the total and follow the weights', () => {
  assert.deepEqual(allocateLargestRemainder(100, [1, 1, 1]), [34, 33, 33]);
  assert.deepEqual(allocateLargestRemainder(500, [2999, 1000]), [375, 125]);
  assert.deepEqual(allocateLargestRemainder(0, [5, 7]), [0, 0]);
  fc.assert(
    fc.property(fc.nat(10_000_000), fc.array(fc.nat(1_000_000), { minLength: 1, maxLength: 12 }), (total, weights) => {
      fc.pre(weights.some((w) => w > 0));
      const parts = allocateLargestRemainder(total, weights);
      assert.equal(parts.reduce((a, b) => a + b, 0), total);
      const sum = weights.reduce((a, b) => a + b, 0);
      parts.forEach((part, i) => {
        const exact = (total * weights[i]!) / sum;
        assert.ok(part >= Math.floor(exact) && part <= Math.floor(exact) + 1, `part ${i} strays from its exact share`);
      });
    }),
  );
});

test('PL-2 integer rounding rules are named and exact', () => {
  assert.equal(mulDivFloor(1999, 1, 100), 19);
  assert.equal(mulDivRoundHalfUp(250, 1, 100), 3);
  assert.equal(mulDivRoundHalfUp(249, 1, 100), 2);
  assert.equal(mulDivRoundHalfUp(-250, 1, 100), -3);
  assert.equal(mulDivFloor(Number.MAX_SAFE_INTEGER, 3, 3), Number.MAX_SAFE_INTEGER);
  assert.throws(() => allocateLargestRemainder(1.5, [1]), /safe integer/);
});

test('PL-2 money formats from minor units, digits grouped by thousands', () => {
  assert.equal(formatMoney({ amountMinor: 123456, currency: 'USD' }), '$1,234.56');
  assert.equal(formatMoney({ amountMinor: -5, currency: 'USD' }), '-$0.05');
  assert.equal(formatMoney({ amountMinor: 100_000_000_00, currency: 'USD' }), '$100,000,000.00');
  assert.equal(formatAmount(1234), '$12.34');
  assert.equal(formatAmount(0), '$0.00');
  assert.equal(formatAmount(99_999), '$999.99');
  assert.throws(() => formatAmount(12.5), /safe integer/);
});

test('PL-2 CR-12 the UI rounds credits into money exactly as the server does: down, never a cent more', () => {
  const serverValue = (credits: number, rate: number) => creditsToMinor({ ...defaultPolicySettings, spendCreditsPerMajorUnit: rate }, credits);
  // 150 credits at 100 per dollar pay $1.50 → 150 cents; 50 credits at 300 per dollar are 16.67 cents → 16, not 17.
  assert.equal(creditsValueMinor(150, 100), 150);
  assert.equal(creditsValueMinor(50, 300), 16);
  assert.equal(creditsValueMinor(1, 200), 0);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 100_000 }), (credits, rate) => creditsValueMinor(credits, rate) === serverValue(credits, rate)),
    { numRuns: 2000 },
  );
});
