// Agent adjustments (CR-21) and the forfeit at account closure (CR-22).
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { inLedgerTransaction } from './group-commit.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { deductOnBook, forfeitOnBook, grantLot } from './ledger.rules.ts';
import { runMemberOperation } from './ledger.service.ts';

/** Why an agent may move a balance; "other" still needs a note that says why. */
export const adjustmentReasonCodes = ['goodwill', 'service_recovery', 'correction', 'missing_credits', 'fraud', 'other'] as const;
export type AdjustmentReasonCode = (typeof adjustmentReasonCodes)[number];

const id = z.string().min(1).max(100);

const adjustInput = z.strictObject({
  memberId: id,
  /** Signed: positive adds an available lot, negative takes available credits FIFO. */
  credits: z.number().int().min(-1_000_000).max(1_000_000).refine((n) => n !== 0, 'an adjustment moves at least one credit'),
  reasonCode: z.enum(adjustmentReasonCodes),
  note: z.string().trim().min(3).max(1000),
  actor: z.strictObject({ id, role: z.enum(['agent', 'admin']) }),
  /** Up to 255 characters of the caller's key behind the staff member's ID (credits.routes.ts). */
  idempotencyKey: z.string().min(1).max(320),
  /** The second staff member who approved it, for an adjustment above the policy's threshold (CR-21). */
  approvedBy: z.strictObject({ id, role: z.enum(['agent', 'admin']) }).optional(),
});
export type AdjustCreditsInput = z.input<typeof adjustInput>;

const adjustResult = z.object({
  transactionId: z.string(),
  memberId: z.string(),
  credits: z.number().int(),
  reasonCode: z.enum(adjustmentReasonCodes),
  lotId: z.string().nullable(),
});
export type AdjustCreditsResult = z.infer<typeof adjustResult>;

/**
 * CR-21: staff may not move their own balance, and only a program member's: an unknown ID (or a staff user's) is not
 * found, so the ledger never opens an account for nobody. Checked in the caller's transaction, before the posting.
 */
export async function assertAdjustable(ctx: Ctx, input: { memberId: string; actorId: string }): Promise<void> {
  if (input.actorId === input.memberId) throw new AppError('forbidden', 'Staff cannot adjust their own credits. Ask another staff member.');
  if (!(await ctx.ports.memberContacts.memberStatus(ctx.db, input.memberId))) throw notFound('The member');
}

/**
 * Posts an adjustment at once (the four-eyes threshold is the staff entry's business: requestAdjustment decides
 * whether a second staff member must approve first, and the approval then calls this). The adjustment and its
 * audit entry are one transaction; a replayed key neither adjusts nor audits again.
 */
export async function adjustCredits(ctx: Ctx, input: AdjustCreditsInput): Promise<AdjustCreditsResult> {
  const parsed = adjustInput.parse(input);
  const work = async (trx: Ctx): Promise<AdjustCreditsResult> => {
    await assertAdjustable(trx, { memberId: parsed.memberId, actorId: parsed.actor.id });
    if (parsed.approvedBy?.id === parsed.memberId) throw new AppError('forbidden', 'Staff cannot approve an adjustment of their own credits.');
    // The transaction this call would record; a replay answers with the first one's ID instead.
    let recorded: string | undefined;
    const result = await runMemberOperation(trx, {
      memberId: parsed.memberId,
      scope: 'adjustment',
      key: parsed.idempotencyKey,
      request: { credits: parsed.credits, reasonCode: parsed.reasonCode, note: parsed.note, actorId: parsed.actor.id },
      resultSchema: adjustResult,
      createAccount: parsed.credits > 0,
      needsBook: true,
      ...(parsed.credits > 0 ? { fastAppend: { requireNoDebt: true } } : {}),
      whenMissing: () => {
        throw new AppError('insufficient_credits', 'Only 0 credits are available.', { available: 0 });
      },
      whenClosed: () => {
        throw new AppError('invalid_state', 'This credits account is closed.');
      },
      apply({ book, env, policy, open }) {
        const tx = open('adjustment', parsed.reasonCode, { reasonCode: parsed.reasonCode, note: parsed.note, actorId: parsed.actor.id, actorRole: parsed.actor.role });
        let lotId: string | null = null;
        if (parsed.credits > 0) {
          lotId = grantLot(book, env, tx, { source: 'adjustment', credits: parsed.credits, unlockAtMs: env.nowMs, expiresAtMs: env.nowMs + policy.lifetimeMs }, 'program:adjusted', false).id;
        } else {
          deductOnBook(book, tx, -parsed.credits);
        }
        recorded = tx.id;
        return { transactionId: tx.id, memberId: parsed.memberId, credits: parsed.credits, reasonCode: parsed.reasonCode, lotId };
      },
    });
    if (recorded === result.transactionId) {
      await recordAudit(trx, {
        actor: { id: parsed.actor.id, role: parsed.actor.role },
        action: 'credits.adjusted',
        memberId: parsed.memberId,
        subject: `credit-transaction:${result.transactionId}`,
        // The note is free text: it stays in the ledger transaction the subject names, not in the audit log (PV-33).
        details: { credits: parsed.credits, reasonCode: parsed.reasonCode, transactionId: result.transactionId, ...(parsed.approvedBy ? { approvedBy: parsed.approvedBy.id } : {}) },
      });
    }
    return result;
  };
  return inLedgerTransaction(ctx, parsed.memberId, work);
}

const forfeitInput = z.strictObject({ memberId: id, idempotencyKey: z.string().min(1).max(200).default('closure') });
export type ForfeitInput = z.input<typeof forfeitInput>;

const forfeitResult = z.object({ transactionId: z.string().nullable(), memberId: z.string(), forfeited: z.number().int(), debtWrittenOff: z.number().int() });
export type ForfeitResult = z.infer<typeof forfeitResult>;

/**
 * CR-22: closing an account forfeits every credit it holds (pending, available, held) with one closing
 * transaction; a debt is written off. The account stays, closed, so the ledger stays whole and nothing earns again.
 */
export async function forfeitOnClosure(ctx: Ctx, input: ForfeitInput): Promise<ForfeitResult> {
  const parsed = forfeitInput.parse(input);
  return runMemberOperation(ctx, {
    memberId: parsed.memberId,
    scope: 'closure',
    key: parsed.idempotencyKey,
    request: {},
    resultSchema: forfeitResult,
    createAccount: true,
    needsBook: true,
    whenMissing: () => {
      throw new AppError('internal', 'unreachable: the account is created');
    },
    whenClosed: () => ({ transactionId: null, memberId: parsed.memberId, forfeited: 0, debtWrittenOff: 0 }),
    apply({ book, open }) {
      const tx = open('forfeit', 'account_closed');
      const debt = book.account.debt;
      const forfeited = forfeitOnBook(book, tx);
      return { transactionId: tx.id, memberId: parsed.memberId, forfeited, debtWrittenOff: debt };
    },
  });
}
