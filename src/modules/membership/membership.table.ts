// Row types of the membership module's tables (migration 0600); they never leave this module's repositories.
import type { Kysely } from 'kysely';
import { tables, type Executor } from '../../db/database.ts';
import type { Plan, SubscriptionState } from './membership.rules.ts';

export interface MembershipPolicyRow {
  version: number;
  settings: string;
  published_at_ms: number;
  published_by: string | null;
  note: string | null;
}

export interface SubscriptionRow {
  id: string;
  member_id: string;
  state: SubscriptionState;
  plan: Plan;
  next_plan: Plan | null;
  auto_renew: 0 | 1;
  policy_version: number;
  currency: string;
  /** The gateway's reusable payment method reference (the sandbox's test token); never card data. */
  payment_method: string;
  anchor_ms: number | null;
  /** The period number the anchor counts from (a plan switch restarts the count at the switch). */
  anchor_seq: number;
  period_count: number;
  current_period_id: string | null;
  current_period_end_ms: number | null;
  paused_at_ms: number | null;
  resume_at_ms: number | null;
  past_due_since_ms: number | null;
  /** When the next renewal reminder is due (MB-3); null once sent or when none is due. */
  reminder_due_at_ms: number | null;
  retries_done: number;
  next_retry_at_ms: number | null;
  claimed_by: string | null;
  claimed_until_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
  ended_at_ms: number | null;
  end_reason: string | null;
}

export interface PeriodRow {
  id: string;
  subscription_id: string;
  member_id: string;
  seq: number;
  plan: Plan;
  starts_at_ms: number;
  ends_at_ms: number;
  price_minor: number;
  currency: string;
  gateway: string;
  gateway_payment_id: string;
  paid_at_ms: number;
  created_at_ms: number;
}

export const historyEvents = [
  'joined',
  'renewed',
  'renewal_failed',
  'retry_failed',
  'reactivated',
  'lapsed',
  'paused',
  'resumed',
  'canceled',
  'not_renewed',
  'auto_renew_off',
  'auto_renew_on',
  'plan_switch_scheduled',
  'plan_switch_withdrawn',
  'payment_method_updated',
] as const;
export type HistoryEvent = (typeof historyEvents)[number];

export interface HistoryRow {
  id: string;
  member_id: string;
  subscription_id: string;
  event: HistoryEvent;
  from_state: SubscriptionState | null;
  to_state: SubscriptionState;
  plan: Plan;
  period_id: string | null;
  period_ends_at_ms: number | null;
  effective_at_ms: number;
  recorded_at_ms: number;
  actor_role: 'member' | 'agent' | 'admin' | 'system' | 'api_key';
  actor_id: string | null;
  reason: string | null;
}

export const noticeKinds = ['joined', 'renewal_reminder', 'renewed', 'payment_failed', 'lapsed', 'canceled'] as const;
export type NoticeKind = (typeof noticeKinds)[number];

export interface NoticeRow {
  id: string;
  member_id: string;
  subscription_id: string;
  kind: NoticeKind;
  dedupe_key: string;
  plan: Plan;
  price_minor: number | null;
  renews_at_ms: number | null;
  /** The outbox message (its subject, HTML and text are the proof of what was said). */
  message_id: string | null;
  /** 0 when the member had no contact (closed account): the notice is recorded, nothing was sent. */
  sent_to_member: 0 | 1;
  created_at_ms: number;
}

export interface VoucherRow {
  id: string;
  member_id: string;
  subscription_id: string;
  period_id: string;
  available_from_ms: number;
  state: 'available' | 'used';
  used_order_id: string | null;
  used_at_ms: number | null;
  created_at_ms: number;
}

export const benefitKinds = ['member_discount', 'delivery_voucher', 'earn_multiplier'] as const;
export type BenefitKind = (typeof benefitKinds)[number];

export interface BenefitUseRow {
  id: string;
  member_id: string;
  subscription_id: string;
  period_id: string;
  kind: BenefitKind;
  order_id: string;
  amount_minor: number;
  credits: number;
  state: 'used' | 'restored';
  used_at_ms: number;
  restored_at_ms: number | null;
}

export interface MembershipTables {
  membership_policies: MembershipPolicyRow;
  membership_subscriptions: SubscriptionRow;
  membership_periods: PeriodRow;
  membership_history: HistoryRow;
  membership_notices: NoticeRow;
  membership_vouchers: VoucherRow;
  membership_benefit_uses: BenefitUseRow;
}

export function membershipTables(db: Executor): Kysely<MembershipTables> {
  return tables<MembershipTables>(db);
}
