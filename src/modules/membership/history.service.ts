// Writing the dated history (MB-10) and answering "was this member Plus, on which plan, at moment T".
import type { Ctx } from '../../deps.ts';
import { recordEvent, type EventType } from '../events/index.ts';
import { notPlus, plusStatusFromHistory, type Plan, type PlusStatus, type SubscriptionState } from './membership.rules.ts';
import { insertHistory, latestHistoryAt, type Subscription } from './subscriptions.repository.ts';
import type { HistoryEvent, HistoryRow } from './membership.table.ts';

export interface MembershipActor {
  id: string | null;
  role: HistoryRow['actor_role'];
}

export const systemActor: MembershipActor = Object.freeze({ id: null, role: 'system' });

export interface Change {
  event: HistoryEvent;
  from: SubscriptionState | null;
  to: SubscriptionState;
  plan: Plan;
  periodId: string | null;
  periodEndsAtMs: number | null;
  /** When it took effect: a renewal at the period's end even if the job ran a minute later. */
  effectiveAtMs: number;
  actor: MembershipActor;
  reason?: string | null;
}

/** The history events outgoing webhooks carry (issue 13), by the catalogue's name; the others are not published. */
const publishedAs = {
  joined: 'membership.started',
  renewed: 'membership.renewed',
  reactivated: 'membership.renewed',
  renewal_failed: 'membership.past_due',
  lapsed: 'membership.lapsed',
  canceled: 'membership.canceled',
  not_renewed: 'membership.canceled',
  retry_failed: null,
  paused: null,
  resumed: null,
  auto_renew_off: null,
  auto_renew_on: null,
  plan_switch_scheduled: null,
  plan_switch_withdrawn: null,
  payment_method_updated: null,
} as const satisfies Record<HistoryEvent, EventType | null>;

export async function recordChange(ctx: Ctx, subscription: Pick<Subscription, 'id' | 'memberId'>, change: Change): Promise<void> {
  await insertHistory(ctx.db, {
    id: ctx.ids.next('mbh'),
    member_id: subscription.memberId,
    subscription_id: subscription.id,
    event: change.event,
    from_state: change.from,
    to_state: change.to,
    plan: change.plan,
    period_id: change.periodId,
    period_ends_at_ms: change.periodEndsAtMs,
    effective_at_ms: change.effectiveAtMs,
    recorded_at_ms: ctx.clock.nowMs(),
    actor_role: change.actor.role,
    actor_id: change.actor.id,
    reason: change.reason ?? null,
  });
  const type = publishedAs[change.event];
  if (type !== null) {
    await recordEvent(ctx, {
      type,
      subjectId: subscription.id,
      memberId: subscription.memberId,
      data: { subscriptionId: subscription.id, change: change.event, plan: change.plan, periodId: change.periodId, periodEndsAt: change.periodEndsAtMs === null ? null : new Date(change.periodEndsAtMs).toISOString(), effectiveAt: new Date(change.effectiveAtMs).toISOString() },
    });
  }
}

/**
 * MB-10: `{ plan, periodId }` when the member's Plus was active at `atMs`, else `{ plan: null, periodId: null }`.
 * One indexed read, whatever the length of the history (the bench measures it on ten years of renewals).
 */
export async function plusStatusAt(ctx: Pick<Ctx, 'db'>, memberId: string, atMs: number): Promise<PlusStatus> {
  const point = await latestHistoryAt(ctx.db, memberId, atMs);
  return point ? plusStatusFromHistory([point], atMs) : notPlus;
}

/** MB-8: Plus members' cases and rights requests are flagged priority in agent queues. */
export async function isPriorityMember(ctx: Pick<Ctx, 'db'>, memberId: string, atMs: number): Promise<boolean> {
  return (await plusStatusAt(ctx, memberId, atMs)).plan !== null;
}
