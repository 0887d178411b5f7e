// Resolving a case (AS-7, AS-8, AS-11) as pure rules: when a case may be resolved and with what, the store's refund
// reason for a case's reason, and the customer-worded detail each resolution records on the case and emails.
// No database, no clock.
import { AppError } from '../../platform/errors.ts';
import { assertNever } from '../../platform/assert.ts';
import { formatAmount } from '../../platform/money.ts';
import type { RefundReason } from '../store/index.ts';
import type { CaseState, ReasonCode, Remedy } from './cases.rules.ts';
import type { EligibilityDecision } from './eligibility.rules.ts';

/**
 * A case is resolved once approved when nothing has to come back (damage reports, keep-item, support), or once the
 * item was received and inspected. Anything earlier has not been decided; anything later is final.
 */
export const resolvableCaseStates = ['approved', 'received'] as const satisfies readonly CaseState[];

const remedyWords: Record<Remedy, string> = {
  refund: 'a refund',
  exchange: 'an exchange',
  replacement: 'a replacement',
  credit_restore: 'a credit restore',
  none: 'no remedy',
};

export interface ResolvableCase {
  state: CaseState;
  eligibility: Pick<EligibilityDecision, 'allowedRemedies'>;
  resolvingSinceMs: number | null;
}

/** Refuses a resolution the case is not ready for (409) or a remedy its eligibility did not allow (422). */
export function assertCaseResolvable(record: ResolvableCase, remedy: Remedy): void {
  if (record.state === 'resolved') throw new AppError('invalid_state', 'This case is already resolved.', { state: record.state });
  if (!(resolvableCaseStates as readonly CaseState[]).includes(record.state)) {
    throw new AppError('invalid_state', `This case is ${record.state.replace('_', ' ')}: it can be resolved once approved (when nothing has to come back) or once the item is received and inspected.`, { state: record.state });
  }
  if (record.resolvingSinceMs !== null) throw new AppError('conflict', 'A refund for this case is already on its way; the case will be resolved in a moment.');
  const allowed = record.eligibility.allowedRemedies;
  if (!allowed.includes(remedy)) {
    const words = allowed.map((entry) => remedyWords[entry]).join(' or ') || 'nothing';
    throw new AppError('not_eligible', `This case can be resolved with ${words}, not ${remedyWords[remedy]}.`, { field: 'remedy', allowedRemedies: allowed });
  }
}

/** The store refund's reason for the case's reason (the refund's own vocabulary, ST-6). */
export function refundReasonForCase(reason: ReasonCode): RefundReason {
  switch (reason) {
    case 'defective':
      return 'defective';
    case 'damaged_on_arrival':
      return 'damaged';
    case 'wrong_item_sent':
      return 'wrong_item';
    case 'ordered_wrong_item':
    case 'no_longer_needed':
    case 'other':
      return 'returned';
    default:
      return assertNever(reason, 'case reason');
  }
}

/** Redemptions are named by their own IDs (rdm_…) on a case; store orders by ord_…. */
export function isRedemptionRef(orderRef: string): boolean {
  return orderRef.startsWith('rdm_');
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "$49.00 refunded; 49 credits earned on it were reversed" (and the credits that paid for it, restored). */
export function refundDetail(input: { amountMinor: number; creditsReversed: number; creditsRestored: number; where?: 'storefront' }): string {
  const parts = [`${formatAmount(input.amountMinor)} refunded${input.where === 'storefront' ? ' on the store where you ordered' : ''}`];
  if (input.creditsReversed > 0) parts.push(`${plural(input.creditsReversed, 'credit', 'credits')} earned on it ${input.creditsReversed === 1 ? 'was' : 'were'} reversed`);
  if (input.creditsRestored > 0) parts.push(`${plural(input.creditsRestored, 'credit', 'credits')} you paid with ${input.creditsRestored === 1 ? 'was' : 'were'} given back`);
  return parts.join('; ');
}

export const marketplaceRefundDetail = 'Refunded through the marketplace where you bought it; no credits move for marketplace purchases.';

export function replacementOrderDetail(input: { name: string; quantity: number; orderId: string }): string {
  return `A replacement (${input.quantity} × ${input.name}) ships to you at no charge: order ${input.orderId}.`;
}

export function replacementRedemptionDetail(input: { name: string; quantity: number }): string {
  return `A replacement (${input.quantity} × ${input.name}) ships to you at no cost in credits.`;
}

export function creditRestoreDetail(input: { restored: number; expired: number }): string {
  const restored = `${plural(input.restored, 'credit', 'credits')} spent on this reward ${input.restored === 1 ? 'was' : 'were'} given back to your balance`;
  return input.expired > 0 ? `${restored}; ${plural(input.expired, 'credit', 'credits')} had expired meanwhile and ${input.expired === 1 ? 'stays' : 'stay'} expired.` : `${restored}.`;
}
