// The gateway calls of the flows that take money (checkout, a reward's shipping fee): authorize and capture as step
// bodies, and their compensations. A definite refusal of a compensation is reported as CompensationRefused, so the
// runner retries it under a new idempotency key; an unanswered call is rethrown and repeated under the same key.
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { GatewayUnavailableError } from '../ports/index.ts';
import { CompensationRefused, FlowStepFailed } from './runner.rules.ts';

export const authorizationResult = z.object({ paymentId: z.string().nullable(), gateway: z.string().nullable() });
export type AuthorizationResult = z.infer<typeof authorizationResult>;

export const captureResult = z.object({ paymentId: z.string().nullable(), capturedMinor: z.number().int().nonnegative(), confirmedAtMs: z.number().int() });
export type CaptureResult = z.infer<typeof captureResult>;

/** How a checkout reports a failed payment to the payer. */
export type PaymentFailureOutcome = 'declined' | 'failed';

export const notAnsweringMessage = 'The payment service is not answering. Nothing was charged; please try again in a moment.';

export async function authorizePayment(deps: Deps, input: { token: string; amountMinor: number; idempotencyKey: string }): Promise<AuthorizationResult> {
  const gateway = deps.ports.payments;
  let answer;
  try {
    answer = await gateway.authorize({ token: input.token, amountMinor: input.amountMinor, currency: 'USD', idempotencyKey: input.idempotencyKey });
  } catch (error) {
    // The outcome is unknown; an authorization that did happen lapses at the gateway uncaptured.
    if (error instanceof GatewayUnavailableError) throw new FlowStepFailed('gateway_unavailable', notAnsweringMessage, { cause: error });
    throw error;
  }
  if (!answer.ok) {
    const outcome: PaymentFailureOutcome = answer.code === 'processing_error' ? 'failed' : 'declined';
    throw new FlowStepFailed(answer.code, answer.message, { details: { outcome } });
  }
  return { paymentId: answer.paymentId, gateway: gateway.name };
}

export async function capturePayment(deps: Deps, input: { paymentId: string; amountMinor: number; idempotencyKey: string }): Promise<CaptureResult> {
  let answer;
  try {
    answer = await deps.ports.payments.capture({ paymentId: input.paymentId, amountMinor: input.amountMinor, idempotencyKey: input.idempotencyKey });
  } catch (error) {
    if (!(error instanceof GatewayUnavailableError)) throw error;
    // Unknown: the compensation of the authorization voids it, or refunds it if the capture did go through.
    throw new FlowStepFailed('processing_error', 'The payment service did not confirm the payment.', { cause: error, details: { outcome: 'failed' } });
  }
  if (!answer.ok) throw new FlowStepFailed(answer.code, answer.message, { details: { outcome: 'failed' } });
  return { paymentId: answer.paymentId, capturedMinor: answer.capturedMinor, confirmedAtMs: answer.confirmedAtMs };
}

/** The first attempt keeps the plain key (as before the runner); each retry after a refusal gets its own. */
export function compensationKey(base: string, refusals: number): string {
  return refusals === 0 ? base : `${base}:retry-${refusals}`;
}

/** Gives captured money back: the compensation of a capture. */
export async function refundCapturedPayment(deps: Deps, input: { paymentId: string; amountMinor: number; idempotencyKey: string; refusals: number }): Promise<void> {
  const answer = await deps.ports.payments.refund({ paymentId: input.paymentId, amountMinor: input.amountMinor, idempotencyKey: compensationKey(input.idempotencyKey, input.refusals) });
  if (!answer.ok) throw new CompensationRefused(answer.code, 'The payment service refused the refund.');
}

/**
 * The compensation of an authorization whose capture was not recorded: a void; or, when the capture did happen but
 * its answer or record was lost (the void is refused), a refund of what it took under the capture's compensation
 * key, so the money can only ever go back once. A payment neither voidable nor refundable was never captured: it
 * lapses at the gateway by itself.
 */
export async function releaseAuthorizedPayment(
  deps: Deps,
  input: { paymentId: string; amountMinor: number; voidKey: string; refundKey: string; refusals: number },
): Promise<void> {
  const gateway = deps.ports.payments;
  const voided = await gateway.void({ paymentId: input.paymentId, idempotencyKey: input.voidKey });
  if (voided.ok) return;
  const refunded = await gateway.refund({ paymentId: input.paymentId, amountMinor: input.amountMinor, idempotencyKey: compensationKey(input.refundKey, input.refusals) });
  if (refunded.ok) return;
  if (refunded.code === 'invalid_request') {
    deps.logger.warn({ gateway: gateway.name, paymentId: input.paymentId, code: voided.code }, 'authorization not voided and nothing captured; it will lapse');
    return;
  }
  throw new CompensationRefused(refunded.code, 'The payment service refused to release the payment.');
}
