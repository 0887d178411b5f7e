// Refunds: proportional reversal of what a line earned (CR-15..CR-17) and restoring credits that paid for an order
// to the lots they came from (CR-18).
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { fifoOrder, restoreToLot, reverseOnBook, settleDebtAfter, type Lot } from './ledger.rules.ts';
import { runMemberOperation } from './ledger.service.ts';
import { findLots, findOrderLineLot, spentOnOrderByLot } from './ledger.repository.ts';
import { cumulativeReversalTarget } from './policy.rules.ts';

const id = z.string().min(1).max(100);
const key = z.string().min(1).max(200);
const minor = z.number().int().min(0).max(1_000_000_000_00);

const reverseInput = z.strictObject({
  memberId: id,
  orderLineId: id,
  /** The qualifying amount this refund gives back (a returned line, a price adjustment). */
  refundedQualifyingMinor: minor,
  /** The line's qualifying amount when it earned; the lot's own record wins when it has one. */
  lineQualifyingMinor: minor,
  caseId: id.optional(),
  idempotencyKey: key,
});
export type ReverseForRefundInput = z.input<typeof reverseInput>;

const reverseResult = z.object({
  transactionId: z.string().nullable(),
  memberId: z.string(),
  orderLineId: z.string(),
  reversedCredits: z.number().int(),
  voided: z.number().int(),
  clawedBack: z.number().int(),
  fromOtherLots: z.number().int(),
  debt: z.number().int(),
  earnedCredits: z.number().int(),
  cumulativeReversed: z.number().int(),
});
export type ReverseForRefundResult = z.infer<typeof reverseResult>;

/**
 * Reverses target − already reversed, where target = floor(earned × cumulative refunded ÷ qualifying), and exactly the
 * earning once the line is fully refunded: the sum of a line's reversals never exceeds what it earned and a full
 * refund by parts reverses it exactly (CR-16).
 */
export async function reverseForRefund(ctx: Ctx, input: ReverseForRefundInput): Promise<ReverseForRefundResult> {
  const parsed = reverseInput.parse(input);
  const nothing = (): ReverseForRefundResult => ({
    transactionId: null, memberId: parsed.memberId, orderLineId: parsed.orderLineId, reversedCredits: 0, voided: 0, clawedBack: 0, fromOtherLots: 0, debt: 0, earnedCredits: 0, cumulativeReversed: 0,
  });
  let lot: Lot | undefined;
  return runMemberOperation(ctx, {
    memberId: parsed.memberId,
    scope: 'reversal',
    key: parsed.idempotencyKey,
    request: { orderLineId: parsed.orderLineId, refundedQualifyingMinor: parsed.refundedQualifyingMinor, lineQualifyingMinor: parsed.lineQualifyingMinor, caseId: parsed.caseId ?? null },
    resultSchema: reverseResult,
    createAccount: false,
    needsBook: true,
    // A member without credits, or a closed account (its credits are forfeited), has nothing to reverse.
    whenMissing: nothing,
    whenClosed: nothing,
    async prepare(trx, { book }) {
      const found = await findOrderLineLot(trx.db, book.account, parsed.orderLineId);
      if (found) {
        lot = book.lots.get(found.id) ?? found;
        book.lots.set(lot.id, lot);
      }
    },
    apply({ book, open }) {
      const tx = open('reversal', 'refund', { orderId: lot?.orderId ?? null, orderLineId: parsed.orderLineId, caseId: parsed.caseId ?? null, lotId: lot?.id ?? null });
      if (!lot || lot.source !== 'order') return { ...nothing(), transactionId: tx.id };
      const qualifying = lot.qualifyingMinor > 0 ? lot.qualifyingMinor : parsed.lineQualifyingMinor;
      const cumulative = Math.min(qualifying, lot.refundedQualifyingMinor + parsed.refundedQualifyingMinor);
      const target = cumulativeReversalTarget(lot.original, qualifying, cumulative);
      const delta = Math.max(0, target - lot.reversed);
      lot.refundedQualifyingMinor = cumulative;
      const parts = reverseOnBook(book, tx, lot, delta);
      return {
        transactionId: tx.id,
        memberId: parsed.memberId,
        orderLineId: parsed.orderLineId,
        reversedCredits: delta,
        ...parts,
        earnedCredits: lot.original,
        cumulativeReversed: lot.reversed,
      };
    },
  });
}

const restoreInput = z.strictObject({
  memberId: id,
  orderId: id,
  credits: z.number().int().positive().max(1_000_000_000),
  caseId: id.optional(),
  idempotencyKey: key,
});
export type RestoreSpendInput = z.input<typeof restoreInput>;

const restoreResult = z.object({
  transactionId: z.string().nullable(),
  memberId: z.string(),
  orderId: z.string(),
  restored: z.number().int(),
  expired: z.number().int(),
  lots: z.array(z.object({ lotId: z.string(), restored: z.number().int(), expired: z.number().int() })),
});
export type RestoreSpendResult = z.infer<typeof restoreResult>;

/**
 * CR-18: a refund of an order paid (partly) with credits gives them back to the lots they came from, keeping each
 * lot's expiry; a part restore goes to the latest-expiring of those lots first (the reverse of spending). Credits
 * whose lot has expired meanwhile stay expired.
 */
export async function restoreSpend(ctx: Ctx, input: RestoreSpendInput): Promise<RestoreSpendResult> {
  const parsed = restoreInput.parse(input);
  const nothing = (): RestoreSpendResult => ({ transactionId: null, memberId: parsed.memberId, orderId: parsed.orderId, restored: 0, expired: 0, lots: [] });
  let sources: { lot: Lot; restorable: number }[] = [];
  return runMemberOperation(ctx, {
    memberId: parsed.memberId,
    scope: 'restore',
    key: parsed.idempotencyKey,
    request: { orderId: parsed.orderId, credits: parsed.credits, caseId: parsed.caseId ?? null },
    resultSchema: restoreResult,
    createAccount: false,
    needsBook: true,
    whenMissing: () => {
      throw new AppError('invalid_state', 'No credits were spent on this order.');
    },
    whenClosed: nothing,
    async prepare(trx, { book }) {
      const spent = await spentOnOrderByLot(trx.db, parsed.memberId, parsed.orderId);
      const missing = spent.map((s) => s.lotId).filter((lotId) => !book.lots.has(lotId));
      for (const lot of await findLots(trx.db, book.account, missing)) book.lots.set(lot.id, lot);
      sources = spent
        .map((s) => ({ lot: book.lots.get(s.lotId)!, restorable: s.spent - s.restored }))
        .filter((s) => s.restorable > 0)
        .sort((a, b) => fifoOrder(b.lot, a.lot));
    },
    apply({ book, open }) {
      const restorable = sources.reduce((sum, s) => sum + s.restorable, 0);
      if (parsed.credits > restorable) {
        throw new AppError('invalid_state', `Only ${restorable} credits spent on this order can be restored.`, { restorable });
      }
      const tx = open('restore', 'refund', { orderId: parsed.orderId, caseId: parsed.caseId ?? null });
      let left = parsed.credits;
      let restored = 0;
      let expired = 0;
      const lots: { lotId: string; restored: number; expired: number }[] = [];
      for (const source of sources) {
        if (left === 0) break;
        const take = Math.min(left, source.restorable);
        const outcome = restoreToLot(book, tx, source.lot, take);
        lots.push({ lotId: source.lot.id, ...outcome });
        restored += outcome.restored;
        expired += outcome.expired;
        left -= take;
      }
      settleDebtAfter(book, tx);
      return { transactionId: tx.id, memberId: parsed.memberId, orderId: parsed.orderId, restored, expired, lots };
    },
  });
}
