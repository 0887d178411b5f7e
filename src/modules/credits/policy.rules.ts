// The program policy (CR-6) and the pure earning arithmetic (CR-4, CR-5): no database, no clock.
import { z } from 'zod';
import { allocateLargestRemainder, mulDivFloor } from '../../platform/money.ts';
import { assert } from '../../platform/assert.ts';

/** Minor units per major unit of the program currency (USD cents). */
export const minorPerMajorUnit = 100;

export interface PolicySettings {
  /** Credits per 1.00 of qualifying amount, floored per order (CR-4). */
  earnCreditsPerMajorUnit: number;
  /** Credits that pay 1.00 at checkout (CR-12). */
  spendCreditsPerMajorUnit: number;
  registrationBonusCredits: number;
  profileBonusCredits: number;
  pendingPeriodMs: number;
  lifetimeMs: number;
  expiryWarningMs: number;
  holdTimeoutMs: number;
  /** Multiplier on Plus-flagged lines while Plus is active at payment (CR-5). */
  plusMultiplier: number;
  /** An agent adjustment of more credits than this (either way) waits for a second staff member's approval (CR-21). */
  adjustmentApprovalThresholdCredits: number;
}

export interface Policy extends PolicySettings {
  version: number;
  publishedAtMs: number;
  publishedBy: string | null;
  note: string | null;
}

const dayMs = 86_400_000;
const yearOfDaysMs = 3660 * dayMs;

/**
 * Bounds keep a typo from minting millions of credits or making lots live for centuries. This one schema is what
 * publishing accepts, in the service and over HTTP (credits.schemas.ts), so both refuse the same values.
 *
 * The approval threshold stops at 100,000 credits (1,000.00 at the default rate): four-eyes can be made stricter,
 * down to every adjustment (0), but never switched off for large amounts. A client that does not send it keeps the
 * current version's value, so an older console cannot reset it by publishing other settings.
 */
export const policySettingsSchema = z.strictObject({
  earnCreditsPerMajorUnit: z.number().int().min(0).max(1000),
  spendCreditsPerMajorUnit: z.number().int().min(1).max(100_000),
  registrationBonusCredits: z.number().int().min(0).max(1_000_000),
  profileBonusCredits: z.number().int().min(0).max(1_000_000),
  pendingPeriodMs: z.number().int().min(0).max(yearOfDaysMs),
  lifetimeMs: z.number().int().min(60_000).max(yearOfDaysMs),
  expiryWarningMs: z.number().int().min(0).max(yearOfDaysMs),
  holdTimeoutMs: z.number().int().min(1000).max(7 * dayMs),
  plusMultiplier: z.number().int().min(1).max(10),
  adjustmentApprovalThresholdCredits: z.number().int().min(0).max(100_000).optional(),
});
export type PolicySettingsInput = z.input<typeof policySettingsSchema>;

export const defaultPolicySettings: PolicySettings = {
  earnCreditsPerMajorUnit: 1,
  spendCreditsPerMajorUnit: 100,
  registrationBonusCredits: 500,
  profileBonusCredits: 100,
  pendingPeriodMs: 30 * dayMs,
  lifetimeMs: 365 * dayMs,
  expiryWarningMs: 30 * dayMs,
  holdTimeoutMs: 30 * 60_000,
  plusMultiplier: 2,
  adjustmentApprovalThresholdCredits: 1000,
};

/** CR-21: whether an adjustment of `credits` (signed) needs a second staff member under `policy`. */
export function needsSecondApproval(policy: Pick<PolicySettings, 'adjustmentApprovalThresholdCredits'>, credits: number): boolean {
  return Math.abs(credits) > policy.adjustmentApprovalThresholdCredits;
}

export interface EarnLineInput {
  lineId: string;
  qualifyingMinor: number;
  /** The product is flagged for the Plus bonus. */
  plusBonus: boolean;
  /** False for lines that never earn (gift cards, shipping, …): the store decides, CR-4. */
  earnsCredits: boolean;
}

export interface EarnLineShare {
  lineId: string;
  qualifyingMinor: number;
  credits: number;
  multiplier: number;
}

/**
 * CR-4/CR-5: the order's credits are floor(Σ weighted qualifying × rate / 100), computed once for the order, then
 * split across the lines by the largest-remainder rule on their weighted amounts, so the line shares (needed later
 * for proportional reversals) always sum exactly to the order total.
 */
export function computeOrderEarnings(policy: PolicySettings, lines: readonly EarnLineInput[], plusActive: boolean): { total: number; lines: EarnLineShare[] } {
  const weights = lines.map((line) => {
    assert(Number.isSafeInteger(line.qualifyingMinor) && line.qualifyingMinor >= 0, 'qualifying amounts are non-negative minor units');
    if (!line.earnsCredits) return 0;
    const multiplier = plusActive && line.plusBonus ? policy.plusMultiplier : 1;
    return line.qualifyingMinor * multiplier;
  });
  const weighted = weights.reduce((sum, w) => sum + w, 0);
  const total = mulDivFloor(weighted, policy.earnCreditsPerMajorUnit, minorPerMajorUnit);
  const shares = allocateLargestRemainder(total, weights);
  return {
    total,
    lines: lines.map((line, i) => ({
      lineId: line.lineId,
      qualifyingMinor: line.earnsCredits ? line.qualifyingMinor : 0,
      credits: shares[i]!,
      multiplier: line.earnsCredits && plusActive && line.plusBonus ? policy.plusMultiplier : 1,
    })),
  };
}

/**
 * CR-16: the credits a line should have lost after `cumulativeRefundedMinor` of its `qualifyingMinor` was refunded.
 * Flooring each cumulative target (rather than each refund) keeps the sum of reversals within what the line earned,
 * and the full refund maps to exactly the earning, however the refund was split.
 */
export function cumulativeReversalTarget(earned: number, qualifyingMinor: number, cumulativeRefundedMinor: number): number {
  if (qualifyingMinor <= 0 || cumulativeRefundedMinor >= qualifyingMinor) return earned;
  if (cumulativeRefundedMinor <= 0) return 0;
  return mulDivFloor(earned, cumulativeRefundedMinor, qualifyingMinor);
}

/** How many minor units of the merchandise subtotal a number of credits pays for at checkout (CR-12). */
export function creditsToMinor(policy: PolicySettings, credits: number): number {
  return mulDivFloor(credits, minorPerMajorUnit, policy.spendCreditsPerMajorUnit);
}
