// Which order actions the UI offers, by the server's rules (store/refunds.service.ts), so it never shows a button
// the server refuses: the storefront cancels and refunds its own orders (ST-8), and only its webhooks change them.
import type { Order, OrderStatus } from '../api/store.ts';

type OrderFacts = Pick<Order, 'status' | 'channel' | 'shipments' | 'refundState'>;

const refundableStatuses: readonly OrderStatus[] = ['paid', 'shipped', 'delivered'];

/** Whether the order can still be cancelled here: a store order, paid, and nothing has left the warehouse (ST-6). */
export function isCancellable(order: OrderFacts): boolean {
  return order.channel === 'store' && order.status === 'paid' && order.shipments.every((shipment) => shipment.status === 'pending');
}

/** Whether an agent can refund the order here: a store order, paid or sent, not yet refunded in full (ST-6). */
export function isRefundableHere(order: OrderFacts): boolean {
  return order.channel === 'store' && refundableStatuses.includes(order.status) && order.refundState !== 'full';
}
