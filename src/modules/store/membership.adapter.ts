// The store's calls into the Plus membership (CR-5, ST-2, MB-8, MB-10), in one place. Every caller passes the moment
// that matters: placement for the member discount and the voucher (what the member was shown and agreed to pay),
// the gateway's confirmation of the payment for the earn multiplier and the order's Plus snapshot (ST-4, CR-5).
// Only orders placed on the store itself ask: storefront-webhook and external orders never get Plus benefits (MB-8,
// ST-7), so their code paths do not call this file.
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { deliveryVouchersLeftAt, getCurrentMembershipPolicy, plusStatusAt, recordBenefitUse, restoreDeliveryVoucher, useDeliveryVoucher, type PlusStatus } from '../membership/index.ts';

export type { PlusStatus };

/** MB-10: the member's plan and period at `atMs`, `{ plan: null, periodId: null }` when not Plus then. */
export async function plusStatusOf(ctx: Ctx, memberId: string, atMs: number): Promise<PlusStatus> {
  return plusStatusAt(ctx, memberId, atMs);
}

/** MB-8: the member discount of the membership policy in force, in basis points of the merchandise. */
export async function memberDiscountBpOf(ctx: Ctx): Promise<number> {
  return (await getCurrentMembershipPolicy(ctx)).memberDiscountBp;
}

export async function deliveryVouchersLeft(ctx: Ctx, memberId: string, atMs: number): Promise<number> {
  return deliveryVouchersLeftAt(ctx, memberId, atMs);
}

/**
 * MB-8: takes one voucher for the order, in the order's transaction; the membership records its use against the
 * period that granted it. Refused (422 `not_eligible`) without Plus or without a voucher left.
 */
export async function takeDeliveryVoucher(ctx: Ctx, input: { memberId: string; orderId: string; atMs: number }): Promise<void> {
  try {
    await useDeliveryVoucher(ctx, { memberId: input.memberId, orderId: input.orderId, atMs: input.atMs });
  } catch (error) {
    // The same refusal, named after the checkout field so the form shows it next to the voucher choice.
    if (error instanceof AppError && error.code === 'not_eligible') throw new AppError('not_eligible', error.message, { field: 'useDeliveryVoucher' });
    throw error;
  }
}

/** The order did not happen (payment failed or abandoned) or was cancelled before shipping: its voucher comes back. */
export async function giveBackDeliveryVoucher(ctx: Ctx, orderId: string): Promise<void> {
  await restoreDeliveryVoucher(ctx, orderId);
}

/**
 * Records the money and credits benefits a paid order used, each against the period that granted it: the member
 * discount at placement (when it was priced), the extra credits of the multiplier at payment. Once per order and
 * kind (the membership ignores a repeat), so a finalize retried after a crash records nothing twice.
 */
export async function recordOrderBenefits(
  ctx: Ctx,
  input: { memberId: string; orderId: string; placedAtMs: number; memberDiscountMinor: number; paidAtMs: number; extraCredits: number },
): Promise<void> {
  if (input.memberDiscountMinor > 0) {
    await recordBenefitUse(ctx, { memberId: input.memberId, orderId: input.orderId, kind: 'member_discount', amountMinor: input.memberDiscountMinor, credits: 0, atMs: input.placedAtMs });
  }
  if (input.extraCredits > 0) {
    await recordBenefitUse(ctx, { memberId: input.memberId, orderId: input.orderId, kind: 'earn_multiplier', amountMinor: 0, credits: input.extraCredits, atMs: input.paidAtMs });
  }
}
