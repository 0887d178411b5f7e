// What the membership page and the agent console show (MB-11): the plan, the state, the next renewal's date and
// price, the benefits used, the notices sent and the dated history.
import type { Ctx } from '../../deps.ts';
import { planPrice, type Plan, type PlusStatus } from './membership.rules.ts';
import { listBenefitUses, summarizeVouchers, type BenefitUse, type VoucherSummary } from './benefits.service.ts';
import { plusStatusAt } from './history.service.ts';
import { listNotices, type Notice } from './notices.service.ts';
import { getCurrentMembershipPolicy } from './policy.service.ts';
import { findOpenSubscription, listMemberHistory, listMemberSubscriptions, listPeriods, listSubscriptionsInState, type HistoryEntry, type Period, type Subscription } from './subscriptions.repository.ts';

export interface MembershipOverview {
  subscription: Subscription | null;
  status: PlusStatus;
  /** The next renewal, when one is scheduled (auto-renew on, not canceled or lapsed). */
  nextRenewal: { atMs: number; plan: Plan; priceMinor: number } | null;
  vouchers: VoucherSummary | null;
  benefitsUsed: BenefitUse[];
  periods: Period[];
  notices: Notice[];
  history: HistoryEntry[];
}

/** The member's current subscription, or the latest ended one when none is open. */
async function currentOrLatest(ctx: Pick<Ctx, 'db'>, memberId: string): Promise<Subscription | null> {
  return (await findOpenSubscription(ctx.db, memberId)) ?? (await listMemberSubscriptions(ctx.db, memberId))[0] ?? null;
}

export async function getMembershipOverview(ctx: Ctx, memberId: string): Promise<MembershipOverview> {
  const nowMs = ctx.clock.nowMs();
  const subscription = await currentOrLatest(ctx, memberId);
  const status = await plusStatusAt(ctx, memberId, nowMs);
  if (!subscription) return { subscription: null, status, nextRenewal: null, vouchers: null, benefitsUsed: [], periods: [], notices: [], history: [] };
  const policy = await getCurrentMembershipPolicy(ctx);
  const renewPlan = subscription.nextPlan ?? subscription.plan;
  const renews = subscription.autoRenew && (subscription.state === 'active' || subscription.state === 'paused' || subscription.state === 'past_due') && subscription.currentPeriodEndMs !== null;
  return {
    subscription,
    status,
    nextRenewal: renews ? { atMs: subscription.state === 'past_due' ? (subscription.nextRetryAtMs ?? nowMs) : subscription.currentPeriodEndMs!, plan: renewPlan, priceMinor: planPrice(policy, renewPlan).priceMinor } : null,
    // Vouchers are usable only while Plus gives benefits (MB-8): an ended, paused or past-due membership has none to use.
    vouchers: await summarizeVouchers(ctx, subscription.id, nowMs, { usable: status.plan !== null }),
    benefitsUsed: await listBenefitUses(ctx, subscription.id),
    periods: await listPeriods(ctx.db, subscription.id),
    notices: await listNotices(ctx, subscription.id),
    history: (await listMemberHistory(ctx.db, memberId)).reverse(),
  };
}

export async function listMembershipsInState(ctx: Pick<Ctx, 'db'>, state: 'past_due' | 'paused' | 'active', limit: number): Promise<Subscription[]> {
  return listSubscriptionsInState(ctx.db, state, limit);
}
