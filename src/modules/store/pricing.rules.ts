// Checkout pricing (ST-2, CR-4, CR-12): every component of an order, per line, in integer minor units.
//
// Order of operations, per order:
//   1. merchandise of a line = unit price × quantity;
//   2. a discount code's amount (percentage of, or a fixed amount up to, the eligible merchandise) is split across
//      the eligible lines;
//   3. the Plus member discount (a percentage of the eligible merchandise after the code) is split the same way;
//   4. tax per line on its merchandise after discounts (tax.rules.ts);
//   5. credits applied as money (CR-12) are split across the eligible lines' merchandise after discounts;
//   6. shipping: the standard fee below the free-shipping threshold, waived when a Plus next-day delivery voucher is
//      used (MB-8);
//   7. the line's qualifying amount (CR-4) is its merchandise after discounts minus its credits-paid part, or 0 for a
//      gift card or a product that does not earn credits; shipping and tax never qualify.
//
// Splitting rule (PL-2, named and tested): an order-level amount — the code discount, the Plus discount, the money
// value of the credits — is split across lines in proportion to their weights by the LARGEST-REMAINDER rule
// (`allocateLargestRemainder`): each line gets the floor of its exact share, then the leftover minor units go one each
// to the lines with the largest remainders, ties to the earlier line. The parts always sum to the order amount, and
// no line gets more than its weight. Percentages of an order total are rounded half up before they are split.
//
// Gift cards are excluded from discount codes, the Plus discount and credits: credits bought as a gift card would be
// credits turned into cash, which CR-19 forbids.
import { AppError } from '../../platform/errors.ts';
import { allocateLargestRemainder, formatAmount, mulDivRoundHalfUp } from '../../platform/money.ts';
import { assert } from '../../platform/assert.ts';
import { lineTaxMinor } from './tax.rules.ts';

export const basisPointsPerUnit = 10_000;

export interface PricingProduct {
  id: string;
  sku: string;
  name: string;
  category: string;
  priceMinor: number;
  listPriceMinor: number;
  earnsCredits: boolean;
  giftCard: boolean;
  plusBonus: boolean;
  serialNumbered: boolean;
}

export interface PricingLineInput {
  product: PricingProduct;
  quantity: number;
}

export type DiscountRule =
  | { code: string; kind: 'percent'; percentBp: number; minSubtotalMinor: number }
  | { code: string; kind: 'fixed'; amountMinor: number; minSubtotalMinor: number };

export interface ShippingPolicy {
  feeMinor: number;
  /** Merchandise after discounts (gift cards aside) at or above this ships free. */
  freeFromMinor: number;
}

/** Standard shipping: 5.99, free from 35.00 of merchandise after discounts; gift-card-only orders ship nothing. */
export const defaultShippingPolicy: ShippingPolicy = { feeMinor: 599, freeFromMinor: 3_500 };

export interface PricingInput {
  lines: readonly PricingLineInput[];
  discount: DiscountRule | null;
  /** The Plus member discount (MB-8): whether Plus was active at placement, and the membership policy's rate. */
  plus: { active: boolean; discountBp: number };
  /** A Plus next-day delivery voucher is used (ST-2, MB-8): the shipping fee is waived, whatever the amount. */
  deliveryVoucher?: boolean;
  taxRatePpm: number;
  shipping: ShippingPolicy;
  /**
   * Credits the member wants to apply (`'max'`: as many as the order and `available` allow) and the spend rate:
   * how many credits pay 1.00 (CR-12, default 100).
   */
  credits: { requested: number | 'max'; available: number; spendCreditsPerMajorUnit: number };
}

/** A line's price components: priced here, kept on the order line as they were, shown on quotes and orders. */
export interface LinePrice {
  listPriceMinor: number;
  unitPriceMinor: number;
  merchandiseMinor: number;
  /** The line's share of the discount code plus its share of the Plus discount. */
  discountMinor: number;
  plusDiscountMinor: number;
  /** The line's share of the credits' money value, and the credits behind it. */
  creditsMinor: number;
  credits: number;
  taxMinor: number;
  qualifyingMinor: number;
  /** Money paid for the line: merchandise − discounts − credits part + tax. */
  paidMinor: number;
}

export function linePriceOf(line: LinePrice): LinePrice {
  return {
    listPriceMinor: line.listPriceMinor,
    unitPriceMinor: line.unitPriceMinor,
    merchandiseMinor: line.merchandiseMinor,
    discountMinor: line.discountMinor,
    plusDiscountMinor: line.plusDiscountMinor,
    creditsMinor: line.creditsMinor,
    credits: line.credits,
    taxMinor: line.taxMinor,
    qualifyingMinor: line.qualifyingMinor,
    paidMinor: line.paidMinor,
  };
}

export interface PricedLine extends LinePrice {
  lineNo: number;
  product: PricingProduct;
  quantity: number;
}

export interface Quote {
  lines: PricedLine[];
  merchandiseMinor: number;
  discountMinor: number;
  plusDiscountMinor: number;
  /** The most credits this order can take (merchandise after discounts, gift cards aside, at the spend rate). */
  maxCredits: number;
  creditsApplied: number;
  creditsValueMinor: number;
  shippingMinor: number;
  taxMinor: number;
  /** Money to charge: the sum of the lines' paid amounts plus shipping. */
  totalMinor: number;
  qualifyingMinor: number;
}

export const maxLinesPerOrder = 50;
export const maxQuantityPerLine = 99;

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

export function discountTotalMinor(rule: DiscountRule, eligibleMinor: number): number {
  if (rule.kind === 'percent') return mulDivRoundHalfUp(eligibleMinor, rule.percentBp, basisPointsPerUnit);
  return Math.min(rule.amountMinor, eligibleMinor);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The smallest exchange between credits and money at a spend rate: `stepCredits` pay exactly `unitMinor`. At the
 * default 100 credits = 1.00 that is 1 credit = 1 cent; at 250 credits = 1.00 it is 5 credits = 2 cents. Credits are
 * applied in whole steps, so their money value is always whole minor units.
 */
export function creditStep(spendCreditsPerMajorUnit: number): { stepCredits: number; unitMinor: number } {
  assert(Number.isSafeInteger(spendCreditsPerMajorUnit) && spendCreditsPerMajorUnit >= 1, 'the spend rate is a positive integer');
  const g = gcd(spendCreditsPerMajorUnit, minorPerMajor);
  return { stepCredits: spendCreditsPerMajorUnit / g, unitMinor: minorPerMajor / g };
}

const minorPerMajor = 100;

export function priceOrder(input: PricingInput): Quote {
  assert(input.lines.length > 0, 'an order has at least one line');
  const { stepCredits, unitMinor } = creditStep(input.credits.spendCreditsPerMajorUnit);
  const merchandise = input.lines.map((line) => {
    assert(Number.isSafeInteger(line.quantity) && line.quantity > 0, 'quantities are positive integers');
    return line.product.priceMinor * line.quantity;
  });
  const eligible = input.lines.map((line, i) => (line.product.giftCard ? 0 : merchandise[i]!));
  const eligibleMinor = sum(eligible);

  let codeShares = eligible.map(() => 0);
  if (input.discount) {
    if (eligibleMinor < input.discount.minSubtotalMinor) {
      throw new AppError('not_eligible', `The code ${input.discount.code} needs at least ${formatAmount(input.discount.minSubtotalMinor)} of eligible items.`, {
        field: 'discountCode',
      });
    }
    codeShares = allocateLargestRemainder(discountTotalMinor(input.discount, eligibleMinor), eligible);
  }

  const afterCode = eligible.map((value, i) => value - codeShares[i]!);
  const plusTotal = input.plus.active ? mulDivRoundHalfUp(sum(afterCode), input.plus.discountBp, basisPointsPerUnit) : 0;
  const plusShares = allocateLargestRemainder(plusTotal, afterCode);
  const net = merchandise.map((value, i) => value - codeShares[i]! - plusShares[i]!);
  // Credits pay whole steps: a line can take as many steps as fit in its merchandise after discounts.
  const capacityUnits = afterCode.map((value, i) => Math.floor((value - plusShares[i]!) / unitMinor));
  const maxUnits = sum(capacityUnits);
  const maxCredits = maxUnits * stepCredits;
  let creditsApplied: number;
  if (input.credits.requested === 'max') {
    const affordable = Math.floor(Math.max(0, input.credits.available) / stepCredits) * stepCredits;
    creditsApplied = Math.min(maxCredits, affordable);
  } else {
    creditsApplied = input.credits.requested;
    if (!Number.isSafeInteger(creditsApplied) || creditsApplied < 0) throw new AppError('validation', 'Credits to apply must be a whole number.', { field: 'credits' });
    if (creditsApplied % stepCredits !== 0) throw new AppError('validation', `Apply credits in steps of ${stepCredits}.`, { field: 'credits' });
    if (creditsApplied > maxCredits) {
      throw new AppError('validation', `This order can take at most ${maxCredits} credits (the merchandise after discounts, gift cards aside).`, { field: 'credits', maxCredits });
    }
  }
  const unitShares = allocateLargestRemainder(creditsApplied / stepCredits, capacityUnits);
  const creditShares = unitShares.map((units) => units * unitMinor);
  const creditsValueMinor = sum(creditShares);

  const lines: PricedLine[] = input.lines.map((line, i) => {
    const taxMinor = lineTaxMinor(net[i]!, input.taxRatePpm, line.product.giftCard);
    const creditsMinor = creditShares[i]!;
    const qualifies = line.product.earnsCredits && !line.product.giftCard;
    return {
      lineNo: i + 1,
      product: line.product,
      quantity: line.quantity,
      listPriceMinor: line.product.listPriceMinor,
      unitPriceMinor: line.product.priceMinor,
      merchandiseMinor: merchandise[i]!,
      discountMinor: codeShares[i]! + plusShares[i]!,
      plusDiscountMinor: plusShares[i]!,
      creditsMinor,
      credits: unitShares[i]! * stepCredits,
      taxMinor,
      qualifyingMinor: qualifies ? net[i]! - creditsMinor : 0,
      paidMinor: net[i]! - creditsMinor + taxMinor,
    };
  });

  const physicalNet = sum(input.lines.map((line, i) => (line.product.giftCard ? 0 : net[i]!)));
  const hasPhysical = input.lines.some((line) => !line.product.giftCard);
  assert(!input.deliveryVoucher || hasPhysical, 'a delivery voucher needs something to ship');
  const shippingMinor = hasPhysical && !input.deliveryVoucher && physicalNet < input.shipping.freeFromMinor ? input.shipping.feeMinor : 0;
  const quote: Quote = {
    lines,
    merchandiseMinor: sum(merchandise),
    discountMinor: sum(lines.map((l) => l.discountMinor)),
    plusDiscountMinor: plusTotal,
    maxCredits,
    creditsApplied,
    creditsValueMinor,
    shippingMinor,
    taxMinor: sum(lines.map((l) => l.taxMinor)),
    totalMinor: sum(lines.map((l) => l.paidMinor)) + shippingMinor,
    qualifyingMinor: sum(lines.map((l) => l.qualifyingMinor)),
  };
  assert(quote.merchandiseMinor - quote.discountMinor - quote.creditsValueMinor + quote.taxMinor + quote.shippingMinor === quote.totalMinor, 'order components must add up');
  return quote;
}
