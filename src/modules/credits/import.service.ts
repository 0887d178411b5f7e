// Balances moved in from another loyalty program (`patron import members`, PL-11): one lot per member, available at
// once, expiring on the date the old program gave or after the policy's standard lifetime, posted as an adjustment
// with the reason code `migrated` so the ledger, the history and the auditor show where the credits came from.
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { grantLot } from './ledger.rules.ts';
import { runMemberOperation } from './ledger.service.ts';

/** The reason code of a migrated balance (credit_transactions.reason and reason_code). */
export const migratedReasonCode = 'migrated';

const importInput = z.strictObject({
  memberId: z.string().min(1).max(100),
  credits: z.number().int().min(1).max(100_000_000),
  /** When the old program said the points expire; absent: now + the policy's lifetime (12 months by default). */
  expiresAtMs: z.number().int().nullable(),
  /** Where the balance came from (the source file's format), kept in the transaction's note. */
  source: z.string().min(1).max(100),
});
export type ImportMigratedBalanceInput = z.input<typeof importInput>;

const importResult = z.object({ transactionId: z.string(), lotId: z.string(), credits: z.number().int(), expiresAtMs: z.number().int() });
export type ImportMigratedBalanceResult = z.infer<typeof importResult> & { created: boolean };

/**
 * Posts the member's migrated balance once: the idempotency key is the member's (scope `migration`), so a re-run of
 * the same file answers the first posting and writes nothing, and a different amount for the same member is an
 * `idempotency_conflict` (the row is reported, the first balance stays). Runs in the caller's transaction, if any.
 */
export async function importMigratedBalance(ctx: Ctx, input: ImportMigratedBalanceInput): Promise<ImportMigratedBalanceResult> {
  const parsed = importInput.parse(input);
  let recorded: string | undefined;
  const result = await runMemberOperation(ctx, {
    memberId: parsed.memberId,
    scope: 'migration',
    key: 'migrated-balance',
    request: { credits: parsed.credits, expiresAtMs: parsed.expiresAtMs },
    resultSchema: importResult,
    createAccount: true,
    needsBook: true,
    whenMissing: () => {
      throw new AppError('internal', 'unreachable: the account is created');
    },
    whenClosed: () => {
      throw new AppError('invalid_state', 'This credits account is closed.');
    },
    apply({ book, env, policy, open }) {
      const expiresAtMs = parsed.expiresAtMs ?? env.nowMs + policy.lifetimeMs;
      if (expiresAtMs <= env.nowMs) throw new AppError('validation', 'The points have already expired.', { field: 'expiresAt' });
      const tx = open('adjustment', migratedReasonCode, { reasonCode: migratedReasonCode, note: `migrated from ${parsed.source}`, actorId: null, actorRole: 'system' });
      const lot = grantLot(book, env, tx, { source: 'adjustment', credits: parsed.credits, unlockAtMs: env.nowMs, expiresAtMs }, 'program:adjusted', false);
      recorded = tx.id;
      return { transactionId: tx.id, lotId: lot.id, credits: parsed.credits, expiresAtMs };
    },
  });
  return { ...result, created: recorded === result.transactionId };
}
