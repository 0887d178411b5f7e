// The membership module's public face: Plus plans, subscriptions and their dated history (MB-1..MB-11), what other
// modules ask ("was this member annual Plus at T", priority, vouchers, benefit uses), its routes, jobs and emails.
import type { RegisterRoutes } from '../../http/types.ts';
import { registerMembershipRoutes } from './membership.routes.ts';
import { membershipJobHandlers, membershipSchedules } from './membership.jobs.ts';
import { membershipJoinedEmail } from './emails/membership-joined.ts';
import { membershipRenewalReminderEmail } from './emails/membership-renewal-reminder.ts';
import { membershipRenewedEmail } from './emails/membership-renewed.ts';
import { membershipPaymentFailedEmail } from './emails/membership-payment-failed.ts';
import { membershipLapsedEmail } from './emails/membership-lapsed.ts';
import { membershipCanceledEmail } from './emails/membership-canceled.ts';

export { plusStatusAt, isPriorityMember, type MembershipActor } from './history.service.ts';
export { useDeliveryVoucher, restoreDeliveryVoucher, recordBenefitUse, summarizeVouchers, deliveryVouchersLeftAt } from './benefits.service.ts';
export { getCurrentMembershipPolicy, getMembershipPolicyVersion, publishMembershipPolicy } from './policy.service.ts';
export { joinPlus, pauseMembership, resumeMembership, cancelMembership, setAutoRenew, switchPlan, updatePaymentMethod, endMembershipOnClosure } from './lifecycle.service.ts';
export { runMembershipRenewals, sendDueReminders, settleStalePendingJoins, claimDueSubscriptions, type RenewalReport } from './renewals.service.ts';
export { getMembershipOverview } from './membership.service.ts';
export { plans, subscriptionStates, defaultMembershipSettings, type Plan, type PlusStatus, type SubscriptionState, type MembershipSettings, type MembershipPolicy } from './membership.rules.ts';
export type { BenefitKind } from './membership.table.ts';

export const registerRoutes: RegisterRoutes = (app, deps) => registerMembershipRoutes(app, deps);
export const jobHandlers = membershipJobHandlers;
export const schedules = membershipSchedules;
export const templates = [membershipJoinedEmail, membershipRenewalReminderEmail, membershipRenewedEmail, membershipPaymentFailedEmail, membershipLapsedEmail, membershipCanceledEmail];
export { membershipPersonalData as personalData } from './membership.data-map.ts';
