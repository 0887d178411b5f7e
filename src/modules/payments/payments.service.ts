// Recording money movements (ST-3, ST-4): one `payments` row per movement Patron asks a gateway for, written in the
// caller's transaction around its gateway calls (the call itself happens outside any transaction, CONVENTIONS 3).
//
// A checkout opens a pending payment with its order, then records the authorization, the capture, or that it failed;
// refunds add to what was refunded. A redemption's shipping fee is recorded once captured.
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { assert } from '../../platform/assert.ts';
import { addRefunded, findLatestPaymentRow, findPaymentRow, insertPayment, transitionPayment, type Payment } from './payments.repository.ts';
import { paymentPurposes, type PaymentPurpose, type PaymentRow } from './payments.table.ts';

const id = z.string().min(1).max(100);
const amountMinor = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

const openInput = z.strictObject({
  purpose: z.enum(paymentPurposes),
  ownerRef: id,
  memberId: id.nullable(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  amountMinor,
});
export type OpenPaymentInput = z.input<typeof openInput>;

const capturedInput = openInput.extend({ gateway: z.string().min(1).max(50), gatewayPaymentId: id, confirmedAtMs: z.number().int().nonnegative() });
export type RecordCapturedPaymentInput = z.input<typeof capturedInput>;

type NewPayment = z.output<typeof openInput> & Pick<PaymentRow, 'gateway' | 'gateway_payment_id' | 'status' | 'captured_minor' | 'confirmed_at_ms'>;

async function insertNewPayment(ctx: Ctx, payment: NewPayment): Promise<Payment> {
  const nowMs = ctx.clock.nowMs();
  const paymentId = ctx.ids.next('pay');
  await insertPayment(ctx.db, {
    id: paymentId,
    purpose: payment.purpose,
    owner_ref: payment.ownerRef,
    member_id: payment.memberId,
    currency: payment.currency,
    amount_minor: payment.amountMinor,
    gateway: payment.gateway,
    gateway_payment_id: payment.gateway_payment_id,
    status: payment.status,
    captured_minor: payment.captured_minor,
    refunded_minor: 0,
    failure_code: null,
    confirmed_at_ms: payment.confirmed_at_ms,
    created_at_ms: nowMs,
    updated_at_ms: nowMs,
  });
  const written = await findPaymentRow(ctx.db, paymentId);
  assert(written, 'the payment was just written');
  return written;
}

/** A payment about to be asked for: pending at the installation's gateway, before any call. */
export async function openPayment(ctx: Ctx, input: OpenPaymentInput): Promise<Payment> {
  const parsed = openInput.parse(input);
  return insertNewPayment(ctx, { ...parsed, gateway: ctx.ports.payments.name, gateway_payment_id: null, status: 'pending', captured_minor: 0, confirmed_at_ms: null });
}

/** A payment the gateway already captured in full (a redemption's shipping fee, charged before the redemption). */
export async function recordCapturedPayment(ctx: Ctx, input: RecordCapturedPaymentInput): Promise<Payment> {
  const { gateway, gatewayPaymentId, confirmedAtMs, ...parsed } = capturedInput.parse(input);
  return insertNewPayment(ctx, { ...parsed, gateway, gateway_payment_id: gatewayPaymentId, status: 'captured', captured_minor: parsed.amountMinor, confirmed_at_ms: confirmedAtMs });
}

/** Remembers the gateway's authorization at once, so a crash before capture can still void it. */
export async function markPaymentAuthorized(ctx: Ctx, input: { paymentId: string; gateway: string; gatewayPaymentId: string }): Promise<void> {
  const changed = await transitionPayment(ctx.db, input.paymentId, ['pending', 'authorized'], {
    gateway: input.gateway,
    gateway_payment_id: input.gatewayPaymentId,
    status: 'authorized',
    updated_at_ms: ctx.clock.nowMs(),
  });
  assert(changed, `payment ${input.paymentId} is no longer pending`);
}

/** The gateway confirmed the capture at `confirmedAtMs` (ST-4). False when the payment was no longer open. */
export async function markPaymentCaptured(ctx: Ctx, input: { paymentId: string; capturedMinor: number; confirmedAtMs: number }): Promise<boolean> {
  assert(Number.isSafeInteger(input.capturedMinor) && input.capturedMinor >= 0, 'a capture is a whole number of minor units');
  return transitionPayment(ctx.db, input.paymentId, ['pending', 'authorized'], {
    status: 'captured',
    captured_minor: input.capturedMinor,
    confirmed_at_ms: input.confirmedAtMs,
    updated_at_ms: ctx.clock.nowMs(),
  });
}

/**
 * The movement will not happen (declined, failed, abandoned): a pending payment fails, an authorized one is voided
 * (the caller has asked the gateway to release it). A captured payment is left as it is: money taken goes back only
 * by a refund. False when there was nothing open to close.
 */
export async function closeUnpaidPayment(ctx: Ctx, input: { paymentId: string; failureCode: string }): Promise<boolean> {
  const nowMs = ctx.clock.nowMs();
  if (await transitionPayment(ctx.db, input.paymentId, ['pending'], { status: 'failed', failure_code: input.failureCode, updated_at_ms: nowMs })) return true;
  return transitionPayment(ctx.db, input.paymentId, ['authorized'], { status: 'voided', failure_code: input.failureCode, updated_at_ms: nowMs });
}

/** The gateway refunded `amountMinor` of a captured payment; refused (a bug in the caller) past what was captured. */
export async function recordPaymentRefund(ctx: Ctx, input: { paymentId: string; amountMinor: number }): Promise<void> {
  assert(Number.isSafeInteger(input.amountMinor) && input.amountMinor > 0, 'a refund is at least one minor unit');
  assert(await addRefunded(ctx.db, input.paymentId, input.amountMinor, ctx.clock.nowMs()), `payment ${input.paymentId} cannot take a refund of ${input.amountMinor}`);
}

/** The newest payment for an order, redemption, subscription or case. */
export async function findLatestPayment(ctx: Ctx, input: { purpose: PaymentPurpose; ownerRef: string }): Promise<Payment | undefined> {
  return findLatestPaymentRow(ctx.db, input.purpose, input.ownerRef);
}
