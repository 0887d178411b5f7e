// Earning: one-time bonuses (CR-1, CR-2) and purchase earnings per order line (CR-3..CR-7).
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { grantLot } from './ledger.rules.ts';
import { runMemberOperation, type OperationSpec } from './ledger.service.ts';
import { computeOrderEarnings } from './policy.rules.ts';

export const bonusKinds = ['registration', 'profile_completion'] as const;
export type BonusKind = (typeof bonusKinds)[number];

const id = z.string().min(1).max(100);

const grantBonusInput = z.strictObject({ memberId: id, kind: z.enum(bonusKinds) });
export type GrantBonusInput = z.input<typeof grantBonusInput>;

const grantResult = z.object({
  transactionId: z.string(),
  memberId: z.string(),
  kind: z.enum(bonusKinds),
  credits: z.number().int(),
  lotId: z.string().nullable(),
  policyVersion: z.number().int(),
});
export type GrantBonusResult = z.infer<typeof grantResult>;

/**
 * CR-1/CR-2: the key is the bonus kind itself, so each bonus exists at most once per account, ever: asking again
 * (a second profile completion, a replayed sign-up) returns the first grant and changes nothing.
 */
export async function grantBonus(ctx: Ctx, input: GrantBonusInput): Promise<GrantBonusResult> {
  const { memberId, kind } = grantBonusInput.parse(input);
  return runMemberOperation(ctx, {
    memberId,
    scope: 'bonus',
    key: kind,
    request: { kind },
    resultSchema: grantResult,
    createAccount: true,
    needsBook: true,
    // Available at once: the one-call path applies when there is no debt for the bonus to settle.
    fastAppend: { requireNoDebt: true },
    whenMissing: () => {
      throw new AppError('internal', 'unreachable: the account is created');
    },
    whenClosed: () => {
      throw new AppError('invalid_state', 'This credits account is closed.');
    },
    apply({ book, env, policy, open }) {
      const tx = open('bonus', kind);
      const credits = kind === 'registration' ? policy.registrationBonusCredits : policy.profileBonusCredits;
      let lotId: string | null = null;
      if (credits > 0) {
        const lot = grantLot(book, env, tx, { source: kind === 'registration' ? 'registration' : 'profile', credits, unlockAtMs: env.nowMs, expiresAtMs: env.nowMs + policy.lifetimeMs }, 'program:issued', true);
        lotId = lot.id;
      }
      return { transactionId: tx.id, memberId, kind, credits, lotId, policyVersion: policy.version };
    },
  });
}

const earnLine = z.strictObject({
  lineId: id,
  qualifyingMinor: z.number().int().min(0).max(1_000_000_000_00),
  plusBonus: z.boolean(),
  earnsCredits: z.boolean(),
});

const earnInput = z
  .strictObject({
    memberId: id,
    orderId: id,
    paidAtMs: z.number().int().nonnegative(),
    plusActive: z.boolean(),
    lines: z.array(earnLine).min(1).max(500),
    /** Defaults to the order ID: an order earns once (LG-3). */
    idempotencyKey: z.string().min(1).max(200).optional(),
  })
  .refine((input) => new Set(input.lines.map((l) => l.lineId)).size === input.lines.length, { message: 'line IDs must be unique', path: ['lines'] });
export type EarnForOrderInput = z.input<typeof earnInput>;

const earnResult = z.object({
  transactionId: z.string(),
  memberId: z.string(),
  orderId: z.string(),
  credits: z.number().int(),
  policyVersion: z.number().int(),
  unlockAtMs: z.number().int(),
  expiresAtMs: z.number().int(),
  lines: z.array(z.object({ lineId: z.string(), credits: z.number().int(), lotId: z.string().nullable() })),
});
export type EarnForOrderResult = z.infer<typeof earnResult>;

/**
 * CR-3..CR-7: the store calls this once an eligible order (member signed in, own store, after registration) is
 * paid. Each earning line gets its own pending lot (its share is what a later refund of that line reverses), which
 * unlocks a pending period after payment and expires a lifetime after unlocking.
 */
type ParsedEarn = z.output<typeof earnInput>;

/** The operation an earning is, shared by the single and the batched entry points. */
function earnSpec(parsed: ParsedEarn): OperationSpec<EarnForOrderResult> {
  return {
    memberId: parsed.memberId,
    scope: 'earn',
    key: parsed.idempotencyKey ?? parsed.orderId,
    request: { orderId: parsed.orderId, paidAtMs: parsed.paidAtMs, plusActive: parsed.plusActive, lines: parsed.lines },
    resultSchema: earnResult,
    createAccount: true,
    // Only a late notice (already past its pending period) touches existing lots, to settle debt FIFO.
    needsBook: (policy, nowMs) => parsed.paidAtMs + policy.pendingPeriodMs <= nowMs,
    // Pending lots touch nothing else: one call on PostgreSQL (PF-3), unless the notice came after the pending period.
    fastAppend: { requireNoDebt: false, when: (policy, nowMs) => parsed.paidAtMs + policy.pendingPeriodMs > nowMs },
    whenMissing: () => {
      throw new AppError('internal', 'unreachable: the account is created');
    },
    whenClosed: () => {
      throw new AppError('invalid_state', 'This credits account is closed.');
    },
    apply({ book, env, policy, open }) {
      const tx = open('earn', 'order', { orderId: parsed.orderId });
      const earnings = computeOrderEarnings(policy, parsed.lines, parsed.plusActive);
      const unlockAtMs = parsed.paidAtMs + policy.pendingPeriodMs;
      const expiresAtMs = unlockAtMs + policy.lifetimeMs;
      const lines = earnings.lines.map((line) => {
        if (line.credits === 0) return { lineId: line.lineId, credits: 0, lotId: null };
        const lot = grantLot(book, env, tx, { source: 'order', credits: line.credits, unlockAtMs, expiresAtMs, orderId: parsed.orderId, orderLineId: line.lineId, qualifyingMinor: line.qualifyingMinor }, 'program:issued', true);
        return { lineId: line.lineId, credits: line.credits, lotId: lot.id };
      });
      return { transactionId: tx.id, memberId: parsed.memberId, orderId: parsed.orderId, credits: earnings.total, policyVersion: policy.version, unlockAtMs, expiresAtMs, lines };
    },
  };
}

function parseEarn(ctx: Ctx, input: EarnForOrderInput): ParsedEarn {
  const parsed = earnInput.parse(input);
  if (parsed.paidAtMs > ctx.clock.nowMs()) throw new AppError('validation', 'An order cannot be paid in the future.');
  return parsed;
}

/**
 * CR-3..CR-7: the store calls this once an eligible order (member signed in, own store, after registration) is
 * paid. Each earning line gets its own pending lot (its share is what a later refund of that line reverses), which
 * unlocks a pending period after payment and expires a lifetime after unlocking.
 */
export async function earnForOrder(ctx: Ctx, input: EarnForOrderInput): Promise<EarnForOrderResult> {
  return runMemberOperation(ctx, earnSpec(parseEarn(ctx, input)));
}
