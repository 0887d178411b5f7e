// A paid billing period: the period row and the payments module's record of the fee, written together in the
// caller's transaction once the gateway confirmed the capture (MB-2, MB-3).
import type { Ctx } from '../../deps.ts';
import { recordCapturedPayment } from '../payments/index.ts';
import type { ChargeOutcome } from './billing.service.ts';
import type { Plan } from './membership.rules.ts';
import { insertPeriod, type Subscription } from './subscriptions.repository.ts';

export async function recordPaidPeriod(
  ctx: Ctx,
  sub: Pick<Subscription, 'id' | 'memberId'>,
  input: { seq: number; plan: Plan; startsAtMs: number; endsAtMs: number; priceMinor: number; paid: Extract<ChargeOutcome, { kind: 'paid' }> },
): Promise<string> {
  const periodId = ctx.ids.next('mbp');
  await insertPeriod(ctx.db, {
    id: periodId,
    subscription_id: sub.id,
    member_id: sub.memberId,
    seq: input.seq,
    plan: input.plan,
    starts_at_ms: input.startsAtMs,
    ends_at_ms: input.endsAtMs,
    price_minor: input.priceMinor,
    currency: 'USD',
    gateway: input.paid.gateway,
    gateway_payment_id: input.paid.paymentId,
    paid_at_ms: input.paid.confirmedAtMs,
    created_at_ms: ctx.clock.nowMs(),
  });
  await recordCapturedPayment(ctx, {
    purpose: input.seq === 0 ? 'membership_fee' : 'membership_renewal',
    ownerRef: periodId,
    memberId: sub.memberId,
    currency: 'USD',
    amountMinor: input.priceMinor,
    gateway: input.paid.gateway,
    gatewayPaymentId: input.paid.paymentId,
    confirmedAtMs: input.paid.confirmedAtMs,
  });
  return periodId;
}
