// How a refund splits across an order's lines (ST-6, CR-15..CR-18), in integer minor units and credits.
//
// Each line knows what was paid for it in money (`paidMinor`: merchandise after discounts, minus the credits part,
// plus tax), in credits, and its qualifying amount (CR-4). A refund takes from what is still unrefunded:
//   - returning q of the r units still unrefunded takes floor(remaining × q / r) of the remaining money, of the
//     remaining credits and of the remaining qualifying amount, and everything that remains when q = r, so a line
//     refunded in parts comes back exactly;
//   - a price adjustment takes a money amount A from one line, or from all lines in proportion to their remaining
//     money (largest remainder), with floor(remaining qualifying × A / remaining money) of the qualifying amount
//     (all of it when A is all the money left), and restores no credits.
// The credits ledger reverses earnings in proportion to the refunded qualifying amount (CR-16), flooring each
// cumulative target, so reversals by parts never exceed the earning and add up to it exactly at the end.
import { AppError } from '../../platform/errors.ts';
import { allocateLargestRemainder, formatAmount, mulDivFloor } from '../../platform/money.ts';
import { assert } from '../../platform/assert.ts';

export interface RefundableLine {
  id: string;
  quantity: number;
  paidMinor: number;
  qualifyingMinor: number;
  credits: number;
  refundedQuantity: number;
  refundedMinor: number;
  refundedQualifyingMinor: number;
  restoredCredits: number;
}

export type RefundRequest =
  | { kind: 'lines'; lines: ReadonlyArray<{ lineId: string; quantity?: number }> }
  | { kind: 'amount'; amountMinor: number; lineId?: string }
  | { kind: 'cancellation' };

export interface RefundLinePart {
  lineId: string;
  quantity: number;
  amountMinor: number;
  /** The increase of the line's refunded qualifying amount. */
  qualifyingMinor: number;
  /** The line's refunded qualifying amount after this refund (cumulative). */
  refundedQualifyingAfterMinor: number;
  creditsRestored: number;
}

export interface RefundPlan {
  lines: RefundLinePart[];
  /** Money back to the payer, shipping included for a cancellation. */
  amountMinor: number;
  shippingMinor: number;
  creditsRestored: number;
}

/** A money amount taken from what remains of a line: the same share of its remaining qualifying amount goes with it. */
function amountPart(line: RefundableLine, amountMinor: number, creditsRestored: number): RefundLinePart {
  const remainingMinor = line.paidMinor - line.refundedMinor;
  const remainingQualifying = line.qualifyingMinor - line.refundedQualifyingMinor;
  const qualifyingMinor = amountMinor >= remainingMinor ? remainingQualifying : mulDivFloor(remainingQualifying, amountMinor, remainingMinor);
  return { lineId: line.id, quantity: 0, amountMinor, qualifyingMinor, refundedQualifyingAfterMinor: line.refundedQualifyingMinor + qualifyingMinor, creditsRestored };
}

function quantityPart(line: RefundableLine, quantity: number): RefundLinePart {
  const remainingQuantity = line.quantity - line.refundedQuantity;
  if (!Number.isSafeInteger(quantity) || quantity < 1 || quantity > remainingQuantity) {
    throw new AppError('validation', remainingQuantity === 0 ? 'This line has already been refunded in full.' : `At most ${remainingQuantity} of this line can still be refunded.`, {
      lineId: line.id,
      remainingQuantity,
    });
  }
  const share = (remaining: number) => (quantity === remainingQuantity ? remaining : mulDivFloor(remaining, quantity, remainingQuantity));
  const qualifyingMinor = share(line.qualifyingMinor - line.refundedQualifyingMinor);
  return {
    lineId: line.id,
    quantity,
    amountMinor: share(line.paidMinor - line.refundedMinor),
    qualifyingMinor,
    refundedQualifyingAfterMinor: line.refundedQualifyingMinor + qualifyingMinor,
    creditsRestored: share(line.credits - line.restoredCredits),
  };
}

export function planRefund(lines: readonly RefundableLine[], request: RefundRequest, shipping: { chargedMinor: number; refundedMinor: number }): RefundPlan {
  const byId = new Map(lines.map((line) => [line.id, line]));
  const find = (lineId: string) => {
    const line = byId.get(lineId);
    if (!line) throw new AppError('validation', 'That line is not part of this order.', { lineId });
    return line;
  };
  let parts: RefundLinePart[];
  let shippingMinor = 0;
  switch (request.kind) {
    case 'lines': {
      if (request.lines.length === 0) throw new AppError('validation', 'Choose at least one line to refund.');
      const seen = new Set<string>();
      parts = request.lines.map((wanted) => {
        if (seen.has(wanted.lineId)) throw new AppError('validation', 'Each line may appear once in a refund.', { lineId: wanted.lineId });
        seen.add(wanted.lineId);
        const line = find(wanted.lineId);
        return quantityPart(line, wanted.quantity ?? line.quantity - line.refundedQuantity);
      });
      break;
    }
    case 'amount': {
      if (!Number.isSafeInteger(request.amountMinor) || request.amountMinor < 1) throw new AppError('validation', 'Enter a refund amount of at least $0.01.');
      if (request.lineId !== undefined) {
        const line = find(request.lineId);
        const remaining = line.paidMinor - line.refundedMinor;
        if (request.amountMinor > remaining) throw new AppError('validation', `At most ${formatAmount(remaining)} can still be refunded on this line.`, { field: 'amountMinor', lineId: line.id, remainingMinor: remaining });
        parts = [amountPart(line, request.amountMinor, 0)];
      } else {
        const remaining = lines.map((line) => line.paidMinor - line.refundedMinor);
        const total = remaining.reduce((a, b) => a + b, 0);
        if (request.amountMinor > total) throw new AppError('validation', `At most ${formatAmount(total)} can still be refunded on this order's items.`, { field: 'amountMinor', remainingMinor: total });
        const shares = allocateLargestRemainder(request.amountMinor, remaining);
        parts = lines.map((line, i) => amountPart(line, shares[i]!, 0)).filter((p) => p.amountMinor > 0);
      }
      break;
    }
    case 'cancellation': {
      parts = lines.filter((line) => line.refundedQuantity < line.quantity || line.refundedMinor < line.paidMinor || line.restoredCredits < line.credits).map((line) => {
        const remainingQuantity = line.quantity - line.refundedQuantity;
        if (remainingQuantity > 0) return quantityPart(line, remainingQuantity);
        return amountPart(line, line.paidMinor - line.refundedMinor, line.credits - line.restoredCredits);
      });
      shippingMinor = shipping.chargedMinor - shipping.refundedMinor;
      break;
    }
  }
  const amountMinor = parts.reduce((total, p) => total + p.amountMinor, 0) + shippingMinor;
  const creditsRestored = parts.reduce((total, p) => total + p.creditsRestored, 0);
  assert(parts.every((p) => p.amountMinor >= 0 && p.creditsRestored >= 0 && p.qualifyingMinor >= 0), 'refund parts are never negative');
  if (amountMinor === 0 && creditsRestored === 0) throw new AppError('invalid_state', 'Nothing is left to refund here.');
  return { lines: parts, amountMinor, shippingMinor, creditsRestored };
}
