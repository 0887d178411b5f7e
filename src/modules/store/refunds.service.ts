// Cancellations and refunds (ST-6, CR-15..CR-18), as database steps around the gateway call.
//
// The refund flow (src/flows/refund.ts) runs these as its steps: `beginRefund` plans the refund and reserves it on the order's lines in one
// transaction (so concurrent refunds can never refund the same money twice); the gateway refunds the money outside
// any transaction; `completeRefund` then moves the credits (reversal of earnings, CR-15..CR-17; restore of spent
// credits to their original lots, CR-18) and, for a cancellation, cancels the order, its shipment, puts the stock
// back and gives a Plus next-day delivery voucher back (MB-8). The refund records the earned credits the ledger reversed (per line and in total) next to the credits it
// restored. If the gateway refuses, `failRefund` is the compensation: it gives the reservation back. A refund whose
// gateway answer or last step was lost is finished by the flow runner's resume job under the same keys.
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { assert } from '../../platform/assert.ts';
import { recordAudit } from '../audit/index.ts';
import { recordEvent } from '../events/index.ts';
import { returnProductStock } from './catalog.repository.ts';
import { restoreOrderCredits, reverseOrderCredits } from './credits.adapter.ts';
import { giveBackDeliveryVoucher } from './membership.adapter.ts';
import { recordPaymentRefund } from '../payments/index.ts';
import { cancelPendingShipments, findOrder, transitionOrder, updateOrderFields, updateOrderLine, type Order } from './orders.repository.ts';
import { findOrderPayment } from './orders.service.ts';
import { findRefund, findRefundByExternalRef, hasPendingRefund, insertRefund, recordCreditsReversed, transitionRefund, type Refund } from './refunds.repository.ts';
import { planRefund, type RefundRequest } from './refunds.rules.ts';
import type { RefundSource } from './store.table.ts';

export const refundReasons = ['returned', 'damaged', 'defective', 'wrong_item', 'price_adjustment', 'cancelled_by_member', 'cancelled_by_agent', 'storefront', 'other'] as const;
export type RefundReason = (typeof refundReasons)[number];
export const refundReasonSchema = z.enum(refundReasons);

export interface BeginRefundInput {
  orderId: string;
  request: RefundRequest;
  reason: RefundReason;
  note?: string | null;
  source: RefundSource;
  requestedBy: string | null;
  /**
   * The storefront's refund ID for refunds that arrived by webhook; for a staff or member request, the reference of
   * its Idempotency-Key (see findRefundForRequest).
   */
  externalRef?: string | null;
  /** Members may only cancel their own orders. */
  memberId?: string;
}

export interface BegunRefund {
  refund: Refund;
  order: Order;
  /** The gateway payment to refund, when money goes back through our gateway. */
  gatewayPaymentId: string | null;
}

const refundableStatuses = new Set(['paid', 'shipped', 'delivered']);

/**
 * The refund that an earlier attempt of the same request began (by its reference), unless that one failed: a retry
 * after the first attempt died half-way (the process killed, the database gone) answers with it instead of
 * refunding a second time.
 */
export async function findRefundForRequest(ctx: Ctx, orderId: string, requestRef: string): Promise<Refund | undefined> {
  return findRefundByExternalRef(ctx.db, orderId, requestRef);
}

export async function beginRefund(ctx: Ctx, input: BeginRefundInput): Promise<BegunRefund> {
  const order = await findOrder(ctx.db, input.orderId, { lock: true });
  if (!order || (input.memberId !== undefined && order.memberId !== input.memberId)) throw notFound('The order');
  // The storefront moved the money of its own orders; only its webhooks change them here.
  if (order.channel === 'storefront' && input.source !== 'storefront') throw new AppError('invalid_state', 'This order was placed on the storefront: cancel or refund it there.');
  if (input.request.kind === 'cancellation') {
    if (order.status === 'shipped' || order.status === 'delivered') throw new AppError('invalid_state', 'This order has already shipped, so it can no longer be cancelled. Ask for a return instead.');
    if (order.status !== 'paid') throw new AppError('invalid_state', `A ${order.status.replace('_', ' ')} order cannot be cancelled.`);
  } else if (!refundableStatuses.has(order.status)) {
    throw new AppError('invalid_state', `A ${order.status.replace('_', ' ')} order cannot be refunded.`);
  }
  if (await hasPendingRefund(ctx.db, order.id)) throw new AppError('conflict', 'Another refund of this order is still being processed. Try again in a moment.');
  const shippingRefundedMinor = order.refundedMinor - order.lines.reduce((sum, line) => sum + line.refundedMinor, 0);
  const plan = planRefund(order.lines, input.request, { chargedMinor: order.shippingMinor, refundedMinor: shippingRefundedMinor });
  const nowMs = ctx.clock.nowMs();
  const refundId = ctx.ids.next('rfd');
  await insertRefund(
    ctx.db,
    {
      id: refundId,
      order_id: order.id,
      member_id: order.memberId,
      kind: input.request.kind,
      source: input.source,
      reason: input.reason,
      note: input.note ?? null,
      amount_minor: plan.amountMinor,
      credits_restored: plan.creditsRestored,
      credits_reversed: 0,
      status: 'pending',
      gateway_refund_id: null,
      failure_code: null,
      external_ref: input.externalRef ?? null,
      requested_by: input.requestedBy,
      created_at_ms: nowMs,
      completed_at_ms: null,
    },
    plan.lines.map((part) => ({
      refund_id: refundId,
      order_line_id: part.lineId,
      quantity: part.quantity,
      amount_minor: part.amountMinor,
      qualifying_minor: part.qualifyingMinor,
      credits_restored: part.creditsRestored,
      credits_reversed: 0,
    })),
  );
  // Reserve: the line counters move now, under the order's lock; failRefund moves them back.
  for (const part of plan.lines) {
    const line = order.lines.find((l) => l.id === part.lineId)!;
    await updateOrderLine(ctx.db, line.id, {
      refunded_quantity: line.refundedQuantity + part.quantity,
      refunded_minor: line.refundedMinor + part.amountMinor,
      refunded_qualifying_minor: part.refundedQualifyingAfterMinor,
      restored_credits: line.restoredCredits + part.creditsRestored,
    });
  }
  await updateOrderFields(ctx.db, order.id, { refunded_minor: order.refundedMinor + plan.amountMinor, updated_at_ms: nowMs });
  const payment = await findOrderPayment(ctx, order.id);
  const gatewayPaymentId = plan.amountMinor > 0 && order.channel === 'store' ? (payment?.gatewayPaymentId ?? null) : null;
  if (plan.amountMinor > 0 && order.channel === 'store') assert(gatewayPaymentId, `paid order ${order.id} has no gateway payment`);
  if (input.source === 'agent') {
    await recordAudit(ctx, {
      actor: { id: input.requestedBy, role: 'agent' },
      action: 'store.refund.created',
      memberId: order.memberId,
      subject: refundId,
      details: { orderId: order.id, kind: input.request.kind, amountMinor: plan.amountMinor, creditsRestored: plan.creditsRestored, reason: input.reason },
    });
  }
  const refund = await findRefund(ctx.db, refundId);
  assert(refund, 'the refund was just written');
  return { refund, order, gatewayPaymentId };
}

/**
 * After the money went back (or none had to): credits move, a cancellation cancels. Idempotent. `caseId` names the
 * after-sales case a resolution refunds for on the ledger's reversal and restore rows.
 */
export async function completeRefund(ctx: Ctx, input: { refundId: string; gatewayRefundId: string | null; caseId?: string }): Promise<Refund> {
  const refund = await findRefund(ctx.db, input.refundId);
  if (!refund) throw notFound('The refund');
  const order = await findOrder(ctx.db, refund.orderId, { lock: true });
  assert(order, 'a refund belongs to an order');
  const nowMs = ctx.clock.nowMs();
  if (!(await transitionRefund(ctx.db, refund.id, 'pending', { status: 'completed', gateway_refund_id: input.gatewayRefundId, completed_at_ms: nowMs }))) return (await findRefund(ctx.db, refund.id))!;
  if (order.memberId) {
    const reversals = refund.lines
      .filter((part) => part.qualifyingMinor > 0)
      .map((part) => {
        const line = order.lines.find((l) => l.id === part.orderLineId)!;
        return { lineId: line.id, qualifyingMinor: line.qualifyingMinor, refundedQualifyingMinor: part.qualifyingMinor };
      });
    if (reversals.length > 0 && order.earnedCredits > 0) {
      const reversed = await reverseOrderCredits(ctx, { memberId: order.memberId, orderId: order.id, refundId: refund.id, caseId: input.caseId, lines: reversals });
      // The refund reports what it reversed next to what it restored (the ledger's answer, per line).
      if (reversed.total > 0) await recordCreditsReversed(ctx.db, refund.id, reversed.lines);
    }
    if (refund.creditsRestored > 0) await restoreOrderCredits(ctx, { memberId: order.memberId, orderId: order.id, refundId: refund.id, credits: refund.creditsRestored, caseId: input.caseId });
  }
  if (refund.kind === 'cancellation') {
    assert(await transitionOrder(ctx.db, order.id, ['paid'], { status: 'cancelled', cancelled_at_ms: nowMs, updated_at_ms: nowMs }), 'a cancellation begins only on a paid order, and shipping waits for it');
    await cancelPendingShipments(ctx.db, order.id, nowMs);
    // MB-8: a voucher is usable once, and a cancellation (always before shipping) means that use did not happen.
    if (order.delivery === 'next_day') await giveBackDeliveryVoucher(ctx, order.id);
    for (const line of [...order.lines].sort((a, b) => ((a.productId ?? '') < (b.productId ?? '') ? -1 : 1))) {
      const part = refund.lines.find((p) => p.orderLineId === line.id);
      if (line.productId && part && part.quantity > 0) await returnProductStock(ctx.db, line.productId, part.quantity, nowMs);
    }
  }
  const full = order.lines.every((line) => line.refundedMinor === line.paidMinor && line.restoredCredits === line.credits && line.refundedQualifyingMinor === line.qualifyingMinor);
  await updateOrderFields(ctx.db, order.id, { refund_state: full ? 'full' : 'partial', updated_at_ms: nowMs });
  if (refund.amountMinor > 0 && order.channel === 'store') {
    const payment = await findOrderPayment(ctx, order.id);
    if (payment) await recordPaymentRefund(ctx, { paymentId: payment.id, amountMinor: refund.amountMinor });
  }
  await recordEvent(ctx, {
    type: 'order.refunded',
    subjectId: order.id,
    memberId: order.memberId,
    data: { orderId: order.id, refundId: refund.id, kind: refund.kind, currency: order.currency, amountMinor: refund.amountMinor, creditsRestored: refund.creditsRestored, full, caseId: input.caseId ?? null },
  });
  return (await findRefund(ctx.db, refund.id))!;
}

/** Compensation when the gateway refused the refund: the reservation on the lines is given back. Idempotent. */
export async function failRefund(ctx: Ctx, input: { refundId: string; code: string }): Promise<Refund> {
  const refund = await findRefund(ctx.db, input.refundId);
  if (!refund) throw notFound('The refund');
  const order = await findOrder(ctx.db, refund.orderId, { lock: true });
  assert(order, 'a refund belongs to an order');
  if (!(await transitionRefund(ctx.db, refund.id, 'pending', { status: 'failed', failure_code: input.code, completed_at_ms: ctx.clock.nowMs() }))) return (await findRefund(ctx.db, refund.id))!;
  for (const part of refund.lines) {
    const line = order.lines.find((l) => l.id === part.orderLineId)!;
    await updateOrderLine(ctx.db, line.id, {
      refunded_quantity: line.refundedQuantity - part.quantity,
      refunded_minor: line.refundedMinor - part.amountMinor,
      refunded_qualifying_minor: line.refundedQualifyingMinor - part.qualifyingMinor,
      restored_credits: line.restoredCredits - part.creditsRestored,
    });
  }
  await updateOrderFields(ctx.db, order.id, { refunded_minor: order.refundedMinor - refund.amountMinor, updated_at_ms: ctx.clock.nowMs() });
  return (await findRefund(ctx.db, refund.id))!;
}

export async function findRefundForFlow(ctx: Ctx, refundId: string): Promise<Refund | undefined> {
  return findRefund(ctx.db, refundId);
}

export async function gatewayPaymentIdForOrder(ctx: Ctx, orderId: string): Promise<string | null> {
  return (await findOrderPayment(ctx, orderId))?.gatewayPaymentId ?? null;
}
