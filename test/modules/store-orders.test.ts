// Store services and flows on both databases: catalog (ST-1), checkout with credits (ST-2..ST-5, CR-3..CR-5,
// CR-12), refunds and cancellations (ST-6, CR-15..CR-18), rewards redemption (CR-13), external orders (ST-7),
// order history (ST-9), and the ledger auditor afterwards (LG-2).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { transact } from '../../src/deps.ts';
import { DAY_MS } from '../../src/platform/clock.ts';
import { AppError } from '../../src/platform/errors.ts';
import { buildJobRegistry, runDueJobs } from '../../src/jobs/index.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { adjustCredits, getBalance, getBalanceAt, runCreditsAudit } from '../../src/modules/credits/index.ts';
import { listMessages } from '../../src/modules/notifications/index.ts';
import { GatewayUnavailableError } from '../../src/modules/payments/index.ts';
import * as store from '../../src/modules/store/index.ts';
import * as flows from '../../src/flows/index.ts';
import { checkout, redeemReward, refundOrder, settleStaleCheckout, type CheckoutInput } from '../../src/flows/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { ledgerOnlyMembers, type TestDeps } from '../support/deps.ts';

const system = { id: null, role: 'system' as const };
const agent = { id: 'mem_agent', role: 'agent' as const };
let counter = 0;

async function giveCredits(deps: TestDeps, memberId: string, credits: number): Promise<void> {
  await adjustCredits(deps, { memberId, credits, reasonCode: 'goodwill', note: 'test credits', actor: { id: 'mem_agent', role: 'agent' }, idempotencyKey: `test-gift-${++counter}` });
}

async function newProduct(deps: TestDeps, overrides: Partial<store.Product> & { priceMinor: number }): Promise<store.Product> {
  return transact(deps, (trx) =>
    store.createProduct(trx, system, {
      sku: `T-${++counter}`,
      name: overrides.name ?? `Test product ${counter}`,
      category: overrides.category ?? 'chargers',
      priceMinor: overrides.priceMinor,
      listPriceMinor: overrides.listPriceMinor ?? overrides.priceMinor,
      earnsCredits: overrides.earnsCredits ?? true,
      giftCard: overrides.giftCard ?? false,
      plusBonus: overrides.plusBonus ?? false,
      stock: overrides.stock ?? 100,
    }),
  );
}

function memberId(deps: TestDeps): string {
  return deps.ids.next('mem');
}

/** An address in the given state, given inline at checkout (ST-2): its state sets the tax region. */
function addressIn(region: string): store.InlineShippingAddress {
  return { name: 'Pat Shopper', line1: '500 Market St', line2: 'Suite 2', city: 'Springfield', region, postalCode: '94107' };
}

/** A checkout that ships to an address in `region` (California unless the test says otherwise). */
function order(input: Partial<CheckoutInput> & { memberId: string | null; lines: CheckoutInput['lines']; region?: string }): CheckoutInput {
  const { region = 'US-CA', ...rest } = input;
  return { discountCode: null, shippingAddress: addressIn(region), credits: 0, paymentToken: 'tok_approve', fromCart: false, guestEmail: input.memberId ? null : 'guest@example.com', ...rest };
}

describeEachDatabase('store', (suite) => {
  let deps: TestDeps;
  const registry = buildJobRegistry([store, flows]);
  before(async () => {
    deps = suite.deps();
    await transact(deps, (trx) => store.seedStoreDemoData(trx));
  });

  test('ST-1 agents add products and rewards; shoppers see active ones only; demo data fills both catalogs', async () => {
    const visible = await newProduct(deps, { priceMinor: 999, category: 'cables' });
    const hidden = await newProduct(deps, { priceMinor: 999, category: 'cables' });
    await transact(deps, (trx) => store.changeProduct(trx, agent, hidden.id, { status: 'archived' }));
    const cables = await store.listProducts(deps, { category: 'cables' });
    assert.ok(cables.some((p) => p.id === visible.id));
    assert.ok(!cables.some((p) => p.id === hidden.id));
    await assert.rejects(store.getProduct(deps, hidden.id), (error: unknown) => error instanceof AppError && error.code === 'not_found');
    const all = await store.listProducts(deps, { includeArchived: true, limit: 200 });
    for (const category of ['power-banks', 'chargers', 'wireless', 'cables', 'hubs-and-docks'] as const) assert.ok(all.some((p) => p.category === category), category);
    assert.ok(all.some((p) => p.giftCard) && all.some((p) => p.plusBonus) && all.some((p) => p.serialNumbered) && all.some((p) => !p.earnsCredits));
    assert.ok((await store.listRewardItems(deps, {})).length >= 4);
    await assert.rejects(
      transact(deps, (trx) => store.createProduct(trx, system, { sku: visible.sku, name: 'dup', category: 'cables', priceMinor: 1 })),
      (error: unknown) => error instanceof AppError && error.code === 'already_exists',
    );
    await assert.rejects(
      transact(deps, (trx) => store.createProduct(trx, system, { sku: 'T-LIST', name: 'x', category: 'cables', priceMinor: 1000, listPriceMinor: 900 })),
      /list price/,
    );
    // Seeding again adds nothing.
    assert.deepEqual(await transact(deps, (trx) => store.seedStoreDemoData(trx)), { products: 0, rewards: 0, discountCodes: 0 });
  });

  test('ST-2 ST-4 CR-4 CR-12 two products, a discount code and 500 credits: components per line, hold captured, earning on the qualifying amount only', async () => {
    const member = memberId(deps);
    await giveCredits(deps, member, 1000);
    const bank = await newProduct(deps, { priceMinor: 2999, listPriceMinor: 3999 });
    const cable = await newProduct(deps, { priceMinor: 1999 });
    const result = await checkout(deps, order({ memberId: member, lines: [{ productId: bank.id, quantity: 1 }, { productId: cable.id, quantity: 1 }], discountCode: 'WELCOME10', credits: 500 }));
    assert.equal(result.payment.outcome, 'approved');
    const paid = result.order;
    assert.equal(paid.status, 'paid');
    assert.equal(paid.paidAtMs, deps.clock.nowMs()); // ST-4: the gateway's confirmation
    // 49.98 merchandise, 10 % = 5.00 split 300/200 by merchandise, credits 500 split 300/200 by merchandise after
    // discounts (26.99 : 17.99 → 300.02 / 199.98, largest remainder).
    assert.deepEqual(paid.lines.map((l) => [l.listPriceMinor, l.unitPriceMinor, l.discountMinor, l.creditsMinor, l.credits]), [
      [3999, 2999, 300, 300, 300],
      [1999, 1999, 200, 200, 200],
    ]);
    assert.deepEqual(paid.lines.map((l) => l.qualifyingMinor), [2399, 1599]);
    assert.deepEqual(paid.lines.map((l) => l.taxMinor), [196, 130]);
    assert.equal(paid.totalMinor, 4998 - 500 - 500 + 326 + 0);
    // 1 credit per 1.00 of qualifying amount, floored per order: 39.98 → 39.
    assert.equal(paid.earnedCredits, 39);
    assert.equal(paid.lines.reduce((s, l) => s + l.earnedCredits, 0), 39);
    assert.equal(paid.lines.reduce((s, l) => s + l.qualifyingMinor, 0), 3998);
    const balance = await getBalance(deps, member);
    assert.equal(balance.spendable, 500);
    assert.equal(balance.held, 0);
    assert.equal(balance.pendingTotal, 39);
    assert.equal(balance.pending[0]!.unlockAtMs, deps.clock.nowMs() + 30 * DAY_MS); // CR-7 from payment
    assert.equal(paid.payment?.status, 'captured');
    assert.equal(paid.shipments.length, 1);
    assert.equal(paid.shipments[0]!.status, 'pending');
    assert.equal(paid.shipByDate, '2026-03-02'); // Monday 09:00 PT, signed in: same day (ST-5)
  });

  test('CR-4 a gift-card line earns nothing; a line partly paid with credits earns only on the money part', async () => {
    const member = memberId(deps);
    await giveCredits(deps, member, 2000);
    const gift = await newProduct(deps, { priceMinor: 5000, giftCard: true, category: 'gift-cards' });
    const hub = await newProduct(deps, { priceMinor: 4000 });
    const result = await checkout(deps, order({ memberId: member, lines: [{ productId: gift.id, quantity: 1 }, { productId: hub.id, quantity: 1 }], credits: 1500 }));
    const [giftLine, hubLine] = result.order.lines;
    assert.equal(giftLine!.qualifyingMinor, 0);
    assert.equal(giftLine!.earnedCredits, 0);
    assert.equal(giftLine!.creditsMinor, 0); // credits never buy gift cards
    assert.equal(hubLine!.creditsMinor, 1500);
    assert.equal(hubLine!.qualifyingMinor, 2500);
    assert.equal(result.order.earnedCredits, 25);
    assert.equal(hubLine!.earnedCredits, 25);
  });

  test('CR-3 ST-5 a guest order earns nothing and ships the next business day', async () => {
    const product = await newProduct(deps, { priceMinor: 5000 });
    const result = await checkout(deps, order({ memberId: null, lines: [{ productId: product.id, quantity: 1 }] }));
    assert.equal(result.order.status, 'paid');
    assert.equal(result.order.memberId, null);
    assert.equal(result.order.earnedCredits, 0);
    assert.equal(result.order.shipByDate, '2026-03-03');
    await assert.rejects(checkout(deps, order({ memberId: null, lines: [{ productId: product.id, quantity: 1 }], credits: 100 })), (e: unknown) => e instanceof AppError && e.code === 'unauthenticated');
  });

  test('CR-12 a declined payment releases the hold and puts back the stock and the code', async () => {
    const member = memberId(deps);
    await giveCredits(deps, member, 1000);
    const product = await newProduct(deps, { priceMinor: 3000, stock: 5 });
    const code = await transact(deps, (trx) => store.createDiscountCode(trx, system, { code: `ONCE${++counter}`, kind: 'fixed', amountMinor: 100, maxUses: 1 }));
    const result = await checkout(deps, order({ memberId: member, lines: [{ productId: product.id, quantity: 2 }], credits: 500, discountCode: code.code, paymentToken: 'tok_decline' }));
    assert.equal(result.payment.outcome, 'declined');
    assert.equal(result.payment.code, 'card_declined');
    assert.equal(result.order.status, 'payment_failed');
    const balance = await getBalance(deps, member);
    assert.equal(balance.spendable, 1000);
    assert.equal(balance.held, 0);
    assert.equal((await store.getProduct(deps, product.id)).stock, 5);
    // The single-use code is usable again.
    const retry = await checkout(deps, order({ memberId: member, lines: [{ productId: product.id, quantity: 2 }], credits: 500, discountCode: code.code }));
    assert.equal(retry.order.status, 'paid');
    assert.equal((await getBalance(deps, member)).spendable, 500);
  });

  test('ST-10 a first-order-only code (the newsletter welcome code) is refused to a buyer who already has a paid order', async () => {
    const member = memberId(deps);
    const product = await newProduct(deps, { priceMinor: 3000, stock: 5 });
    const welcome = await transact(deps, (trx) => store.createDiscountCode(trx, system, { code: `FIRST${++counter}`, kind: 'percent', percentBp: 1500, maxUses: 1, firstOrderOnly: true }));
    const later = await transact(deps, (trx) => store.createDiscountCode(trx, system, { code: `FIRST${++counter}`, kind: 'percent', percentBp: 1500, maxUses: 1, firstOrderOnly: true }));
    const first = await checkout(deps, order({ memberId: member, lines: [{ productId: product.id, quantity: 1 }], discountCode: welcome.code }));
    assert.equal(first.order.status, 'paid');
    await assert.rejects(
      store.quoteCheckout(deps, { memberId: member, lines: [{ productId: product.id, quantity: 1 }], discountCode: later.code, shippingAddress: addressIn('CA'), credits: 0 }),
      (e: unknown) => e instanceof AppError && e.message === 'This discount code is for a first order only.',
    );
  });

  test('ST-3 CR-12 a capture failure voids the authorization; fail-after-delay and unknown tokens fail cleanly', async () => {
    const member = memberId(deps);
    await giveCredits(deps, member, 300);
    const product = await newProduct(deps, { priceMinor: 3000 });
    for (const token of ['tok_capture_fail', 'tok_fail_after_delay', 'tok_insufficient_funds', 'tok_bogus']) {
      const result = await checkout(deps, order({ memberId: member, lines: [{ productId: product.id, quantity: 1 }], credits: 300, paymentToken: token }));
      assert.equal(result.order.status, 'payment_failed', token);
      assert.notEqual(result.payment.outcome, 'approved');
      assert.equal((await getBalance(deps, member)).spendable, 300, token);
    }
    assert.equal((await store.getProduct(deps, product.id)).stock, 100);
  });

  test('CR-12 credits can pay the whole merchandise; an abandoned checkout is settled by the sweep', async () => {
    const member = memberId(deps);
    await giveCredits(deps, member, 5000);
    const product = await newProduct(deps, { priceMinor: 4000 });
    const allCredits = await checkout(deps, order({ memberId: member, lines: [{ productId: product.id, quantity: 1 }], credits: 4000, region: 'US-OR', paymentToken: null }));
    assert.equal(allCredits.payment.outcome, 'not_needed');
    assert.equal(allCredits.order.totalMinor, 0);
    assert.equal(allCredits.order.earnedCredits, 0);
    // A checkout interrupted after step 1 (the process died): the sweep releases the hold and the stock.
    const pending = await transact(deps, (trx) => store.createPendingOrder(trx, { memberId: member, guestEmail: null, lines: [{ productId: product.id, quantity: 1 }], discountCode: null, shippingAddress: addressIn('US-CA'), credits: 500 }));
    assert.equal((await getBalance(deps, member)).held, 500);
    await settleStaleCheckout(deps, pending.id);
    assert.equal((await store.getOrderDetail(deps, pending.id)).status, 'abandoned');
    assert.equal((await getBalance(deps, member)).held, 0);
    assert.equal((await getBalance(deps, member)).spendable, 1000);
  });

  test('ST-6 CR-15 CR-16 a full refund by two partial refunds reverses exactly what was earned', async () => {
    const member = memberId(deps);
    const product = await newProduct(deps, { priceMinor: 3333 });
    const paid = (await checkout(deps, order({ memberId: member, lines: [{ productId: product.id, quantity: 3 }] }))).order;
    assert.equal(paid.earnedCredits, 99);
    const line = paid.lines[0]!;
    const first = await refundOrder(deps, { orderId: paid.id, request: { kind: 'lines', lines: [{ lineId: line.id, quantity: 1 }] }, reason: 'returned', source: 'agent', requestedBy: 'mem_agent' });
    assert.equal(first.status, 'completed');
    assert.equal((await getBalance(deps, member)).pendingTotal, 99 - 33);
    const second = await refundOrder(deps, { orderId: paid.id, request: { kind: 'lines', lines: [{ lineId: line.id }] }, reason: 'returned', source: 'agent', requestedBy: 'mem_agent' });
    assert.equal(first.amountMinor + second.amountMinor, line.paidMinor);
    assert.equal((await getBalance(deps, member)).pendingTotal, 0);
    const after = await store.getOrderDetail(deps, paid.id);
    assert.equal(after.refundState, 'full');
    assert.equal(after.payment?.status, 'refunded');
    assert.equal(after.payment?.refundedMinor, paid.totalMinor - paid.shippingMinor);
    await assert.rejects(refundOrder(deps, { orderId: paid.id, request: { kind: 'lines', lines: [{ lineId: line.id, quantity: 1 }] }, reason: 'returned', source: 'agent', requestedBy: null }), /already been refunded/);
  });

  test('ST-6 CR-16 a price adjustment reverses in proportion to the refunded qualifying amount', async () => {
    const member = memberId(deps);
    const product = await newProduct(deps, { priceMinor: 10_000 });
    const paid = (await checkout(deps, order({ memberId: member, lines: [{ productId: product.id, quantity: 1 }], region: 'US-OR' }))).order;
    assert.equal(paid.earnedCredits, 100);
    const refund = await refundOrder(deps, { orderId: paid.id, request: { kind: 'amount', amountMinor: 2550 }, reason: 'price_adjustment', source: 'agent', requestedBy: 'mem_agent' });
    assert.equal(refund.kind, 'amount');
    assert.equal((await getBalance(deps, member)).pendingTotal, 75); // 100 − floor(100 × 25.50 / 100.00)
    assert.equal((await store.getOrderDetail(deps, paid.id)).refundState, 'partial');
  });

  test('CR-17 a refund after the earned credits were spent creates a debt', async () => {
    const member = memberId(deps);
    const product = await newProduct(deps, { priceMinor: 5000 });
    const paid = (await checkout(deps, order({ memberId: member, lines: [{ productId: product.id, quantity: 1 }], region: 'US-OR' }))).order;
    assert.equal(paid.earnedCredits, 50);
    deps.clock.advanceMs(31 * DAY_MS);
    assert.equal((await getBalance(deps, member)).spendable, 50);
    const spender = await newProduct(deps, { priceMinor: 5000 });
    await checkout(deps, order({ memberId: member, lines: [{ productId: spender.id, quantity: 1 }], credits: 50, region: 'US-OR' }));
    assert.equal((await getBalance(deps, member)).spendable, 0);
    await refundOrder(deps, { orderId: paid.id, request: { kind: 'lines', lines: [{ lineId: paid.lines[0]!.id }] }, reason: 'returned', source: 'agent', requestedBy: 'mem_agent' });
    const balance = await getBalance(deps, member);
    assert.equal(balance.debt, 50);
    assert.equal(balance.available, -50);
  });

  test('CR-18 refunding a credits-paid order restores the credits to their original lots and expiry', async () => {
    const member = memberId(deps);
    const grantedAtMs = deps.clock.nowMs();
    await giveCredits(deps, member, 1000);
    const product = await newProduct(deps, { priceMinor: 2000 });
    const paid = (await checkout(deps, order({ memberId: member, lines: [{ productId: product.id, quantity: 1 }], credits: 800 }))).order;
    assert.equal((await getBalance(deps, member)).spendable, 200);
    deps.clock.advanceMs(10 * DAY_MS);
    const cancelled = await refundOrder(deps, { orderId: paid.id, request: { kind: 'cancellation' }, reason: 'cancelled_by_member', source: 'member', requestedBy: member, memberId: member });
    assert.equal(cancelled.creditsRestored, 800);
    assert.equal((await store.getOrderDetail(deps, paid.id)).status, 'cancelled');
    const lifetimeMs = 365 * DAY_MS;
    deps.clock.setMs(grantedAtMs + lifetimeMs - 1);
    assert.equal((await getBalance(deps, member)).spendable, 1000);
    deps.clock.advanceMs(2);
    assert.equal((await getBalance(deps, member)).spendable, 0); // the restored credits kept the original lot's expiry
    assert.equal((await getBalanceAt(deps, member, grantedAtMs + 5 * DAY_MS)).spendable, 200);
  });

  test('CR-18 credits restored after their lot expired stay expired', async () => {
    const member = memberId(deps);
    await giveCredits(deps, member, 600);
    const product = await newProduct(deps, { priceMinor: 2000 });
    const paid = (await checkout(deps, order({ memberId: member, lines: [{ productId: product.id, quantity: 1 }], credits: 600 }))).order;
    await transact(deps, (trx) => store.shipOrder(trx, { orderId: paid.id, carrier: 'UPS', trackingNumber: '1Z999' }));
    deps.clock.advanceMs(366 * DAY_MS);
    const refund = await refundOrder(deps, { orderId: paid.id, request: { kind: 'lines', lines: [{ lineId: paid.lines[0]!.id }] }, reason: 'defective', source: 'agent', requestedBy: 'mem_agent' });
    assert.equal(refund.creditsRestored, 600);
    assert.equal((await getBalance(deps, member)).spendable, 0);
  });

  test('ST-6 ST-9 cancel before shipment only; members see shipments with tracking; a refused gateway refund changes nothing', async () => {
    const member = memberId(deps);
    const product = await newProduct(deps, { priceMinor: 4500 });
    const shipped = (await checkout(deps, order({ memberId: member, lines: [{ productId: product.id, quantity: 1 }] }))).order;
    const tracked = await transact(deps, (trx) => store.shipOrder(trx, { orderId: shipped.id, carrier: 'UPS', trackingNumber: '1Z12345E0205271688' }));
    assert.equal(tracked.status, 'shipped');
    await assert.rejects(refundOrder(deps, { orderId: shipped.id, request: { kind: 'cancellation' }, reason: 'cancelled_by_member', source: 'member', requestedBy: member, memberId: member }), /already shipped/);
    const mine = await store.listMemberOrders(deps, member, {});
    assert.equal(mine[0]!.shipments[0]!.trackingNumber, '1Z12345E0205271688');
    assert.equal(mine[0]!.shipments[0]!.carrier, 'UPS');
    await assert.rejects(store.getMemberOrder(deps, memberId(deps), shipped.id), (e: unknown) => e instanceof AppError && e.code === 'not_found');

    const stubborn = (await checkout(deps, order({ memberId: member, lines: [{ productId: product.id, quantity: 1 }], paymentToken: 'tok_refund_fail' }))).order;
    const pendingBefore = (await getBalance(deps, member)).pendingTotal;
    await assert.rejects(refundOrder(deps, { orderId: stubborn.id, request: { kind: 'cancellation' }, reason: 'cancelled_by_agent', source: 'agent', requestedBy: 'mem_agent' }), /refused the refund/);
    const after = await store.getOrderDetail(deps, stubborn.id);
    assert.equal(after.status, 'paid');
    assert.equal(after.refundedMinor, 0);
    assert.equal(after.refunds[0]!.status, 'failed');
    assert.deepEqual(after.lines.map((l) => [l.refundedQuantity, l.refundedMinor, l.restoredCredits]), [[0, 0, 0]]);
    assert.equal((await getBalance(deps, member)).pendingTotal, pendingBefore);
  });

  test('CR-13 a redemption spends credits at once, ships separately with tracking and emails, respects stock and the per-member limit', async () => {
    const { memberId: member } = await createMemberForSeed(deps, { email: `redeemer${++counter}@example.com`, password: 'a long password for tests', country: 'US', dateOfBirth: '1990-01-01', firstName: 'Rae', emailVerified: true });
    await giveCredits(deps, member, 4500); // with the 500 registration bonus (CR-1): 5,000
    const item = await transact(deps, (trx) => store.createRewardItem(trx, system, { sku: `RW-T${++counter}`, name: 'Test reward', creditsPrice: 1500, stock: 5, perMemberLimit: 2 }));
    const redemption = await redeemReward(deps, { memberId: member, rewardItemId: item.id, quantity: 2, paymentToken: null });
    assert.equal(redemption.credits, 3000);
    assert.equal(redemption.shipment?.kind, 'redemption');
    assert.equal((await getBalance(deps, member)).spendable, 2000);
    await assert.rejects(redeemReward(deps, { memberId: member, rewardItemId: item.id, quantity: 1, paymentToken: null }), /at most 2 times/);
    await runDueJobs(deps, { registry });
    const shipped = await store.getMemberRedemption(deps, member, redemption.id);
    assert.equal(shipped.status, 'shipped');
    assert.match(shipped.shipment?.trackingNumber ?? '', /^PP\d{16}$/);
    const mail = (await listMessages(deps, { limit: 200 })).filter((m) => m.memberId === member);
    assert.deepEqual(mail.map((m) => m.subject).sort(), ['Your reward is confirmed', 'Your reward is on its way']);
    const poor = memberId(deps);
    await assert.rejects(redeemReward(deps, { memberId: poor, rewardItemId: item.id, quantity: 1, paymentToken: null }), (e: unknown) => e instanceof AppError && e.code === 'insufficient_credits');
    // A fee is paid with money; a declined fee spends no credits.
    const feeItem = await transact(deps, (trx) => store.createRewardItem(trx, system, { sku: `RW-F${++counter}`, name: 'Fee reward', creditsPrice: 1000, stock: 5, shippingFeeMinor: 499 }));
    await assert.rejects(redeemReward(deps, { memberId: member, rewardItemId: feeItem.id, quantity: 1, paymentToken: 'tok_decline' }), /did not go through/);
    assert.equal((await getBalance(deps, member)).spendable, 2000);
    const withFee = await redeemReward(deps, { memberId: member, rewardItemId: feeItem.id, quantity: 1, paymentToken: 'tok_approve' });
    assert.equal(withFee.shippingFeeMinor, 499);
    assert.equal((await getBalance(deps, member)).spendable, 1000);
  });

  test('PL-3 a redemption has an ID of its own kind (rdm_), not the order prefix, and its shipment and spend name it', async () => {
    const { memberId: member } = await createMemberForSeed(deps, { email: `redeemer${++counter}@example.com`, password: 'a long password for tests', country: 'US', dateOfBirth: '1990-01-01', emailVerified: true });
    const item = await transact(deps, (trx) => store.createRewardItem(trx, system, { sku: `RW-P${++counter}`, name: 'Prefix reward', creditsPrice: 100, stock: 5 }));
    const redemption = await redeemReward(deps, { memberId: member, rewardItemId: item.id, quantity: 1, paymentToken: null });
    assert.match(redemption.id, /^rdm_[0-9a-z]{26}$/);
    assert.equal(redemption.shipment?.redemptionId, redemption.id);
    assert.equal(redemption.shipment?.orderId, null);
  });

  test('ST-7 external orders are recorded for after-sales, never earn, and a malformed Amazon order ID is refused clearly', async () => {
    const recorded = await transact(deps, (trx) =>
      store.recordExternalOrder(trx, { source: 'amazon', marketplace: 'DE', externalOrderId: '302-1234567-7654321', purchasedAt: '2026-02-01T10:00:00Z', currency: 'EUR', totalMinor: 3999, items: [{ name: 'Power bank', quantity: 1, serialNumber: 'A1234567' }] }, 'mem_agent'),
    );
    assert.equal(recorded.earnsCredits, false);
    assert.equal((await store.findExternalOrder(deps, { source: 'amazon', externalOrderId: '302-1234567-7654321' }))?.id, recorded.id);
    await assert.rejects(
      transact(deps, (trx) => store.recordExternalOrder(trx, { source: 'amazon', marketplace: 'US', externalOrderId: '302-123456-7654321', purchasedAt: '2026-02-01T10:00:00Z', totalMinor: 1, items: [{ name: 'x', quantity: 1 }] }, 'mem_agent')),
      (error: unknown) => error instanceof AppError && error.code === 'validation' && /3, 7 and 7 digits/.test(error.message),
    );
    await assert.rejects(
      transact(deps, (trx) => store.recordExternalOrder(trx, { source: 'amazon', externalOrderId: '302-1234567-7654322', purchasedAt: '2026-02-01T10:00:00Z', totalMinor: 1, items: [{ name: 'x', quantity: 1 }] }, 'mem_agent')),
      /marketplace/,
    );
  });

  test('ST-3 CR-12 compensation: a capture confirmed after the hold timed out is refunded and the order fails', async () => {
    const member = memberId(deps);
    await giveCredits(deps, member, 700);
    const product = await newProduct(deps, { priceMinor: 3000 });
    const sandbox = deps.ports.payments;
    let capturedPaymentId = '';
    // The card network takes longer than the 30-minute hold: by the time the capture is confirmed, the hold is gone.
    deps.ports.payments = {
      ...sandbox,
      async capture(input) {
        deps.clock.advanceMs(31 * 60_000);
        capturedPaymentId = input.paymentId;
        return sandbox.capture(input);
      },
    };
    try {
      await assert.rejects(checkout(deps, order({ memberId: member, lines: [{ productId: product.id, quantity: 1 }], credits: 700 })), (e: unknown) => e instanceof AppError && e.code === 'invalid_state');
    } finally {
      deps.ports.payments = sandbox;
    }
    const failed = (await store.listOrdersForAgents(deps, { memberId: member }))[0]!;
    assert.equal(failed.status, 'payment_failed');
    assert.equal(failed.paymentFailureCode, 'not_completed');
    assert.equal((await getBalance(deps, member)).spendable, 700);
    assert.equal((await getBalance(deps, member)).pendingTotal, 0);
    const again = await sandbox.refund({ paymentId: capturedPaymentId, amountMinor: 1, idempotencyKey: `probe-${++counter}` });
    assert.equal(again.ok, false); // the whole capture went back already
  });

  test('ST-6 a refund whose gateway answer is lost stays pending and the resume job finishes it once', async () => {
    const member = memberId(deps);
    const product = await newProduct(deps, { priceMinor: 6000 });
    const paid = (await checkout(deps, order({ memberId: member, lines: [{ productId: product.id, quantity: 1 }], region: 'US-OR' }))).order;
    const sandbox = deps.ports.payments;
    let calls = 0;
    deps.ports.payments = {
      ...sandbox,
      async refund(input) {
        calls++;
        // The gateway refunds, but its answer never arrives.
        await sandbox.refund(input);
        if (calls === 1) throw new GatewayUnavailableError('connection reset');
        return sandbox.refund(input);
      },
    };
    try {
      await assert.rejects(refundOrder(deps, { orderId: paid.id, request: { kind: 'lines', lines: [{ lineId: paid.lines[0]!.id }] }, reason: 'returned', source: 'agent', requestedBy: 'mem_agent' }), (e: unknown) => e instanceof AppError && e.code === 'unavailable');
      const pending = await store.getOrderDetail(deps, paid.id);
      assert.equal(pending.refunds[0]!.status, 'pending');
      assert.equal((await getBalance(deps, member)).pendingTotal, 60);
      deps.clock.advanceMs(11 * 60_000);
      await runDueJobs(deps, { registry });
    } finally {
      deps.ports.payments = sandbox;
    }
    const done = await store.getOrderDetail(deps, paid.id);
    assert.equal(done.refunds[0]!.status, 'completed');
    assert.equal(done.payment?.refundedMinor, 6000);
    assert.equal((await getBalance(deps, member)).pendingTotal, 0);
  });

  test('CR-12 the scheduled sweep abandons checkouts left unpaid past the hold timeout', async () => {
    const member = memberId(deps);
    await giveCredits(deps, member, 400);
    const product = await newProduct(deps, { priceMinor: 2500, stock: 3 });
    const pending = await transact(deps, (trx) => store.createPendingOrder(trx, { memberId: member, guestEmail: null, lines: [{ productId: product.id, quantity: 2 }], discountCode: null, shippingAddress: addressIn('US-CA'), credits: 400 }));
    deps.clock.advanceMs(40 * 60_000);
    await runDueJobs(deps, { registry });
    assert.equal((await store.getOrderDetail(deps, pending.id)).status, 'abandoned');
    assert.equal((await store.getProduct(deps, product.id)).stock, 3);
    assert.equal((await getBalance(deps, member)).spendable, 400);
  });

  test('ST-2 ST-6 concurrency: the last unit sells once; two refunds of the same line never refund twice', async () => {
    const product = await newProduct(deps, { priceMinor: 2000, stock: 1 });
    const buyers = [memberId(deps), memberId(deps)];
    const results = await Promise.allSettled(buyers.map((buyer) => checkout(deps, order({ memberId: buyer, lines: [{ productId: product.id, quantity: 1 }] }))));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.find((r) => r.status === 'rejected');
    assert.ok(refused && refused.reason instanceof AppError && refused.reason.code === 'not_eligible');
    assert.equal((await store.getProduct(deps, product.id)).stock, 0);
    const won = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<typeof checkout>>>).value.order;
    const refund = () => refundOrder(deps, { orderId: won.id, request: { kind: 'lines', lines: [{ lineId: won.lines[0]!.id }] }, reason: 'returned', source: 'agent', requestedBy: 'mem_agent' });
    const refunds = await Promise.allSettled([refund(), refund()]);
    assert.equal(refunds.filter((r) => r.status === 'fulfilled').length, 1);
    const detail = await store.getOrderDetail(deps, won.id);
    assert.equal(detail.refundedMinor, won.lines[0]!.paidMinor);
    assert.equal(detail.payment?.refundedMinor, won.lines[0]!.paidMinor);
  });

  test('ST-2 ST-9 an order keeps a snapshot of its shipping address, and the address’s state sets the tax region; guests give one inline', async () => {
    const member = memberId(deps);
    const product = await newProduct(deps, { priceMinor: 10_000 });
    const lines = [{ productId: product.id, quantity: 1 }];
    // The state by its name, as the tax-rate table names it, in any case: Texas, 6.25 %.
    const texas = (await checkout(deps, order({ memberId: member, lines, region: 'texas' }))).order;
    assert.equal(texas.region, 'US-TX');
    assert.equal(texas.taxMinor, 625);
    const snapshot = { name: 'Pat Shopper', line1: '500 Market St', line2: 'Suite 2', city: 'Springfield', region: 'TX', postalCode: '94107', country: 'US' };
    assert.deepEqual(texas.shippingAddress, snapshot);
    assert.deepEqual((await store.getMemberOrder(deps, member, texas.id)).shippingAddress, snapshot);
    assert.deepEqual((await store.listOrdersForAgents(deps, { memberId: member }))[0]!.shippingAddress, snapshot);
    // The quote prices by the address too, by the state's code: Washington, 6.5 %.
    const quote = await store.quoteCheckout(deps, { memberId: member, lines, discountCode: null, shippingAddress: addressIn('WA'), credits: 0 });
    assert.equal(quote.region, 'US-WA');
    assert.equal(quote.quote.taxMinor, 650);
    assert.equal(quote.shippingAddress?.region, 'WA');
    // A state without a tax rate is one the store does not ship to; a region that contradicts the address is refused.
    await assert.rejects(
      store.quoteCheckout(deps, { memberId: member, lines, discountCode: null, shippingAddress: addressIn('Alaska'), credits: 0 }),
      (e: unknown) => e instanceof AppError && e.code === 'not_eligible' && e.message === 'We do not ship to Alaska yet.' && (e.details as { field: string }).field === 'shippingAddress.region',
    );
    await assert.rejects(
      store.quoteCheckout(deps, { memberId: member, lines, discountCode: null, shippingAddress: addressIn('CA'), region: 'US-NY', credits: 0 }),
      (e: unknown) => e instanceof AppError && e.code === 'validation' && (e.details as { field: string }).field === 'region',
    );
    // An address given in code is checked as at the HTTP boundary.
    await assert.rejects(
      checkout(deps, order({ memberId: member, lines, shippingAddress: { ...addressIn('CA'), postalCode: '941' } })),
      (e: unknown) => e instanceof AppError && e.code === 'validation' && (e.details as Array<{ path: string }>).some((issue) => issue.path === 'shippingAddress.postalCode'),
    );
    // Guests: an inline address is required, and a saved address needs a signed-in member.
    await assert.rejects(
      checkout(deps, order({ memberId: null, lines, shippingAddress: null })),
      (e: unknown) => e instanceof AppError && e.code === 'validation' && (e.details as { field: string }).field === 'shippingAddress',
    );
    await assert.rejects(
      checkout(deps, order({ memberId: null, lines, shippingAddress: { addressId: 1 } })),
      (e: unknown) => e instanceof AppError && e.code === 'validation' && (e.details as { field: string }).field === 'shippingAddress.addressId',
    );
    const guest = (await checkout(deps, order({ memberId: null, lines, region: 'US-OR' }))).order;
    assert.equal(guest.region, 'US-OR');
    assert.equal(guest.taxMinor, 0);
    assert.equal(guest.shippingAddress?.region, 'OR');
    assert.equal((await store.getProduct(deps, product.id)).stock, 98); // the refused checkouts took nothing
  });

  test('ST-6 CR-15 CR-18 a refund reports the earned credits it reversed, per line and in total, next to the credits it restored', async () => {
    const member = memberId(deps);
    await giveCredits(deps, member, 1000);
    const bank = await newProduct(deps, { priceMinor: 3000 });
    const cable = await newProduct(deps, { priceMinor: 2000 });
    const paid = (await checkout(deps, order({ memberId: member, lines: [{ productId: bank.id, quantity: 2 }, { productId: cable.id, quantity: 1 }], credits: 800, region: 'US-OR' }))).order;
    const [bankLine, cableLine] = paid.lines as [store.OrderLine, store.OrderLine];
    assert.ok(bankLine.earnedCredits > 0 && cableLine.earnedCredits > 0);
    const pendingBefore = (await getBalance(deps, member)).pendingTotal;
    const first = await refundOrder(deps, { orderId: paid.id, request: { kind: 'lines', lines: [{ lineId: bankLine.id, quantity: 1 }] }, reason: 'returned', source: 'agent', requestedBy: 'mem_agent' });
    const pendingAfter = (await getBalance(deps, member)).pendingTotal;
    assert.equal(first.creditsRestored, bankLine.credits / 2);
    assert.equal(first.creditsReversed, pendingBefore - pendingAfter, 'what the ledger took back');
    assert.equal(first.creditsReversed, Math.floor(bankLine.earnedCredits / 2));
    assert.deepEqual(first.lines.map((part) => [part.orderLineId, part.creditsRestored, part.creditsReversed]), [[bankLine.id, bankLine.credits / 2, first.creditsReversed]]);
    // Cancelling the rest reverses everything left, line by line: all refunds together reverse exactly the earning.
    const rest = await refundOrder(deps, { orderId: paid.id, request: { kind: 'cancellation' }, reason: 'cancelled_by_agent', source: 'agent', requestedBy: 'mem_agent' });
    const reversedOn = (lineId: string) => rest.lines.find((part) => part.orderLineId === lineId)?.creditsReversed;
    assert.equal(reversedOn(bankLine.id), bankLine.earnedCredits - first.creditsReversed);
    assert.equal(reversedOn(cableLine.id), cableLine.earnedCredits);
    assert.equal(rest.creditsReversed, paid.earnedCredits - first.creditsReversed);
    assert.equal(first.creditsRestored + rest.creditsRestored, 800);
    assert.equal((await getBalance(deps, member)).pendingTotal, 0);
    // The order's refunds read back what was recorded.
    const detail = await store.getOrderDetail(deps, paid.id);
    assert.deepEqual(detail.refunds.map((refund) => [refund.creditsRestored, refund.creditsReversed]), [[first.creditsRestored, first.creditsReversed], [rest.creditsRestored, rest.creditsReversed]]);
    // A guest's refund reverses nothing.
    const product = await newProduct(deps, { priceMinor: 1500 });
    const guest = (await checkout(deps, order({ memberId: null, lines: [{ productId: product.id, quantity: 1 }] }))).order;
    const guestRefund = await refundOrder(deps, { orderId: guest.id, request: { kind: 'lines', lines: [{ lineId: guest.lines[0]!.id }] }, reason: 'returned', source: 'agent', requestedBy: 'mem_agent' });
    assert.equal(guestRefund.creditsReversed, 0);
  });

  test('ST-6 PL-2 refusals state amounts in dollars, never in minor units', async () => {
    const member = memberId(deps);
    const product = await newProduct(deps, { priceMinor: 10_000 });
    const paid = (await checkout(deps, order({ memberId: member, lines: [{ productId: product.id, quantity: 1 }], region: 'US-OR' }))).order;
    const line = paid.lines[0]!;
    const byAmount = (amountMinor: number, lineId?: string) =>
      refundOrder(deps, { orderId: paid.id, request: { kind: 'amount', amountMinor, lineId }, reason: 'price_adjustment', source: 'agent', requestedBy: 'mem_agent' });
    await assert.rejects(byAmount(10_001), (e: unknown) => e instanceof AppError && e.code === 'validation' && e.message === "At most $100.00 can still be refunded on this order's items.");
    await byAmount(2_550);
    await assert.rejects(byAmount(7_451, line.id), (e: unknown) => e instanceof AppError && e.message === 'At most $74.50 can still be refunded on this line.' && (e.details as { field: string }).field === 'amountMinor');
    const code = await transact(deps, (trx) => store.createDiscountCode(trx, system, { code: `BIG${++counter}`, kind: 'fixed', amountMinor: 500, minSubtotalMinor: 123_456 }));
    await assert.rejects(
      store.quoteCheckout(deps, { memberId: member, lines: [{ productId: product.id, quantity: 1 }], discountCode: code.code, shippingAddress: addressIn('CA'), credits: 0 }),
      (e: unknown) => e instanceof AppError && e.message === `The code ${code.code} needs at least $1,234.56 of eligible items.`,
    );
  });

  test('LG-2 the ledger auditor finds no difference after all of the above', async () => {
    const report = await runCreditsAudit(deps);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
  });
}, { ports: { memberContacts: ledgerOnlyMembers } });
