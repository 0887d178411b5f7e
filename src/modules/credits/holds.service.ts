// Checkout holds (CR-12): credits applied at checkout are held; paying captures them (fully or in part), a failed or
// abandoned payment releases them, and a hold left open past the policy's timeout releases itself.
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { captureHoldOnBook, placeHoldOnBook, releaseHoldOnBook, type Hold } from './ledger.rules.ts';
import { runMemberOperation, type OperationContext } from './ledger.service.ts';
import { creditTables } from './ledger.table.ts';

const id = z.string().min(1).max(100);
const key = z.string().min(1).max(200);

const placeHoldInput = z.strictObject({
  memberId: id,
  credits: z.number().int().positive().max(1_000_000_000),
  orderId: id.optional(),
  idempotencyKey: key,
});
export type PlaceHoldInput = z.input<typeof placeHoldInput>;

const placeHoldResult = z.object({
  holdId: z.string(),
  transactionId: z.string(),
  memberId: z.string(),
  credits: z.number().int(),
  expiresAtMs: z.number().int(),
  orderId: z.string().nullable(),
});
export type PlaceHoldResult = z.infer<typeof placeHoldResult>;

function insufficient(): never {
  throw new AppError('insufficient_credits', 'Only 0 credits are available.', { available: 0 });
}

function closed(): never {
  throw new AppError('invalid_state', 'This credits account is closed.');
}

export async function placeHold(ctx: Ctx, input: PlaceHoldInput): Promise<PlaceHoldResult> {
  const parsed = placeHoldInput.parse(input);
  return runMemberOperation(ctx, {
    memberId: parsed.memberId,
    scope: 'hold',
    key: parsed.idempotencyKey,
    request: { credits: parsed.credits, orderId: parsed.orderId ?? null },
    resultSchema: placeHoldResult,
    createAccount: false,
    needsBook: true,
    whenMissing: insufficient,
    whenClosed: closed,
    apply({ book, env, policy, open }) {
      const tx = open('hold', 'checkout', { orderId: parsed.orderId ?? null });
      const expiresAtMs = env.nowMs + policy.holdTimeoutMs;
      const hold = placeHoldOnBook(book, env, tx, parsed.credits, expiresAtMs, parsed.orderId ?? null);
      return { holdId: hold.id, transactionId: tx.id, memberId: parsed.memberId, credits: parsed.credits, expiresAtMs, orderId: hold.orderId };
    },
  });
}

const captureInput = z.strictObject({
  memberId: id,
  holdId: id,
  /** Defaults to everything held; less captures part and releases the rest. */
  credits: z.number().int().positive().max(1_000_000_000).optional(),
  /** Defaults to the hold ID: a hold is captured at most once. */
  idempotencyKey: key.optional(),
});
export type CaptureHoldInput = z.input<typeof captureInput>;

const captureResult = z.object({ holdId: z.string(), transactionId: z.string(), captured: z.number().int(), released: z.number().int(), orderId: z.string().nullable() });
export type CaptureHoldResult = z.infer<typeof captureResult>;

const releaseInput = z.strictObject({ memberId: id, holdId: id, idempotencyKey: key.optional() });
export type ReleaseHoldInput = z.input<typeof releaseInput>;

const releaseResult = z.object({ holdId: z.string(), transactionId: z.string(), released: z.number().int(), orderId: z.string().nullable() });
export type ReleaseHoldResult = z.infer<typeof releaseResult>;

/** The hold, if it is still active; otherwise a precise error (CR-12: a hold resolves once). */
async function activeHold(ctx: Ctx, operation: OperationContext, memberId: string, holdId: string): Promise<Hold> {
  const hold = operation.book.holds.get(holdId);
  if (hold?.state === 'active') return hold;
  const state = hold?.state ?? (await creditTables(ctx.db).selectFrom('credit_holds').select('state').where('id', '=', holdId).where('member_id', '=', memberId).executeTakeFirst())?.state;
  if (state === undefined) throw new AppError('not_found', 'Hold was not found.');
  if (state === 'expired') throw new AppError('invalid_state', 'The hold has expired; its credits were released.');
  throw new AppError('invalid_state', `The hold was already ${state}.`);
}

function holdNotFound(): never {
  throw new AppError('not_found', 'Hold was not found.');
}

export async function captureHold(ctx: Ctx, input: CaptureHoldInput): Promise<CaptureHoldResult> {
  const parsed = captureInput.parse(input);
  let hold: Hold | undefined;
  return runMemberOperation(ctx, {
    memberId: parsed.memberId,
    scope: 'capture',
    key: parsed.idempotencyKey ?? parsed.holdId,
    request: { holdId: parsed.holdId, credits: parsed.credits ?? null },
    resultSchema: captureResult,
    createAccount: false,
    needsBook: true,
    whenMissing: holdNotFound,
    whenClosed: closed,
    async prepare(trx, operation) {
      hold = await activeHold(trx, operation, parsed.memberId, parsed.holdId);
    },
    apply({ book, open }) {
      const active = hold!;
      const held = active.lots.reduce((sum, l) => sum + l.held, 0);
      const credits = parsed.credits ?? held;
      if (credits > held) throw new AppError('validation', `The hold has only ${held} credits.`, { held });
      const tx = open('capture', 'checkout', { holdId: active.id, orderId: active.orderId });
      const { captured, released } = captureHoldOnBook(book, tx, active, credits);
      return { holdId: active.id, transactionId: tx.id, captured, released, orderId: active.orderId };
    },
  });
}

export async function releaseHold(ctx: Ctx, input: ReleaseHoldInput): Promise<ReleaseHoldResult> {
  const parsed = releaseInput.parse(input);
  let hold: Hold | undefined;
  return runMemberOperation(ctx, {
    memberId: parsed.memberId,
    scope: 'release',
    key: parsed.idempotencyKey ?? parsed.holdId,
    request: { holdId: parsed.holdId },
    resultSchema: releaseResult,
    createAccount: false,
    needsBook: true,
    whenMissing: holdNotFound,
    whenClosed: closed,
    async prepare(trx, operation) {
      hold = await activeHold(trx, operation, parsed.memberId, parsed.holdId);
    },
    apply({ book, open }) {
      const active = hold!;
      const tx = open('release', 'checkout_cancelled', { holdId: active.id, orderId: active.orderId });
      const released = releaseHoldOnBook(book, tx, active, 'released');
      return { holdId: active.id, transactionId: tx.id, released, orderId: active.orderId };
    },
  });
}
