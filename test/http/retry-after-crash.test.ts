// PL-4 after a crash (found by drills (a) and (b), issue 13): a checkout or refund request whose first attempt did
// its work and then died before its answer was kept (the process killed, the database lost) is retried with the same
// Idempotency-Key once the key's lease ran out; the retry answers with that order or refund instead of doing it twice.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { transact } from '../../src/deps.ts';
import { idempotencyLeaseMs } from '../../src/http/idempotency.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { createMemberForSeed, createStaffUser } from '../../src/modules/accounts/index.ts';
import * as store from '../../src/modules/store/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';
import { signInOverHttp, type HttpSession } from '../support/http-session.ts';

describeEachDatabase('requests retried after a crash', (suite) => {
  let deps: TestDeps;
  let app: ZodApp;
  let member: HttpSession;
  let agent: HttpSession;

  const call = (session: HttpSession, url: string, payload: object, key: string) =>
    app.inject({ method: 'POST', url: `/api/v1${url}`, payload, headers: { cookie: `patron_session=${session.cookie}`, 'x-csrf-token': session.csrfToken, 'idempotency-key': key } });

  /** What a killed attempt leaves: the key's record still in progress, its lease over, no answer kept. */
  async function forgetAnswer(key: string): Promise<void> {
    const nowMs = deps.clock.nowMs();
    const changed = await deps.db.updateTable('idempotency_keys').set({ state: 'in_progress', response_status: null, response_body: null, locked_until_ms: nowMs }).where('key', '=', key).executeTakeFirst();
    assert.equal(Number(changed.numUpdatedRows), 1);
    deps.clock.advanceMs(idempotencyLeaseMs + 1000);
  }

  before(async () => {
    deps = suite.deps();
    await transact(deps, (trx) => store.seedStoreDemoData(trx));
    app = await buildApp(deps);
    await app.ready();
    const password = 'a long password for refund retries';
    await createMemberForSeed(deps, { email: 'retry.shopper@example.com', password, country: 'US', dateOfBirth: '1990-05-01', emailVerified: true });
    await createStaffUser(deps, { email: 'retry.agent@example.com', password, role: 'agent' });
    member = await signInOverHttp(app, { email: 'retry.shopper@example.com', password, remoteAddress: '10.9.0.1' });
    agent = await signInOverHttp(app, { email: 'retry.agent@example.com', password, remoteAddress: '10.9.0.2' });
  });
  after(async () => app.close());

  async function placeOrder(key: string): Promise<string> {
    const product = (await store.listProducts(deps, {})).find((candidate) => candidate.stock > 5)!;
    const placed = await call(member, '/store/orders', { lines: [{ productId: product.id, quantity: 2 }], paymentToken: 'tok_approve', region: 'US-CA' }, key);
    assert.equal(placed.statusCode, 201, placed.body);
    return placed.json().order.id as string;
  }

  test('PL-4 ST-2 a checkout whose answer was lost is answered by the retry with the same order, and nothing is charged twice', async () => {
    const orderId = await placeOrder('retry-order-0-abcdefgh');
    await forgetAnswer('retry-order-0-abcdefgh');
    const product = (await store.listProducts(deps, {})).find((candidate) => candidate.stock > 5)!;
    const retry = await call(member, '/store/orders', { lines: [{ productId: product.id, quantity: 2 }], paymentToken: 'tok_approve', region: 'US-CA' }, 'retry-order-0-abcdefgh');
    assert.equal(retry.statusCode, 201, retry.body);
    assert.equal(retry.json().order.id, orderId, 'the retry answers with the order the first attempt placed');
    assert.equal(retry.json().payment.outcome, 'approved');
    const orders = await deps.db.selectFrom('store_orders').select('id').where('member_id', '=', member.memberId).execute();
    assert.equal(orders.length, 1);
  });

  test('PL-4 ST-3 a retry while the first attempt\'s checkout is still pending is told to retry later (409), not given a second order', async () => {
    const product = (await store.listProducts(deps, {})).find((candidate) => candidate.stock > 5)!;
    const orderId = await placeOrder('retry-order-p-abcdefgh');
    // As if the first attempt died between placing the order and paying for it.
    await deps.db.updateTable('store_orders').set({ status: 'pending_payment' }).where('id', '=', orderId).execute();
    await forgetAnswer('retry-order-p-abcdefgh');
    const retry = await call(member, '/store/orders', { lines: [{ productId: product.id, quantity: 2 }], paymentToken: 'tok_approve', region: 'US-CA' }, 'retry-order-p-abcdefgh');
    assert.equal(retry.statusCode, 409, retry.body);
    assert.equal(retry.json().error.code, 'conflict');
    assert.equal(retry.json().error.details.orderId, orderId);
    await deps.db.updateTable('store_orders').set({ status: 'paid' }).where('id', '=', orderId).execute();
  });

  test('PL-4 ST-6 an agent refund whose answer was lost is answered by the retry with the same refund, and the order is refunded once', async () => {
    const orderId = await placeOrder('retry-order-1-abcdefgh');
    const body = { kind: 'amount', reason: 'price_adjustment', amountMinor: 150 };
    const first = await call(agent, `/agent/store/orders/${orderId}/refunds`, body, 'retry-refund-1-abcdefgh');
    assert.equal(first.statusCode, 201, first.body);
    await forgetAnswer('retry-refund-1-abcdefgh');
    const retry = await call(agent, `/agent/store/orders/${orderId}/refunds`, body, 'retry-refund-1-abcdefgh');
    assert.equal(retry.statusCode, 201, retry.body);
    assert.equal(retry.json().refund.id, first.json().refund.id, 'the retry answers with the refund the first attempt made');
    const refunds = await deps.db.selectFrom('store_refunds').select(['id', 'amount_minor']).where('order_id', '=', orderId).execute();
    assert.equal(refunds.length, 1);
    assert.equal((await store.getOrderDetail(deps, orderId)).refundedMinor, 150);
    // Another key is another request: a second refund.
    const second = await call(agent, `/agent/store/orders/${orderId}/refunds`, body, 'retry-refund-2-abcdefgh');
    assert.equal(second.statusCode, 201, second.body);
    assert.notEqual(second.json().refund.id, first.json().refund.id);
  });

  test('PL-4 ST-6 a member cancellation whose answer was lost is answered by the retry with the same cancellation', async () => {
    const orderId = await placeOrder('retry-order-2-abcdefgh');
    const first = await call(member, `/store/orders/${orderId}/cancel`, {}, 'retry-cancel-1-abcdefgh');
    assert.equal(first.statusCode, 200, first.body);
    await forgetAnswer('retry-cancel-1-abcdefgh');
    const retry = await call(member, `/store/orders/${orderId}/cancel`, {}, 'retry-cancel-1-abcdefgh');
    assert.equal(retry.statusCode, 200, retry.body);
    assert.equal(retry.json().refund.id, first.json().refund.id);
    assert.equal(retry.json().order.status, 'cancelled');
  });
});
