// Checkout with credits as cash (ST-2..ST-4, CR-12), as a flow: database steps in short transactions of their own,
// gateway calls between them and never inside one, each step with its compensation.
//
//   1. createPendingOrder   (tx)  price, take stock, count the code, hold the credits   ← failOrderPayment undoes it
//   2. gateway.authorize          idempotency key order:<id>:authorize                   ← a decline undoes step 1
//   3. recordAuthorization  (tx)  so a crash from here on can void the authorization
//   4. gateway.capture            order:<id>:capture                                     ← a failure voids step 2
//   5. finalizePaidOrder    (tx)  capture the hold, earn, shipment, empty the cart      ← a failure refunds step 4
//
// The gateway's confirmation time of the capture is the payment time (ST-4). A checkout interrupted between steps
// (a crash, a lost answer) is settled by the stale-checkout sweep (`settleStaleCheckout`).
import { transact, type Deps } from '../deps.ts';
import { AppError } from '../platform/errors.ts';
import {
  createPendingOrder,
  failOrderPayment,
  finalizePaidOrder,
  findOrderPaymentForFlow,
  getOrderDetail,
  recordAuthorization,
  type OrderDetail,
  type PlaceOrderInput,
} from '../modules/store/index.ts';
import { GatewayUnavailableError, paymentGateway, releaseAuthorization } from '../modules/payments/index.ts';

export interface CheckoutInput extends PlaceOrderInput {
  /** A gateway token (sandbox: tok_approve, tok_decline, …); not needed when credits pay everything. */
  paymentToken: string | null;
  /** Empty the member's cart once paid (the order came from it). */
  fromCart: boolean;
}

export type PaymentOutcome = 'approved' | 'not_needed' | 'declined' | 'failed';

export interface CheckoutResult {
  order: OrderDetail;
  payment: { outcome: PaymentOutcome; code: string | null; message: string | null };
}

const unavailable = () => new AppError('unavailable', 'The payment service is not answering. Nothing was charged; please try again in a moment.');

async function failed(deps: Deps, orderId: string, outcome: 'declined' | 'failed', code: string, message: string): Promise<CheckoutResult> {
  await transact(deps, (trx) => failOrderPayment(trx, { orderId, code, status: 'payment_failed' }));
  return { order: await getOrderDetail(deps, orderId), payment: { outcome, code, message } };
}

export async function checkout(deps: Deps, input: CheckoutInput): Promise<CheckoutResult> {
  const order = await transact(deps, async (trx) => {
    const created = await createPendingOrder(trx, input);
    if (created.totalMinor > 0 && !input.paymentToken) throw new AppError('validation', 'Add a payment method to pay the rest of this order.', { field: 'paymentToken' });
    return created;
  });
  const clearCartOf = input.fromCart ? input.memberId : null;
  if (order.totalMinor === 0) {
    await transact(deps, (trx) => finalizePaidOrder(trx, { orderId: order.id, paidAtMs: trx.clock.nowMs(), capturedMinor: 0, clearCartOf }));
    return { order: await getOrderDetail(deps, order.id), payment: { outcome: 'not_needed', code: null, message: null } };
  }
  const gateway = paymentGateway(deps);
  let authorization;
  try {
    authorization = await gateway.authorize({ token: input.paymentToken!, amountMinor: order.totalMinor, currency: order.currency, idempotencyKey: `order:${order.id}:authorize` });
  } catch (error) {
    if (!(error instanceof GatewayUnavailableError)) throw error;
    // The outcome is unknown; an authorization that did happen lapses at the gateway uncaptured.
    await transact(deps, (trx) => failOrderPayment(trx, { orderId: order.id, code: 'gateway_unavailable', status: 'payment_failed' }));
    throw unavailable();
  }
  if (!authorization.ok) return failed(deps, order.id, authorization.code === 'processing_error' ? 'failed' : 'declined', authorization.code, authorization.message);
  await transact(deps, (trx) => recordAuthorization(trx, order.id, gateway.name, authorization.paymentId));

  let capture;
  try {
    capture = await gateway.capture({ paymentId: authorization.paymentId, amountMinor: order.totalMinor, idempotencyKey: `order:${order.id}:capture` });
  } catch (error) {
    if (!(error instanceof GatewayUnavailableError)) throw error;
    capture = { ok: false as const, code: 'processing_error' as const, message: 'The payment service did not confirm the payment.' };
  }
  if (!capture.ok) {
    await releaseAuthorization(deps, gateway, { paymentId: authorization.paymentId, idempotencyKey: `order:${order.id}:void` });
    return failed(deps, order.id, 'failed', capture.code, capture.message);
  }

  try {
    await transact(deps, (trx) => finalizePaidOrder(trx, { orderId: order.id, paidAtMs: capture.confirmedAtMs, capturedMinor: capture.capturedMinor, clearCartOf }));
  } catch (error) {
    // Compensation: the money was taken but the order could not be completed (the hold timed out, the ledger
    // refused): give the money back, then undo step 1.
    const refund = await gateway.refund({ paymentId: authorization.paymentId, amountMinor: capture.capturedMinor, idempotencyKey: `order:${order.id}:compensate` });
    if (!refund.ok) throw error;
    await transact(deps, (trx) => failOrderPayment(trx, { orderId: order.id, code: 'not_completed', status: 'payment_failed' }));
    throw error;
  }
  return { order: await getOrderDetail(deps, order.id), payment: { outcome: 'approved', code: null, message: null } };
}

/**
 * Settles a checkout left pending past the hold timeout (a crash or a lost answer between the steps): an
 * authorization that was recorded is voided, and the order is abandoned, which releases the hold and the stock.
 */
export async function settleStaleCheckout(deps: Deps, orderId: string): Promise<void> {
  const payment = await findOrderPaymentForFlow(deps, orderId);
  if (payment?.status === 'authorized' && payment.gatewayPaymentId) {
    const gateway = paymentGateway(deps);
    const voided = await gateway.void({ paymentId: payment.gatewayPaymentId, idempotencyKey: `order:${orderId}:void` });
    if (!voided.ok) {
      // Already captured: refund it rather than keep money for an order that never completed.
      await gateway.refund({ paymentId: payment.gatewayPaymentId, amountMinor: payment.amountMinor, idempotencyKey: `order:${orderId}:compensate` });
    }
  }
  await transact(deps, (trx) => failOrderPayment(trx, { orderId, code: 'abandoned', status: 'abandoned' }));
}
