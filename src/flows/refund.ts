// Refunds and cancellations (ST-6, CR-15..CR-18) as a durable flow (runner.ts), one run per refund
// (`refund:<refundId>`):
//
//   reserve   (tx, with the run)  plan the refund and reserve it on the order's lines   ← undo: failRefund
//   refund    gateway, key refund:<refundId> (skipped when no money goes back through our gateway)
//   complete  (tx)  move the credits; a cancellation cancels the order
//
// A refusal by the gateway gives the reservation back and no credits move. An unanswered gateway leaves the run to
// the resume job, which asks again under the same key: the gateway answers a repeated key with its first answer, so
// the money never goes back twice. A crash between the steps is finished the same way.
import { z } from 'zod';
import { transact, type Ctx, type Deps } from '../deps.ts';
import { AppError } from '../platform/errors.ts';
import { InvariantError } from '../platform/assert.ts';
import { GatewayUnavailableError } from '../ports/index.ts';
import { beginRefund, completeRefund, failRefund, findRefundForFlow, findRefundForRequest, gatewayPaymentIdForOrder, type BeginRefundInput, type Refund } from '../modules/store/index.ts';
import { executeRun, findRunOf, performedAtStart, startRun, type CallStep, type FlowDefinition, type StepResult, type TransactionStep } from './runner.ts';
import { CompensationRefused, FlowStepFailed } from './runner.rules.ts';

const refundRunInput = z.strictObject({
  refundId: z.string().min(1).max(100),
  orderId: z.string().min(1).max(100),
  memberId: z.string().min(1).max(100).nullable(),
  amountMinor: z.number().int().nonnegative(),
  /** The gateway payment the money goes back to; null for storefront orders and refunds of credits only. */
  gatewayPaymentId: z.string().min(1).max(200).nullable(),
});
type RefundRunInput = z.infer<typeof refundRunInput>;

const gatewayRefundResult = z.object({ gatewayRefundId: z.string().nullable() });

export const refundFlowType = 'refund';
export const refundKey = (refundId: string) => `refund:${refundId}`;
/** The resume job finishes a refund whose gateway answer or last step was lost after this long. */
export const resumeRefundAfterMs = 10 * 60_000;

/** The money of one store refund as a run keeps it: the refund flow's and the case-resolution flow's inputs hold it. */
export interface RefundMoney {
  refundId: string;
  amountMinor: number;
  /** The gateway payment the money goes back to; null for storefront orders and refunds of credits only. */
  gatewayPaymentId: string | null;
}

/**
 * The `reserve` step of a flow that refunds (performed with `startRun`, after beginRefund): its undo gives the
 * reservation back (failRefund), with `alsoUndo` in the same transaction. Once the gateway gave money back, undoing
 * the reservation would leave the order saying it was never refunded, so that compensation is refused and the run
 * needs attention (a person looks at it) instead.
 */
export function reserveRefundStep<I, T>(refundOf: (input: I) => RefundMoney, alsoUndo?: (trx: Deps, input: I) => Promise<void>): TransactionStep<I, T> {
  return performedAtStart<I, T>('reserve', async (deps, { input, run, results }) => {
    const paid = results.get('refund');
    if (paid && gatewayRefundResult.parse(paid).gatewayRefundId !== null) throw new CompensationRefused('refunded_at_gateway', 'The money went back already; the refund cannot be undone.');
    await transact(deps, async (trx) => {
      await failRefund(trx, { refundId: refundOf(input).refundId, code: run.causeCode ?? 'not_completed' });
      await alsoUndo?.(trx, input);
    });
  });
}

/**
 * The `refund` step: the gateway gives the money back under the refund's key (`refund:<refundId>`); a refusal fails
 * the run (nothing refunded), an unanswered call leaves it to the resume job, which asks again under the same key.
 */
export function gatewayRefundStep<I, T>(refundOf: (input: I) => RefundMoney): CallStep<I, T> {
  return {
    name: 'refund',
    kind: 'call',
    retryUnanswered: true,
    async run(deps, { input }): Promise<StepResult> {
      const money = refundOf(input);
      if (!money.gatewayPaymentId || money.amountMinor === 0) return { gatewayRefundId: null };
      const answer = await deps.ports.payments.refund({ paymentId: money.gatewayPaymentId, amountMinor: money.amountMinor, idempotencyKey: refundKey(money.refundId) });
      if (!answer.ok) throw new FlowStepFailed(answer.code, answer.message);
      return { gatewayRefundId: answer.refundId };
    },
  };
}

/** The last step's refund part, in its transaction: the credits move (CR-15..CR-18) with the gateway's refund ID. */
export async function completeRefundAfterGateway(trx: Ctx, input: { refundId: string; caseId?: string }, results: ReadonlyMap<string, StepResult>): Promise<Refund> {
  const { gatewayRefundId } = gatewayRefundResult.parse(results.get('refund'));
  return completeRefund(trx, { refundId: input.refundId, gatewayRefundId, ...(input.caseId ? { caseId: input.caseId } : {}) });
}

/** How a route answers a refund run that did not complete: unanswered → 503 (retried), refused → 409, nothing moved. */
export function refundFailureAnswer(error: unknown, refundId: string): unknown {
  if (error instanceof GatewayUnavailableError) {
    // Unknown outcome: the refund stays pending; the resume job asks again under the same key.
    return new AppError('unavailable', 'The payment service did not answer. The refund will be retried automatically.', { refundId });
  }
  if (error instanceof FlowStepFailed) {
    return new AppError('invalid_state', `The payment service refused the refund: ${error.message} Nothing was refunded and no credits moved.`, { refundId, code: error.code });
  }
  return error;
}

export const refundFlow: FlowDefinition<RefundRunInput> = {
  type: refundFlowType,
  input: refundRunInput,
  leaseMs: resumeRefundAfterMs,
  whenStale: 'resume',
  steps: [
    reserveRefundStep((input) => input),
    gatewayRefundStep((input) => input),
    {
      name: 'complete',
      kind: 'transaction',
      async run(trx, { input, results }): Promise<StepResult> {
        const refund = await completeRefundAfterGateway(trx, { refundId: input.refundId }, results);
        return { status: refund.status };
      },
    },
  ],
};

function runInputOf(refund: Refund, gatewayPaymentId: string | null): RefundRunInput {
  return { refundId: refund.id, orderId: refund.orderId, memberId: refund.memberId, amountMinor: refund.amountMinor, gatewayPaymentId };
}

async function answerOf(deps: Deps, refundId: string): Promise<Refund> {
  const refund = await findRefundForFlow(deps, refundId);
  if (!refund) throw new InvariantError(`refund ${refundId} vanished`);
  return refund;
}

export async function refundOrder(deps: Deps, input: BeginRefundInput): Promise<Refund> {
  // A retry whose first attempt died after beginning its refund (the process killed, the database lost before the
  // answer was kept) finds that refund by the request's reference, rather than refunding the order a second time
  // (found by drill (a), issue 13): finished, it is the answer; still pending, the resume job finishes it (its run's
  // lease runs out first) and the caller retries. The idempotency lease lets one attempt at a time get here.
  if (input.externalRef && input.source !== 'storefront') {
    const earlier = await findRefundForRequest(deps, input.orderId, input.externalRef);
    if (earlier?.status === 'completed') return earlier;
    if (earlier) throw new AppError('conflict', 'This refund is still being processed. Retry in a moment.', { refundId: earlier.id });
  }
  const run = await transact(deps, async (trx) => {
    const begun = await beginRefund(trx, input);
    return startRun(trx, refundFlow, { key: refundKey(begun.refund.id), input: runInputOf(begun.refund, begun.gatewayPaymentId), memberId: begun.refund.memberId, done: [{ step: 'reserve', result: {} }] });
  });
  try {
    await executeRun(deps, refundFlow, run);
  } catch (error) {
    throw refundFailureAnswer(error, run.input.refundId);
  }
  return answerOf(deps, run.input.refundId);
}

/**
 * A refund left pending by a version without refund runs (its old resume job): it gets a run now, so the runner
 * finishes it under the same gateway key. A refund that has a run already is the resume job's.
 */
export async function adoptPendingRefund(deps: Deps, refundId: string): Promise<void> {
  const refund = await findRefundForFlow(deps, refundId);
  if (!refund || refund.status !== 'pending' || (await findRunOf(deps, refundFlow, refundKey(refundId)))) return;
  const gatewayPaymentId = refund.amountMinor > 0 ? await gatewayPaymentIdForOrder(deps, refund.orderId) : null;
  const run = await transact(deps, (trx) => startRun(trx, refundFlow, { key: refundKey(refundId), input: runInputOf(refund, gatewayPaymentId), memberId: refund.memberId, done: [{ step: 'reserve', result: {} }] }));
  try {
    await executeRun(deps, refundFlow, run);
  } catch (error) {
    // A refusal was recorded (the reservation given back); an unanswered gateway is the resume job's to retry.
    if (!(error instanceof FlowStepFailed) && !(error instanceof GatewayUnavailableError)) throw error;
  }
}
