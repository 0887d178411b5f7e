// The store's flows on the runner, on both databases (issue 7 point 5): the stale-checkout settlement waits for its
// refund before abandoning the order (CR-12), a redemption's fee refund is checked and retried (CR-13), and the
// stale-checkout timeout follows the policy's hold timeout (CR-12).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { transact } from '../../src/deps.ts';
import { DAY_MS, MINUTE_MS } from '../../src/platform/clock.ts';
import { buildJobRegistry, runDueJobs } from '../../src/jobs/index.ts';
import { adjustCredits, defaultPolicySettings, getBalance, publishPolicy, runCreditsAudit } from '../../src/modules/credits/index.ts';
import * as store from '../../src/modules/store/index.ts';
import * as flows from '../../src/flows/index.ts';
import { checkout, checkoutFlow, checkoutKey, findRunOf, listRunsNeedingAttention, redeemReward, redemptionFeeFlow, redemptionKey } from '../../src/flows/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { ledgerOnlyMembers, type TestDeps } from '../support/deps.ts';
import { checkoutOf, hangAt, refusingRefunds, stopBefore } from '../support/flow-faults.ts';

const system = { id: null, role: 'system' as const };
let counter = 0;

async function giveCredits(deps: TestDeps, memberId: string, credits: number): Promise<void> {
  await adjustCredits(deps, { memberId, credits, reasonCode: 'goodwill', note: 'test credits', actor: { id: 'mem_agent', role: 'agent' }, idempotencyKey: `flows-gift-${++counter}` });
}

async function newProduct(deps: TestDeps, priceMinor: number): Promise<store.Product> {
  return transact(deps, (trx) => store.createProduct(trx, system, { sku: `F-${++counter}`, name: `Flow product ${counter}`, category: 'chargers', priceMinor, stock: 10 }));
}

interface SandboxPayment {
  captured_minor: number;
  refunded_minor: number;
  status: string;
}

async function sandboxPayment(deps: TestDeps, paymentId: string): Promise<SandboxPayment> {
  return deps.db.selectFrom('sandbox_gateway_payments').select(['captured_minor', 'refunded_minor', 'status']).where('id', '=', paymentId).executeTakeFirstOrThrow() as Promise<SandboxPayment>;
}

/** Runs the due jobs a minute later (the resume job's slot is a minute), as a worker would. */
async function aMinuteLater(deps: TestDeps, registry: ReturnType<typeof buildJobRegistry>, minutes = 1): Promise<void> {
  deps.clock.advanceMs(minutes * MINUTE_MS);
  await runDueJobs(deps, { registry });
}

describeEachDatabase('store flows', (suite) => {
  let deps: TestDeps;
  const registry = buildJobRegistry([store, flows]);
  before(async () => {
    deps = suite.deps();
  });

  test('CR-12 ST-3 a stale checkout whose compensating refund is refused stays pending and needs attention; once the gateway recovers the money goes back once, then the order is abandoned and the hold released', async () => {
    const member = deps.ids.next('mem');
    await giveCredits(deps, member, 500);
    const product = await newProduct(deps, 3000);
    // The process "crashes" after the capture was recorded, before the order is finalized.
    const crash = hangAt();
    void checkout(deps, checkoutOf(member, product.id, 500), stopBefore(checkoutFlow, 'finalize', 'run', crash.stop));
    await crash.reached;
    const order = (await store.listOrdersForAgents(deps, { memberId: member }))[0]!;
    assert.equal(order.status, 'pending_payment');
    const paymentId = (await store.getOrderDetail(deps, order.id)).payment!.gatewayPaymentId!;
    assert.equal((await sandboxPayment(deps, paymentId)).status, 'captured');
    assert.equal((await getBalance(deps, member)).held, 500);

    const sandbox = deps.ports.payments;
    const flaky = refusingRefunds(sandbox);
    deps.ports.payments = flaky.gateway;
    try {
      await aMinuteLater(deps, registry, 30);
      assert.equal((await findRunOf(deps, checkoutFlow, checkoutKey(order.id)))?.state, 'running', 'not before the stale-checkout timeout');
      await aMinuteLater(deps, registry, 6); // past 30 min hold + 5 min margin
      const run = await findRunOf(deps, checkoutFlow, checkoutKey(order.id));
      assert.equal(run?.state, 'needs_attention');
      assert.equal((await store.getOrderDetail(deps, order.id)).status, 'pending_payment', 'not abandoned while the money is still captured');
      const listed = (await listRunsNeedingAttention(deps)).find((entry) => entry.key === checkoutKey(order.id));
      assert.equal(listed?.failedStep, 'capture');
      assert.equal(listed?.causeCode, 'abandoned');
      assert.equal(listed?.lastErrorCode, 'processing_error');
      assert.equal(listed?.memberId, member);
      await aMinuteLater(deps, registry);
      assert.ok(flaky.refusals() >= 2, 'retried by the resume job');
      assert.equal((await store.getOrderDetail(deps, order.id)).status, 'pending_payment');
      flaky.recover();
      await aMinuteLater(deps, registry, 2);
    } finally {
      deps.ports.payments = sandbox;
    }
    assert.equal((await findRunOf(deps, checkoutFlow, checkoutKey(order.id)))?.state, 'compensated');
    const settled = await store.getOrderDetail(deps, order.id);
    assert.equal(settled.status, 'abandoned');
    assert.equal(settled.paymentFailureCode, 'abandoned');
    const money = await sandboxPayment(deps, paymentId);
    assert.equal(money.captured_minor, order.totalMinor);
    assert.equal(money.refunded_minor, order.totalMinor, 'refunded exactly once');
    const balance = await getBalance(deps, member);
    assert.equal(balance.held, 0);
    assert.equal(balance.spendable, 500);
    assert.equal((await store.getProduct(deps, product.id)).stock, 10);
    await aMinuteLater(deps, registry, 60);
    assert.equal((await sandboxPayment(deps, paymentId)).refunded_minor, order.totalMinor);
    assert.equal((await runCreditsAudit(deps)).ok, true);
  });

  test('CR-13 ST-3 a redemption that fails after its fee was captured refunds the fee; a refused refund is recorded, retried, and the fee goes back once', async () => {
    const member = deps.ids.next('mem');
    await giveCredits(deps, member, 2000);
    const item = await transact(deps, (trx) => store.createRewardItem(trx, system, { sku: `RW-FF${++counter}`, name: 'Fee reward', creditsPrice: 1000, stock: 5, shippingFeeMinor: 499 }));
    const crash = hangAt();
    void redeemReward(deps, { memberId: member, rewardItemId: item.id, quantity: 1, paymentToken: 'tok_approve' }, stopBefore(redemptionFeeFlow, 'confirm', 'run', crash.stop));
    await crash.reached;
    // Meanwhile the reward is withdrawn: the resumed confirmation fails and the fee must go back.
    await transact(deps, (trx) => store.changeRewardItem(trx, system, item.id, { status: 'archived' }));
    const runs = await listRunsForMember(deps, member);
    assert.equal(runs.length, 1);
    const key = runs[0]!;
    const sandbox = deps.ports.payments;
    const flaky = refusingRefunds(sandbox);
    deps.ports.payments = flaky.gateway;
    try {
      await aMinuteLater(deps, registry, 11); // past the run's lease: the resume job takes it over
      assert.equal((await findRunOf(deps, redemptionFeeFlow, key))?.state, 'needs_attention');
      const listed = (await listRunsNeedingAttention(deps)).find((entry) => entry.key === key);
      assert.equal(listed?.failedStep, 'capture');
      assert.equal(listed?.causeCode, 'not_found');
      flaky.recover();
      await aMinuteLater(deps, registry, 2);
    } finally {
      deps.ports.payments = sandbox;
    }
    assert.equal((await findRunOf(deps, redemptionFeeFlow, key))?.state, 'compensated');
    const redemptionId = key.slice('redemption:'.length);
    const feeCapture = await deps.db.selectFrom('sandbox_gateway_requests').select('response').where('idempotency_key', '=', `redemption:${redemptionId}:capture`).executeTakeFirstOrThrow();
    const paymentId = (JSON.parse(String(feeCapture.response)) as { paymentId: string }).paymentId;
    const money = await sandboxPayment(deps, paymentId);
    assert.equal(money.captured_minor, 499);
    assert.equal(money.refunded_minor, 499);
    assert.equal((await store.listMemberRedemptions(deps, member)).length, 0);
    assert.equal((await getBalance(deps, member)).spendable, 2000);
    assert.equal(redemptionKey(redemptionId), key);
  });

  test('CR-12 the stale-checkout timeout follows the policy hold timeout (two days here), not a fixed 35 minutes', async () => {
    await publishPolicy(deps, { settings: { ...defaultPolicySettings, holdTimeoutMs: 2 * DAY_MS }, note: null, actor: { id: 'mem_admin', role: 'admin' } });
    const member = deps.ids.next('mem');
    await giveCredits(deps, member, 400);
    const product = await newProduct(deps, 2500);
    // Interrupted after step 1, before any checkout run existed (an order from before the runner): the sweep settles it.
    const pending = await transact(deps, (trx) =>
      store.createPendingOrder(trx, { memberId: member, guestEmail: null, lines: [{ productId: product.id, quantity: 1 }], discountCode: null, shippingAddress: checkoutOf(member, product.id, 0).shippingAddress, credits: 400 }),
    );
    await aMinuteLater(deps, registry, 40);
    assert.equal((await store.getOrderDetail(deps, pending.id)).status, 'pending_payment', 'the hold lasts two days: 40 minutes is not stale');
    await aMinuteLater(deps, registry, 24 * 60);
    assert.equal((await store.getOrderDetail(deps, pending.id)).status, 'pending_payment');
    await aMinuteLater(deps, registry, 24 * 60 + 6);
    assert.equal((await store.getOrderDetail(deps, pending.id)).status, 'abandoned');
    assert.equal((await getBalance(deps, member)).held, 0);
    await publishPolicy(deps, { settings: defaultPolicySettings, note: null, actor: { id: 'mem_admin', role: 'admin' } });
  });
}, { ports: { memberContacts: ledgerOnlyMembers } });

async function listRunsForMember(deps: TestDeps, memberId: string): Promise<string[]> {
  const rows = await deps.db.selectFrom('flow_runs').select('key').where('member_id', '=', memberId).execute();
  return rows.map((row) => String(row.key));
}
