// The renewal run (MB-3, MB-4, MB-5): claims what is due under a short lease (several instances at once take
// disjoint subscriptions), charges the fee with the gateway outside any transaction under a key of the subscription,
// the period and the attempt, then records the outcome in one short transaction guarded by the claim. A crashed run
// leaves its claims to lapse; the next run asks the gateway again under the same key and gets its first answer, so
// a period is charged at most once whatever crashes or races happen.
import type { Ctx, Deps } from '../../deps.ts';
import { transact } from '../../deps.ts';
import { forUpdate, isPostgres } from '../../db/database.ts';
import { randomToken } from '../../platform/ids.ts';
import { monotonicMs } from '../../platform/clock.ts';
import { periodEndMs, planPrice, plans, reminderDueAtMs, retryTimesMs, type Plan } from './membership.rules.ts';
import { chargeFee, chargeKey, type ChargeOutcome } from './billing.service.ts';
import { grantPeriodVouchers } from './benefits.service.ts';
import { recordPaidPeriod } from './periods.service.ts';
import { recordChange, systemActor } from './history.service.ts';
import { queueMembershipNotice } from './notices.service.ts';
import { getCurrentMembershipPolicy, getMembershipPolicyVersion } from './policy.service.ts';
import { resumeSubscription, settleJoin } from './lifecycle.service.ts';
import { AppError } from '../../platform/errors.ts';
import { findSubscription, lockSubscription, toSubscription, updateSubscription, type Subscription } from './subscriptions.repository.ts';
import { membershipTables } from './membership.table.ts';

/** A claim outlives a slow gateway call comfortably, and a crashed run's claims free up within a minute. */
export const renewalLeaseMs = 60_000;
/** A join whose answer was lost is settled after this long (the member was told to wait a few minutes). */
export const pendingJoinSettleAfterMs = 5 * 60_000;

export interface RenewalReport {
  claimed: number;
  renewed: number;
  reactivated: number;
  failed: number;
  lapsed: number;
  ended: number;
  resumed: number;
  unknown: number;
}

const emptyReport = (): RenewalReport => ({ claimed: 0, renewed: 0, reactivated: 0, failed: 0, lapsed: 0, ended: 0, resumed: 0, unknown: 0 });

/** Takes up to `limit` due subscriptions for `workerId` (renewals, retries, resumes) and returns them. */
export async function claimDueSubscriptions(deps: Deps, workerId: string, limit: number, leaseMs = renewalLeaseMs): Promise<Subscription[]> {
  const nowMs = deps.clock.nowMs();
  return transact(deps, async (trx) => {
    const table = () => membershipTables(trx.db);
    const free = (q: ReturnType<typeof candidates>) => q.where((eb) => eb.or([eb('claimed_until_ms', 'is', null), eb('claimed_until_ms', '<=', nowMs)]));
    const candidates = () => table().selectFrom('membership_subscriptions').select('id');
    // Three narrow queries, each served by its partial index, rather than one OR that would scan.
    const queries = [
      free(candidates().where('state', '=', 'active').where('current_period_end_ms', '<=', nowMs)).orderBy('current_period_end_ms'),
      free(candidates().where('state', '=', 'past_due').where('next_retry_at_ms', '<=', nowMs)).orderBy('next_retry_at_ms'),
      free(candidates().where('state', '=', 'paused').where('resume_at_ms', '<=', nowMs)).orderBy('resume_at_ms'),
    ];
    const ids: string[] = [];
    for (const query of queries) {
      if (ids.length >= limit) break;
      const limited = query.limit(limit - ids.length);
      // PostgreSQL: concurrent runs skip each other's candidates instead of waiting on them (PL-7).
      const rows = await (isPostgres(trx.db) ? limited.forUpdate().skipLocked() : limited).execute();
      ids.push(...rows.map((row) => row.id));
    }
    if (ids.length === 0) return [];
    await table().updateTable('membership_subscriptions').set({ claimed_by: workerId, claimed_until_ms: nowMs + leaseMs }).where('id', 'in', ids).execute();
    const claimed = await table().selectFrom('membership_subscriptions').selectAll().where('id', 'in', ids).where('claimed_by', '=', workerId).execute();
    return claimed.map(toSubscription);
  });
}

async function release(ctx: Ctx, subscriptionId: string, workerId: string): Promise<void> {
  await membershipTables(ctx.db).updateTable('membership_subscriptions').set({ claimed_by: null, claimed_until_ms: null }).where('id', '=', subscriptionId).where('claimed_by', '=', workerId).execute();
}

/**
 * Locks the row and checks that this run still holds it and nothing moved it meanwhile. One locked read that also
 * carries the claim (bench/membership.ts: a second read of `claimed_by` was one more round trip per renewal, inside the
 * transaction that holds the row lock).
 */
async function stillOurs(ctx: Ctx, claimed: Subscription, workerId: string): Promise<Subscription | undefined> {
  const row = await forUpdate(ctx.db, membershipTables(ctx.db).selectFrom('membership_subscriptions').selectAll().where('id', '=', claimed.id)).executeTakeFirst();
  if (!row || row.claimed_by !== workerId) return undefined;
  const current = toSubscription(row);
  if (current.state !== claimed.state || current.periodCount !== claimed.periodCount || current.retriesDone !== claimed.retriesDone) return undefined;
  return current;
}

/** The key of the reminder that stated the price of the renewal after the current period on `plan` (MB-3). */
const reminderKey = (sub: Subscription, plan: Plan) => `renewal_reminder:${sub.currentPeriodId}:${plan}`;

/**
 * What a batch's renewals charge: the price each one's reminder stated (MB-3), else today's. Read once per claimed
 * batch, not per renewal (bench/membership.ts: the notice and the current policy were two round trips per renewal).
 */
async function renewalPrices(ctx: Ctx, claimed: readonly Subscription[]): Promise<(sub: Subscription, plan: Plan) => { priceMinor: number; policyVersion: number }> {
  const policy = await getCurrentMembershipPolicy(ctx);
  const keys = claimed.filter((sub) => sub.currentPeriodId !== null).flatMap((sub) => plans.map((plan) => reminderKey(sub, plan)));
  const stated = new Map<string, number>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await membershipTables(ctx.db).selectFrom('membership_notices').select(['dedupe_key', 'price_minor']).where('dedupe_key', 'in', keys.slice(i, i + 500)).execute();
    for (const row of rows) if (row.price_minor != null) stated.set(row.dedupe_key, Number(row.price_minor));
  }
  return (sub, plan) => ({ priceMinor: stated.get(reminderKey(sub, plan)) ?? planPrice(policy, plan).priceMinor, policyVersion: policy.version });
}

/**
 * A successful charge for period `seq`: the new period starts where the last one ended (the billing anchor keeps
 * its day of month), benefits continue (renewal) or resume (a paid retry), vouchers for the period are granted.
 */
async function applyPaid(ctx: Ctx, sub: Subscription, paid: Extract<ChargeOutcome, { kind: 'paid' }>, plan: Plan, priceMinor: number, policyVersion: number): Promise<'renewed' | 'reactivated'> {
  const policy = await getMembershipPolicyVersion(ctx, policyVersion);
  const seq = sub.periodCount;
  const startsAtMs = sub.currentPeriodEndMs!;
  // A plan switch restarts the anchor at the switch, so annual periods count from the day the annual plan began.
  const switched = plan !== sub.plan;
  const anchorMs = switched ? startsAtMs : sub.anchorMs!;
  const anchorSeq = switched ? seq : sub.anchorSeq;
  const endsAtMs = periodEndMs(anchorMs, plan, seq - anchorSeq);
  const nowMs = ctx.clock.nowMs();
  const periodId = await recordPaidPeriod(ctx, sub, { seq, plan, startsAtMs, endsAtMs, priceMinor, paid });
  const reactivated = sub.state === 'past_due';
  await updateSubscription(ctx.db, sub.id, [sub.state], {
    state: 'active',
    plan,
    next_plan: null,
    policy_version: policyVersion,
    anchor_ms: anchorMs,
    anchor_seq: anchorSeq,
    period_count: seq + 1,
    current_period_id: periodId,
    current_period_end_ms: endsAtMs,
    reminder_due_at_ms: reminderDueAtMs(policy, { periodEndMs: endsAtMs, renewPlan: plan, autoRenew: sub.autoRenew }),
    past_due_since_ms: null,
    retries_done: 0,
    next_retry_at_ms: null,
    claimed_by: null,
    claimed_until_ms: null,
    updated_at_ms: nowMs,
  });
  // A renewal takes effect at the period's end, even when the run came a little later; a paid retry gives benefits
  // back from the gateway's confirmation (they were paused while past due, MB-4).
  const effectiveAtMs = reactivated ? Math.max(paid.confirmedAtMs, startsAtMs) : startsAtMs;
  await recordChange(ctx, sub, { event: reactivated ? 'reactivated' : 'renewed', from: sub.state, to: 'active', plan, periodId, periodEndsAtMs: endsAtMs, effectiveAtMs, actor: systemActor });
  await grantPeriodVouchers(ctx, { memberId: sub.memberId, subscriptionId: sub.id, periodId, plan, startsAtMs: effectiveAtMs, vouchersPerMonth: policy.vouchersPerMonth });
  await queueMembershipNotice(ctx, { subscriptionId: sub.id, memberId: sub.memberId, kind: 'renewed', dedupeKey: `renewed:${sub.id}:${seq}`, plan, priceMinor, atMs: endsAtMs, reason: null });
  return reactivated ? 'reactivated' : 'renewed';
}

/** MB-4: the first failure makes the membership past due at the period's end; each failed retry counts; the last lapses it. */
async function applyDeclined(ctx: Ctx, sub: Subscription, plan: Plan, priceMinor: number): Promise<'failed' | 'lapsed'> {
  const policy = await getCurrentMembershipPolicy(ctx);
  const nowMs = ctx.clock.nowMs();
  const base = { claimed_by: null, claimed_until_ms: null, updated_at_ms: nowMs } as const;
  if (sub.state === 'active') {
    const failedAtMs = sub.currentPeriodEndMs!;
    const retries = retryTimesMs(failedAtMs, policy.renewalRetries, policy.renewalRetryWindowMs);
    if (retries.length === 0) return lapse(ctx, sub, failedAtMs, base);
    await updateSubscription(ctx.db, sub.id, ['active'], { ...base, state: 'past_due', past_due_since_ms: failedAtMs, retries_done: 0, next_retry_at_ms: retries[0]!, reminder_due_at_ms: null });
    await recordChange(ctx, sub, { event: 'renewal_failed', from: 'active', to: 'past_due', plan: sub.plan, periodId: sub.currentPeriodId, periodEndsAtMs: sub.currentPeriodEndMs, effectiveAtMs: failedAtMs, actor: systemActor });
    await queueMembershipNotice(ctx, { subscriptionId: sub.id, memberId: sub.memberId, kind: 'payment_failed', dedupeKey: `payment_failed:${sub.id}:${sub.periodCount}:0`, plan, priceMinor, atMs: retries[0]!, reason: null });
    return 'failed';
  }
  const done = sub.retriesDone + 1;
  const retries = retryTimesMs(sub.pastDueSinceMs!, policy.renewalRetries, policy.renewalRetryWindowMs);
  if (done >= retries.length) return lapse(ctx, sub, nowMs, base);
  await updateSubscription(ctx.db, sub.id, ['past_due'], { ...base, retries_done: done, next_retry_at_ms: retries[done]! });
  await recordChange(ctx, sub, { event: 'retry_failed', from: 'past_due', to: 'past_due', plan: sub.plan, periodId: sub.currentPeriodId, periodEndsAtMs: sub.currentPeriodEndMs, effectiveAtMs: nowMs, actor: systemActor, reason: String(done) });
  await queueMembershipNotice(ctx, { subscriptionId: sub.id, memberId: sub.memberId, kind: 'payment_failed', dedupeKey: `payment_failed:${sub.id}:${sub.periodCount}:${done}`, plan, priceMinor, atMs: retries[done]!, reason: null });
  return 'failed';
}

async function lapse(ctx: Ctx, sub: Subscription, atMs: number, base: { claimed_by: null; claimed_until_ms: null; updated_at_ms: number }): Promise<'lapsed'> {
  await updateSubscription(ctx.db, sub.id, [sub.state], { ...base, state: 'lapsed', ended_at_ms: atMs, end_reason: 'payment_failed', next_retry_at_ms: null, reminder_due_at_ms: null });
  await recordChange(ctx, sub, { event: 'lapsed', from: sub.state, to: 'lapsed', plan: sub.plan, periodId: sub.currentPeriodId, periodEndsAtMs: sub.currentPeriodEndMs, effectiveAtMs: atMs, actor: systemActor });
  await queueMembershipNotice(ctx, { subscriptionId: sub.id, memberId: sub.memberId, kind: 'lapsed', dedupeKey: `lapsed:${sub.id}`, plan: sub.plan, priceMinor: null, atMs, reason: null });
  return 'lapsed';
}

/** MB-6: with auto-renewal off the membership ends at the period's end, not before and not after. */
async function endNotRenewed(ctx: Ctx, sub: Subscription): Promise<void> {
  const endedAtMs = sub.currentPeriodEndMs!;
  await updateSubscription(ctx.db, sub.id, ['active'], { state: 'canceled', ended_at_ms: endedAtMs, end_reason: 'not_renewed', claimed_by: null, claimed_until_ms: null, reminder_due_at_ms: null, updated_at_ms: ctx.clock.nowMs() });
  await recordChange(ctx, sub, { event: 'not_renewed', from: 'active', to: 'canceled', plan: sub.plan, periodId: sub.currentPeriodId, periodEndsAtMs: sub.currentPeriodEndMs, effectiveAtMs: endedAtMs, actor: systemActor });
  await queueMembershipNotice(ctx, { subscriptionId: sub.id, memberId: sub.memberId, kind: 'canceled', dedupeKey: `canceled:${sub.id}`, plan: sub.plan, priceMinor: null, atMs: endedAtMs, reason: 'not_renewed' });
}

async function processClaimed(deps: Deps, sub: Subscription, workerId: string, report: RenewalReport, priceOf: Awaited<ReturnType<typeof renewalPrices>>): Promise<void> {
  if (sub.state === 'paused') {
    await transact(deps, async (trx) => {
      if (!(await stillOurs(trx, sub, workerId))) return;
      await resumeSubscription(trx, sub.id, sub.resumeAtMs!, systemActor);
      await release(trx, sub.id, workerId);
      report.resumed++;
    });
    return;
  }
  if (sub.state === 'active' && !sub.autoRenew) {
    await transact(deps, async (trx) => {
      if (!(await stillOurs(trx, sub, workerId))) return;
      await endNotRenewed(trx, sub);
      report.ended++;
    });
    return;
  }
  const plan = sub.nextPlan ?? sub.plan;
  const { priceMinor, policyVersion } = priceOf(sub, plan);
  const attempt = sub.state === 'active' ? 0 : sub.retriesDone + 1;
  const outcome = await chargeFee(deps, { token: sub.paymentMethod, amountMinor: priceMinor, key: chargeKey(sub.id, sub.periodCount, attempt) });
  if (outcome.kind === 'unknown') {
    // Leave the claim to lapse: the next run after the lease asks again under the same key.
    report.unknown++;
    return;
  }
  await transact(deps, async (trx) => {
    const current = await stillOurs(trx, sub, workerId);
    if (!current) return;
    if (outcome.kind === 'paid') report[await applyPaid(trx, current, outcome, plan, priceMinor, policyVersion)]++;
    else report[await applyDeclined(trx, current, plan, priceMinor)]++;
  });
}

/**
 * One renewal run: due renewals, retries and resumes in batches until none is due, or `maxBatches`, or the time
 * budget (wall time of this process) is spent: the scheduled job keeps going past a fixed number of batches so that
 * 100k renewals due in one minute are not left for twenty runs (a member is not Plus between the period's end and
 * the renewal's record), yet hands over well inside its job lease.
 */
export async function runMembershipRenewals(deps: Deps, options: { workerId?: string; batchSize?: number; maxBatches?: number; concurrency?: number; budgetMs?: number } = {}): Promise<RenewalReport> {
  const deadlineMs = options.budgetMs === undefined ? Number.POSITIVE_INFINITY : monotonicMs() + options.budgetMs;
  const workerId = options.workerId ?? `renewals:${randomToken(6)}`;
  const batchSize = options.batchSize ?? 100;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const report = emptyReport();
  for (let batch = 0; batch < (options.maxBatches ?? 50) && monotonicMs() < deadlineMs; batch++) {
    const claimed = await claimDueSubscriptions(deps, workerId, batchSize);
    if (claimed.length === 0) break;
    report.claimed += claimed.length;
    const priceOf = await renewalPrices(deps, claimed);
    // A few gateway calls in flight at once: the run's time is the gateway's latency, not the database's.
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, claimed.length) }, async () => {
        while (next < claimed.length) await processClaimed(deps, claimed[next++]!, workerId, report, priceOf);
      }),
    );
    if (claimed.length < batchSize) break;
  }
  return report;
}

/** Reminders whose time has come (MB-3), each requested once per period and plan. */
export async function sendDueReminders(deps: Deps, options: { limit?: number } = {}): Promise<number> {
  const nowMs = deps.clock.nowMs();
  const due = await membershipTables(deps.db)
    .selectFrom('membership_subscriptions')
    .selectAll()
    .where('state', '=', 'active')
    .where('reminder_due_at_ms', '<=', nowMs)
    .orderBy('reminder_due_at_ms')
    .limit(options.limit ?? 500)
    .execute();
  let sent = 0;
  for (const row of due) {
    await transact(deps, async (trx) => {
      const sub = await lockSubscription(trx.db, row.id);
      if (!sub || sub.state !== 'active' || sub.reminderDueAtMs === null || sub.reminderDueAtMs > nowMs || !sub.autoRenew) return;
      const plan = sub.nextPlan ?? sub.plan;
      const policy = await getCurrentMembershipPolicy(trx);
      await queueMembershipNotice(trx, {
        subscriptionId: sub.id,
        memberId: sub.memberId,
        kind: 'renewal_reminder',
        dedupeKey: `renewal_reminder:${sub.currentPeriodId}:${plan}`,
        plan,
        priceMinor: planPrice(policy, plan).priceMinor,
        atMs: sub.currentPeriodEndMs,
        reason: null,
      });
      await updateSubscription(trx.db, sub.id, ['active'], { reminder_due_at_ms: null });
      sent++;
    });
  }
  return sent;
}

/** Joins whose gateway answer was lost (MB-2): asked again under the same keys, then activated or removed. */
export async function settleStalePendingJoins(deps: Deps, options: { limit?: number } = {}): Promise<number> {
  const cutoffMs = deps.clock.nowMs() - pendingJoinSettleAfterMs;
  const rows = await membershipTables(deps.db).selectFrom('membership_subscriptions').select('id').where('state', '=', 'pending_payment').where('created_at_ms', '<=', cutoffMs).limit(options.limit ?? 100).execute();
  let settled = 0;
  for (const row of rows) {
    const pending = await findSubscription(deps.db, row.id);
    if (!pending || pending.state !== 'pending_payment') continue;
    try {
      await settleJoin(deps, pending, systemActor);
      settled++;
    } catch (error) {
      // Still no answer from the gateway: the next run asks again under the same keys.
      if (!(error instanceof AppError && error.code === 'unavailable')) throw error;
    }
  }
  return settled;
}
