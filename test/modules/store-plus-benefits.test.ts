// Plus benefits in the store (issue 8 point 5; CR-5, ST-2, MB-8, MB-10) on both databases: the earn multiplier only
// when Plus was active at the payment moment (the gateway's confirmation, ST-4), the member discount at the
// membership policy's rate, next-day delivery vouchers used once and given back when the order does not happen or is
// cancelled before shipping, the order's plan and period snapshot read back after the membership ended, every
// benefit recorded against the period that granted it, and no benefits on storefront or external orders.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { transact } from '../../src/deps.ts';
import { DAY_MS } from '../../src/platform/clock.ts';
import { AppError } from '../../src/platform/errors.ts';
import type { PaymentGateway } from '../../src/ports/index.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { getBalance } from '../../src/modules/credits/index.ts';
import * as membership from '../../src/modules/membership/index.ts';
import * as store from '../../src/modules/store/index.ts';
import * as flows from '../../src/flows/index.ts';
import { checkout, refundOrder, type CheckoutInput } from '../../src/flows/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { buildRouteHarness } from '../support/route-harness.ts';
import type { TestDeps } from '../support/deps.ts';
import { receiveSignedStorefrontEvent } from '../support/storefront-webhooks.ts';

const system = { id: null, role: 'system' as const };
const admin = { id: 'mem_admin', role: 'admin' as const };
let counter = 0;

async function newMember(deps: TestDeps): Promise<string> {
  const n = ++counter;
  const created = await transact(deps, (trx) =>
    createMemberForSeed(trx, { email: `benefits.${n}.${deps.ids.next('req').slice(-6).toLowerCase()}@example.com`, password: 'correct horse battery staple', country: 'US', dateOfBirth: '1990-05-05', firstName: 'Ada', emailVerified: true }),
  );
  return created.memberId;
}

async function plusMember(deps: TestDeps, plan: membership.Plan = 'monthly'): Promise<{ memberId: string; periodId: string }> {
  const memberId = await newMember(deps);
  const joined = await membership.joinPlus(deps, { memberId, plan, paymentToken: 'tok_approve', actor: { id: memberId, role: 'member' } });
  assert.equal(joined.outcome, 'active');
  assert.ok(joined.outcome === 'active' && joined.subscription.currentPeriodId);
  return { memberId, periodId: joined.subscription.currentPeriodId };
}

async function newProduct(deps: TestDeps, priceMinor: number, options: { plusBonus?: boolean; giftCard?: boolean } = {}): Promise<store.Product> {
  return transact(deps, (trx) =>
    store.createProduct(trx, system, { sku: `PLUS-${++counter}`, name: `Plus test product ${counter}`, category: options.giftCard ? 'gift-cards' : 'chargers', priceMinor, plusBonus: options.plusBonus ?? false, giftCard: options.giftCard ?? false, stock: 100 }),
  );
}

function order(memberId: string | null, lines: CheckoutInput['lines'], extra: Partial<CheckoutInput> = {}): CheckoutInput {
  return {
    memberId,
    lines,
    discountCode: null,
    shippingAddress: { name: 'Pat Shopper', line1: '500 Market St', line2: null, city: 'Springfield', region: 'US-CA', postalCode: '94107' },
    credits: 0,
    paymentToken: 'tok_approve',
    fromCart: false,
    guestEmail: memberId ? null : 'guest@example.com',
    ...extra,
  };
}

/** Runs `work` with a gateway whose capture `wrap` decorates (the one place where a test controls ST-4's moment). */
async function withCapture<T>(deps: TestDeps, wrap: (capture: PaymentGateway['capture']) => PaymentGateway['capture'], work: () => Promise<T>): Promise<T> {
  const sandbox = deps.ports.payments;
  deps.ports.payments = { ...sandbox, name: sandbox.name, capture: wrap((input) => sandbox.capture(input)) };
  try {
    return await work();
  } finally {
    deps.ports.payments = sandbox;
  }
}

async function cancelPlus(deps: TestDeps, memberId: string): Promise<void> {
  await transact(deps, (trx) => membership.cancelMembership(trx, { memberId, actor: { id: memberId, role: 'member' } }));
}

async function benefitsUsed(deps: TestDeps, memberId: string) {
  return (await membership.getMembershipOverview(deps, memberId)).benefitsUsed;
}

async function vouchersLeft(deps: TestDeps, memberId: string): Promise<number> {
  return (await membership.getMembershipOverview(deps, memberId)).vouchers?.available ?? 0;
}

const isCode = (code: string, message?: RegExp) => (error: unknown) => error instanceof AppError && error.code === code && (!message || message.test(error.message));

describeEachDatabase('store Plus benefits', (suite) => {
  let deps: TestDeps;
  before(async () => {
    deps = suite.deps();
  });

  test('ST-2 MB-8 a next-day delivery voucher waives the shipping fee, promises delivery the business day after shipping, is used once and given back on cancellation before shipping', async () => {
    const { memberId, periodId } = await plusMember(deps);
    const product = await newProduct(deps, 1500);
    const lines = [{ productId: product.id, quantity: 1 }];
    const standard = await store.quoteCheckout(deps, order(memberId, lines));
    assert.equal(standard.quote.shippingMinor, 599, 'below 35.00 the standard fee applies');
    assert.equal(standard.deliveryVouchersLeft, 1);
    assert.equal(standard.delivery, 'standard');
    const quoted = await store.quoteCheckout(deps, order(memberId, lines, { useDeliveryVoucher: true }));
    assert.equal(quoted.quote.shippingMinor, 0);
    assert.equal(quoted.quote.totalMinor, standard.quote.totalMinor - 599);
    assert.equal(quoted.delivery, 'next_day');
    // Monday 09:00 in Los Angeles: ships today (ST-5), delivered Tuesday.
    assert.equal(quoted.promise.shipByDate, '2026-03-02');
    assert.equal(quoted.deliverByDate, '2026-03-03');

    const first = (await checkout(deps, order(memberId, lines, { useDeliveryVoucher: true }))).order;
    assert.equal(first.status, 'paid');
    assert.equal(first.delivery, 'next_day');
    assert.equal(first.deliverByDate, '2026-03-03');
    assert.equal(first.shippingMinor, 0);
    assert.equal(await vouchersLeft(deps, memberId), 0, 'used once');
    const stockBefore = (await store.getProduct(deps, product.id)).stock;
    await assert.rejects(checkout(deps, order(memberId, lines, { useDeliveryVoucher: true })), isCode('not_eligible', /no next-day delivery voucher left/));
    assert.equal((await store.getProduct(deps, product.id)).stock, stockBefore, 'a refused voucher leaves no order behind');
    const uses = await benefitsUsed(deps, memberId);
    assert.deepEqual(
      uses.filter((use) => use.kind === 'delivery_voucher').map((use) => [use.orderId, use.periodId, use.state]),
      [[first.id, periodId, 'used']],
    );

    await refundOrder(deps, { orderId: first.id, request: { kind: 'cancellation' }, reason: 'cancelled_by_member', source: 'member', requestedBy: memberId, memberId });
    assert.equal((await store.getOrderDetail(deps, first.id)).status, 'cancelled');
    assert.equal(await vouchersLeft(deps, memberId), 1, 'cancelled before shipping: the voucher is back');
    assert.equal((await benefitsUsed(deps, memberId)).find((use) => use.orderId === first.id && use.kind === 'delivery_voucher')?.state, 'restored');

    // Used again, shipped, then refunded after delivery: that use happened, so the voucher stays used.
    const second = (await checkout(deps, order(memberId, lines, { useDeliveryVoucher: true }))).order;
    await transact(deps, (trx) => store.shipOrder(trx, { orderId: second.id, carrier: 'UPS', trackingNumber: '1Z999AA10123456784' }));
    await transact(deps, (trx) => store.markOrderDelivered(trx, second.id));
    await refundOrder(deps, { orderId: second.id, request: { kind: 'lines', lines: [{ lineId: second.lines[0]!.id }] }, reason: 'returned', source: 'agent', requestedBy: 'mem_agent' });
    assert.equal(await vouchersLeft(deps, memberId), 0);
  });

  test('MB-8 a voucher on an order whose payment is declined comes back; without Plus, as a guest or with nothing to ship it is refused clearly', async () => {
    const { memberId } = await plusMember(deps);
    const product = await newProduct(deps, 1500);
    const lines = [{ productId: product.id, quantity: 1 }];
    const declined = await checkout(deps, order(memberId, lines, { useDeliveryVoucher: true, paymentToken: 'tok_decline' }));
    assert.equal(declined.payment.outcome, 'declined');
    assert.equal(declined.order.status, 'payment_failed');
    assert.equal(await vouchersLeft(deps, memberId), 1, 'the order did not happen, so neither did the voucher use');

    const stranger = await newMember(deps);
    await assert.rejects(store.quoteCheckout(deps, order(stranger, lines, { useDeliveryVoucher: true })), isCode('not_eligible', /Plus benefit/));
    await assert.rejects(checkout(deps, order(stranger, lines, { useDeliveryVoucher: true })), isCode('not_eligible', /Plus benefit/));
    await assert.rejects(checkout(deps, order(null, lines, { useDeliveryVoucher: true })), isCode('unauthenticated', /Sign in/));
    const giftCard = await newProduct(deps, 2500, { giftCard: true });
    await assert.rejects(checkout(deps, order(memberId, [{ productId: giftCard.id, quantity: 1 }], { useDeliveryVoucher: true })), isCode('validation', /nothing to ship/));
    await cancelPlus(deps, memberId);
    await assert.rejects(checkout(deps, order(memberId, lines, { useDeliveryVoucher: true })), isCode('not_eligible', /Plus benefit/));
  });

  test('ST-2 MB-8 the member discount applies at the membership policy rate while Plus is active at placement, split per line, and is recorded against the period', async () => {
    const { memberId, periodId } = await plusMember(deps);
    await transact(deps, (trx) => membership.publishMembershipPolicy(trx, { settings: { ...membership.defaultMembershipSettings, memberDiscountBp: 750 }, note: 'test 7.5 %', actor: admin }));
    try {
      const bank = await newProduct(deps, 2999);
      const cable = await newProduct(deps, 1999);
      const lines = [{ productId: bank.id, quantity: 1 }, { productId: cable.id, quantity: 1 }];
      const quoted = await store.quoteCheckout(deps, order(memberId, lines));
      assert.equal(quoted.plusActive, true);
      assert.equal(quoted.memberDiscountBp, 750);
      const paid = (await checkout(deps, order(memberId, lines))).order;
      // 7.5 % of 49.98 = 3.7485 → 3.75, split 2999 : 1999 by largest remainder (225.02 / 149.98) → 225 / 150.
      assert.equal(paid.plusDiscountMinor, 375);
      assert.deepEqual(paid.lines.map((line) => [line.merchandiseMinor, line.plusDiscountMinor, line.discountMinor, line.qualifyingMinor]), [
        [2999, 225, 225, 2774],
        [1999, 150, 150, 1849],
      ]);
      for (const line of paid.lines) assert.equal(line.paidMinor, line.merchandiseMinor - line.discountMinor - line.creditsMinor + line.taxMinor);
      assert.equal(paid.totalMinor, paid.lines.reduce((sum, line) => sum + line.paidMinor, 0) + paid.shippingMinor);
      assert.deepEqual(
        (await benefitsUsed(deps, memberId)).filter((use) => use.orderId === paid.id).map((use) => [use.kind, use.amountMinor, use.periodId]),
        [['member_discount', 375, periodId]],
      );

      const notPlus = await newMember(deps);
      const plain = (await checkout(deps, order(notPlus, lines))).order;
      assert.equal(plain.plusDiscountMinor, 0);
      assert.deepEqual(plain.lines.map((line) => line.discountMinor), [0, 0]);
      assert.equal(plain.plusActive, false);
    } finally {
      await transact(deps, (trx) => membership.publishMembershipPolicy(trx, { settings: membership.defaultMembershipSettings, note: 'back to the default', actor: admin }));
    }
  });

  test('CR-5 the multiplier applies on Plus-flagged lines when Plus is active at the payment moment; the extra credits are recorded against the period', async () => {
    const { memberId, periodId } = await plusMember(deps);
    const flagged = await newProduct(deps, 2000, { plusBonus: true });
    const plain = await newProduct(deps, 2000);
    const paid = (await checkout(deps, order(memberId, [{ productId: flagged.id, quantity: 1 }, { productId: plain.id, quantity: 1 }]))).order;
    // Each line: 20.00 − 5 % member discount = 19.00 qualifying; the flagged one counts twice: floor(57.00) = 57.
    assert.deepEqual(paid.lines.map((line) => line.qualifyingMinor), [1900, 1900]);
    assert.equal(paid.earnedCredits, 57);
    assert.deepEqual(paid.lines.map((line) => line.earnedCredits), [38, 19]);
    assert.equal(paid.plusActive, true);
    assert.equal(paid.plusPlan, 'monthly');
    assert.equal(paid.plusPeriodId, periodId);
    const uses = (await benefitsUsed(deps, memberId)).filter((use) => use.orderId === paid.id);
    assert.deepEqual(uses.map((use) => [use.kind, use.credits, use.amountMinor, use.periodId]).sort(), [
      ['earn_multiplier', 19, 0, periodId],
      ['member_discount', 0, 200, periodId],
    ]);
  });

  test('CR-5 a payment confirmed 1 second after a cancel earns no multiplier (the member discount, priced at placement, stays); one confirmed 1 second before it does', async () => {
    const flagged = await newProduct(deps, 2000, { plusBonus: true });
    const lines = [{ productId: flagged.id, quantity: 1 }];

    const late = await plusMember(deps);
    const lateOrder = await withCapture(
      deps,
      (capture) => async (input) => {
        // Between placement (Plus, so the discount was priced) and the gateway's confirmation, the member cancels.
        deps.clock.advanceMs(1000);
        await cancelPlus(deps, late.memberId);
        deps.clock.advanceMs(1000);
        return capture(input);
      },
      async () => (await checkout(deps, order(late.memberId, lines))).order,
    );
    assert.equal(lateOrder.status, 'paid');
    assert.equal(lateOrder.paidAtMs, deps.clock.nowMs(), 'paid at the confirmation, a second after the cancel');
    assert.equal(lateOrder.plusDiscountMinor, 100);
    assert.equal(lateOrder.earnedCredits, 19, 'no multiplier: 19.00 qualifying earns 19');
    assert.equal(lateOrder.plusActive, false);
    assert.equal(lateOrder.plusPlan, null);
    assert.equal(lateOrder.plusPeriodId, null);
    assert.deepEqual((await benefitsUsed(deps, late.memberId)).map((use) => use.kind), ['member_discount']);
    assert.equal((await getBalance(deps, late.memberId)).pendingTotal, 19);

    const early = await plusMember(deps);
    const earlyOrder = await withCapture(
      deps,
      (capture) => async (input) => {
        const answer = await capture(input);
        // Confirmed while Plus; the cancel a second later (before the order is finalized) changes nothing about it.
        deps.clock.advanceMs(1000);
        await cancelPlus(deps, early.memberId);
        return answer;
      },
      async () => (await checkout(deps, order(early.memberId, lines))).order,
    );
    assert.equal(earlyOrder.paidAtMs, deps.clock.nowMs() - 1000);
    assert.equal(earlyOrder.earnedCredits, 38);
    assert.equal(earlyOrder.plusPlan, 'monthly');
    assert.equal(earlyOrder.plusPeriodId, early.periodId);
  });

  test('MB-10 the order keeps the plan and period at payment: member and agent views read "annual" after the membership ended', async () => {
    const { memberId, periodId } = await plusMember(deps, 'annual');
    const product = await newProduct(deps, 4000, { plusBonus: true });
    const paid = (await checkout(deps, order(memberId, [{ productId: product.id, quantity: 1 }]))).order;
    deps.clock.advanceMs(40 * DAY_MS);
    await cancelPlus(deps, memberId);
    deps.clock.advanceMs(400 * DAY_MS);
    assert.equal((await membership.plusStatusAt(deps, memberId, deps.clock.nowMs())).plan, null);
    const app = await buildRouteHarness(deps, async (api, d) => {
      await store.registerRoutes(api, d);
      await flows.registerRoutes(api, d);
    });
    try {
      const mine = await app.inject({ method: 'GET', url: `/api/v1/store/orders/${paid.id}`, headers: { 'x-test-role': 'member', 'x-test-member': memberId } });
      assert.equal(mine.statusCode, 200);
      const agentView = await app.inject({ method: 'GET', url: `/api/v1/agent/store/orders/${paid.id}`, headers: { 'x-test-role': 'agent' } });
      assert.equal(agentView.statusCode, 200);
      for (const body of [mine.json(), agentView.json()]) {
        assert.equal(body.plusPlan, 'annual');
        assert.equal(body.plusPeriodId, periodId);
        assert.equal(body.plusActive, true);
        assert.equal(body.delivery, 'standard');
        assert.equal(body.deliverByDate, null);
      }
      // The voucher through HTTP: the quote answers how many are left, the refusal is a 422 naming the field.
      const stranger = await newMember(deps);
      const refused = await app.inject({
        method: 'POST',
        url: '/api/v1/store/checkout/quote',
        headers: { 'x-test-role': 'member', 'x-test-member': stranger },
        payload: { lines: [{ productId: product.id, quantity: 1 }], region: 'US-CA', useDeliveryVoucher: true },
      });
      assert.equal(refused.statusCode, 422);
      assert.equal(refused.json().error.details.field, 'useDeliveryVoucher');
      const plus = await plusMember(deps);
      const quoted = await app.inject({
        method: 'POST',
        url: '/api/v1/store/checkout/quote',
        headers: { 'x-test-role': 'member', 'x-test-member': plus.memberId },
        payload: { lines: [{ productId: product.id, quantity: 1 }], region: 'US-CA', useDeliveryVoucher: true },
      });
      assert.equal(quoted.statusCode, 200);
      assert.equal(quoted.json().deliveryVouchersLeft, 1);
      assert.equal(quoted.json().delivery, 'next_day');
      assert.equal(quoted.json().memberDiscountBp, 500);
      assert.equal(quoted.json().plusDiscountMinor, 200);
    } finally {
      await app.close();
    }
  });

  test('MB-8 ST-7 no Plus benefits on storefront-webhook or external orders: no multiplier, no snapshot, nothing recorded', async () => {
    const { memberId } = await plusMember(deps);
    const flagged = await newProduct(deps, 4000, { plusBonus: true });
    deps.clock.advanceMs(5 * 60_000); // CR-3: the storefront order is placed after the member joined
    const createdAt = new Date(deps.clock.nowMs()).toISOString();
    const storefrontOrder = {
      id: 880_001,
      name: '#880001',
      email: 'someone@example.com',
      created_at: new Date(deps.clock.nowMs() - 60_000).toISOString(),
      processed_at: new Date(deps.clock.nowMs() - 30_000).toISOString(),
      currency: 'USD',
      customer: null,
      note_attributes: [{ name: 'patron_member_id', value: memberId }],
      line_items: [{ id: 8_800_011, sku: flagged.sku, title: flagged.name, quantity: 1, price: '40.00', discount_allocations: [], tax_lines: [] }],
      shipping_lines: [],
      total_price: '40.00',
    };
    const event = { id: 'evt_plus_1', topic: 'orders/paid', api_version: '2026-01', order: storefrontOrder };
    assert.equal((await receiveSignedStorefrontEvent(deps, event)).duplicate, false);
    await store.processStorefrontWebhook(deps, event.id);
    const recorded = (await store.listOrdersForAgents(deps, { memberId })).find((o) => o.channel === 'storefront');
    assert.ok(recorded, 'the storefront order is the member’s');
    assert.equal(recorded.earnedCredits, 40, 'earns like a native order, without the Plus multiplier (80 with it)');
    assert.equal(recorded.plusActive, false);
    assert.equal(recorded.plusPlan, null);
    assert.equal(recorded.plusDiscountMinor, 0);
    assert.equal(recorded.delivery, 'standard');

    const external = await transact(deps, (trx) =>
      store.recordExternalOrder(trx, { source: 'amazon', marketplace: 'US', externalOrderId: '113-8800001-8800001', memberId, purchasedAt: createdAt, currency: 'USD', totalMinor: 4000, items: [{ sku: flagged.sku, name: flagged.name, quantity: 1 }] }, 'mem_agent'),
    );
    assert.equal(external.earnsCredits, false);
    assert.deepEqual(await benefitsUsed(deps, memberId), [], 'neither order used a benefit');
    assert.equal(await vouchersLeft(deps, memberId), 1);
  });
});
