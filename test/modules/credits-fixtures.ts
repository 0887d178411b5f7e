// Shared helpers for the credits tests (not a test file itself).
import assert from 'node:assert/strict';
import type { Ctx } from '../../src/deps.ts';
import { DAY_MS } from '../../src/platform/clock.ts';
import { auditCreditsLedger, earnForOrder, getBalance, type EarnForOrderResult } from '../../src/modules/credits/index.ts';

export { DAY_MS };
export const MINUTE_MS = 60_000;

export function newMemberId(ctx: Pick<Ctx, 'ids'>): string {
  return ctx.ids.next('mem');
}

export interface LineSpec {
  qualifyingMinor: number;
  plusBonus?: boolean;
  earnsCredits?: boolean;
}

/** An order paid now (or at paidAtMs) with the given lines; line IDs are `<orderId>-<n>`. */
export async function earnOrder(ctx: Ctx, memberId: string, lines: LineSpec[], options: { orderId?: string; paidAtMs?: number; plusActive?: boolean; idempotencyKey?: string } = {}): Promise<EarnForOrderResult> {
  const orderId = options.orderId ?? ctx.ids.next('ord');
  return earnForOrder(ctx, {
    memberId,
    orderId,
    paidAtMs: options.paidAtMs ?? ctx.clock.nowMs(),
    plusActive: options.plusActive ?? false,
    lines: lines.map((line, i) => ({ lineId: `${orderId}-${i + 1}`, qualifyingMinor: line.qualifyingMinor, plusBonus: line.plusBonus ?? false, earnsCredits: line.earnsCredits ?? true })),
    ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
  });
}

export async function spendable(ctx: Ctx, memberId: string): Promise<number> {
  return (await getBalance(ctx, memberId)).spendable;
}

/** LG-5 after every scenario: the auditor finds nothing. */
export async function assertLedgerSound(ctx: Ctx): Promise<void> {
  const report = await auditCreditsLedger(ctx, { trigger: 'test', actorId: null });
  assert.deepEqual(report.problems, [], `auditor found: ${JSON.stringify(report.problems.slice(0, 5))}`);
  assert.equal(report.ok, true);
}
