// Checkout with credits as cash (ST-2..ST-4, CR-12) as a durable flow (runner.ts), one run per order
// (`checkout:<orderId>`):
//
//   create-order  (tx, with the run)  price, take stock, count the code, hold the credits  ← undo: failOrderPayment
//   authorize     gateway, key order:<id>:authorize; recordAuthorization with the record   ← undo: void (or refund)
//   capture       gateway, key order:<id>:capture                                          ← undo: refund
//   finalize      (tx)  capture the hold, earn, shipment, empty the cart
//
// A decline or failure undoes the recorded steps and answers with the failed order. The gateway's confirmation time
// of the capture is the payment time (ST-4). A checkout interrupted between steps (a crash, a lost answer) is never
// pushed forward by the resume job: once past the stale-checkout timeout (the policy's hold timeout plus a margin)
// it is undone as abandoned, and the order is abandoned only once the money is back.
import { z } from 'zod';
import { transact, type Deps } from '../deps.ts';
import { AppError, isAppError } from '../platform/errors.ts';
import {
  createPendingOrder,
  failOrderPayment,
  findOrderForRequest,
  finalizePaidOrder,
  getOrderDetail,
  recordAuthorization,
  staleCheckoutAfterMs,
  type OrderDetail,
  type PlaceOrderInput,
} from '../modules/store/index.ts';
import { authorizationResult, authorizePayment, capturePayment, captureResult, notAnsweringMessage, refundCapturedPayment, releaseAuthorizedPayment, type PaymentFailureOutcome } from './payment-steps.ts';
import { abandonedCause, executeRun, findRunOf, performedAtStart, resumeRunNow, startRun, type FlowDefinition, type StepResult } from './runner.ts';
import { FlowStepFailed } from './runner.rules.ts';

export interface CheckoutInput extends PlaceOrderInput {
  /** A gateway token (sandbox: tok_approve, tok_decline, …); not needed when credits pay everything. */
  paymentToken: string | null;
  /** Empty the member's cart once paid (the order came from it). */
  fromCart: boolean;
}

export type PaymentOutcome = 'approved' | 'not_needed' | PaymentFailureOutcome;

export interface CheckoutResult {
  order: OrderDetail;
  payment: { outcome: PaymentOutcome; code: string | null; message: string | null };
}

/** What the run keeps: IDs and amounts only; the address and lines live on the order. */
const checkoutRunInput = z.strictObject({
  orderId: z.string().min(1).max(100),
  memberId: z.string().min(1).max(100).nullable(),
  totalMinor: z.number().int().nonnegative(),
  clearCartOf: z.string().min(1).max(100).nullable(),
});
type CheckoutRunInput = z.infer<typeof checkoutRunInput>;

/** Never stored: a payment token is handed to the gateway by the process that received it, or not at all. */
interface CheckoutTransient {
  paymentToken: string | null;
}

export const checkoutFlowType = 'checkout';
export const checkoutKey = (orderId: string) => `checkout:${orderId}`;

export const checkoutFlow: FlowDefinition<CheckoutRunInput, CheckoutTransient> = {
  type: checkoutFlowType,
  input: checkoutRunInput,
  // A fresh run's lease is its stale-checkout deadline (set at start); this one covers a resume job's claim.
  leaseMs: 5 * 60_000,
  whenStale: 'compensate',
  steps: [
    performedAtStart('create-order', async (deps, { input, run }) => {
      const cause = run.causeCode ?? 'not_completed';
      await transact(deps, (trx) => failOrderPayment(trx, { orderId: input.orderId, code: cause, status: cause === abandonedCause ? 'abandoned' : 'payment_failed' }));
    }),
    {
      name: 'authorize',
      kind: 'call',
      async run(deps, { input, transient }): Promise<StepResult> {
        if (input.totalMinor === 0) return { paymentId: null, gateway: null };
        if (!transient?.paymentToken) throw new FlowStepFailed('token_unavailable', 'The payment method is no longer available.', { details: { outcome: 'failed' } });
        return authorizePayment(deps, { token: transient.paymentToken, amountMinor: input.totalMinor, idempotencyKey: `order:${input.orderId}:authorize` });
      },
      async record(trx, { input }, result) {
        const { paymentId, gateway } = authorizationResult.parse(result);
        // Remembered at once, so a crash before capture can still be cleaned up (void).
        if (paymentId && gateway) await recordAuthorization(trx, input.orderId, gateway, paymentId);
      },
      async compensate(deps, { input, result, results, refusals }) {
        const { paymentId } = authorizationResult.parse(result);
        // A recorded capture is given back by its own compensation; only an uncaptured authorization is released here.
        if (!paymentId || results.has('capture')) return;
        await releaseAuthorizedPayment(deps, { paymentId, amountMinor: input.totalMinor, voidKey: `order:${input.orderId}:void`, refundKey: `order:${input.orderId}:compensate`, refusals });
      },
    },
    {
      name: 'capture',
      kind: 'call',
      async run(deps, { input, results }): Promise<StepResult> {
        const { paymentId } = authorizationResult.parse(results.get('authorize'));
        if (!paymentId) return { paymentId: null, capturedMinor: 0, confirmedAtMs: deps.clock.nowMs() };
        return capturePayment(deps, { paymentId, amountMinor: input.totalMinor, idempotencyKey: `order:${input.orderId}:capture` });
      },
      async compensate(deps, { input, result, refusals }) {
        // The money was taken but the order could not be completed (the hold timed out, the ledger refused, or it
        // was abandoned after a crash): it goes back before the order is failed.
        const { paymentId, capturedMinor } = captureResult.parse(result);
        if (!paymentId || capturedMinor === 0) return;
        await refundCapturedPayment(deps, { paymentId, amountMinor: capturedMinor, idempotencyKey: `order:${input.orderId}:compensate`, refusals });
      },
    },
    {
      name: 'finalize',
      kind: 'transaction',
      async run(trx, { input, results }): Promise<StepResult> {
        const capture = captureResult.parse(results.get('capture'));
        try {
          const paid = await finalizePaidOrder(trx, { orderId: input.orderId, paidAtMs: capture.confirmedAtMs, capturedMinor: capture.capturedMinor, clearCartOf: input.clearCartOf });
          return { status: paid.status };
        } catch (error) {
          throw new FlowStepFailed('not_completed', 'The order could not be completed.', { cause: error });
        }
      },
    },
  ],
};

/**
 * The answer to a retry whose first attempt placed the order and then died before its answer was kept (found by
 * drill (b), issue 13: PostgreSQL went away between the order's last commit and the answer's): the order as it is.
 * Still pending, it belongs to the first attempt's run (the resume job undoes it once stale): retry later. Undone
 * or failed, nothing was charged, and that is the request's answer; a new order takes a new key.
 */
function answerOfEarlierAttempt(order: OrderDetail): CheckoutResult {
  if (order.status === 'pending_payment') throw new AppError('conflict', 'This order is still being processed. Retry in a moment.', { orderId: order.id });
  if (order.status === 'abandoned' || order.status === 'payment_failed') {
    return { order, payment: { outcome: 'failed', code: order.paymentFailureCode ?? 'not_completed', message: 'This order was not completed and nothing was charged. Place it again with a new Idempotency-Key.' } };
  }
  return { order, payment: { outcome: order.totalMinor === 0 ? 'not_needed' : 'approved', code: null, message: null } };
}

export async function checkout(deps: Deps, input: CheckoutInput, definition: FlowDefinition<CheckoutRunInput, CheckoutTransient> = checkoutFlow): Promise<CheckoutResult> {
  // The idempotency lease lets one attempt of a request at a time get here.
  const earlier = input.requestRef ? await findOrderForRequest(deps, input.requestRef) : undefined;
  if (earlier) return answerOfEarlierAttempt(earlier);
  const run = await transact(deps, async (trx) => {
    const order = await createPendingOrder(trx, input);
    if (order.totalMinor > 0 && !input.paymentToken) throw new AppError('validation', 'Add a payment method to pay the rest of this order.', { field: 'paymentToken' });
    return startRun(trx, definition, {
      key: checkoutKey(order.id),
      input: { orderId: order.id, memberId: order.memberId, totalMinor: order.totalMinor, clearCartOf: input.fromCart ? input.memberId : null },
      memberId: order.memberId,
      done: [{ step: 'create-order', result: { orderId: order.id } }],
      // Until then the checkout belongs to this process; afterwards the resume job abandons what is left of it.
      nextAttemptAtMs: trx.clock.nowMs() + (await staleCheckoutAfterMs(trx)),
    });
  });
  const orderId = run.input.orderId;
  try {
    await executeRun(deps, definition, run, { transient: { paymentToken: input.paymentToken } });
  } catch (error) {
    if (!(error instanceof FlowStepFailed)) throw error;
    if (error.code === 'gateway_unavailable') throw new AppError('unavailable', notAnsweringMessage);
    // The order could not be completed after the payment: the money went back (or will), the original error stands.
    if (error.code === 'not_completed') throw error.cause ?? error;
    const outcome: PaymentFailureOutcome = error.details.outcome === 'declined' ? 'declined' : 'failed';
    return { order: await getOrderDetail(deps, orderId), payment: { outcome, code: error.code, message: error.message } };
  }
  const outcome: PaymentOutcome = run.input.totalMinor === 0 ? 'not_needed' : 'approved';
  return { order: await getOrderDetail(deps, orderId), payment: { outcome, code: null, message: null } };
}

/**
 * Settles one checkout left pending past the stale-checkout timeout: its run is undone as abandoned (the money goes
 * back first). An order pending without a run (placed before checkouts had runs) gets one, started compensating with
 * what the order knows (its recorded authorization), so it is settled the same way.
 */
export async function settleStaleCheckout(deps: Deps, orderId: string): Promise<void> {
  const existing = await findRunOf(deps, checkoutFlow, checkoutKey(orderId));
  if (existing) {
    // A run already being undone or backing off is the resume job's, on its own schedule.
    if (existing.state === 'running') await resumeRunNow(deps, { [checkoutFlow.type]: checkoutFlow }, existing.id);
    return;
  }
  const order = await getOrderDetail(deps, orderId);
  if (order.status !== 'pending_payment') return;
  const authorized = order.payment?.status === 'authorized' && order.payment.gatewayPaymentId ? order.payment : null;
  let run;
  try {
    run = await transact(deps, (trx) =>
      startRun(trx, checkoutFlow, {
        key: checkoutKey(orderId),
        input: { orderId, memberId: order.memberId, totalMinor: order.totalMinor, clearCartOf: null },
        memberId: order.memberId,
        done: [{ step: 'create-order', result: { orderId } }, ...(authorized ? [{ step: 'authorize', result: { paymentId: authorized.gatewayPaymentId, gateway: authorized.gateway } }] : [])],
        compensateWithCause: abandonedCause,
      }),
    );
  } catch (error) {
    if (isAppError(error) && error.code === 'conflict') return; // another sweep took it
    throw error;
  }
  await executeRun(deps, checkoutFlow, run);
}
