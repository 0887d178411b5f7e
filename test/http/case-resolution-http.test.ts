// Resolving after-sales cases (issue 9 point 7) through POST /agent/cases/:caseId/resolve, on both databases: a refund
// of one line goes through the gateway and reverses exactly that line's earned credits (AS-11, CR-16) in one run
// linked to the case; a marketplace refund moves nothing here (AS-8); an exchange ships a zero-price order that earns
// nothing (AS-11); a redeemed product's damage report gets a zero-credit replacement or its credits back, never money
// (AS-7); a refused or unanswered gateway leaves the case as it was or to the resume job; resolving twice is refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { transact } from '../../src/deps.ts';
import { MINUTE_MS } from '../../src/platform/clock.ts';
import { GatewayUnavailableError, type PaymentGateway } from '../../src/ports/index.ts';
import { listAuditEntries } from '../../src/modules/audit/index.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { adjustCredits, getBalance, runCreditsAudit } from '../../src/modules/credits/index.ts';
import * as store from '../../src/modules/store/index.ts';
import * as flows from '../../src/flows/index.ts';
import { moveCase, type Case, type Remedy } from '../../src/modules/aftersales/index.ts';
import { findCase, insertCase, type NewCase } from '../../src/modules/aftersales/cases.repository.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';
import { buildRouteHarness } from '../support/route-harness.ts';
import { refusingRefunds } from '../support/flow-faults.ts';
import { receiveSignedStorefrontEvent, testShopDomain } from '../support/storefront-webhooks.ts';

const system = { id: null, role: 'system' as const };
const agent = { role: 'agent' as const, id: 'mem_staff' };
const agentHeaders = (key: string) => ({ 'x-test-role': 'agent', 'idempotency-key': key });
let counter = 0;

/** A gateway whose refunds go unanswered (the call times out: the outcome is unknown) until `recover()`. */
function silentRefunds(gateway: PaymentGateway): { gateway: PaymentGateway; recover(): void } {
  let silent = true;
  return {
    gateway: {
      name: gateway.name,
      authorize: (input) => gateway.authorize(input),
      capture: (input) => gateway.capture(input),
      void: (input) => gateway.void(input),
      async refund(input) {
        if (silent) throw new GatewayUnavailableError('the sandbox did not answer');
        return gateway.refund(input);
      },
    },
    recover: () => void (silent = false),
  };
}

describeEachDatabase('case resolution HTTP', (suite) => {
  let deps: TestDeps;
  let app: Awaited<ReturnType<typeof buildRouteHarness>>;
  let memberId: string;
  before(async () => {
    deps = suite.deps();
    app = await buildRouteHarness(deps, flows.registerRoutes);
    ({ memberId } = await createMemberForSeed(deps, { email: 'resolve.member@example.com', password: 'a long password for tests', country: 'US', dateOfBirth: '1990-01-01', emailVerified: true }));
  });
  after(async () => {
    await app.close();
  });

  async function newProduct(priceMinor: number): Promise<store.Product> {
    return transact(deps, (trx) => store.createProduct(trx, system, { sku: `RS-${++counter}`, name: `Resolution charger ${counter}`, category: 'chargers', priceMinor, stock: 10 }));
  }

  /** A delivered two-line order of the member, paid through the sandbox, that earned credits on both lines. */
  async function deliveredOrder(): Promise<store.OrderDetail> {
    const first = await newProduct(3000);
    const second = await newProduct(5000);
    const placed = await flows.checkout(deps, {
      memberId,
      guestEmail: null,
      lines: [
        { productId: first.id, quantity: 1 },
        { productId: second.id, quantity: 2 },
      ],
      discountCode: null,
      shippingAddress: { name: 'Pat Shopper', line1: '500 Market St', city: 'Portland', region: 'US-OR', postalCode: '97201' },
      credits: 0,
      paymentToken: 'tok_approve',
      fromCart: false,
    });
    assert.equal(placed.payment.outcome, 'approved');
    await transact(deps, (trx) => store.shipOrder(trx, { orderId: placed.order.id, carrier: 'UPS', trackingNumber: `1Z${++counter}` }));
    const order = await transact(deps, (trx) => store.markOrderDelivered(trx, placed.order.id));
    assert.ok(order.lines.every((line) => line.earnedCredits > 0), 'both lines earned credits');
    return order;
  }

  /** A case written as intake would, then approved (and received) the way agents move it. */
  async function openCase(fields: Partial<NewCase> & { allowed: Remedy[]; state: 'approved' | 'received' | 'submitted' }): Promise<Case> {
    const { allowed, state, ...overrides } = fields;
    const record: NewCase = {
      id: deps.ids.next('cas'),
      memberId,
      guestEmail: null,
      contactName: 'Pat Shopper',
      kind: 'return',
      state: 'submitted',
      reason: 'defective',
      remedy: allowed[0]!,
      orderRef: 'ord_missing',
      orderSource: 'store',
      orderLineId: null,
      productSku: 'RS-0',
      serial: null,
      details: 'It stopped charging after a week.',
      priority: false,
      eligibility: { outcome: 'eligible', allowedRemedies: allowed, moneyMoves: allowed.includes('refund'), creditsMove: true, requiresProofImage: false, trace: [] },
      createdAtMs: deps.clock.nowMs(),
      ...overrides,
    };
    await transact(deps, (trx) => insertCase(trx.db, record, { id: deps.ids.next('cst'), action: 'submit', actorRole: 'member', actorId: memberId, atMs: record.createdAtMs }));
    if (state !== 'submitted') {
      await transact(deps, (trx) => moveCase(trx, { caseId: record.id, action: 'approve', actor: agent }));
      if (state === 'received') {
        await transact(deps, (trx) => moveCase(trx, { caseId: record.id, action: 'await_return', actor: agent }));
        await transact(deps, (trx) => moveCase(trx, { caseId: record.id, action: 'mark_received', actor: agent, reasonCode: 'as_described' }));
      }
    }
    return (await findCase(deps.db, record.id))!;
  }

  const resolve = (caseId: string, key: string, payload: Record<string, unknown>) => app.inject({ method: 'POST', url: `/api/v1/agent/cases/${caseId}/resolve`, headers: agentHeaders(key), payload });

  async function ledgerRows() {
    return deps.db.selectFrom('credit_transactions').select(['kind', 'credits', 'order_id', 'order_line_id', 'case_id']).where('member_id', '=', memberId).execute();
  }

  async function gatewayRequests(): Promise<number> {
    const row = await deps.db.selectFrom('sandbox_gateway_requests').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function paymentRows(): Promise<number> {
    const row = await deps.db.selectFrom('payments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  test('AS-11 CR-16 a refund of one line of a two-line order refunds that line through the gateway and reverses exactly its earned credits; the case is resolved with the refund linked, audited', async () => {
    const order = await deliveredOrder();
    const [line, other] = order.lines as [store.OrderLine, store.OrderLine];
    const record = await openCase({ allowed: ['refund', 'exchange'], state: 'received', orderRef: order.id, orderLineId: line.id, productSku: line.sku });
    const before = await getBalance(deps, memberId);
    const requestsBefore = await gatewayRequests();

    const response = await resolve(record.id, 'resolve-refund-1', { remedy: 'refund', note: 'Sorry it failed; your money is on its way.' });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.caseId, record.id);
    assert.equal(body.state, 'resolved');
    assert.equal(body.remedy, 'refund');
    assert.equal(body.resolution.flowState, 'completed');
    assert.equal(body.resolution.creditsReversed, line.earnedCredits, "exactly the line's earned credits");
    assert.equal(body.resolution.amountMinor, line.paidMinor);
    assert.equal(body.resolution.detail, `$${(line.paidMinor / 100).toFixed(2)} refunded; ${line.earnedCredits} credits earned on it were reversed`);

    // The store refund is of that line only, linked both ways.
    const detail = await store.getOrderDetail(deps, order.id);
    assert.equal(detail.refunds.length, 1);
    const refund = detail.refunds[0]!;
    assert.equal(body.resolution.refundId, refund.id);
    assert.equal(refund.note, record.id, 'the refund names the case');
    assert.equal(refund.reason, 'defective');
    assert.equal(refund.status, 'completed');
    assert.deepEqual(refund.lines.map((part) => [part.orderLineId, part.quantity, part.creditsReversed]), [[line.id, 1, line.earnedCredits]]);
    assert.equal(detail.payment!.refundedMinor, line.paidMinor);
    assert.equal(await gatewayRequests(), requestsBefore + 1, 'one gateway refund');

    // The ledger: one reversal, of that line, of what it earned; the other line untouched.
    const reversals = (await ledgerRows()).filter((row) => row.kind === 'reversal');
    assert.deepEqual(reversals.map((row) => String(row.order_line_id)), [line.id]);
    assert.equal(Math.abs(Number(reversals[0]!.credits)), line.earnedCredits);
    assert.equal(reversals[0]!.case_id, record.id, 'the ledger row names the case');
    assert.ok(!reversals.some((row) => row.order_line_id === other.id));
    const afterBalance = await getBalance(deps, memberId);
    assert.equal(before.pendingTotal - afterBalance.pendingTotal, line.earnedCredits, 'the balance lost exactly that line’s credits');

    const resolved = (await findCase(deps.db, record.id))!;
    assert.equal(resolved.state, 'resolved');
    assert.equal(resolved.resolvingSinceMs, null);
    assert.deepEqual(resolved.resolution, { refundId: refund.id, orderId: null, amountMinor: line.paidMinor, creditsReversed: line.earnedCredits, creditsRestored: 0, detail: body.resolution.detail });
    const audit = (await listAuditEntries(deps, { memberId, limit: 20 })).find((entry) => entry.action === 'aftersales.case.resolved' && entry.subject === record.id);
    assert.ok(audit, 'the resolution is in the audit log');
    assert.deepEqual(audit.actor, { id: 'mem_staff', role: 'agent' });
    assert.deepEqual(audit.details, { remedy: 'refund', refundId: refund.id, orderId: null, amountMinor: line.paidMinor, creditsReversed: line.earnedCredits, creditsRestored: 0 });

    // The same request again answers the same; another request is refused: the case is resolved.
    const replay = await resolve(record.id, 'resolve-refund-1', { remedy: 'refund', note: 'Sorry it failed; your money is on its way.' });
    assert.equal(replay.statusCode, 200);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.deepEqual(replay.json(), body);
    const twice = await resolve(record.id, 'resolve-refund-2', { remedy: 'refund' });
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.json().error.code, 'invalid_state');
    assert.equal((await store.getOrderDetail(deps, order.id)).refunds.length, 1, 'refunded once');
    assert.equal(await gatewayRequests(), requestsBefore + 1);

    const read = await app.inject({ method: 'GET', url: `/api/v1/agent/cases/${record.id}/resolution`, headers: { 'x-test-role': 'agent' } });
    assert.equal(read.statusCode, 200);
    assert.deepEqual(read.json(), body);
  });

  test('AS-11 CR-16 a refusal by the gateway refunds nothing, moves no credits and leaves the case where it was; once the gateway recovers, a new resolve goes through', async () => {
    const order = await deliveredOrder();
    const line = order.lines[1]!;
    const record = await openCase({ allowed: ['refund', 'exchange'], state: 'approved', orderRef: order.id, orderLineId: line.id, kind: 'damage_report', reason: 'damaged_on_arrival' });
    const ledgerBefore = await ledgerRows();
    const sandbox = deps.ports.payments;
    const flaky = refusingRefunds(sandbox);
    deps.ports.payments = flaky.gateway;
    try {
      const refused = await resolve(record.id, 'refused-1', { remedy: 'refund', quantity: 2 });
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().error.code, 'invalid_state');
      assert.match(refused.json().error.message, /refused the refund.*Nothing was refunded and no credits moved/);
      const unchanged = (await findCase(deps.db, record.id))!;
      assert.equal(unchanged.state, 'approved');
      assert.equal(unchanged.resolution, null);
      assert.equal(unchanged.resolvingSinceMs, null, 'the case is free again');
      assert.deepEqual(await ledgerRows(), ledgerBefore, 'no credits moved');
      const detail = await store.getOrderDetail(deps, order.id);
      assert.deepEqual(detail.refunds.map((refund) => refund.status), ['failed']);
      assert.equal(detail.lines[1]!.refundedQuantity, 0, 'the reservation was given back');
      assert.equal(detail.payment!.refundedMinor, 0);
    } finally {
      deps.ports.payments = sandbox;
    }
    const retried = await resolve(record.id, 'refused-2', { remedy: 'refund', quantity: 2 });
    assert.equal(retried.statusCode, 200, retried.body);
    assert.equal(retried.json().resolution.creditsReversed, line.earnedCredits, 'both items of the line: all it earned');
    const runs = await deps.db.selectFrom('flow_runs').select(['key', 'state']).where('key', 'like', `case-resolution:${record.id}%`).orderBy('key').execute();
    assert.deepEqual(runs.map((run) => [run.key, run.state]), [[flows.caseResolutionKey(record.id), 'compensated'], [flows.caseResolutionKey(record.id, 1), 'completed']]);
    assert.equal((await store.getOrderDetail(deps, order.id)).refunds.filter((refund) => refund.reason === 'damaged').length, 2);
  });

  test('AS-11 an unanswered gateway answers 503 "will be retried"; the case cannot be canceled meanwhile, and the resume job resolves it once', async () => {
    const order = await deliveredOrder();
    const line = order.lines[0]!;
    const record = await openCase({ allowed: ['refund', 'exchange'], state: 'approved', orderRef: order.id, orderLineId: line.id, reason: 'no_longer_needed' });
    const sandbox = deps.ports.payments;
    const silent = silentRefunds(sandbox);
    deps.ports.payments = silent.gateway;
    try {
      const response = await resolve(record.id, 'silent-1', { remedy: 'refund' });
      assert.equal(response.statusCode, 503, response.body);
      assert.match(response.json().error.message, /will be retried/);
      const pending = (await findCase(deps.db, record.id))!;
      assert.equal(pending.state, 'approved');
      assert.notEqual(pending.resolvingSinceMs, null);
      await assert.rejects(
        transact(deps, (trx) => moveCase(trx, { caseId: record.id, action: 'cancel', actor: { role: 'member', id: memberId } })),
        (error: Error & { code?: string }) => error.code === 'conflict',
      );
      const again = await resolve(record.id, 'silent-2', { remedy: 'exchange' });
      assert.equal(again.statusCode, 409, 'a second resolution waits for the first');
      const read = await app.inject({ method: 'GET', url: `/api/v1/agent/cases/${record.id}/resolution`, headers: { 'x-test-role': 'agent' } });
      assert.equal(read.json().resolution.flowState, 'running');
    } finally {
      deps.ports.payments = sandbox;
    }
    deps.clock.advanceMs(2 * MINUTE_MS);
    await flows.resumeDueRuns(deps, flows.flowDefinitions);
    const resolved = (await findCase(deps.db, record.id))!;
    assert.equal(resolved.state, 'resolved');
    assert.equal(resolved.resolution?.creditsReversed, line.earnedCredits);
    assert.equal(resolved.resolution?.refundId, (await store.getOrderDetail(deps, order.id)).refunds[0]!.id);
    assert.equal((await store.getOrderDetail(deps, order.id)).payment!.refundedMinor, line.paidMinor, 'refunded once');
    deps.clock.advanceMs(20 * MINUTE_MS);
    await flows.resumeDueRuns(deps, flows.flowDefinitions);
    assert.equal((await store.getOrderDetail(deps, order.id)).payment!.refundedMinor, line.paidMinor);
  });

  test('AS-8 a marketplace warranty refund moves no credits and makes no gateway call: resolved with the remedy and a detail saying the marketplace refunds', async () => {
    const record = await openCase({ allowed: ['replacement', 'exchange', 'refund'], state: 'approved', kind: 'warranty_claim', orderRef: '113-1234567-1234567', orderSource: 'marketplace', productSku: 'NOT-IN-CATALOG' });
    const ledgerBefore = await ledgerRows();
    const requestsBefore = await gatewayRequests();
    const paymentsBefore = await paymentRows();
    const response = await resolve(record.id, 'marketplace-1', { remedy: 'refund' });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().state, 'resolved');
    assert.deepEqual(response.json().resolution, {
      remedy: 'refund',
      flowState: null,
      refundId: null,
      replacementOrderId: null,
      amountMinor: null,
      creditsReversed: 0,
      creditsRestored: 0,
      detail: 'Refunded through the marketplace where you bought it; no credits move for marketplace purchases.',
    });
    assert.deepEqual(await ledgerRows(), ledgerBefore, 'the ledger is unchanged');
    assert.equal(await gatewayRequests(), requestsBefore, 'no gateway call');
    assert.equal(await paymentRows(), paymentsBefore, 'no payment row');

    // A marketplace replacement needs the product in our catalog.
    const missing = await openCase({ allowed: ['replacement', 'exchange', 'refund'], state: 'approved', kind: 'warranty_claim', orderRef: '113-7654321-7654321', orderSource: 'marketplace', productSku: 'NOT-IN-CATALOG' });
    const refused = await resolve(missing.id, 'marketplace-2', { remedy: 'replacement' });
    assert.equal(refused.statusCode, 422);
    assert.match(refused.json().error.message, /no product with SKU NOT-IN-CATALOG/);
    assert.equal((await findCase(deps.db, missing.id))!.state, 'approved');
    const product = await newProduct(4000);
    const known = await openCase({ allowed: ['replacement', 'exchange', 'refund'], state: 'approved', kind: 'warranty_claim', orderRef: '113-7654321-7654322', orderSource: 'marketplace', productSku: product.sku });
    const replaced = await resolve(known.id, 'marketplace-3', { remedy: 'replacement' });
    assert.equal(replaced.statusCode, 200, replaced.body);
    const replacement = await store.getOrderDetail(deps, replaced.json().resolution.replacementOrderId);
    assert.equal(replacement.totalMinor, 0);
    assert.equal(replacement.lines[0]!.sku, product.sku);
    assert.deepEqual(await ledgerRows(), ledgerBefore, 'still no credits');
  });

  test('AS-11 an exchange ships a zero-price replacement order of the line that earns nothing (no ledger entry, no payment, no gateway call) and agents ship it like any order', async () => {
    const order = await deliveredOrder();
    const line = order.lines[0]!;
    const record = await openCase({ allowed: ['refund', 'exchange'], state: 'received', kind: 'exchange', reason: 'wrong_item_sent', orderRef: order.id, orderLineId: line.id });
    const ledgerBefore = await ledgerRows();
    const requestsBefore = await gatewayRequests();
    const paymentsBefore = await paymentRows();
    const stockBefore = (await store.getProduct(deps, line.productId!)).stock;

    const response = await resolve(record.id, 'exchange-1', { remedy: 'exchange' });
    assert.equal(response.statusCode, 200, response.body);
    const resolution = response.json().resolution;
    assert.equal(resolution.flowState, null, 'one transaction, no run');
    assert.equal(resolution.refundId, null);
    assert.equal(resolution.creditsReversed, 0);
    assert.match(resolution.detail, /^A replacement \(1 × Resolution charger \d+\) ships to you at no charge: order ord_/);
    const replacement = await store.getOrderDetail(deps, resolution.replacementOrderId);
    assert.equal(replacement.status, 'paid');
    assert.equal(replacement.totalMinor, 0);
    assert.equal(replacement.earnedCredits, 0);
    assert.equal(replacement.plusActive, false);
    assert.equal(replacement.payment, null, 'no payment row');
    assert.equal(replacement.replacementForOrderId, order.id);
    assert.equal(replacement.replacementCaseId, record.id);
    assert.equal(replacement.memberId, memberId);
    assert.deepEqual(replacement.shippingAddress, order.shippingAddress);
    assert.deepEqual(replacement.lines.map((l) => [l.sku, l.quantity, l.paidMinor, l.earnsCredits, l.earnedCredits]), [[line.sku, 1, 0, false, 0]]);
    assert.deepEqual(replacement.shipments.map((s) => s.status), ['pending']);
    assert.deepEqual(await ledgerRows(), ledgerBefore, 'no ledger entry');
    assert.equal(await gatewayRequests(), requestsBefore);
    assert.equal(await paymentRows(), paymentsBefore);
    assert.equal((await store.getProduct(deps, line.productId!)).stock, stockBefore - 1, 'the replacement leaves the warehouse');
    const shipped = await transact(deps, (trx) => store.shipOrder(trx, { orderId: replacement.id, carrier: 'UPS', trackingNumber: '1ZREPLACE' }));
    assert.equal(shipped.status, 'shipped');
    assert.equal((await findCase(deps.db, record.id))!.resolution?.orderId, replacement.id);
  });

  test('AS-7 a redeemed product’s damage report: a replacement ships a zero-credit redemption of the same reward; a credit restore gives back exactly the credits spent; no money, no payment row, no gateway call', async () => {
    await adjustCredits(deps, { memberId, credits: 5000, reasonCode: 'goodwill', note: 'test credits', actor: { id: 'mem_other_agent', role: 'agent' }, idempotencyKey: 'resolution-gift' });
    const item = await transact(deps, (trx) => store.createRewardItem(trx, system, { sku: 'RW-RES', name: 'Resolution mug', creditsPrice: 1200, stock: 5 }));
    const first = await flows.redeemReward(deps, { memberId, rewardItemId: item.id, quantity: 1, paymentToken: null });
    const second = await flows.redeemReward(deps, { memberId, rewardItemId: item.id, quantity: 1, paymentToken: null });
    const redeemed = { kind: 'damage_report' as const, reason: 'damaged_on_arrival' as const, productSku: 'RW-RES', allowed: ['replacement', 'credit_restore'] as Remedy[] };
    const requestsBefore = await gatewayRequests();
    const paymentsBefore = await paymentRows();

    const forReplacement = await openCase({ ...redeemed, state: 'approved', orderRef: first.id });
    const spendableBefore = (await getBalance(deps, memberId)).spendable;
    const replaced = await resolve(forReplacement.id, 'redeemed-1', { remedy: 'replacement' });
    assert.equal(replaced.statusCode, 200, replaced.body);
    const replacementId = replaced.json().resolution.replacementOrderId as string;
    const redemptions = await store.listMemberRedemptions(deps, memberId);
    const replacement = redemptions.find((entry) => entry.id === replacementId)!;
    assert.equal(replacement.credits, 0);
    assert.equal(replacement.shippingFeeMinor, 0);
    assert.equal(replacement.rewardItemId, item.id);
    assert.equal(replacement.replacementForRedemptionId, first.id);
    assert.equal(replacement.shipment?.status, 'pending');
    assert.equal((await getBalance(deps, memberId)).spendable, spendableBefore, 'no credits spent on the replacement');
    assert.equal(replaced.json().resolution.detail, 'A replacement (1 × Resolution mug) ships to you at no cost in credits.');

    const forRestore = await openCase({ ...redeemed, state: 'approved', orderRef: second.id });
    const refund = await resolve(forRestore.id, 'redeemed-2', { remedy: 'refund' });
    assert.equal(refund.statusCode, 422, 'never money (AS-7)');
    const restored = await resolve(forRestore.id, 'redeemed-3', { remedy: 'credit_restore' });
    assert.equal(restored.statusCode, 200, restored.body);
    assert.equal(restored.json().resolution.creditsRestored, 1200);
    assert.equal(restored.json().resolution.detail, '1200 credits spent on this reward were given back to your balance.');
    assert.equal((await getBalance(deps, memberId)).spendable, spendableBefore + 1200, 'exactly the credits spent');
    const restores = (await ledgerRows()).filter((row) => row.kind === 'restore' && row.order_id === second.id);
    assert.equal(restores.length, 1);

    assert.equal(await gatewayRequests(), requestsBefore, 'no gateway call');
    assert.equal(await paymentRows(), paymentsBefore, 'no payment row');
    assert.equal((await runCreditsAudit(deps)).ok, true);
  });

  test('AS-10 AS-11 refusals: a case not yet approved (409), a remedy its eligibility did not allow (422), support resolved with no resolution; agents only, Idempotency-Key required', async () => {
    const submitted = await openCase({ allowed: ['refund', 'exchange'], state: 'submitted' });
    const early = await resolve(submitted.id, 'refusal-1', { remedy: 'refund' });
    assert.equal(early.statusCode, 409);
    assert.equal(early.json().error.code, 'invalid_state');
    const approved = await openCase({ allowed: ['replacement', 'exchange'], state: 'approved', kind: 'warranty_claim' });
    const notAllowed = await resolve(approved.id, 'refusal-2', { remedy: 'refund' });
    assert.equal(notAllowed.statusCode, 422);
    assert.match(notAllowed.json().error.message, /can be resolved with a replacement or an exchange, not a refund/);
    assert.equal((await app.inject({ method: 'POST', url: `/api/v1/agent/cases/${approved.id}/resolve`, payload: { remedy: 'exchange' } })).statusCode, 401);
    assert.equal((await app.inject({ method: 'POST', url: `/api/v1/agent/cases/${approved.id}/resolve`, headers: { 'x-test-role': 'member', 'idempotency-key': 'refusal-3' }, payload: { remedy: 'exchange' } })).statusCode, 403);
    assert.equal((await app.inject({ method: 'POST', url: `/api/v1/agent/cases/${approved.id}/resolve`, headers: { 'x-test-role': 'agent' }, payload: { remedy: 'exchange' } })).statusCode, 400);
    assert.equal((await resolve(approved.id, 'refusal-4', { remedy: 'exchange', extra: 1 })).statusCode, 400);
    assert.equal((await resolve('cas_missing', 'refusal-5', { remedy: 'exchange' })).statusCode, 404);

    const support = await openCase({ allowed: ['none'], state: 'approved', kind: 'support', reason: 'other' });
    const done = await resolve(support.id, 'refusal-6', { remedy: 'none', note: 'Hold the button for ten seconds to reset it.' });
    assert.equal(done.statusCode, 200, done.body);
    assert.deepEqual(done.json(), { caseId: support.id, state: 'resolved', remedy: 'none', resolution: null });
  });
  test('AS-11 CR-16 a storefront order is refunded on the storefront: the resolve refuses until the storefront refund arrives, then links it with the credits its webhook reversed, with no gateway call here; a second case on the line cannot link the same refund', async () => {
    const storefrontId = 9100 + ++counter;
    const at = (offsetMs: number) => new Date(deps.clock.nowMs() + offsetMs).toISOString();
    const order = {
      id: storefrontId,
      name: `#${storefrontId}`,
      email: 'resolve.member@example.com',
      created_at: at(-60_000),
      processed_at: at(-30_000),
      currency: 'USD',
      customer: { id: 77, email: 'resolve.member@example.com', verified_email: true },
      line_items: [
        { id: storefrontId * 10 + 1, sku: 'SF-CHARGER', title: 'Storefront charger', quantity: 1, price: '40.00' },
        { id: storefrontId * 10 + 2, sku: 'SF-CABLE', title: 'Storefront cable', quantity: 1, price: '20.00' },
      ],
      total_price: '60.00',
    };
    const paidEvent = `sf-paid-${storefrontId}`;
    await receiveSignedStorefrontEvent(deps, { id: paidEvent, topic: 'orders/paid', api_version: '2026-01', order });
    await store.processStorefrontWebhook(deps, paidEvent);
    const recorded = (await store.listOrdersForAgents(deps, { memberId, limit: 200 })).find((entry) => entry.externalRef === `${testShopDomain}:${storefrontId}`)!;
    assert.ok(recorded, 'the storefront order was recorded for the member');
    const line = recorded.lines.find((entry) => entry.sku === 'SF-CHARGER')!;
    assert.ok(line.earnedCredits > 0);
    const record = await openCase({ allowed: ['refund', 'exchange'], state: 'received', orderRef: recorded.id, orderSource: 'storefront', orderLineId: line.id, productSku: line.sku });
    const requestsBefore = await gatewayRequests();

    const early = await resolve(record.id, 'storefront-1', { remedy: 'refund' });
    assert.equal(early.statusCode, 409);
    assert.match(early.json().error.message, /placed on the storefront.*refund the line on the storefront/);
    assert.equal((await findCase(deps.db, record.id))!.state, 'received');

    const refundEvent = `sf-refund-${storefrontId}`;
    const refund = { id: storefrontId + 5, order_id: storefrontId, created_at: at(0), refund_line_items: [{ line_item_id: storefrontId * 10 + 1, quantity: 1 }], transactions: [{ kind: 'refund', status: 'success', amount: '40.00' }] };
    await receiveSignedStorefrontEvent(deps, { id: refundEvent, topic: 'refunds/create', api_version: '2026-01', refund });
    await store.processStorefrontWebhook(deps, refundEvent);
    const storefrontRefund = (await store.getOrderDetail(deps, recorded.id)).refunds[0]!;
    assert.equal(storefrontRefund.source, 'storefront');

    const linked = await resolve(record.id, 'storefront-2', { remedy: 'refund' });
    assert.equal(linked.statusCode, 200, linked.body);
    assert.equal(linked.json().resolution.refundId, storefrontRefund.id);
    assert.equal(linked.json().resolution.creditsReversed, line.earnedCredits);
    assert.equal(linked.json().resolution.amountMinor, 4000);
    assert.equal(linked.json().resolution.flowState, null);
    assert.equal(await gatewayRequests(), requestsBefore, 'no gateway call: the storefront moved the money');
    assert.equal((await store.getOrderDetail(deps, recorded.id)).refunds.length, 1, 'no second refund here');

    const second = await openCase({ allowed: ['refund', 'exchange'], state: 'received', orderRef: recorded.id, orderSource: 'storefront', orderLineId: line.id, productSku: line.sku });
    const again = await resolve(second.id, 'storefront-3', { remedy: 'refund' });
    assert.equal(again.statusCode, 409, 'one storefront refund resolves one case: the second case waits for a refund of its own');
    assert.match(again.json().error.message, /refund the line on the storefront/);
    assert.equal((await findCase(deps.db, second.id))!.state, 'received');
  });
});
