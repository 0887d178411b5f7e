// Whether a case may be opened and with which remedies (AS-3..AS-8, AS-13), decided from facts the caller gathers
// (the order's purchase-time Plus snapshot, delivery, redemption, source) and explained rule by rule: each trace entry
// says what one rule decided, in agents' words and in words the customer may read. No database, no clock.
import { assert, assertNever } from '../../platform/assert.ts';
import type { CaseKind, ReasonCode, Remedy } from './cases.rules.ts';
import { addCalendarMonths } from '../../platform/calendar.ts';

const dayMs = 86_400_000;

export type OrderSource = 'store' | 'storefront' | 'marketplace';

export interface EligibilitySettings {
  /** AS-3: how long after delivery a return or exchange may be asked for (inclusive). */
  returnWindowMs: number;
  /** AS-4: warranty length in calendar months from purchase (inclusive). */
  warrantyMonths: number;
  /** AS-5 / MB-9: extra warranty months when the buyer was annual Plus at purchase. */
  annualPlusExtraWarrantyMonths: number;
  /** AS-7: how long after delivery a redeemed product's damage may be reported (inclusive). */
  damageReportWindowMs: number;
}

export const defaultEligibilitySettings: EligibilitySettings = {
  returnWindowMs: 30 * dayMs,
  warrantyMonths: 18,
  annualPlusExtraWarrantyMonths: 12,
  damageReportWindowMs: 7 * dayMs,
};

export interface EligibilityFacts {
  kind: CaseKind;
  reason: ReasonCode;
  remedy: Remedy;
  order: {
    source: OrderSource;
    /** Bought with credits (a rewards redemption). */
    redeemed: boolean;
    purchasedAtMs: number;
    deliveredAtMs: number | null;
    /** The order's snapshot of the buyer's Plus plan at purchase (MB-10), whatever the membership is now. */
    plusPlanAtPurchase: 'annual' | 'monthly' | null;
  };
  nowMs: number;
  settings: EligibilitySettings;
}

export type EligibilityRule = 'AS-3' | 'AS-4' | 'AS-5' | 'AS-6' | 'AS-7' | 'AS-8' | 'AS-13';

export interface TraceEntry {
  rule: EligibilityRule;
  /** For agents: the facts and the numbers the rule used. */
  decided: string;
  /** For the customer: no rule IDs, no internal facts. */
  customerText: string;
}

export interface EligibilityDecision {
  outcome: 'eligible' | 'auto_approved' | 'refused';
  /** What an agent may resolve the case with; empty when refused. */
  allowedRemedies: Remedy[];
  /** Whether some allowed remedy pays money back (a refund). */
  moneyMoves: boolean;
  /** Whether some allowed remedy moves credits (a refund reverses earnings per CR-16; a credit restore). */
  creditsMove: boolean;
  requiresProofImage: boolean;
  trace: TraceEntry[];
}

const remedyWords: Record<Remedy, string> = {
  refund: 'a refund',
  exchange: 'an exchange',
  replacement: 'a replacement',
  credit_restore: 'your credits back',
  none: 'no remedy',
};

const iso = (ms: number) => new Date(ms).toISOString();
const days = (ms: number) => Math.round(ms / dayMs);

function listWords(items: readonly Remedy[]): string {
  const words = items.map((remedy) => remedyWords[remedy]);
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** The rule that decides the remedy list of a kind on a paid order. */
const claimRemedies = {
  return: ['refund', 'exchange'],
  exchange: ['refund', 'exchange'],
  damage_report: ['refund', 'replacement'],
  warranty_claim: ['replacement', 'exchange', 'refund'],
} as const satisfies Record<Exclude<CaseKind, 'support'>, readonly Remedy[]>;

const redeemedRemedies = ['replacement', 'credit_restore'] as const satisfies readonly Remedy[];

export function decideEligibility(facts: EligibilityFacts): EligibilityDecision {
  const { kind, order, nowMs, settings } = facts;
  assert(!(order.redeemed && order.source === 'marketplace'), 'a marketplace order is never a redemption');
  const trace: TraceEntry[] = [];
  const note = (rule: EligibilityRule, decided: string, customerText: string) => trace.push({ rule, decided, customerText });
  const refuse = (rule: EligibilityRule, decided: string, customerText: string): EligibilityDecision => {
    note(rule, decided, customerText);
    return { outcome: 'refused', allowedRemedies: [], moneyMoves: false, creditsMove: false, requiresProofImage: false, trace };
  };
  const grant = (outcome: 'eligible' | 'auto_approved', allowed: readonly Remedy[]): EligibilityDecision => ({
    outcome,
    allowedRemedies: [...allowed],
    moneyMoves: allowed.includes('refund'),
    creditsMove: order.source !== 'marketplace' && (allowed.includes('refund') || allowed.includes('credit_restore')),
    requiresProofImage: order.source === 'marketplace',
    trace,
  });
  /** A window measured from delivery: open until exactly `windowMs` after it; an undelivered order has none yet. */
  const afterDelivery = (rule: EligibilityRule, windowMs: number, what: string): EligibilityDecision | null => {
    if (order.deliveredAtMs === null) {
      return refuse(rule, `No delivery is recorded for this order; the ${days(windowMs)}-day ${what} window starts at delivery.`, `This order has not been delivered yet. Once it arrives you have ${days(windowMs)} days to ask for this.`);
    }
    const endsAtMs = order.deliveredAtMs + windowMs;
    if (nowMs > endsAtMs) {
      return refuse(rule, `Delivered ${iso(order.deliveredAtMs)}; the ${days(windowMs)}-day ${what} window ended ${iso(endsAtMs)}, before this request at ${iso(nowMs)}.`, `This can be asked for up to ${days(windowMs)} days after delivery, and that time has passed.`);
    }
    note(rule, `Delivered ${iso(order.deliveredAtMs)}; the ${days(windowMs)}-day ${what} window ends ${iso(endsAtMs)}; requested ${iso(nowMs)}: inside.`, `Your request is within ${days(windowMs)} days of delivery.`);
    return null;
  };
  const checkRemedy = (rule: EligibilityRule, allowed: readonly Remedy[]): EligibilityDecision | null => {
    if (allowed.includes(facts.remedy)) return null;
    return refuse(rule, `Requested remedy ${facts.remedy} is not one of ${allowed.join(', ')} for this case.`, `For this request we can offer ${listWords(allowed)}, not ${remedyWords[facts.remedy]}. Please choose one of those.`);
  };

  if (kind === 'support') {
    // AS-13: lifetime support for anything ever bought, whatever the source; it asks for help, not for a remedy, so the
    // requested remedy is not checked (an agent who turns it into a warranty claim decides that claim anew).
    note('AS-13', 'Support case: open for any product ever bought, no time limit.', 'Technical support is available for as long as you own the product.');
    return { outcome: 'eligible', allowedRemedies: ['none'], moneyMoves: false, creditsMove: false, requiresProofImage: false, trace };
  }

  if (order.redeemed) {
    if (kind !== 'damage_report') {
      return refuse('AS-7', `Redeemed with credits: a ${kind} is not allowed; only a damage report within ${days(settings.damageReportWindowMs)} days of delivery.`, `Rewards redemptions cannot be returned, exchanged or claimed under warranty. If it arrived damaged, you can report the damage within ${days(settings.damageReportWindowMs)} days of delivery.`);
    }
    return afterDelivery('AS-7', settings.damageReportWindowMs, 'damage report') ?? checkRemedy('AS-7', redeemedRemedies) ?? grant('eligible', redeemedRemedies);
  }

  if (order.source === 'marketplace') {
    if (kind !== 'warranty_claim') {
      return refuse('AS-8', `Marketplace order: a ${kind} is not allowed here; warranty claims and support only (returns go through the marketplace).`, 'For orders placed on a marketplace we handle warranty claims and technical support; returns and refunds for other reasons go through the marketplace where you bought it.');
    }
    note('AS-8', 'Marketplace order: warranty claim allowed with a proof-of-purchase image; a refund moves no credits.', 'Please attach a photo or screenshot of your proof of purchase.');
  }

  switch (kind) {
    case 'return':
    case 'exchange': {
      const refused = afterDelivery('AS-3', settings.returnWindowMs, 'return') ?? checkRemedy('AS-3', claimRemedies[kind]);
      if (refused) return refused;
      // AS-6 reads the purchase-time snapshot like AS-5: the facts carry no current membership.
      if (order.plusPlanAtPurchase === 'annual') {
        note('AS-6', 'Annual Plus at purchase and inside the return window: approved without review.', 'As an annual Plus member, your return is approved right away.');
        return grant('auto_approved', claimRemedies[kind]);
      }
      note('AS-6', `Plus at purchase: ${order.plusPlanAtPurchase ?? 'none'}; no automatic approval, an agent reviews.`, 'An agent will review your request.');
      return grant('eligible', claimRemedies[kind]);
    }
    case 'damage_report':
      // A paid order's damage on arrival is a return reason (AS-3), so its report keeps the return window.
      return afterDelivery('AS-3', settings.returnWindowMs, 'return') ?? checkRemedy('AS-3', claimRemedies.damage_report) ?? grant('eligible', claimRemedies.damage_report);
    case 'warranty_claim': {
      if (facts.reason !== 'defective') {
        return refuse('AS-4', `Reason ${facts.reason}: the warranty covers defective products only.`, 'The warranty covers products that are defective. For other reasons, please choose a return instead.');
      }
      const extraMonths = order.plusPlanAtPurchase === 'annual' ? settings.annualPlusExtraWarrantyMonths : 0;
      const months = settings.warrantyMonths + extraMonths;
      note(
        'AS-5',
        extraMonths > 0
          ? `Annual Plus at purchase (order snapshot): warranty ${settings.warrantyMonths} + ${extraMonths} = ${months} months.`
          : `Plus at purchase: ${order.plusPlanAtPurchase ?? 'none'}; no extension (annual plan only): warranty ${months} months.`,
        extraMonths > 0 ? `You bought this as an annual Plus member, so its warranty lasts ${months} months.` : `The warranty lasts ${months} months from purchase.`,
      );
      const endsAtMs = addCalendarMonths(order.purchasedAtMs, months);
      if (nowMs > endsAtMs) {
        return refuse('AS-4', `Purchased ${iso(order.purchasedAtMs)}; the ${months}-month warranty ended ${iso(endsAtMs)}, before this claim at ${iso(nowMs)}.`, `The ${months}-month warranty on this product has ended.`);
      }
      note('AS-4', `Purchased ${iso(order.purchasedAtMs)}; the ${months}-month warranty ends ${iso(endsAtMs)}; claimed ${iso(nowMs)}: inside. Replacement or refund by agent decision.`, 'Your product is under warranty. An agent will decide between a replacement and a refund.');
      return checkRemedy('AS-4', claimRemedies.warranty_claim) ?? grant('eligible', claimRemedies.warranty_claim);
    }
    default:
      return assertNever(kind, 'case kind');
  }
}
