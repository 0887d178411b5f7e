// The store's calls into the credits ledger (CR-3..CR-5, CR-12, CR-13, CR-15..CR-18), in one place: each call
// carries an idempotency key derived from the store's own IDs, so a retried step never moves credits twice (LG-3).
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { captureHold, computeOrderEarnings, earnForOrder, getBalance, getCurrentPolicy, getPolicyVersion, listPolicies, placeHold, releaseHold, restoreSpend, reverseForRefund, spendCredits } from '../credits/index.ts';
import type { OrderLine } from './orders.repository.ts';

export async function spendRateOf(ctx: Ctx): Promise<number> {
  return (await getCurrentPolicy(ctx)).spendCreditsPerMajorUnit;
}

/** CR-12: how long a checkout's credits hold lasts under the current program policy. */
export async function checkoutHoldTimeoutMs(ctx: Ctx): Promise<number> {
  return (await getCurrentPolicy(ctx)).holdTimeoutMs;
}

/**
 * When credits earned on orders paid at the given times unlock (CR-7): the payment time plus the pending period of
 * the program rules in force at that time, which are the rules the earning used (it runs when the payment is
 * confirmed). Answers in the order asked.
 */
export async function creditsUnlockTimes(ctx: Ctx, paidAtMs: readonly number[]): Promise<number[]> {
  if (paidAtMs.length === 0) return [];
  const policies = await listPolicies(ctx); // newest version first
  return paidAtMs.map((atMs) => {
    const inForce = policies.find((policy) => policy.publishedAtMs <= atMs) ?? policies.at(-1);
    if (!inForce) throw new AppError('internal', 'The credits program has no policy.');
    return atMs + inForce.pendingPeriodMs;
  });
}

export async function spendableCreditsOf(ctx: Ctx, memberId: string): Promise<number> {
  return (await getBalance(ctx, memberId)).spendable;
}

export async function holdCheckoutCredits(ctx: Ctx, input: { memberId: string; orderId: string; credits: number }): Promise<string> {
  const hold = await placeHold(ctx, { memberId: input.memberId, credits: input.credits, orderId: input.orderId, idempotencyKey: `order:${input.orderId}:hold` });
  return hold.holdId;
}

export async function captureCheckoutHold(ctx: Ctx, input: { memberId: string; orderId: string; holdId: string; credits: number }): Promise<void> {
  await captureHold(ctx, { memberId: input.memberId, holdId: input.holdId, credits: input.credits, idempotencyKey: `order:${input.orderId}:capture` });
}

/** Releasing a hold that already resolved itself (it timed out, CR-12) is not an error: the credits are free. */
export async function releaseCheckoutHold(ctx: Ctx, input: { memberId: string; orderId: string; holdId: string }): Promise<void> {
  try {
    await releaseHold(ctx, { memberId: input.memberId, holdId: input.holdId, idempotencyKey: `order:${input.orderId}:release` });
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'invalid_state')) throw error;
  }
}

/**
 * CR-3..CR-5: one earning per order (keyed by the order ID), per line, on the qualifying amounts the store computed.
 * `plusExtraCredits` is what the Plus multiplier added: the earning minus what the same lines earn without Plus under
 * the policy version the ledger used (MB-8 records it as the benefit used).
 */
export async function earnOrderCredits(
  ctx: Ctx,
  input: { memberId: string; orderId: string; paidAtMs: number; plusActive: boolean; lines: readonly Pick<OrderLine, 'id' | 'qualifyingMinor' | 'plusBonus' | 'earnsCredits' | 'giftCard'>[] },
): Promise<{ total: number; lines: Map<string, number>; plusExtraCredits: number }> {
  const lines = input.lines.map((line) => ({ lineId: line.id, qualifyingMinor: line.qualifyingMinor, plusBonus: line.plusBonus, earnsCredits: line.earnsCredits && !line.giftCard }));
  const result = await earnForOrder(ctx, {
    memberId: input.memberId,
    orderId: input.orderId,
    paidAtMs: input.paidAtMs,
    plusActive: input.plusActive,
    lines,
    idempotencyKey: `order:${input.orderId}:earn`,
  });
  let plusExtraCredits = 0;
  if (input.plusActive && lines.some((line) => line.plusBonus && line.earnsCredits)) {
    const withoutPlus = computeOrderEarnings(await getPolicyVersion(ctx, result.policyVersion), lines, false).total;
    plusExtraCredits = Math.max(0, result.credits - withoutPlus);
  }
  return { total: result.credits, lines: new Map(result.lines.map((line) => [line.lineId, line.credits])), plusExtraCredits };
}

/**
 * CR-15..CR-17: reverses each line in proportion to the qualifying amount this refund gave back; answers what the
 * ledger reversed per line (a repeated call under the same keys answers the first result again, LG-3).
 */
export async function reverseOrderCredits(
  ctx: Ctx,
  input: { memberId: string; orderId: string; refundId: string; caseId?: string; lines: ReadonlyArray<{ lineId: string; qualifyingMinor: number; refundedQualifyingMinor: number }> },
): Promise<{ total: number; lines: Map<string, number> }> {
  const lines = new Map<string, number>();
  let total = 0;
  for (const line of input.lines) {
    const result = await reverseForRefund(ctx, {
      memberId: input.memberId,
      orderLineId: line.lineId,
      refundedQualifyingMinor: line.refundedQualifyingMinor,
      lineQualifyingMinor: line.qualifyingMinor,
      // The after-sales case a refund resolves, on the ledger rows too (AS-11): the member's history names it.
      ...(input.caseId ? { caseId: input.caseId } : {}),
      idempotencyKey: `refund:${input.refundId}:${line.lineId}`,
    });
    lines.set(line.lineId, result.reversedCredits);
    total += result.reversedCredits;
  }
  return { total, lines };
}

/** CR-18: credits that paid for the order go back to the lots they came from. */
export async function restoreOrderCredits(ctx: Ctx, input: { memberId: string; orderId: string; refundId: string; credits: number; caseId?: string }): Promise<void> {
  await restoreSpend(ctx, { memberId: input.memberId, orderId: input.orderId, credits: input.credits, ...(input.caseId ? { caseId: input.caseId } : {}), idempotencyKey: `refund:${input.refundId}:restore` });
}

/** CR-13: a redemption is a single-phase spend, final at confirmation. */
export async function spendForRedemption(ctx: Ctx, input: { memberId: string; redemptionId: string; credits: number }): Promise<void> {
  await spendCredits(ctx, { memberId: input.memberId, credits: input.credits, orderId: input.redemptionId, reason: 'redemption', idempotencyKey: `redemption:${input.redemptionId}` });
}

/**
 * AS-7: a redemption's damage report restores the credits spent on it (the spend is keyed by the redemption ID, so
 * the ledger finds its lots); keyed by the case, so a retried resolution never restores twice (LG-3).
 */
export async function restoreRedemptionSpend(ctx: Ctx, input: { memberId: string; redemptionId: string; credits: number; caseId: string }): Promise<{ restored: number; expired: number }> {
  const result = await restoreSpend(ctx, { memberId: input.memberId, orderId: input.redemptionId, credits: input.credits, caseId: input.caseId, idempotencyKey: `case:${input.caseId}:restore` });
  return { restored: result.restored, expired: result.expired };
}
