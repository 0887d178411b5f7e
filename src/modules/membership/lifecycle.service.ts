// The member's side of a Plus subscription (MB-1, MB-2, MB-5, MB-6): join, pause and resume, cancel, auto-renewal,
// plan switch and payment method. Each change locks the subscription, checks the state machine, writes the new state
// and its dated history row in the caller's transaction; joining is a flow of short transactions around the gateway.
import type { Ctx, Deps } from '../../deps.ts';
import { transact } from '../../deps.ts';
import { isUniqueViolation } from '../../db/unique-violation.ts';
import { AppError } from '../../platform/errors.ts';
import { assertPauseRequest, assertTransition, periodEndMs, planPrice, reminderDueAtMs, shiftForPause, type Plan } from './membership.rules.ts';
import { chargeFee, chargeKey, type ChargeOutcome } from './billing.service.ts';
import { grantPeriodVouchers, shiftUnreleasedVouchers } from './benefits.service.ts';
import { recordPaidPeriod } from './periods.service.ts';
import { recordChange, type MembershipActor } from './history.service.ts';
import { queueMembershipNotice } from './notices.service.ts';
import { getCurrentMembershipPolicy, getMembershipPolicyVersion } from './policy.service.ts';
import {
  deleteSubscription,
  findOpenSubscription,
  findSubscription,
  insertSubscription,
  lockSubscription,
  movePeriodEnd,
  updateSubscription,
  type Subscription,
} from './subscriptions.repository.ts';

export interface JoinInput {
  memberId: string;
  plan: Plan;
  /** The gateway's payment token (sandbox: tok_approve, tok_decline, …); kept as the renewals' payment method. */
  paymentToken: string;
  actor: MembershipActor;
}

export type JoinResult = { outcome: 'active'; subscription: Subscription } | { outcome: 'declined'; code: string; message: string };

const alreadyPlus = () => new AppError('already_exists', 'You already have a Plus membership. Manage it on your membership page.');

async function lockOpen(ctx: Ctx, memberId: string, actor?: MembershipActor): Promise<Subscription> {
  const open = await findOpenSubscription(ctx.db, memberId);
  const locked = open && (await lockSubscription(ctx.db, open.id));
  if (!locked || locked.memberId !== memberId) {
    throw new AppError('not_found', actor && actor.role !== 'member' ? 'The member has no open Plus membership.' : 'You have no Plus membership.');
  }
  return locked;
}

/** A renewal charge in flight holds the subscription for a moment; a change meanwhile would race the payment. */
function assertNotRenewing(ctx: Ctx, subscription: Subscription): void {
  if (subscription.claimedUntilMs !== null && subscription.claimedUntilMs > ctx.clock.nowMs()) {
    throw new AppError('conflict', 'A renewal payment for this membership is being processed. Try again in a minute.', { subscriptionId: subscription.id });
  }
}

/**
 * MB-1, MB-2: one subscription per member; the fee goes through the gateway outside any transaction; benefits start
 * at the gateway's confirmation of the capture; a declined first payment leaves no membership. A lost gateway answer
 * leaves the subscription `pending_payment` for the settlement job, which asks again under the same keys.
 */
export async function joinPlus(deps: Deps, input: JoinInput): Promise<JoinResult> {
  const pending = await transact(deps, async (trx) => {
    if (await findOpenSubscription(trx.db, input.memberId)) throw alreadyPlus();
    const policy = await getCurrentMembershipPolicy(trx);
    const nowMs = trx.clock.nowMs();
    const id = trx.ids.next('sub');
    try {
      await insertSubscription(trx.db, {
        id,
        member_id: input.memberId,
        state: 'pending_payment',
        plan: input.plan,
        next_plan: null,
        auto_renew: 1,
        policy_version: policy.version,
        currency: 'USD',
        payment_method: input.paymentToken,
        anchor_ms: null,
        anchor_seq: 0,
        reminder_due_at_ms: null,
        period_count: 0,
        current_period_id: null,
        current_period_end_ms: null,
        paused_at_ms: null,
        resume_at_ms: null,
        past_due_since_ms: null,
        retries_done: 0,
        next_retry_at_ms: null,
        claimed_by: null,
        claimed_until_ms: null,
        created_at_ms: nowMs,
        updated_at_ms: nowMs,
        ended_at_ms: null,
        end_reason: null,
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw alreadyPlus();
      throw error;
    }
    return (await findSubscription(trx.db, id))!;
  });
  return settleJoin(deps, pending, input.actor);
}

/** Charges (or asks again about) a pending join and applies the answer; also the settlement job's step. */
export async function settleJoin(deps: Deps, pending: Subscription, actor: MembershipActor): Promise<JoinResult> {
  const policy = await getMembershipPolicyVersion(deps, pending.policyVersion);
  const priceMinor = planPrice(policy, pending.plan).priceMinor;
  const outcome = await chargeFee(deps, { token: pending.paymentMethod, amountMinor: priceMinor, key: chargeKey(pending.id, 0, 0) });
  if (outcome.kind === 'unknown') {
    throw new AppError('unavailable', 'The payment service is not answering. If the payment went through, your membership starts within a few minutes; otherwise nothing is charged.');
  }
  if (outcome.kind === 'declined') {
    await transact(deps, (trx) => deleteSubscription(trx.db, pending.id));
    return { outcome: 'declined', code: outcome.code, message: outcome.message };
  }
  const subscription = await transact(deps, (trx) => activateJoin(trx, pending.id, outcome, priceMinor, actor));
  return { outcome: 'active', subscription };
}

async function activateJoin(ctx: Ctx, subscriptionId: string, paid: Extract<ChargeOutcome, { kind: 'paid' }>, priceMinor: number, actor: MembershipActor): Promise<Subscription> {
  const sub = await lockSubscription(ctx.db, subscriptionId);
  if (!sub) throw new AppError('not_found', 'The membership was not found.');
  if (sub.state !== 'pending_payment') return sub; // settled meanwhile by the other path: the same answer
  const policy = await getMembershipPolicyVersion(ctx, sub.policyVersion);
  const startsAtMs = paid.confirmedAtMs;
  const endsAtMs = periodEndMs(startsAtMs, sub.plan, 0);
  const periodId = await recordPaidPeriod(ctx, sub, { seq: 0, plan: sub.plan, startsAtMs, endsAtMs, priceMinor, paid });
  await updateSubscription(ctx.db, sub.id, ['pending_payment'], {
    state: 'active',
    anchor_ms: startsAtMs,
    period_count: 1,
    current_period_id: periodId,
    current_period_end_ms: endsAtMs,
    reminder_due_at_ms: reminderDueAtMs(policy, { periodEndMs: endsAtMs, renewPlan: sub.plan, autoRenew: true }),
    updated_at_ms: ctx.clock.nowMs(),
  });
  await recordChange(ctx, sub, { event: 'joined', from: 'pending_payment', to: 'active', plan: sub.plan, periodId, periodEndsAtMs: endsAtMs, effectiveAtMs: startsAtMs, actor });
  await grantPeriodVouchers(ctx, { memberId: sub.memberId, subscriptionId: sub.id, periodId, plan: sub.plan, startsAtMs, vouchersPerMonth: policy.vouchersPerMonth });
  await queueMembershipNotice(ctx, { subscriptionId: sub.id, memberId: sub.memberId, kind: 'joined', dedupeKey: `joined:${sub.id}`, plan: sub.plan, priceMinor, atMs: endsAtMs, reason: null });
  return (await findSubscription(ctx.db, sub.id))!;
}

/** MB-5: no billing and no benefits while paused; an optional resume date within the policy's longest pause. */
export async function pauseMembership(ctx: Ctx, input: { memberId: string; resumeAtMs: number | null; actor: MembershipActor }): Promise<Subscription> {
  const sub = await lockOpen(ctx, input.memberId);
  assertNotRenewing(ctx, sub);
  assertTransition(sub.state, 'paused', 'paused');
  const nowMs = ctx.clock.nowMs();
  assertPauseRequest(nowMs, input.resumeAtMs, await getCurrentMembershipPolicy(ctx));
  await updateSubscription(ctx.db, sub.id, ['active'], { state: 'paused', paused_at_ms: nowMs, resume_at_ms: input.resumeAtMs, updated_at_ms: nowMs });
  await recordChange(ctx, sub, { event: 'paused', from: 'active', to: 'paused', plan: sub.plan, periodId: sub.currentPeriodId, periodEndsAtMs: sub.currentPeriodEndMs, effectiveAtMs: nowMs, actor: input.actor });
  return (await findSubscription(ctx.db, sub.id))!;
}

/**
 * MB-5: resuming moves the renewal date (and the billing anchor, and vouchers not yet released) out by exactly the
 * paused time. `atMs` is when the resume takes effect: now for a member's request, the resume date for the job.
 */
export async function resumeSubscription(ctx: Ctx, subscriptionId: string, atMs: number, actor: MembershipActor): Promise<Subscription> {
  const sub = await lockSubscription(ctx.db, subscriptionId);
  if (!sub) throw new AppError('not_found', 'The membership was not found.');
  assertTransition(sub.state, 'active', 'resumed');
  const pausedAtMs = sub.pausedAtMs!;
  const endsAtMs = shiftForPause(sub.currentPeriodEndMs!, pausedAtMs, atMs);
  await updateSubscription(ctx.db, sub.id, ['paused'], {
    state: 'active',
    paused_at_ms: null,
    resume_at_ms: null,
    anchor_ms: shiftForPause(sub.anchorMs!, pausedAtMs, atMs),
    current_period_end_ms: endsAtMs,
    reminder_due_at_ms: reminderDueAtMs(await getCurrentMembershipPolicy(ctx), { periodEndMs: endsAtMs, renewPlan: sub.nextPlan ?? sub.plan, autoRenew: sub.autoRenew }),
    updated_at_ms: ctx.clock.nowMs(),
  });
  await movePeriodEnd(ctx.db, sub.currentPeriodId!, endsAtMs);
  await shiftUnreleasedVouchers(ctx, sub.id, pausedAtMs, atMs);
  await recordChange(ctx, sub, { event: 'resumed', from: 'paused', to: 'active', plan: sub.plan, periodId: sub.currentPeriodId, periodEndsAtMs: endsAtMs, effectiveAtMs: atMs, actor });
  return (await findSubscription(ctx.db, sub.id))!;
}

export async function resumeMembership(ctx: Ctx, input: { memberId: string; actor: MembershipActor }): Promise<Subscription> {
  const sub = await lockOpen(ctx, input.memberId);
  return resumeSubscription(ctx, sub.id, ctx.clock.nowMs(), input.actor);
}

/** MB-6, MB-7: ends the membership and every benefit at once; nothing is refunded or prorated. */
async function cancelSubscription(ctx: Ctx, subscriptionId: string, actor: MembershipActor, reason: string | null = null, options: { notify: boolean } = { notify: true }): Promise<Subscription> {
  const sub = await lockSubscription(ctx.db, subscriptionId);
  if (!sub) throw new AppError('not_found', 'The membership was not found.');
  assertNotRenewing(ctx, sub);
  assertTransition(sub.state, 'canceled', 'canceled');
  const nowMs = ctx.clock.nowMs();
  await updateSubscription(ctx.db, sub.id, [sub.state], { state: 'canceled', ended_at_ms: nowMs, end_reason: 'canceled', next_retry_at_ms: null, resume_at_ms: null, updated_at_ms: nowMs });
  await recordChange(ctx, sub, { event: 'canceled', from: sub.state, to: 'canceled', plan: sub.plan, periodId: sub.currentPeriodId, periodEndsAtMs: sub.currentPeriodEndMs, effectiveAtMs: nowMs, actor, reason });
  if (options.notify) {
    await queueMembershipNotice(ctx, { subscriptionId: sub.id, memberId: sub.memberId, kind: 'canceled', dedupeKey: `canceled:${sub.id}`, plan: sub.plan, priceMinor: null, atMs: nowMs, reason: 'canceled' });
  }
  return (await findSubscription(ctx.db, sub.id))!;
}

/**
 * AC-10: closing the account ends Plus now, without refund (MB-6), with the reason `account_closed` in its history.
 * No membership email goes out: the closure confirmation says Plus ended (the canceled email would offer to rejoin).
 * Null when the member has no open membership; a first payment still in flight is refused (the closure waits for it).
 */
export async function endMembershipOnClosure(ctx: Ctx, input: { memberId: string; actor: MembershipActor }): Promise<Subscription | null> {
  const open = await findOpenSubscription(ctx.db, input.memberId);
  if (!open) return null;
  if (open.state === 'pending_payment') {
    throw new AppError('conflict', 'A Plus payment is being processed. Try again in a few minutes.', { reason: 'plus_payment_pending' });
  }
  return cancelSubscription(ctx, open.id, input.actor, 'account_closed', { notify: false });
}

/** The member's open membership canceled now, by the member or by staff on their behalf (`reason` a code). */
export async function cancelMembership(ctx: Ctx, input: { memberId: string; actor: MembershipActor; reason?: string }): Promise<Subscription> {
  const sub = await lockOpen(ctx, input.memberId, input.actor);
  return cancelSubscription(ctx, sub.id, input.actor, input.reason ?? null);
}

/** MB-6: with auto-renewal off the membership keeps its benefits to the end of the paid period, then ends. */
export async function setAutoRenew(ctx: Ctx, input: { memberId: string; enabled: boolean; actor: MembershipActor }): Promise<Subscription> {
  const sub = await lockOpen(ctx, input.memberId);
  if (sub.state !== 'active' && sub.state !== 'paused') {
    throw new AppError('invalid_state', sub.state === 'past_due' ? 'The membership is past due: update the payment method, or cancel it.' : 'The membership is not active yet.');
  }
  if (sub.autoRenew === input.enabled) return sub;
  assertNotRenewing(ctx, sub);
  const policy = await getCurrentMembershipPolicy(ctx);
  const reminderDue = reminderDueAtMs(policy, { periodEndMs: sub.currentPeriodEndMs!, renewPlan: sub.nextPlan ?? sub.plan, autoRenew: input.enabled });
  await updateSubscription(ctx.db, sub.id, [sub.state], { auto_renew: input.enabled ? 1 : 0, reminder_due_at_ms: reminderDue, updated_at_ms: ctx.clock.nowMs() });
  await recordChange(ctx, sub, { event: input.enabled ? 'auto_renew_on' : 'auto_renew_off', from: sub.state, to: sub.state, plan: sub.plan, periodId: sub.currentPeriodId, periodEndsAtMs: sub.currentPeriodEndMs, effectiveAtMs: ctx.clock.nowMs(), actor: input.actor });
  return (await findSubscription(ctx.db, sub.id))!;
}

/**
 * Switching monthly ↔ annual takes effect at the next renewal (as Stripe Billing and Recharge schedule it): the
 * current period keeps its plan and benefits; the renewal charges the new plan's price and starts a period of it.
 * Asking for the current plan withdraws a scheduled switch.
 */
export async function switchPlan(ctx: Ctx, input: { memberId: string; plan: Plan; actor: MembershipActor }): Promise<Subscription> {
  const sub = await lockOpen(ctx, input.memberId);
  if (sub.state === 'pending_payment') throw new AppError('invalid_state', 'The membership is not active yet.');
  const nextPlan = input.plan === sub.plan ? null : input.plan;
  if (nextPlan === sub.nextPlan) return sub;
  assertNotRenewing(ctx, sub);
  // The renewal will charge another price: a new reminder is due for it (MB-3), at once if its lead has begun.
  const policy = await getCurrentMembershipPolicy(ctx);
  const reminderDue = sub.currentPeriodEndMs === null ? null : reminderDueAtMs(policy, { periodEndMs: sub.currentPeriodEndMs, renewPlan: nextPlan ?? sub.plan, autoRenew: sub.autoRenew });
  await updateSubscription(ctx.db, sub.id, [sub.state], { next_plan: nextPlan, reminder_due_at_ms: reminderDue, updated_at_ms: ctx.clock.nowMs() });
  await recordChange(ctx, sub, {
    event: nextPlan ? 'plan_switch_scheduled' : 'plan_switch_withdrawn',
    from: sub.state,
    to: sub.state,
    plan: sub.plan,
    periodId: sub.currentPeriodId,
    periodEndsAtMs: sub.currentPeriodEndMs,
    effectiveAtMs: ctx.clock.nowMs(),
    actor: input.actor,
    reason: nextPlan,
  });
  return (await findSubscription(ctx.db, sub.id))!;
}

/** A new payment method; a past-due membership is retried with it right away (the next renewal run). */
export async function updatePaymentMethod(ctx: Ctx, input: { memberId: string; paymentToken: string; actor: MembershipActor }): Promise<Subscription> {
  const sub = await lockOpen(ctx, input.memberId);
  if (sub.state === 'pending_payment') throw new AppError('invalid_state', 'The membership is not active yet.');
  assertNotRenewing(ctx, sub);
  const nowMs = ctx.clock.nowMs();
  await updateSubscription(ctx.db, sub.id, [sub.state], { payment_method: input.paymentToken, next_retry_at_ms: sub.state === 'past_due' ? nowMs : sub.nextRetryAtMs, updated_at_ms: nowMs });
  await recordChange(ctx, sub, { event: 'payment_method_updated', from: sub.state, to: sub.state, plan: sub.plan, periodId: sub.currentPeriodId, periodEndsAtMs: sub.currentPeriodEndMs, effectiveAtMs: nowMs, actor: input.actor });
  return (await findSubscription(ctx.db, sub.id))!;
}
