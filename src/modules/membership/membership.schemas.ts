// What the membership routes accept and return (PL-13: unknown keys refused; responses name every field they show).
import { z } from 'zod';
import { membershipSettingsSchema, plans, subscriptionStates, type MembershipPolicy } from './membership.rules.ts';
import { benefitKinds, historyEvents, noticeKinds } from './membership.table.ts';
import type { MembershipOverview } from './membership.service.ts';
import type { Subscription } from './subscriptions.repository.ts';

const iso = z.iso.datetime();
const toIso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : toIso(ms));

export const memberParams = z.strictObject({ memberId: z.string().min(1).max(100) });
export const empty = z.strictObject({});

const paymentToken = z.string().trim().min(3).max(200).regex(/^[A-Za-z0-9_-]+$/, 'A payment token is letters, digits, - and _.');

export const joinBody = z.strictObject({ plan: z.enum(plans), paymentToken });
export const pauseBody = z.strictObject({ resumeAt: z.iso.datetime({ offset: true }).nullable().default(null) });
export const cancelBody = z.strictObject({
  /** MB-6: the member confirms that benefits end now and nothing is refunded. */
  confirm: z.literal(true, { message: 'Confirm that benefits end now and nothing is refunded.' }),
});
export const autoRenewBody = z.strictObject({ enabled: z.boolean() });
export const planBody = z.strictObject({ plan: z.enum(plans) });
export const paymentMethodBody = z.strictObject({ paymentToken });
export const policyBody = z.strictObject({ settings: membershipSettingsSchema, note: z.string().trim().min(1).max(500).nullable().default(null) });
export const listQuery = z.strictObject({ state: z.enum(['past_due', 'paused', 'active']).default('past_due'), limit: z.coerce.number().int().min(1).max(500).default(100) });

const priceView = z.object({ priceMinor: z.number().int(), listPriceMinor: z.number().int(), currency: z.literal('USD') });

export const plansView = z.object({
  policyVersion: z.number().int(),
  monthly: priceView,
  annual: priceView,
  memberDiscountBp: z.number().int(),
  vouchersPerMonth: z.number().int(),
});

export function toPlansView(policy: MembershipPolicy): z.infer<typeof plansView> {
  return {
    policyVersion: policy.version,
    monthly: { ...policy.monthly, currency: 'USD' },
    annual: { ...policy.annual, currency: 'USD' },
    memberDiscountBp: policy.memberDiscountBp,
    vouchersPerMonth: policy.vouchersPerMonth,
  };
}

export const policyView = z.object({ version: z.number().int(), publishedAt: iso, publishedBy: z.string().nullable(), note: z.string().nullable(), settings: membershipSettingsSchema });
export const policyListView = z.object({ policies: z.array(policyView) });

export function toPolicyView(policy: MembershipPolicy): z.infer<typeof policyView> {
  const { version, publishedAtMs, publishedBy, note, ...settings } = policy;
  return { version, publishedAt: toIso(publishedAtMs), publishedBy, note, settings };
}

export const subscriptionView = z.object({
  id: z.string(),
  memberId: z.string(),
  state: z.enum(subscriptionStates),
  plan: z.enum(plans),
  nextPlan: z.enum(plans).nullable(),
  autoRenew: z.boolean(),
  currentPeriodEndsAt: iso.nullable(),
  pausedAt: iso.nullable(),
  resumeAt: iso.nullable(),
  pastDueSince: iso.nullable(),
  retriesDone: z.number().int(),
  nextRetryAt: iso.nullable(),
  createdAt: iso,
  endedAt: iso.nullable(),
  endReason: z.string().nullable(),
});

export function toSubscriptionView(sub: Subscription): z.infer<typeof subscriptionView> {
  return {
    id: sub.id,
    memberId: sub.memberId,
    state: sub.state,
    plan: sub.plan,
    nextPlan: sub.nextPlan,
    autoRenew: sub.autoRenew,
    currentPeriodEndsAt: isoOrNull(sub.currentPeriodEndMs),
    pausedAt: isoOrNull(sub.pausedAtMs),
    resumeAt: isoOrNull(sub.resumeAtMs),
    pastDueSince: isoOrNull(sub.pastDueSinceMs),
    retriesDone: sub.retriesDone,
    nextRetryAt: isoOrNull(sub.nextRetryAtMs),
    createdAt: toIso(sub.createdAtMs),
    endedAt: isoOrNull(sub.endedAtMs),
    endReason: sub.endReason,
  };
}

export const joinView = z.object({
  outcome: z.enum(['active', 'declined']),
  subscription: subscriptionView.nullable(),
  payment: z.object({ code: z.string().nullable(), message: z.string().nullable() }),
});

export const overviewView = z.object({
  subscription: subscriptionView.nullable(),
  plusActive: z.boolean(),
  plan: z.enum(plans).nullable(),
  nextRenewal: z.object({ at: iso, plan: z.enum(plans), priceMinor: z.number().int(), currency: z.literal('USD') }).nullable(),
  vouchers: z.object({ available: z.number().int(), used: z.number().int(), nextReleaseAt: iso.nullable() }).nullable(),
  benefitsUsed: z.array(z.object({ id: z.string(), periodId: z.string(), kind: z.enum(benefitKinds), orderId: z.string(), amountMinor: z.number().int(), credits: z.number().int(), state: z.enum(['used', 'restored']), usedAt: iso })),
  periods: z.array(z.object({ id: z.string(), seq: z.number().int(), plan: z.enum(plans), startsAt: iso, endsAt: iso, priceMinor: z.number().int(), paidAt: iso })),
  notices: z.array(z.object({ id: z.string(), kind: z.enum(noticeKinds), plan: z.enum(plans), priceMinor: z.number().int().nullable(), renewsAt: iso.nullable(), messageId: z.string().nullable(), sentToMember: z.boolean(), createdAt: iso })),
  history: z.array(
    z.object({
      id: z.string(),
      subscriptionId: z.string(),
      event: z.enum(historyEvents),
      fromState: z.enum(subscriptionStates).nullable(),
      toState: z.enum(subscriptionStates),
      plan: z.enum(plans),
      periodId: z.string().nullable(),
      effectiveAt: iso,
      recordedAt: iso,
      actorRole: z.string(),
    }),
  ),
});

export function toOverviewView(overview: MembershipOverview): z.infer<typeof overviewView> {
  return {
    subscription: overview.subscription && toSubscriptionView(overview.subscription),
    plusActive: overview.status.plan !== null,
    plan: overview.status.plan,
    nextRenewal: overview.nextRenewal && { at: toIso(overview.nextRenewal.atMs), plan: overview.nextRenewal.plan, priceMinor: overview.nextRenewal.priceMinor, currency: 'USD' },
    vouchers: overview.vouchers && { available: overview.vouchers.available, used: overview.vouchers.used, nextReleaseAt: isoOrNull(overview.vouchers.nextReleaseAtMs) },
    benefitsUsed: overview.benefitsUsed.map((use) => ({ id: use.id, periodId: use.periodId, kind: use.kind, orderId: use.orderId, amountMinor: use.amountMinor, credits: use.credits, state: use.state, usedAt: toIso(use.usedAtMs) })),
    periods: overview.periods.map((p) => ({ id: p.id, seq: p.seq, plan: p.plan, startsAt: toIso(p.startsAtMs), endsAt: toIso(p.endsAtMs), priceMinor: p.priceMinor, paidAt: toIso(p.paidAtMs) })),
    notices: overview.notices.map((n) => ({ id: n.id, kind: n.kind, plan: n.plan, priceMinor: n.priceMinor, renewsAt: isoOrNull(n.renewsAtMs), messageId: n.messageId, sentToMember: n.sentToMember, createdAt: toIso(n.createdAtMs) })),
    history: overview.history.map((h) => ({ id: h.id, subscriptionId: h.subscriptionId, event: h.event, fromState: h.fromState, toState: h.toState, plan: h.plan, periodId: h.periodId, effectiveAt: toIso(h.effectiveAtMs), recordedAt: toIso(h.recordedAtMs), actorRole: h.actorRole })),
  };
}

export const statusAtQuery = z.strictObject({ time: z.iso.datetime({ offset: true }) });
export const statusView = z.object({ memberId: z.string(), at: iso, plan: z.enum(plans).nullable(), periodId: z.string().nullable(), priority: z.boolean() });
export const subscriptionListView = z.object({ subscriptions: z.array(subscriptionView) });
