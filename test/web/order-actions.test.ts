// The UI offers an order action only when the server would take it (ST-6, ST-8): the rules in
// web/src/lib/order-actions.ts against the store's own refusals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCancellable, isRefundableHere } from '../../web/src/lib/order-actions.ts';

const pendingShipment = { status: 'pending' } as const;
const order = (overrides: Partial<Parameters<typeof isCancellable>[0]> = {}) =>
  ({ status: 'paid', channel: 'store', refundState: 'none', shipments: [pendingShipment], ...overrides }) as Parameters<typeof isCancellable>[0];

test('ST-8 ST-6 the UI offers no Cancel or Refund on a storefront order, which the server refuses (the storefront cancels it)', () => {
  assert.equal(isCancellable(order({ channel: 'storefront' })), false);
  assert.equal(isRefundableHere(order({ channel: 'storefront' })), false);
  assert.equal(isRefundableHere(order({ channel: 'storefront', status: 'delivered' })), false);
});

test('ST-6 a store order is cancellable while paid and unshipped, refundable while paid or sent and not refunded in full', () => {
  assert.equal(isCancellable(order()), true);
  assert.equal(isCancellable(order({ shipments: [{ status: 'shipped' }] as never })), false);
  assert.equal(isCancellable(order({ status: 'shipped' })), false);
  assert.equal(isRefundableHere(order({ status: 'shipped' })), true);
  assert.equal(isRefundableHere(order({ refundState: 'full' })), false);
  assert.equal(isRefundableHere(order({ status: 'cancelled' })), false);
});
