// Plus membership API (src/modules/membership/membership.routes.ts): the plans, the member's own membership and its
// actions, and the console's view of a member's membership and the past-due list.
import { ApiError, api, query } from './client.ts';

export const plans = ['monthly', 'annual'] as const;
export type Plan = (typeof plans)[number];

export type SubscriptionState = 'pending_payment' | 'active' | 'past_due' | 'paused' | 'canceled' | 'lapsed';

export interface PlanPrice {
  priceMinor: number;
  listPriceMinor: number;
  currency: 'USD';
}

/** plansView in membership.schemas.ts. */
export interface MembershipPlans {
  policyVersion: number;
  monthly: PlanPrice;
  annual: PlanPrice;
  memberDiscountBp: number;
  vouchersPerMonth: number;
}

/** subscriptionView in membership.schemas.ts. */
export interface Subscription {
  id: string;
  memberId: string;
  state: SubscriptionState;
  plan: Plan;
  nextPlan: Plan | null;
  autoRenew: boolean;
  currentPeriodEndsAt: string | null;
  pausedAt: string | null;
  resumeAt: string | null;
  pastDueSince: string | null;
  retriesDone: number;
  nextRetryAt: string | null;
  createdAt: string;
  endedAt: string | null;
  endReason: string | null;
}

export type BenefitKind = 'member_discount' | 'delivery_voucher' | 'earn_multiplier';
export type NoticeKind = 'joined' | 'renewal_reminder' | 'renewed' | 'payment_failed' | 'lapsed' | 'canceled';
export type HistoryEvent =
  | 'joined'
  | 'renewed'
  | 'renewal_failed'
  | 'retry_failed'
  | 'reactivated'
  | 'lapsed'
  | 'paused'
  | 'resumed'
  | 'canceled'
  | 'not_renewed'
  | 'auto_renew_off'
  | 'auto_renew_on'
  | 'plan_switch_scheduled'
  | 'plan_switch_withdrawn'
  | 'payment_method_updated';

export interface BenefitUse {
  id: string;
  periodId: string;
  kind: BenefitKind;
  orderId: string;
  amountMinor: number;
  credits: number;
  state: 'used' | 'restored';
  usedAt: string;
}

export interface Period {
  id: string;
  seq: number;
  plan: Plan;
  startsAt: string;
  endsAt: string;
  priceMinor: number;
  paidAt: string;
}

export interface Notice {
  id: string;
  kind: NoticeKind;
  plan: Plan;
  priceMinor: number | null;
  renewsAt: string | null;
  messageId: string | null;
  sentToMember: boolean;
  createdAt: string;
}

export interface MembershipHistoryEntry {
  id: string;
  subscriptionId: string;
  event: HistoryEvent;
  fromState: SubscriptionState | null;
  toState: SubscriptionState;
  plan: Plan;
  periodId: string | null;
  effectiveAt: string;
  recordedAt: string;
  actorRole: string;
}

/** overviewView in membership.schemas.ts: what the membership page and the console show. */
export interface MembershipOverview {
  subscription: Subscription | null;
  plusActive: boolean;
  plan: Plan | null;
  nextRenewal: { at: string; plan: Plan; priceMinor: number; currency: 'USD' } | null;
  vouchers: { available: number; used: number; nextReleaseAt: string | null } | null;
  benefitsUsed: BenefitUse[];
  periods: Period[];
  notices: Notice[];
  history: MembershipHistoryEntry[];
}

export type JoinResult =
  | { outcome: 'active'; subscription: Subscription; payment: { code: null; message: null } }
  | { outcome: 'declined'; subscription: null; payment: { code: string | null; message: string | null } };

function isDeclinedJoin(body: unknown): body is Extract<JoinResult, { outcome: 'declined' }> {
  return typeof body === 'object' && body !== null && (body as { outcome?: unknown }).outcome === 'declined';
}

const agentPath = (memberId: string) => `/agent/members/${encodeURIComponent(memberId)}/membership`;

export const membershipApi = {
  plans: () => api.get<MembershipPlans>('/membership/plans'),
  mine: () => api.get<MembershipOverview>('/me/membership'),
  /** A declined card is an answer, not a failure: the API says so with 402 and the join's outcome. */
  join: async (input: { plan: Plan; paymentToken: string }, idempotencyKey: string): Promise<JoinResult> => {
    try {
      return await api.post<JoinResult>('/me/membership', input, { 'idempotency-key': idempotencyKey });
    } catch (error) {
      if (error instanceof ApiError && error.status === 402 && isDeclinedJoin(error.body)) return error.body;
      throw error;
    }
  },
  pause: (resumeAt: string | null) => api.post<Subscription>('/me/membership/pause', { resumeAt }),
  resume: () => api.post<Subscription>('/me/membership/resume', {}),
  cancel: () => api.post<Subscription>('/me/membership/cancel', { confirm: true }),
  setAutoRenew: (enabled: boolean) => api.put<Subscription>('/me/membership/auto-renew', { enabled }),
  switchPlan: (plan: Plan) => api.put<Subscription>('/me/membership/plan', { plan }),
  updatePaymentMethod: (paymentToken: string) => api.put<Subscription>('/me/membership/payment-method', { paymentToken }),
  memberMembership: (memberId: string) => api.get<MembershipOverview>(agentPath(memberId)),
  cancelForMember: (memberId: string) => api.post<Subscription>(`${agentPath(memberId)}/cancel`, { confirm: true }),
  inState: (state: 'past_due' | 'paused' | 'active' = 'past_due') => api.get<{ subscriptions: Subscription[] }>(`/agent/memberships${query({ state })}`),
};
