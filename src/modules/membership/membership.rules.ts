// Plus membership rules (MB-1..MB-10) as pure functions: the state machine, the versioned plan policy, billing
// periods on calendar months, the renewal reminder lead, the dunning schedule, pause arithmetic, vouchers, and the
// answer to "was this member Plus (and on which plan) at moment T" from the dated history. No database, no clock.
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { assert } from '../../platform/assert.ts';
import { addCalendarMonths } from '../../platform/calendar.ts';

const dayMs = 86_400_000;

export const plans = ['monthly', 'annual'] as const;
export type Plan = (typeof plans)[number];

export const subscriptionStates = ['pending_payment', 'active', 'past_due', 'paused', 'canceled', 'lapsed'] as const;
export type SubscriptionState = (typeof subscriptionStates)[number];

/** States that hold the member's one subscription (MB-1); `canceled` and `lapsed` are final, rejoining starts anew. */
export const openStates = ['pending_payment', 'active', 'past_due', 'paused'] as const satisfies readonly SubscriptionState[];

/**
 * The state machine of membership.md. `active → active` is a renewal (a new period). A declined first payment leaves
 * no membership at all (MB-2), so `pending_payment` has no failure state: the pending row is removed.
 */
export const subscriptionTransitions = {
  pending_payment: ['active'],
  active: ['active', 'past_due', 'paused', 'canceled'],
  past_due: ['active', 'lapsed', 'canceled'],
  paused: ['active', 'canceled'],
  canceled: [],
  lapsed: [],
} as const satisfies Record<SubscriptionState, readonly SubscriptionState[]>;

export function canTransition(from: SubscriptionState, to: SubscriptionState): boolean {
  return (subscriptionTransitions[from] as readonly SubscriptionState[]).includes(to);
}

const stateWords: Record<SubscriptionState, string> = {
  pending_payment: 'waiting for its first payment',
  active: 'active',
  past_due: 'past due',
  paused: 'paused',
  canceled: 'canceled',
  lapsed: 'lapsed',
};

export function assertTransition(from: SubscriptionState, to: SubscriptionState, action: string): void {
  if (!canTransition(from, to)) throw new AppError('invalid_state', `The membership is ${stateWords[from]}, so it cannot be ${action}.`, { state: from });
}

/** Only an active subscription gives benefits (MB-4: not while past due; MB-5: not while paused). */
export function givesBenefits(state: SubscriptionState): boolean {
  return state === 'active';
}

// ---------------------------------------------------------------------------------------------------------------
// The versioned plan policy

export interface PlanPrice {
  priceMinor: number;
  /** The undiscounted comparison price shown struck through (15.00 and 135.00). */
  listPriceMinor: number;
}

export interface MembershipSettings {
  monthly: PlanPrice;
  annual: PlanPrice;
  /** Renewal reminder lead per plan (MB-3: monthly 7 days; annual 30 days, inside 15–45-day notice laws). */
  monthlyReminderLeadMs: number;
  annualReminderLeadMs: number;
  /** Payment retries after a failed renewal, spread over the window (MB-4: 3 over 7 days). */
  renewalRetries: number;
  renewalRetryWindowMs: number;
  /** The Plus member discount on merchandise, in basis points (MB-8: 5 %). */
  memberDiscountBp: number;
  /** Next-day delivery vouchers per month of active membership (MB-8: 1). */
  vouchersPerMonth: number;
  /** Longest pause one request may ask for with a resume date. */
  maxPauseMs: number;
}

export interface MembershipPolicy extends MembershipSettings {
  version: number;
  publishedAtMs: number;
  publishedBy: string | null;
  note: string | null;
}

const price = z.strictObject({ priceMinor: z.number().int().min(1).max(10_000_000), listPriceMinor: z.number().int().min(0).max(10_000_000) });

/** One source of bounds for the HTTP schema and the service (a value out of range is a 400, never a 500). */
export const membershipSettingsSchema = z
  .strictObject({
    monthly: price,
    annual: price,
    monthlyReminderLeadMs: z.number().int().min(dayMs).max(27 * dayMs),
    annualReminderLeadMs: z.number().int().min(15 * dayMs).max(45 * dayMs),
    renewalRetries: z.number().int().min(0).max(10),
    renewalRetryWindowMs: z.number().int().min(dayMs).max(27 * dayMs),
    memberDiscountBp: z.number().int().min(0).max(5000),
    vouchersPerMonth: z.number().int().min(0).max(10),
    maxPauseMs: z.number().int().min(dayMs).max(366 * dayMs),
  })
  .refine((s) => s.monthly.listPriceMinor === 0 || s.monthly.listPriceMinor >= s.monthly.priceMinor, { message: 'The monthly list price is below the price.', path: ['monthly', 'listPriceMinor'] })
  .refine((s) => s.annual.listPriceMinor === 0 || s.annual.listPriceMinor >= s.annual.priceMinor, { message: 'The annual list price is below the price.', path: ['annual', 'listPriceMinor'] });

export const defaultMembershipSettings: MembershipSettings = {
  monthly: { priceMinor: 999, listPriceMinor: 1500 },
  annual: { priceMinor: 9999, listPriceMinor: 13_500 },
  monthlyReminderLeadMs: 7 * dayMs,
  annualReminderLeadMs: 30 * dayMs,
  renewalRetries: 3,
  renewalRetryWindowMs: 7 * dayMs,
  memberDiscountBp: 500,
  vouchersPerMonth: 1,
  maxPauseMs: 90 * dayMs,
};

export function planPrice(policy: MembershipSettings, plan: Plan): PlanPrice {
  return plan === 'monthly' ? policy.monthly : policy.annual;
}

export function reminderLeadMs(policy: MembershipSettings, plan: Plan): number {
  return plan === 'monthly' ? policy.monthlyReminderLeadMs : policy.annualReminderLeadMs;
}

export function monthsOf(plan: Plan): number {
  return plan === 'monthly' ? 1 : 12;
}

// ---------------------------------------------------------------------------------------------------------------
// Billing periods

/**
 * The end of the period that starts `periodsBefore` periods after the billing anchor. Periods are counted from the
 * anchor, not chained end to end, so a subscription started on 31 January renews on 28 February and then 31 March,
 * not 28 March (the drift a chained computation has). The anchor moves out by paused time (MB-5).
 */
export function periodEndMs(anchorMs: number, plan: Plan, periodsBefore: number): number {
  return addCalendarMonths(anchorMs, monthsOf(plan) * (periodsBefore + 1));
}

// ---------------------------------------------------------------------------------------------------------------
// Dunning (MB-4)

/**
 * When the retries after a renewal that failed at `failedAtMs` fall: spread over the window with growing gaps, the
 * last one at the window's end (3 over 7 days: after 1, 3 and 7 days).
 */
export function retryTimesMs(failedAtMs: number, retries: number, windowMs: number): number[] {
  if (retries === 0) return [];
  const parts = 2 ** retries - 1;
  return Array.from({ length: retries }, (_, i) => failedAtMs + Math.round((windowMs * (2 ** (i + 1) - 1)) / parts));
}

// ---------------------------------------------------------------------------------------------------------------
// Pause (MB-5)

export function assertPauseRequest(nowMs: number, resumeAtMs: number | null, policy: MembershipSettings): void {
  if (resumeAtMs === null) return;
  if (resumeAtMs <= nowMs) throw new AppError('validation', 'The resume date must be in the future.', { field: 'resumeAt' });
  if (resumeAtMs - nowMs > policy.maxPauseMs) {
    throw new AppError('validation', `A pause may last at most ${Math.round(policy.maxPauseMs / dayMs)} days.`, { field: 'resumeAt' });
  }
}

/** Resuming moves the renewal (and the billing anchor) out by exactly the time spent paused. */
export function shiftForPause(timeMs: number, pausedAtMs: number, resumedAtMs: number): number {
  assert(resumedAtMs >= pausedAtMs, 'a pause ends after it starts');
  return timeMs + (resumedAtMs - pausedAtMs);
}

// ---------------------------------------------------------------------------------------------------------------
// Vouchers (MB-8)

/** When each of a period's next-day delivery vouchers becomes usable: one batch per month of the period. */
export function voucherReleaseTimesMs(periodStartMs: number, plan: Plan, vouchersPerMonth: number): number[] {
  const times: number[] = [];
  for (let month = 0; month < monthsOf(plan); month++) {
    const at = addCalendarMonths(periodStartMs, month);
    for (let n = 0; n < vouchersPerMonth; n++) times.push(at);
  }
  return times;
}

// ---------------------------------------------------------------------------------------------------------------
// Status at a moment (MB-10)

export interface HistoryPoint {
  /** When the change took effect (a renewal at the exact period end, a pause at its request). */
  effectiveAtMs: number;
  /** Tie-breaker for changes at the same moment: the order they were written in. */
  sequence: number;
  state: SubscriptionState;
  plan: Plan;
  periodId: string | null;
  /** The period's end as known at this change; the answer is "not Plus" from there on until the next change. */
  periodEndsAtMs: number | null;
}

export interface PlusStatus {
  plan: Plan | null;
  periodId: string | null;
}

export const notPlus: PlusStatus = Object.freeze({ plan: null, periodId: null });

/**
 * The member's Plus status at `atMs`: the latest change at or before that moment decides; an active change counts
 * only until its period's end, so a moment after a missed renewal (the job had not run yet) is not Plus either.
 */
export function plusStatusFromHistory(points: readonly HistoryPoint[], atMs: number): PlusStatus {
  let latest: HistoryPoint | undefined;
  for (const point of points) {
    if (point.effectiveAtMs > atMs) continue;
    if (!latest || point.effectiveAtMs > latest.effectiveAtMs || (point.effectiveAtMs === latest.effectiveAtMs && point.sequence > latest.sequence)) latest = point;
  }
  if (!latest || !givesBenefits(latest.state) || latest.periodEndsAtMs === null || atMs >= latest.periodEndsAtMs) return notPlus;
  return { plan: latest.plan, periodId: latest.periodId };
}

/** When the reminder before the renewal at `periodEndMs` is due (MB-3), for the plan that renewal will charge. */
export function reminderDueAtMs(policy: MembershipSettings, input: { periodEndMs: number; renewPlan: Plan; autoRenew: boolean }): number | null {
  return input.autoRenew ? input.periodEndMs - reminderLeadMs(policy, input.renewPlan) : null;
}
