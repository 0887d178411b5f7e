// Pure store rules: shipping promise (ST-5), pricing and its splitting rule (ST-2, CR-4, CR-12), tax, refund plans
// (ST-6, CR-16), no database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { shippingPromise, usFederalHolidays, isBusinessDay, formatDate, localDateTime } from '../../src/modules/store/shipping-promise.rules.ts';
import { creditStep, priceOrder, defaultShippingPolicy, type PricingInput, type PricingProduct } from '../../src/modules/store/pricing.rules.ts';
import { lineTaxMinor, percentTextToPpm } from '../../src/modules/store/tax.rules.ts';
import { planRefund, type RefundableLine } from '../../src/modules/store/refunds.rules.ts';
import { isValidAmazonOrderId, amazonOrderIdMessage } from '../../src/modules/store/external-orders.rules.ts';
import { parseDecimalMinor, signStorefrontBody, verifyStorefrontSignature, webhookToleranceMs } from '../../src/modules/store/webhooks.rules.ts';
import { AppError } from '../../src/platform/errors.ts';

const at = (iso: string) => Date.parse(iso);

describe('ST-5 shipping promise', () => {
  // 2026-03-06 is a Friday; Los Angeles is on PST (UTC-8) until 2026-03-08.
  test('ST-5 Friday 12:59 PT ships Friday; Friday 13:00 PT ships Monday', () => {
    assert.equal(shippingPromise({ placedAtMs: at('2026-03-06T20:59:00Z'), signedIn: true }).shipByDate, '2026-03-06');
    assert.equal(shippingPromise({ placedAtMs: at('2026-03-06T20:59:59.999Z'), signedIn: true }).shipByDate, '2026-03-06');
    assert.equal(shippingPromise({ placedAtMs: at('2026-03-06T21:00:00Z'), signedIn: true }).shipByDate, '2026-03-09');
  });

  test('ST-5 the day before Thanksgiving at 14:00 PT ships the Friday after', () => {
    // Thanksgiving 2026 is Thursday 26 November; 25 November 14:00 PST = 22:00 UTC.
    const promise = shippingPromise({ placedAtMs: at('2026-11-25T22:00:00Z'), signedIn: true });
    assert.deepEqual(promise, { shipByDate: '2026-11-27', sameDay: false });
  });

  test('ST-5 a guest at 09:00 on a Tuesday ships Wednesday; a member at the same time ships Tuesday', () => {
    const tuesdayNine = at('2026-03-10T16:00:00Z'); // 09:00 PDT
    assert.equal(shippingPromise({ placedAtMs: tuesdayNine, signedIn: false }).shipByDate, '2026-03-11');
    assert.equal(shippingPromise({ placedAtMs: tuesdayNine, signedIn: true }).shipByDate, '2026-03-10');
  });

  test('ST-5 spring-forward weekend (8 March 2026): the cut-off follows PDT on the Monday after', () => {
    // Sunday 8 March, 12:00 PDT (after the 02:00 jump): not a business day → Monday.
    assert.equal(shippingPromise({ placedAtMs: at('2026-03-08T19:00:00Z'), signedIn: true }).shipByDate, '2026-03-09');
    // Saturday 7 March, 23:30 PST → Monday.
    assert.equal(shippingPromise({ placedAtMs: at('2026-03-08T07:30:00Z'), signedIn: true }).shipByDate, '2026-03-09');
    // Monday 9 March 12:30 PDT = 19:30 UTC → same day; 13:00 PDT = 20:00 UTC → Tuesday (a fixed -8 offset would
    // wrongly read 12:00 and promise Monday).
    assert.equal(shippingPromise({ placedAtMs: at('2026-03-09T19:30:00Z'), signedIn: true }).shipByDate, '2026-03-09');
    assert.equal(shippingPromise({ placedAtMs: at('2026-03-09T20:00:00Z'), signedIn: true }).shipByDate, '2026-03-10');
    assert.deepEqual(localDateTime(at('2026-03-08T10:00:00Z'), 'America/Los_Angeles'), { date: { year: 2026, month: 3, day: 8 }, minutes: 3 * 60 });
  });

  test('ST-5 fall-back weekend (1 November 2026): the cut-off follows PST on the Monday after', () => {
    // Friday 30 October 12:59 PDT = 19:59 UTC → Friday; 13:00 PDT → Monday 2 November.
    assert.equal(shippingPromise({ placedAtMs: at('2026-10-30T19:59:00Z'), signedIn: true }).shipByDate, '2026-10-30');
    assert.equal(shippingPromise({ placedAtMs: at('2026-10-30T20:00:00Z'), signedIn: true }).shipByDate, '2026-11-02');
    // Sunday 1 November 01:30 happens twice; both are Sunday → Monday.
    assert.equal(shippingPromise({ placedAtMs: at('2026-11-01T08:30:00Z'), signedIn: true }).shipByDate, '2026-11-02');
    assert.equal(shippingPromise({ placedAtMs: at('2026-11-01T09:30:00Z'), signedIn: true }).shipByDate, '2026-11-02');
    // Monday 2 November 12:30 PST = 20:30 UTC → same day (a fixed -7 offset would read 13:30 and say Tuesday).
    assert.equal(shippingPromise({ placedAtMs: at('2026-11-02T20:30:00Z'), signedIn: true }).shipByDate, '2026-11-02');
    assert.equal(shippingPromise({ placedAtMs: at('2026-11-02T21:00:00Z'), signedIn: true }).shipByDate, '2026-11-03');
  });

  test('ST-5 US federal holidays are computed per year with observed dates', () => {
    const dates = (year: number) => usFederalHolidays(year).map((h) => formatDate(h.observedDate));
    assert.deepEqual(dates(2026), ['2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-06-19', '2026-07-03', '2026-09-07', '2026-10-12', '2026-11-11', '2026-11-26', '2026-12-25']);
    assert.deepEqual(dates(2027), ['2027-01-01', '2027-01-18', '2027-02-15', '2027-05-31', '2027-06-18', '2027-07-05', '2027-09-06', '2027-10-11', '2027-11-11', '2027-11-25', '2027-12-24']);
    assert.equal(usFederalHolidays(2020).some((h) => h.name.startsWith('Juneteenth')), false);
    // New Year's Day 2022 fell on a Saturday: observed Friday 31 December 2021.
    assert.equal(isBusinessDay({ year: 2021, month: 12, day: 31 }), false);
    assert.equal(isBusinessDay({ year: 2021, month: 12, day: 30 }), true);
    // Independence Day 2026 is a Saturday, observed Friday 3 July: a member at 09:00 that Friday ships Monday.
    assert.equal(shippingPromise({ placedAtMs: at('2026-07-03T16:00:00Z'), signedIn: true }).shipByDate, '2026-07-06');
    // Christmas 2027 is a Saturday → Friday 24 December off; 23 December 14:00 → Monday 27 December.
    assert.equal(shippingPromise({ placedAtMs: at('2027-12-23T22:00:00Z'), signedIn: true }).shipByDate, '2027-12-27');
  });

  test('ST-5 the promise is never before the placement date and always a business day', () => {
    fc.assert(
      fc.property(fc.integer({ min: at('2024-01-01T00:00:00Z'), max: at('2031-12-31T00:00:00Z') }), fc.boolean(), (placedAtMs, signedIn) => {
        const { shipByDate, sameDay } = shippingPromise({ placedAtMs, signedIn });
        const local = formatDate(localDateTime(placedAtMs, 'America/Los_Angeles').date);
        assert.ok(shipByDate >= local);
        assert.equal(sameDay, shipByDate === local);
        const [y, m, d] = shipByDate.split('-').map(Number);
        assert.ok(isBusinessDay({ year: y!, month: m!, day: d! }));
        if (!signedIn) assert.equal(sameDay, false);
      }),
      { numRuns: 300 },
    );
  });
});

function product(overrides: Partial<PricingProduct> & { id: string; priceMinor: number }): PricingProduct {
  return {
    sku: overrides.id.toUpperCase(),
    name: overrides.id,
    category: 'chargers',
    listPriceMinor: overrides.priceMinor,
    earnsCredits: true,
    giftCard: false,
    plusBonus: false,
    serialNumbered: false,
    ...overrides,
  };
}

function input(overrides: Partial<PricingInput>): PricingInput {
  return {
    lines: [],
    discount: null,
    plus: { active: false, discountBp: 500 },
    taxRatePpm: 0,
    shipping: defaultShippingPolicy,
    credits: { requested: 0, available: 0, spendCreditsPerMajorUnit: 100 },
    ...overrides,
  };
}

describe('ST-2 pricing', () => {
  test('ST-2 CR-4 CR-12 every component is stored per line and adds up; credits qualify nothing', () => {
    const quote = priceOrder(
      input({
        lines: [
          { product: product({ id: 'bank', priceMinor: 2999, listPriceMinor: 3999 }), quantity: 1 },
          { product: product({ id: 'cable', priceMinor: 1000 }), quantity: 2 },
        ],
        discount: { code: 'SAVE10', kind: 'percent', percentBp: 1000, minSubtotalMinor: 0 },
        taxRatePpm: 72_500,
        credits: { requested: 500, available: 1000, spendCreditsPerMajorUnit: 100 },
      }),
    );
    // Merchandise 49.99; 10 % = 5.00 (4.999 rounded half up) split 2999:2000 → 300 / 200.
    assert.equal(quote.merchandiseMinor, 4999);
    assert.deepEqual(quote.lines.map((l) => l.discountMinor), [300, 200]);
    // Credits 500 = 5.00 split by merchandise after discounts 2699:1800 → 300 / 200.
    assert.deepEqual(quote.lines.map((l) => l.creditsMinor), [300, 200]);
    assert.deepEqual(quote.lines.map((l) => l.credits), [300, 200]);
    // Tax on merchandise after discounts (credits are a payment, not a discount): 7.25 % of 26.99 and 18.00.
    assert.deepEqual(quote.lines.map((l) => l.taxMinor), [196, 131]);
    assert.deepEqual(quote.lines.map((l) => l.qualifyingMinor), [2399, 1600]);
    assert.equal(quote.lines[0]!.listPriceMinor, 3999);
    assert.equal(quote.shippingMinor, 0); // 44.99 after discounts ≥ 35.00
    assert.equal(quote.totalMinor, 4999 - 500 - 500 + 327);
    assert.equal(quote.lines.reduce((s, l) => s + l.paidMinor, 0) + quote.shippingMinor, quote.totalMinor);
  });

  test('CR-4 gift cards and lines that do not earn qualify 0; gift cards take no discount, no credits, no tax', () => {
    const quote = priceOrder(
      input({
        lines: [
          { product: product({ id: 'gift', priceMinor: 5000, giftCard: true, category: 'gift-cards' }), quantity: 1 },
          { product: product({ id: 'refurb', priceMinor: 2000, earnsCredits: false }), quantity: 1 },
          { product: product({ id: 'hub', priceMinor: 3000 }), quantity: 1 },
        ],
        discount: { code: 'FIVE', kind: 'fixed', amountMinor: 500, minSubtotalMinor: 0 },
        taxRatePpm: 100_000,
        credits: { requested: 'max', available: 100_000, spendCreditsPerMajorUnit: 100 },
      }),
    );
    assert.deepEqual(quote.lines.map((l) => l.discountMinor), [0, 200, 300]);
    assert.deepEqual(quote.lines.map((l) => l.creditsMinor), [0, 1800, 2700]);
    assert.deepEqual(quote.lines.map((l) => l.taxMinor), [0, 180, 270]);
    assert.deepEqual(quote.lines.map((l) => l.qualifyingMinor), [0, 0, 0]);
    assert.equal(quote.maxCredits, 4500);
    assert.equal(quote.creditsApplied, 4500);
    assert.equal(quote.shippingMinor, 0); // 45.00 of merchandise after discounts ships free
    assert.equal(quote.totalMinor, 5000 + 180 + 270);
  });

  test('CR-12 credits beyond the merchandise after discounts, or off the step, are refused with the limit', () => {
    const lines = [{ product: product({ id: 'cable', priceMinor: 1299 }), quantity: 1 }];
    assert.throws(() => priceOrder(input({ lines, credits: { requested: 1300, available: 5000, spendCreditsPerMajorUnit: 100 } })), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'validation');
      assert.deepEqual(error.details, { field: 'credits', maxCredits: 1299 });
      return true;
    });
    assert.deepEqual(creditStep(250), { stepCredits: 5, unitMinor: 2 });
    assert.throws(() => priceOrder(input({ lines, credits: { requested: 7, available: 5000, spendCreditsPerMajorUnit: 250 } })), /steps of 5/);
    const odd = priceOrder(input({ lines, credits: { requested: 'max', available: 5000, spendCreditsPerMajorUnit: 250 } }));
    assert.equal(odd.creditsValueMinor, 1298);
    assert.equal(odd.creditsApplied, 3245);
  });

  test('ST-2 the Plus member discount is 5 % of eligible merchandise after the code, split by largest remainder', () => {
    const quote = priceOrder(
      input({
        lines: [
          { product: product({ id: 'a', priceMinor: 1001 }), quantity: 1 },
          { product: product({ id: 'b', priceMinor: 1001 }), quantity: 1 },
          { product: product({ id: 'c', priceMinor: 1001 }), quantity: 1 },
        ],
        plus: { active: true, discountBp: 500 },
      }),
    );
    assert.equal(quote.plusDiscountMinor, 150); // 5 % of 30.03 = 1.5015 → 1.50
    assert.deepEqual(quote.lines.map((l) => l.plusDiscountMinor), [50, 50, 50]);
    assert.equal(quote.shippingMinor, 599);
  });

  test('PL-2 largest remainder: discount and credit shares always sum to the order amounts and never exceed a line', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ price: fc.integer({ min: 1, max: 50_000 }), quantity: fc.integer({ min: 1, max: 5 }), gift: fc.boolean() }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.nat(2_000_000),
        (rows, percentBp, creditsWanted) => {
          const lines = rows.map((row, i) => ({ product: product({ id: `p${i}`, priceMinor: row.price, giftCard: row.gift }), quantity: row.quantity }));
          const quote = priceOrder(input({ lines, discount: { code: 'X', kind: 'percent', percentBp, minSubtotalMinor: 0 }, taxRatePpm: 88_750, credits: { requested: 'max', available: creditsWanted, spendCreditsPerMajorUnit: 100 } }));
          const eligible = lines.reduce((s, l) => s + (l.product.giftCard ? 0 : l.product.priceMinor * l.quantity), 0);
          assert.equal(quote.discountMinor, Math.floor((eligible * percentBp * 2 + 10_000) / 20_000));
          assert.equal(quote.lines.reduce((s, l) => s + l.creditsMinor, 0), quote.creditsValueMinor);
          assert.equal(quote.creditsApplied, Math.min(creditsWanted, eligible - quote.discountMinor));
          for (const line of quote.lines) {
            assert.ok(line.discountMinor + line.creditsMinor <= line.merchandiseMinor);
            assert.ok(line.qualifyingMinor >= 0);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test('ST-2 tax rates in ppm and rounding half up per line', () => {
    assert.equal(percentTextToPpm('8.875'), 88_750);
    assert.equal(percentTextToPpm('7.25'), 72_500);
    assert.equal(lineTaxMinor(200, 25_000, false), 5);
    assert.equal(lineTaxMinor(100, 25_000, false), 3); // 2.5 rounds half up
    assert.equal(lineTaxMinor(100, 25_000, true), 0);
    assert.throws(() => percentTextToPpm('101'), /exceed/);
  });
});

function line(overrides: Partial<RefundableLine> & { id: string }): RefundableLine {
  return { quantity: 1, paidMinor: 0, qualifyingMinor: 0, credits: 0, refundedQuantity: 0, refundedMinor: 0, refundedQualifyingMinor: 0, restoredCredits: 0, ...overrides };
}

function apply(target: RefundableLine, part: { quantity: number; amountMinor: number; qualifyingMinor: number; creditsRestored: number }): RefundableLine {
  return {
    ...target,
    refundedQuantity: target.refundedQuantity + part.quantity,
    refundedMinor: target.refundedMinor + part.amountMinor,
    refundedQualifyingMinor: target.refundedQualifyingMinor + part.qualifyingMinor,
    restoredCredits: target.restoredCredits + part.creditsRestored,
  };
}

describe('ST-6 refund plans', () => {
  const noShipping = { chargedMinor: 0, refundedMinor: 0 };

  test('CR-16 a line refunded by quantity in parts comes back exactly: money, credits and qualifying amount', () => {
    let current = line({ id: 'l1', quantity: 3, paidMinor: 1000, qualifyingMinor: 900, credits: 101 });
    const first = planRefund([current], { kind: 'lines', lines: [{ lineId: 'l1', quantity: 1 }] }, noShipping);
    assert.deepEqual(first.lines[0], { lineId: 'l1', quantity: 1, amountMinor: 333, qualifyingMinor: 300, refundedQualifyingAfterMinor: 300, creditsRestored: 33 });
    current = apply(current, first.lines[0]!);
    const rest = planRefund([current], { kind: 'lines', lines: [{ lineId: 'l1' }] }, noShipping);
    current = apply(current, rest.lines[0]!);
    assert.equal(current.refundedMinor, 1000);
    assert.equal(current.refundedQualifyingMinor, 900);
    assert.equal(current.restoredCredits, 101);
    assert.throws(() => planRefund([current], { kind: 'lines', lines: [{ lineId: 'l1', quantity: 1 }] }, noShipping), /already been refunded in full/);
  });

  test('ST-6 a price adjustment takes money only; an order-level amount is split by remaining money', () => {
    const lines = [line({ id: 'a', paidMinor: 3000, qualifyingMinor: 2800 }), line({ id: 'b', paidMinor: 1000, qualifyingMinor: 0, credits: 50 })];
    const plan = planRefund(lines, { kind: 'amount', amountMinor: 1001 }, noShipping);
    assert.deepEqual(plan.lines.map((p) => [p.lineId, p.amountMinor, p.creditsRestored]), [['a', 751], ['b', 250]].map(([id, amount]) => [id, amount, 0]));
    assert.equal(plan.lines[0]!.qualifyingMinor, 700); // floor(2800 × 751 / 3000)
    // PL-2: the limit is stated in dollars, never in minor units.
    assert.throws(() => planRefund(lines, { kind: 'amount', amountMinor: 1001, lineId: 'b' }, noShipping), { message: 'At most $10.00 can still be refunded on this line.' });
    assert.throws(() => planRefund(lines, { kind: 'amount', amountMinor: 4001 }, noShipping), { message: "At most $40.00 can still be refunded on this order's items." });
  });

  test('ST-6 a cancellation refunds what remains on every line, and the shipping', () => {
    const lines = [line({ id: 'a', quantity: 2, paidMinor: 3000, qualifyingMinor: 2800, credits: 20, refundedQuantity: 1, refundedMinor: 1500, refundedQualifyingMinor: 1400, restoredCredits: 10 })];
    const plan = planRefund(lines, { kind: 'cancellation' }, { chargedMinor: 599, refundedMinor: 0 });
    assert.equal(plan.amountMinor, 1500 + 599);
    assert.equal(plan.creditsRestored, 10);
    assert.equal(plan.lines[0]!.qualifyingMinor, 1400);
  });

  test('CR-16 any sequence of partial refunds never refunds more than was paid, and a final refund makes it exact', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.array(fc.oneof(fc.record({ kind: fc.constant('q' as const), n: fc.integer({ min: 1, max: 3 }) }), fc.record({ kind: fc.constant('a' as const), n: fc.integer({ min: 1, max: 20_000 }) })), { maxLength: 6 }),
        (quantity, paidMinor, credits, steps) => {
          let current = line({ id: 'x', quantity, paidMinor, qualifyingMinor: Math.floor(paidMinor * 0.9), credits });
          for (const step of steps) {
            try {
              const plan = step.kind === 'q' ? planRefund([current], { kind: 'lines', lines: [{ lineId: 'x', quantity: step.n }] }, noShipping) : planRefund([current], { kind: 'amount', amountMinor: step.n, lineId: 'x' }, noShipping);
              current = apply(current, plan.lines[0]!);
            } catch (error) {
              assert.ok(error instanceof AppError);
            }
            assert.ok(current.refundedMinor <= current.paidMinor && current.refundedQualifyingMinor <= current.qualifyingMinor && current.restoredCredits <= current.credits);
          }
          try {
            const final = planRefund([current], { kind: 'cancellation' }, noShipping);
            current = apply(current, final.lines[0]!);
          } catch (error) {
            assert.ok(error instanceof AppError);
          }
          assert.equal(current.refundedMinor, current.paidMinor);
          assert.equal(current.refundedQualifyingMinor, current.qualifyingMinor);
          assert.equal(current.restoredCredits, current.credits);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('ST-7 ST-8 external orders and webhook signatures', () => {
  test('ST-7 Amazon order IDs must look like NNN-NNNNNNN-NNNNNNN', () => {
    assert.equal(isValidAmazonOrderId('113-1234567-7654321'), true);
    for (const bad of ['113-123456-7654321', '1131234567-7654321', 'abc-1234567-7654321', ' 113-1234567-7654321', '113-1234567-76543210']) {
      assert.equal(isValidAmazonOrderId(bad), false, bad);
    }
    assert.match(amazonOrderIdMessage, /3, 7 and 7 digits/);
  });

  test('ST-8 storefront prices are decimal strings turned into minor units without floating point', () => {
    assert.equal(parseDecimalMinor('19.99'), 1999);
    assert.equal(parseDecimalMinor('20'), 2000);
    assert.equal(parseDecimalMinor('0.5'), 50);
    assert.throws(() => parseDecimalMinor('1.999'));
    assert.throws(() => parseDecimalMinor('-1.00'));
  });

  test('ST-8 the HMAC is over the raw body, compared in constant time, within the timestamp tolerance', () => {
    const secret = 'whsec_test';
    const body = Buffer.from('{"id":"evt_1"}');
    const nowMs = at('2026-03-02T17:00:00Z');
    const signature = signStorefrontBody(secret, body);
    assert.equal(verifyStorefrontSignature({ secret, body, signature, triggeredAt: '2026-03-02T17:00:00Z', nowMs }).ok, true);
    assert.deepEqual(verifyStorefrontSignature({ secret, body: Buffer.from('{"id":"evt_2"}'), signature, triggeredAt: '2026-03-02T17:00:00Z', nowMs }), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifyStorefrontSignature({ secret, body, signature: 'short', triggeredAt: '2026-03-02T17:00:00Z', nowMs }), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifyStorefrontSignature({ secret, body, signature, triggeredAt: new Date(nowMs - webhookToleranceMs - 1000).toISOString(), nowMs }), { ok: false, reason: 'stale' });
    assert.deepEqual(verifyStorefrontSignature({ secret, body, signature, triggeredAt: new Date(nowMs + webhookToleranceMs + 1000).toISOString(), nowMs }), { ok: false, reason: 'stale' });
    assert.deepEqual(verifyStorefrontSignature({ secret, body, signature, triggeredAt: 'yesterday', nowMs }), { ok: false, reason: 'stale' });
  });
});
