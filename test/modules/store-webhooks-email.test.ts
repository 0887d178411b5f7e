// Storefront orders matched by a verified email (ST-8, CR-3, docs/WEBHOOKS.md): without the member ID attribute, an
// order whose customer email the storefront marks verified earns for the member who confirmed that email here; an
// unverified address on either side, or an address that is nobody's, earns nothing. On both databases.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { transact } from '../../src/deps.ts';
import { DAY_MS } from '../../src/platform/clock.ts';
import { createMemberForSeed, createStaffUser, findMemberIdByVerifiedEmail } from '../../src/modules/accounts/index.ts';
import { getBalance } from '../../src/modules/credits/index.ts';
import * as store from '../../src/modules/store/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';
import { receiveSignedStorefrontEvent } from '../support/storefront-webhooks.ts';

const shopDomain = 'shop.example.com';

interface Customer {
  email: string | null;
  verified_email?: boolean;
}

function storefrontOrder(deps: TestDeps, id: number, customer: Customer | null, noteAttributes: Array<{ name: string; value: string }> = []) {
  return {
    id,
    name: `#${id}`,
    email: customer?.email ?? 'typed@example.com',
    created_at: new Date(deps.clock.nowMs() - 60_000).toISOString(),
    processed_at: new Date(deps.clock.nowMs() - 30_000).toISOString(),
    currency: 'USD',
    customer: customer && { id: id + 7, ...customer },
    note_attributes: noteAttributes,
    // 49.99 − 10.00 discount qualifies 39.99 → 39 credits; the gift card, shipping and tax never qualify.
    line_items: [
      { id: id * 10 + 1, sku: 'PB-10K-SLIM', title: 'Slim Power Bank 10,000 mAh', quantity: 1, price: '49.99', discount_allocations: [{ amount: '10.00' }], tax_lines: [{ price: '3.30' }] },
      { id: id * 10 + 2, sku: null, title: 'Gift Card', quantity: 1, price: '25.00', gift_card: true },
    ],
    shipping_lines: [{ price: '4.99' }],
    total_price: '73.28',
  };
}

/** Delivers a signed orders/paid event as the endpoint would receive it, then runs its processing job. */
async function deliverPaid(deps: TestDeps, eventId: string, order: ReturnType<typeof storefrontOrder>): Promise<void> {
  const received = await receiveSignedStorefrontEvent(deps, { id: eventId, topic: 'orders/paid', api_version: '2026-01', order }, shopDomain);
  assert.equal(received.duplicate, false);
  await store.processStorefrontWebhook(deps, eventId);
}

async function storefrontOrderFor(deps: TestDeps, id: number) {
  const all = await store.listOrdersForAgents(deps, { limit: 200 });
  const found = all.find((order) => order.channel === 'storefront' && order.externalRef === `${shopDomain}:${id}`);
  assert.ok(found, `storefront order ${id} was recorded`);
  return found;
}

describeEachDatabase('store storefront orders by verified email', (suite) => {
  let deps: TestDeps;
  let verified: string;
  let unverified: string;

  before(async () => {
    deps = suite.deps();
    await transact(deps, (trx) => store.seedStoreDemoData(trx));
    const person = { password: 'a-long-password-for-tests', country: 'US', dateOfBirth: '1990-05-01' };
    verified = (await transact(deps, (trx) => createMemberForSeed(trx, { ...person, email: 'grace.hopper@example.com', emailVerified: true }))).memberId;
    unverified = (await transact(deps, (trx) => createMemberForSeed(trx, { ...person, email: 'alan.turing@example.com', emailVerified: false }))).memberId;
    await createStaffUser(deps, { email: 'desk.agent@example.com', password: 'a-long-password-for-tests', role: 'agent' });
    // The storefront orders are placed a minute before delivery; the members registered before that (CR-3).
    deps.clock.advanceMs(10 * 60_000);
  });

  test('findMemberIdByVerifiedEmail finds an open member by a confirmed address, in any case; never an unconfirmed one, staff or a stranger', async () => {
    assert.equal(await findMemberIdByVerifiedEmail(deps, 'grace.hopper@example.com'), verified);
    assert.equal(await findMemberIdByVerifiedEmail(deps, '  Grace.Hopper@EXAMPLE.com '), verified);
    assert.equal(await findMemberIdByVerifiedEmail(deps, 'alan.turing@example.com'), undefined);
    assert.equal(await findMemberIdByVerifiedEmail(deps, 'desk.agent@example.com'), undefined);
    assert.equal(await findMemberIdByVerifiedEmail(deps, 'nobody@example.com'), undefined);
  });

  test('ST-8 CR-4 CR-7 an order whose customer email is verified on both sides earns like a native order, on the qualifying amount only, and tells when the credits unlock', async () => {
    const pendingBefore = (await getBalance(deps, verified)).pendingTotal;
    await deliverPaid(deps, 'evt-email-7001', storefrontOrder(deps, 7001, { email: 'Grace.Hopper@Example.com', verified_email: true }));
    const order = await storefrontOrderFor(deps, 7001);
    assert.equal(order.memberId, verified);
    assert.equal(order.guestEmail, null);
    assert.deepEqual(order.lines.map((line) => line.qualifyingMinor), [3999, 0]);
    assert.equal(order.earnedCredits, 39);
    const balance = await getBalance(deps, verified);
    assert.equal(balance.pendingTotal, pendingBefore + 39);
    // The order tells when its credits unlock (CR-7): the payment time plus the pending period, as the ledger has it.
    const detail = await store.getOrderDetail(deps, order.id);
    assert.equal(detail.creditsUnlockAtMs, order.paidAtMs! + 30 * DAY_MS);
    assert.ok(balance.pending.some((lot) => lot.unlockAtMs === detail.creditsUnlockAtMs && lot.credits >= 39));
  });

  test('ST-8 CR-3 an unverified email on either side, or an address that is no member’s, earns nothing', async () => {
    const pendingBefore = { verified: (await getBalance(deps, verified)).pendingTotal, unverified: (await getBalance(deps, unverified)).pendingTotal };
    // The storefront did not verify the address (explicitly, or by saying nothing about it).
    await deliverPaid(deps, 'evt-email-7002', storefrontOrder(deps, 7002, { email: 'grace.hopper@example.com', verified_email: false }));
    await deliverPaid(deps, 'evt-email-7003', storefrontOrder(deps, 7003, { email: 'grace.hopper@example.com' }));
    // The order-level email alone (no customer object) is only where the receipt went.
    const receiptOnly = { ...storefrontOrder(deps, 7004, null), email: 'grace.hopper@example.com' };
    await deliverPaid(deps, 'evt-email-7004', receiptOnly);
    // The storefront verified it, but the member never confirmed it here.
    await deliverPaid(deps, 'evt-email-7005', storefrontOrder(deps, 7005, { email: 'alan.turing@example.com', verified_email: true }));
    // Verified by the storefront, but nobody's address here.
    await deliverPaid(deps, 'evt-email-7006', storefrontOrder(deps, 7006, { email: 'stranger@example.com', verified_email: true }));
    // A member ID attribute decides alone: an unknown ID is not rescued by a matching verified email.
    await deliverPaid(deps, 'evt-email-7007', storefrontOrder(deps, 7007, { email: 'grace.hopper@example.com', verified_email: true }, [{ name: 'patron_member_id', value: 'mem_unknown' }]));

    for (const id of [7002, 7003, 7004, 7005, 7006, 7007]) {
      const order = await storefrontOrderFor(deps, id);
      assert.equal(order.memberId, null, `order ${id} has no member`);
      assert.equal(order.earnedCredits, 0, `order ${id} earns nothing`);
      assert.equal((await store.getOrderDetail(deps, order.id)).creditsUnlockAtMs, null);
    }
    assert.equal((await getBalance(deps, verified)).pendingTotal, pendingBefore.verified);
    assert.equal((await getBalance(deps, unverified)).pendingTotal, pendingBefore.unverified);
  });
});
