// Rewards redemption (CR-13). Free shipping: one transaction (confirmRedemption). A shipping fee makes it a durable
// flow (runner.ts), one run per redemption (`redemption:<redemptionId>`):
//
//   authorize  gateway, key redemption:<id>:authorize    ← undo: void (or refund)
//   capture    gateway, key redemption:<id>:capture      ← undo: refund, key redemption:<id>:compensate
//   confirm    (tx)  stock, limit, the credits spend, the shipment, the email
//
// If the redemption then fails (out of stock, the credits went meanwhile), the fee goes back; a refused or
// unanswered refund is recorded and retried by the resume job until the money is back, never dropped. A crash
// between the steps is resumed forward by the resume job (the fee was paid; the member asked for the reward).
import { z } from 'zod';
import { transact, type Deps } from '../deps.ts';
import { AppError } from '../platform/errors.ts';
import { confirmRedemption, getMemberRedemption, prepareRedemption, type RedeemInput, type Redemption } from '../modules/store/index.ts';
import { authorizationResult, authorizePayment, capturePayment, captureResult, notAnsweringMessage, refundCapturedPayment, releaseAuthorizedPayment } from './payment-steps.ts';
import { executeRun, startRun, type FlowDefinition, type StepResult } from './runner.ts';
import { FlowStepFailed } from './runner.rules.ts';

const redemptionRunInput = z.strictObject({
  redemptionId: z.string().min(1).max(100),
  memberId: z.string().min(1).max(100),
  rewardItemId: z.string().min(1).max(100),
  quantity: z.number().int().min(1).max(100),
  feeMinor: z.number().int().positive(),
});
type RedemptionRunInput = z.infer<typeof redemptionRunInput>;

/** Never stored: the payment token is used by the process that received it. */
interface RedemptionTransient {
  paymentToken: string;
}

export const redemptionFeeFlowType = 'redemption-fee';
export const redemptionKey = (redemptionId: string) => `redemption:${redemptionId}`;

export const redemptionFeeFlow: FlowDefinition<RedemptionRunInput, RedemptionTransient> = {
  type: redemptionFeeFlowType,
  input: redemptionRunInput,
  leaseMs: 10 * 60_000,
  whenStale: 'resume',
  steps: [
    {
      name: 'authorize',
      kind: 'call',
      async run(deps, { input, transient }): Promise<StepResult> {
        // A resumed run without the token cannot authorize again; nothing was captured, so it simply stops.
        if (!transient) throw new FlowStepFailed('token_unavailable', 'The payment method is no longer available.');
        return authorizePayment(deps, { token: transient.paymentToken, amountMinor: input.feeMinor, idempotencyKey: `redemption:${input.redemptionId}:authorize` });
      },
      async compensate(deps, { input, result, results, refusals }) {
        const { paymentId } = authorizationResult.parse(result);
        if (!paymentId || results.has('capture')) return;
        await releaseAuthorizedPayment(deps, { paymentId, amountMinor: input.feeMinor, voidKey: `redemption:${input.redemptionId}:void`, refundKey: `redemption:${input.redemptionId}:compensate`, refusals });
      },
    },
    {
      name: 'capture',
      kind: 'call',
      async run(deps, { input, results }): Promise<StepResult> {
        const { paymentId } = authorizationResult.parse(results.get('authorize'));
        if (!paymentId) throw new FlowStepFailed('invalid_request', 'The fee was not authorized.');
        return capturePayment(deps, { paymentId, amountMinor: input.feeMinor, idempotencyKey: `redemption:${input.redemptionId}:capture` });
      },
      async compensate(deps, { input, result, refusals }) {
        const { paymentId, capturedMinor } = captureResult.parse(result);
        if (!paymentId || capturedMinor === 0) return;
        await refundCapturedPayment(deps, { paymentId, amountMinor: capturedMinor, idempotencyKey: `redemption:${input.redemptionId}:compensate`, refusals });
      },
    },
    {
      name: 'confirm',
      kind: 'transaction',
      async run(trx, { input, results }): Promise<StepResult> {
        const { gateway } = authorizationResult.parse(results.get('authorize'));
        const { paymentId } = captureResult.parse(results.get('capture'));
        const redemption = await confirmRedemption(trx, {
          memberId: input.memberId,
          rewardItemId: input.rewardItemId,
          quantity: input.quantity,
          redemptionId: input.redemptionId,
          feePaymentId: paymentId,
          gateway,
        });
        return { redemptionId: redemption.id };
      },
    },
  ],
};

export async function redeemReward(deps: Deps, input: RedeemInput, definition: FlowDefinition<RedemptionRunInput, RedemptionTransient> = redemptionFeeFlow): Promise<Redemption> {
  const prepared = await prepareRedemption(deps, input);
  const confirm = { memberId: input.memberId, rewardItemId: input.rewardItemId, quantity: input.quantity, redemptionId: prepared.redemptionId };
  if (prepared.shippingFeeMinor === 0) return transact(deps, (trx) => confirmRedemption(trx, { ...confirm, feePaymentId: null, gateway: null }));
  const run = await transact(deps, (trx) =>
    startRun(trx, definition, {
      key: redemptionKey(prepared.redemptionId),
      input: { redemptionId: prepared.redemptionId, memberId: input.memberId, rewardItemId: input.rewardItemId, quantity: input.quantity, feeMinor: prepared.shippingFeeMinor },
      memberId: input.memberId,
    }),
  );
  try {
    // prepareRedemption refused a fee without a token, so the token is there.
    await executeRun(deps, definition, run, { transient: { paymentToken: input.paymentToken ?? '' } });
  } catch (error) {
    if (!(error instanceof FlowStepFailed)) throw error;
    if (error.code === 'gateway_unavailable') throw new AppError('unavailable', notAnsweringMessage);
    throw new AppError('not_eligible', `The shipping fee payment did not go through: ${error.message}`, { code: error.code });
  }
  return getMemberRedemption(deps, input.memberId, prepared.redemptionId);
}
