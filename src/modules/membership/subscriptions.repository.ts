// Reading and writing subscriptions, their periods and their dated history (one row type per table, one mapper each).
import type { Executor } from '../../db/database.ts';
import { forUpdate } from '../../db/database.ts';
import type { HistoryPoint, Plan, SubscriptionState } from './membership.rules.ts';
import { openStates } from './membership.rules.ts';
import { membershipTables, type HistoryEvent, type HistoryRow, type PeriodRow, type SubscriptionRow } from './membership.table.ts';

export interface Subscription {
  id: string;
  memberId: string;
  state: SubscriptionState;
  plan: Plan;
  /** A switch waiting for the next renewal. */
  nextPlan: Plan | null;
  autoRenew: boolean;
  policyVersion: number;
  currency: 'USD';
  paymentMethod: string;
  anchorMs: number | null;
  anchorSeq: number;
  reminderDueAtMs: number | null;
  periodCount: number;
  currentPeriodId: string | null;
  currentPeriodEndMs: number | null;
  pausedAtMs: number | null;
  resumeAtMs: number | null;
  pastDueSinceMs: number | null;
  retriesDone: number;
  nextRetryAtMs: number | null;
  /** Until when a renewal run holds it (a charge in flight); null when none does. */
  claimedUntilMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
  endedAtMs: number | null;
  endReason: string | null;
}

export function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    memberId: row.member_id,
    state: row.state,
    plan: row.plan,
    nextPlan: row.next_plan,
    autoRenew: row.auto_renew === 1,
    policyVersion: Number(row.policy_version),
    currency: 'USD',
    paymentMethod: row.payment_method,
    anchorMs: row.anchor_ms === null ? null : Number(row.anchor_ms),
    anchorSeq: Number(row.anchor_seq),
    reminderDueAtMs: row.reminder_due_at_ms === null ? null : Number(row.reminder_due_at_ms),
    periodCount: Number(row.period_count),
    currentPeriodId: row.current_period_id,
    currentPeriodEndMs: row.current_period_end_ms === null ? null : Number(row.current_period_end_ms),
    pausedAtMs: row.paused_at_ms === null ? null : Number(row.paused_at_ms),
    resumeAtMs: row.resume_at_ms === null ? null : Number(row.resume_at_ms),
    pastDueSinceMs: row.past_due_since_ms === null ? null : Number(row.past_due_since_ms),
    retriesDone: Number(row.retries_done),
    nextRetryAtMs: row.next_retry_at_ms === null ? null : Number(row.next_retry_at_ms),
    claimedUntilMs: row.claimed_until_ms === null ? null : Number(row.claimed_until_ms),
    createdAtMs: Number(row.created_at_ms),
    updatedAtMs: Number(row.updated_at_ms),
    endedAtMs: row.ended_at_ms === null ? null : Number(row.ended_at_ms),
    endReason: row.end_reason,
  };
}

export type SubscriptionChanges = Partial<Omit<SubscriptionRow, 'id' | 'member_id' | 'created_at_ms'>>;

export async function insertSubscription(db: Executor, row: SubscriptionRow): Promise<void> {
  await membershipTables(db).insertInto('membership_subscriptions').values(row).execute();
}

export async function findSubscription(db: Executor, id: string): Promise<Subscription | undefined> {
  const row = await membershipTables(db).selectFrom('membership_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toSubscription(row);
}

/** Locks the row (PostgreSQL; SQLite's write transaction already serialises) so a change reads what it changes. */
export async function lockSubscription(db: Executor, id: string): Promise<Subscription | undefined> {
  const row = await forUpdate(db, membershipTables(db).selectFrom('membership_subscriptions').selectAll().where('id', '=', id)).executeTakeFirst();
  return row && toSubscription(row);
}

export async function findOpenSubscription(db: Executor, memberId: string): Promise<Subscription | undefined> {
  const row = await membershipTables(db)
    .selectFrom('membership_subscriptions')
    .selectAll()
    .where('member_id', '=', memberId)
    .where('state', 'in', openStates)
    .executeTakeFirst();
  return row && toSubscription(row);
}

export async function listMemberSubscriptions(db: Executor, memberId: string): Promise<Subscription[]> {
  const rows = await membershipTables(db).selectFrom('membership_subscriptions').selectAll().where('member_id', '=', memberId).orderBy('created_at_ms', 'desc').orderBy('id', 'desc').execute();
  return rows.map(toSubscription);
}

/** A guarded update: applies only while the subscription is still in `expected`; false when it moved meanwhile. */
export async function updateSubscription(db: Executor, id: string, expected: readonly SubscriptionState[], changes: SubscriptionChanges): Promise<boolean> {
  const result = await membershipTables(db).updateTable('membership_subscriptions').set(changes).where('id', '=', id).where('state', 'in', expected).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteSubscription(db: Executor, id: string): Promise<void> {
  await membershipTables(db).deleteFrom('membership_subscriptions').where('id', '=', id).where('state', '=', 'pending_payment').execute();
}

export async function listSubscriptionsInState(db: Executor, state: SubscriptionState, limit: number): Promise<Subscription[]> {
  const rows = await membershipTables(db).selectFrom('membership_subscriptions').selectAll().where('state', '=', state).orderBy('updated_at_ms', 'desc').limit(limit).execute();
  return rows.map(toSubscription);
}

// ---------------------------------------------------------------------------------------------------------------
// Periods

export interface Period {
  id: string;
  subscriptionId: string;
  seq: number;
  plan: Plan;
  startsAtMs: number;
  endsAtMs: number;
  priceMinor: number;
  gateway: string;
  gatewayPaymentId: string;
  paidAtMs: number;
}

function toPeriod(row: PeriodRow): Period {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    seq: Number(row.seq),
    plan: row.plan,
    startsAtMs: Number(row.starts_at_ms),
    endsAtMs: Number(row.ends_at_ms),
    priceMinor: Number(row.price_minor),
    gateway: row.gateway,
    gatewayPaymentId: row.gateway_payment_id,
    paidAtMs: Number(row.paid_at_ms),
  };
}

export async function insertPeriod(db: Executor, row: PeriodRow): Promise<void> {
  await membershipTables(db).insertInto('membership_periods').values(row).execute();
}

export async function movePeriodEnd(db: Executor, periodId: string, endsAtMs: number): Promise<void> {
  await membershipTables(db).updateTable('membership_periods').set({ ends_at_ms: endsAtMs }).where('id', '=', periodId).execute();
}

export async function listPeriods(db: Executor, subscriptionId: string): Promise<Period[]> {
  const rows = await membershipTables(db).selectFrom('membership_periods').selectAll().where('subscription_id', '=', subscriptionId).orderBy('seq', 'asc').execute();
  return rows.map(toPeriod);
}

// ---------------------------------------------------------------------------------------------------------------
// History (MB-10): append-only, one row per change, dated when the change took effect.

export interface HistoryEntry {
  id: string;
  subscriptionId: string;
  event: HistoryEvent;
  fromState: SubscriptionState | null;
  toState: SubscriptionState;
  plan: Plan;
  periodId: string | null;
  periodEndsAtMs: number | null;
  effectiveAtMs: number;
  recordedAtMs: number;
  actorRole: HistoryRow['actor_role'];
  actorId: string | null;
  reason: string | null;
}

function toHistoryEntry(row: HistoryRow): HistoryEntry {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    event: row.event,
    fromState: row.from_state,
    toState: row.to_state,
    plan: row.plan,
    periodId: row.period_id,
    periodEndsAtMs: row.period_ends_at_ms === null ? null : Number(row.period_ends_at_ms),
    effectiveAtMs: Number(row.effective_at_ms),
    recordedAtMs: Number(row.recorded_at_ms),
    actorRole: row.actor_role,
    actorId: row.actor_id,
    reason: row.reason,
  };
}

export async function insertHistory(db: Executor, row: HistoryRow): Promise<void> {
  await membershipTables(db).insertInto('membership_history').values(row).execute();
}

/** Oldest first; equal effective times in the order they were written. */
export async function listMemberHistory(db: Executor, memberId: string): Promise<HistoryEntry[]> {
  const query = membershipTables(db).selectFrom('membership_history').selectAll().where('member_id', '=', memberId);
  const rows = await query.orderBy('effective_at_ms', 'asc').orderBy('recorded_at_ms', 'asc').orderBy('id', 'asc').execute();
  return rows.map(toHistoryEntry);
}

/**
 * The state-deciding change at or before `atMs` (MB-10): one indexed read of the member's latest changes at that
 * moment, whatever the length of the history. Events that do not change the state (auto-renew toggles) carry the
 * state they left, so they decide as well as any.
 */
export async function latestHistoryAt(db: Executor, memberId: string, atMs: number): Promise<HistoryPoint | undefined> {
  const row = await membershipTables(db)
    .selectFrom('membership_history')
    .selectAll()
    .where('member_id', '=', memberId)
    .where('effective_at_ms', '<=', atMs)
    .orderBy('effective_at_ms', 'desc')
    .orderBy('recorded_at_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  return { effectiveAtMs: Number(row.effective_at_ms), sequence: 0, state: row.to_state, plan: row.plan, periodId: row.period_id, periodEndsAtMs: row.period_ends_at_ms === null ? null : Number(row.period_ends_at_ms) };
}
