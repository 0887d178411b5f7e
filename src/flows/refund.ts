// Refunds and cancellations (ST-6, CR-15..CR-18) as a flow: reserve the refund on the order (tx), refund the money
// through the gateway (no transaction open), then move the credits (tx). If the gateway refuses, the reservation is
// given back (compensation) and no credits move. If the last step fails after the money went back, the refund stays
// pending and the resume job finishes it: the gateway answers a repeated refund key with its first answer, so the
// money never goes back twice.
import { transact, type Deps } from '../deps.ts';
import { AppError } from '../platform/errors.ts';
import {
  beginRefund,
  completeRefund,
  failRefund,
  findRefundForFlow,
  gatewayPaymentIdForOrder,
  type BeginRefundInput,
  type Refund,
} from '../modules/store/index.ts';
import { GatewayUnavailableError, paymentGateway } from '../modules/payments/index.ts';

export async function refundOrder(deps: Deps, input: BeginRefundInput): Promise<Refund> {
  const begun = await transact(deps, (trx) => beginRefund(trx, input));
  return settleRefund(deps, begun.refund, begun.gatewayPaymentId);
}

async function settleRefund(deps: Deps, refund: Refund, gatewayPaymentId: string | null): Promise<Refund> {
  if (!gatewayPaymentId || refund.amountMinor === 0) return transact(deps, (trx) => completeRefund(trx, { refundId: refund.id, gatewayRefundId: null }));
  let answer;
  try {
    answer = await paymentGateway(deps).refund({ paymentId: gatewayPaymentId, amountMinor: refund.amountMinor, idempotencyKey: `refund:${refund.id}` });
  } catch (error) {
    if (!(error instanceof GatewayUnavailableError)) throw error;
    // Unknown outcome: leave the refund pending; the resume job asks again under the same key.
    throw new AppError('unavailable', 'The payment service did not answer. The refund will be retried automatically.', { refundId: refund.id });
  }
  if (!answer.ok) {
    await transact(deps, (trx) => failRefund(trx, { refundId: refund.id, code: answer.code }));
    throw new AppError('invalid_state', `The payment service refused the refund: ${answer.message} Nothing was refunded and no credits moved.`, { refundId: refund.id, code: answer.code });
  }
  return transact(deps, (trx) => completeRefund(trx, { refundId: refund.id, gatewayRefundId: answer.refundId }));
}

/** The resume job: finishes a refund left pending (the gateway's answer or our last step was lost). */
export async function resumeRefund(deps: Deps, refundId: string): Promise<void> {
  const refund = await findRefundForFlow(deps, refundId);
  if (!refund || refund.status !== 'pending') return;
  const gatewayPaymentId = await gatewayPaymentIdForOrder(deps, refund.orderId);
  try {
    await settleRefund(deps, refund, gatewayPaymentId);
  } catch (error) {
    // A refusal was recorded by failRefund; only an unanswered gateway is worth another attempt.
    if (error instanceof AppError && error.code === 'unavailable') throw error;
  }
}
