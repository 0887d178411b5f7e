// Single-phase spending (CR-13: a rewards redemption is final at confirmation), FIFO by expiry (CR-11).
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { isPostgres } from '../../db/database.ts';
import { spendFifo } from './ledger.rules.ts';
import { policyHint, replayResult, requestHash, runMemberOperation } from './ledger.service.ts';
import { callSpend, type FastAnswer } from './ledger.repository.ts';
import { inLedgerTransaction, spendInGroup } from './group-commit.ts';

const id = z.string().min(1).max(100);

const spendInput = z.strictObject({
  memberId: id,
  credits: z.number().int().positive().max(1_000_000_000),
  /** The redemption order (CR-13); a later refund of a credits-paid order restores by it (CR-18). */
  orderId: id.optional(),
  reason: z.enum(['redemption', 'checkout']).default('redemption'),
  idempotencyKey: z.string().min(1).max(200),
});
export type SpendInput = z.input<typeof spendInput>;

const spendResult = z.object({
  transactionId: z.string(),
  memberId: z.string(),
  credits: z.number().int(),
  orderId: z.string().nullable(),
  lots: z.array(z.object({ lotId: z.string(), credits: z.number().int() })),
});
export type SpendResult = z.infer<typeof spendResult>;

type ParsedSpend = z.output<typeof spendInput>;
type SpendRequest = { credits: number; orderId: string | null; reason: string };

export async function spendCredits(ctx: Ctx, input: SpendInput): Promise<SpendResult> {
  const parsed = spendInput.parse(input);
  const request = { credits: parsed.credits, orderId: parsed.orderId ?? null, reason: parsed.reason };
  // Outside a caller's transaction (PF-2, PF-4): with the other spends of the moment, in one call (PostgreSQL) or one
  // synchronous write transaction (SQLite).
  const grouped = await spendGrouped(ctx, parsed, request);
  if (grouped) return grouped;
  return inLedgerTransaction(ctx, parsed.memberId, (trx) => spendIn(trx, parsed, request));
}

/** The spend for credits_spend: FIFO inside PostgreSQL under the account lock, when no time event is due. */
async function spendPayload(ctx: Ctx, parsed: ParsedSpend, hash: string): Promise<Record<string, unknown>> {
  const policy = await policyHint(ctx);
  return {
    memberId: parsed.memberId,
    nowMs: ctx.clock.nowMs(),
    credits: parsed.credits,
    transactionId: ctx.ids.next('ltx'),
    orderId: parsed.orderId ?? null,
    reason: parsed.reason,
    idemScope: 'spend',
    idemKey: parsed.idempotencyKey,
    requestHash: hash,
    policyVersion: policy.version,
  };
}

/** What credits_spend answered, as the caller's result; undefined when the general path has to do it. */
function settleSpend(parsed: ParsedSpend, hash: string, answer: FastAnswer): SpendResult | undefined {
  if (answer.status === 'applied') return spendResult.parse(JSON.parse(answer.result!));
  if (answer.status === 'replay') return replayResult('spend', parsed.idempotencyKey, spendResult, hash, answer);
  if (answer.status === 'insufficient') {
    throw new AppError('insufficient_credits', `Only ${answer.available} credits are available.`, { available: answer.available, requested: parsed.credits });
  }
  return undefined;
}

/** A spend group's answer (group-commit.ts spendInGroup); undefined where there is no group or it fell back. */
async function spendGrouped(ctx: Ctx, parsed: ParsedSpend, request: SpendRequest): Promise<SpendResult | undefined> {
  const hash = requestHash('spend', request);
  const answer = spendInGroup(ctx, parsed.memberId, async () => ({ payload: await spendPayload(ctx, parsed, hash) }));
  return answer && settleSpend(parsed, hash, await answer);
}

async function spendIn(ctx: Ctx, parsed: ParsedSpend, request: SpendRequest): Promise<SpendResult> {
  if (isPostgres(ctx.db)) {
    const hash = requestHash('spend', request);
    const answer = await callSpend(ctx.db, await spendPayload(ctx, parsed, hash));
    const result = settleSpend(parsed, hash, answer);
    if (result) return result;
  }
  return runMemberOperation(ctx, {
    memberId: parsed.memberId,
    scope: 'spend',
    key: parsed.idempotencyKey,
    request,
    resultSchema: spendResult,
    createAccount: false,
    needsBook: true,
    whenMissing: () => {
      throw new AppError('insufficient_credits', 'Only 0 credits are available.', { available: 0, requested: parsed.credits });
    },
    whenClosed: () => {
      throw new AppError('invalid_state', 'This credits account is closed.');
    },
    apply({ book, open }) {
      const tx = open('spend', parsed.reason, { orderId: parsed.orderId ?? null });
      spendFifo(book, tx, parsed.credits);
      const lots = tx.postings.filter((p) => p.account === 'available' && p.lotId !== null).map((p) => ({ lotId: p.lotId!, credits: -p.amount }));
      return { transactionId: tx.id, memberId: parsed.memberId, credits: parsed.credits, orderId: parsed.orderId ?? null, lots };
    },
  });
}
