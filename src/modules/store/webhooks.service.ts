// Storefront order webhooks (ST-8): verified and stored first, acknowledged, then processed from the job queue.
//
// Receiving: the HMAC over the raw body and the timestamp tolerance are checked (webhooks.rules.ts), the envelope is
// validated, and the delivery is inserted into the inbox keyed by its event ID together with its processing job,
// in one transaction. A repeated delivery of the same event (a retry, a replay, ten at once) finds the row and adds
// nothing (LG-3). Processing: one job per event, which locks the inbox row and does the work in the same
// transaction as marking it processed, so a crashed or repeated job cannot apply an event twice. The work itself is
// idempotent as well: orders are unique per storefront order ID, refunds per storefront refund ID, and every ledger
// call carries a key derived from them.
//
// A member's paid order is the one exception to "one transaction": its credits are earned between two (issue 12,
// PF-5). The first records the order and a pending-earning row; the earning runs outside any transaction, so the
// earnings of concurrently processed events (the job type runs concurrently) share one ledger append group; the
// second writes the earned credits onto the order, records it paid, deletes the pending row and marks the event
// processed. A job that dies in between finds the pending row on its retry and finishes (the earning replays).
//
// A member's own-store order placed through the storefront earns like a native one when it carries the member's ID
// (note attribute `patron_member_id`) or, without that attribute, a customer email that the storefront marks
// verified and that is a member's verified email here. Anything else is recorded as a storefront order without a
// member and earns nothing. Storefront orders never get Plus benefits (MB-8): no multiplier, discount or voucher.
import { z } from 'zod';
import { transact, type Ctx, type Deps } from '../../deps.ts';
import { AppError, isAppError } from '../../platform/errors.ts';
import { assert } from '../../platform/assert.ts';
import { formatAmount } from '../../platform/money.ts';
import { DAY_MS } from '../../platform/clock.ts';
import { forUpdate } from '../../db/database.ts';
import { deleteInBatches } from '../../db/batches.ts';
import { enqueueJob } from '../../jobs/index.ts';
import { findMemberIdByVerifiedEmail, getMember } from '../accounts/index.ts';
import { findProductBySku } from './catalog.repository.ts';
import { earnOrderCredits } from './credits.adapter.ts';
import { findOrder, findOrderByExternalRef, insertOrder, updateOrderFields, updateOrderLine, type Order, type OrderLine } from './orders.repository.ts';
import { findRefundByExternalRef } from './refunds.repository.ts';
import { beginRefund, completeRefund } from './refunds.service.ts';
import { recordOrderPaid } from './orders.service.ts';
import type { RefundRequest } from './refunds.rules.ts';
import type { ShippingAddress } from './shipping-address.rules.ts';
import { parseDecimalMinor, storefrontHeaders, storefrontWebhookSecret, verifyStorefrontSignature } from './webhooks.rules.ts';
import { storeTables, type WebhookEventRow, type WebhookEventStatus } from './store.table.ts';

export const processWebhookJobType = 'store-process-webhook';
export const webhookTopics = ['orders/paid', 'orders/cancelled', 'refunds/create'] as const;
export type WebhookTopic = (typeof webhookTopics)[number];

const decimal = z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'amounts are decimal strings like "19.99"');
const externalId = z.union([z.number().int().nonnegative(), z.string().min(1).max(100)]).transform(String);

// The order and refund objects are modelled on a widely used storefront platform's, which sends many more fields
// than Patron needs; unknown fields are therefore ignored here (not refused), and only the ones below are read.
const lineItemSchema = z.object({
  id: externalId,
  sku: z.string().max(64).nullable().optional(),
  title: z.string().min(1).max(255),
  quantity: z.number().int().min(1).max(999),
  price: decimal,
  gift_card: z.boolean().default(false),
  discount_allocations: z.array(z.object({ amount: decimal })).max(50).default([]),
  tax_lines: z.array(z.object({ price: decimal })).max(20).default([]),
});

// The platform's address object; the order keeps a snapshot of the shipping address for after-sales (ST-9).
const storefrontAddressSchema = z.object({
  name: z.string().max(100).nullable().optional(),
  first_name: z.string().max(100).nullable().optional(),
  last_name: z.string().max(100).nullable().optional(),
  address1: z.string().min(1).max(200),
  address2: z.string().max(200).nullable().optional(),
  city: z.string().min(1).max(100),
  province: z.string().max(100).nullable().optional(),
  province_code: z.string().max(10).nullable().optional(),
  zip: z.string().max(20).nullable().optional(),
  country_code: z.string().regex(/^[A-Za-z]{2}$/).nullable().optional(),
});

const storefrontOrderSchema = z.object({
  id: externalId,
  name: z.string().max(100).optional(),
  email: z.string().max(254).nullable().optional(),
  created_at: z.iso.datetime({ offset: true }),
  processed_at: z.iso.datetime({ offset: true }).nullable().optional(),
  currency: z.string().length(3),
  customer: z.object({ id: externalId.optional(), email: z.string().max(254).nullable().optional(), verified_email: z.boolean().default(false) }).nullable().optional(),
  note_attributes: z.array(z.object({ name: z.string().max(100), value: z.string().max(500) })).max(50).default([]),
  line_items: z.array(lineItemSchema).min(1).max(250),
  shipping_lines: z.array(z.object({ price: decimal })).max(20).default([]),
  shipping_address: storefrontAddressSchema.nullable().optional(),
  total_price: decimal,
});

const storefrontRefundSchema = z.object({
  id: externalId,
  order_id: externalId,
  created_at: z.iso.datetime({ offset: true }),
  note: z.string().max(1000).nullable().optional(),
  refund_line_items: z.array(z.object({ line_item_id: externalId, quantity: z.number().int().min(1).max(999) })).max(250).default([]),
  transactions: z.array(z.object({ kind: z.string().max(30), status: z.string().max(30).optional(), amount: decimal })).max(50).default([]),
});

export const webhookEnvelopeSchema = z
  .object({
    id: z.string().min(1).max(100),
    topic: z.enum(webhookTopics),
    created_at: z.iso.datetime({ offset: true }),
    shop_domain: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,253}$/),
    api_version: z.string().max(20).optional(),
    order: storefrontOrderSchema.optional(),
    refund: storefrontRefundSchema.optional(),
  })
  .refine((e) => (e.topic === 'refunds/create' ? e.refund !== undefined : e.order !== undefined), { message: 'orders/* events carry `order`, refunds/create carries `refund`' });
export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;
export type StorefrontOrder = z.infer<typeof storefrontOrderSchema>;

export const memberIdAttribute = 'patron_member_id';

export interface ReceivedWebhook {
  eventId: string;
  duplicate: boolean;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Verifies, validates and stores a delivery with its processing job; the caller acknowledges right after. */
export async function receiveStorefrontWebhook(deps: Deps, input: { rawBody: Buffer; headers: Record<string, string | string[] | undefined> }): Promise<ReceivedWebhook> {
  const nowMs = deps.clock.nowMs();
  const check = verifyStorefrontSignature({
    secret: storefrontWebhookSecret(deps.secret),
    body: input.rawBody,
    signature: header(input.headers, storefrontHeaders.signature),
    triggeredAt: header(input.headers, storefrontHeaders.triggeredAt),
    nowMs,
  });
  if (!check.ok) {
    throw new AppError(
      'unauthenticated',
      check.reason === 'bad_signature' ? 'The webhook signature does not match the body.' : 'The webhook timestamp is missing or more than 5 minutes away from our clock.',
      { reason: check.reason },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(input.rawBody.toString('utf8'));
  } catch {
    throw new AppError('bad_request', 'The webhook body is not valid JSON.');
  }
  const parsed = webhookEnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError('validation', 'The webhook body does not have the documented shape.', parsed.error.issues.slice(0, 20).map((i) => ({ path: `body.${i.path.join('.')}`, message: i.message })));
  }
  const envelope = parsed.data;
  // The headers are not signed, the body is: they must agree with it.
  if (header(input.headers, storefrontHeaders.eventId) !== envelope.id || header(input.headers, storefrontHeaders.topic) !== envelope.topic || Date.parse(envelope.created_at) !== check.triggeredAtMs) {
    throw new AppError('bad_request', 'The webhook headers (event ID, topic, triggered-at) do not match the signed body.');
  }
  const row: WebhookEventRow = {
    id: deps.ids.next('whk'),
    event_id: envelope.id,
    topic: envelope.topic,
    shop_domain: envelope.shop_domain,
    triggered_at_ms: check.triggeredAtMs,
    received_at_ms: nowMs,
    body: input.rawBody.toString('utf8'),
    status: 'received',
    result: null,
    processed_at_ms: null,
    member_id: null,
  };
  const inserted = await transact(deps, async (trx) => {
    const result = await storeTables(trx.db).insertInto('store_webhook_events').values(row).onConflict((oc) => oc.column('event_id').doNothing()).executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
    await enqueueJob(trx, { type: processWebhookJobType, payload: { eventId: envelope.id }, key: `${processWebhookJobType}:${envelope.id}` });
    return true;
  });
  return { eventId: envelope.id, duplicate: !inserted };
}

type Outcome = { status: Extract<WebhookEventStatus, 'processed' | 'ignored'>; result: string } | { status: 'earning'; orderId: string };

/** The job: applies one stored event exactly once. Business refusals mark the event failed without retrying. */
export async function processStorefrontWebhook(deps: Deps, eventId: string): Promise<void> {
  try {
    const earning = await transact(deps, async (trx) => {
      const event = await forUpdate(trx.db, storeTables(trx.db).selectFrom('store_webhook_events').selectAll().where('event_id', '=', eventId)).executeTakeFirst();
      if (!event || event.status !== 'received') return undefined;
      const envelope = webhookEnvelopeSchema.parse(JSON.parse(event.body));
      const outcome = await applyEvent(trx, envelope, eventId);
      if (outcome.status === 'earning') return outcome.orderId;
      const memberId = await memberOfEvent(trx, envelope);
      await markEvent(trx, event.id, outcome, memberId);
      return undefined;
    });
    if (earning) await finishEarning(deps, eventId, earning);
  } catch (error) {
    if (!isAppError(error)) throw error;
    const stored = await storeTables(deps.db).selectFrom('store_webhook_events').select('body').where('event_id', '=', eventId).executeTakeFirst();
    const memberId = stored ? await memberOfEvent(deps, webhookEnvelopeSchema.parse(JSON.parse(stored.body))) : null;
    await storeTables(deps.db)
      .updateTable('store_webhook_events')
      .set({ status: 'failed', result: `${error.code}: ${error.message}`.slice(0, 500), processed_at_ms: deps.clock.nowMs(), member_id: memberId })
      .where('event_id', '=', eventId)
      .where('status', '=', 'received')
      .execute();
  }
}

async function markEvent(ctx: Ctx, id: string, outcome: { status: WebhookEventStatus; result: string }, memberId: string | null): Promise<void> {
  await storeTables(ctx.db).updateTable('store_webhook_events').set({ status: outcome.status, result: outcome.result, processed_at_ms: ctx.clock.nowMs(), member_id: memberId }).where('id', '=', id).execute();
}

/**
 * The second half of a member's paid order: earns outside any transaction (the ledger's append group), then, in one
 * transaction with the event still `received` and the pending row still there, writes the credits onto the order and
 * its lines, records the order paid and marks the event processed. A concurrent or repeated job finds the row gone.
 */
async function finishEarning(deps: Deps, eventId: string, orderId: string): Promise<void> {
  const order = await findOrder(deps.db, orderId);
  assert(order?.memberId, `the pending earning's order ${orderId} exists and has a member`);
  const memberId = order.memberId;
  // MB-8: Plus benefits (the earn multiplier among them) are for orders placed on the store itself, never for orders
  // from another storefront, so the membership is not asked and the order keeps no Plus snapshot.
  const earned = await earnOrderCredits(deps, { memberId, orderId, paidAtMs: order.paidAtMs ?? order.placedAtMs, plusActive: false, lines: order.lines });
  await transact(deps, async (trx) => {
    const event = await forUpdate(trx.db, storeTables(trx.db).selectFrom('store_webhook_events').select(['id', 'status']).where('event_id', '=', eventId)).executeTakeFirst();
    const pending = await storeTables(trx.db).deleteFrom('store_pending_earnings').where('order_id', '=', orderId).executeTakeFirst();
    if (event?.status !== 'received' || Number(pending.numDeletedRows) === 0) return;
    for (const line of order.lines) {
      const credits = earned.lines.get(line.id) ?? 0;
      if (credits > 0) await updateOrderLine(trx.db, line.id, { earned_credits: credits });
    }
    await updateOrderFields(trx.db, orderId, { earned_credits: earned.total });
    await recordOrderPaid(trx, { ...order, earnedCredits: earned.total });
    await markEvent(trx, event.id, { status: 'processed', result: `recorded order ${orderId} for ${memberId}: earned ${earned.total} credits` }, memberId);
  });
}

/**
 * The member the event's order belongs to, once that order is recorded here: the stored body carries the customer's
 * email, name and address, so the event names its member for export and erasure (PV-16). Null for guests.
 */
async function memberOfEvent(ctx: Ctx, envelope: WebhookEnvelope): Promise<string | null> {
  const storefrontOrderId = envelope.topic === 'refunds/create' ? envelope.refund?.order_id : envelope.order?.id;
  if (storefrontOrderId === undefined) return null;
  const order = await findOrderByExternalRef(ctx.db, 'storefront', orderRef(envelope.shop_domain, storefrontOrderId));
  return order?.memberId ?? null;
}

/** Finished events (and the customer data in their bodies) are kept this long for the inbox, then deleted. */
export const webhookEventRetentionMs = 30 * DAY_MS;

/**
 * Deletes processed, ignored and failed events whose processing ended more than the retention ago, in bounded
 * batches; events still waiting for their job are kept. A late redelivery of a deleted event is refused by the
 * signature's 5-minute tolerance, and applying an event is idempotent anyway (orders and refunds are unique per
 * storefront ID), so the inbox row is no longer needed for deduplication.
 */
export async function pruneWebhookEvents(ctx: Ctx): Promise<number> {
  const cutoffMs = ctx.clock.nowMs() - webhookEventRetentionMs;
  return deleteInBatches(async (limit) => {
    const result = await storeTables(ctx.db)
      .deleteFrom('store_webhook_events')
      .where('id', 'in', (eb) => eb.selectFrom('store_webhook_events').select('id').where('status', '<>', 'received').where('processed_at_ms', '<', cutoffMs).limit(limit))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  });
}

async function applyEvent(ctx: Ctx, envelope: WebhookEnvelope, eventId: string): Promise<Outcome> {
  switch (envelope.topic) {
    case 'orders/paid':
      return recordStorefrontOrder(ctx, envelope.shop_domain, envelope.order!, eventId);
    case 'orders/cancelled':
      return cancelStorefrontOrder(ctx, envelope.shop_domain, envelope.order!);
    case 'refunds/create':
      return refundStorefrontOrder(ctx, envelope.shop_domain, envelope.refund!);
  }
}

/** The storefront's shipping address as the order's snapshot, and the tax region it names (`US-CA`, else `US`). */
function shippingOf(payload: StorefrontOrder): { region: string; address: ShippingAddress | null } {
  const given = payload.shipping_address;
  if (!given) return { region: 'US', address: null };
  const country = (given.country_code ?? 'US').toUpperCase();
  const provinceCode = given.province_code?.trim().toUpperCase() ?? '';
  const name = given.name?.trim() || [given.first_name, given.last_name].filter((part) => part?.trim()).join(' ');
  return {
    region: /^[A-Z0-9]{1,3}$/.test(provinceCode) ? `${country}-${provinceCode}` : country,
    address: {
      name,
      line1: given.address1,
      line2: given.address2?.trim() || null,
      city: given.city,
      region: provinceCode || given.province?.trim() || null,
      postalCode: given.zip?.trim() || null,
      country,
    },
  };
}

function orderRef(shopDomain: string, orderId: string): string {
  return `${shopDomain}:${orderId}`;
}

/**
 * The member an order belongs to: the one its `patron_member_id` note attribute names or, without that attribute,
 * the member whose verified email is the customer's email when the storefront marks that email verified too.
 */
async function memberOf(ctx: Ctx, order: StorefrontOrder, placedAtMs: number): Promise<string | null> {
  const memberId = order.note_attributes.find((a) => a.name === memberIdAttribute)?.value ?? (await memberIdByCustomerEmail(ctx, order));
  if (!memberId) return null;
  const member = await getMember(ctx, memberId);
  // CR-3: only a member who existed when the order was placed; a closed account earns nothing.
  if (!member || member.status !== 'active' || member.role !== 'member' || member.createdAtMs > placedAtMs) return null;
  return member.id;
}

async function memberIdByCustomerEmail(ctx: Ctx, order: StorefrontOrder): Promise<string | undefined> {
  const customer = order.customer;
  if (!customer?.email || !customer.verified_email) return undefined;
  return findMemberIdByVerifiedEmail(ctx, customer.email);
}

/** The order is here: this event's own earlier attempt may have recorded it and died before its earning finished. */
async function alreadyRecorded(ctx: Ctx, eventId: string): Promise<Outcome> {
  const pending = await storeTables(ctx.db).selectFrom('store_pending_earnings').select('order_id').where('event_id', '=', eventId).executeTakeFirst();
  return pending ? { status: 'earning', orderId: pending.order_id } : { status: 'ignored', result: 'order already recorded' };
}

async function recordStorefrontOrder(ctx: Ctx, shopDomain: string, payload: StorefrontOrder, eventId: string): Promise<Outcome> {
  const ref = orderRef(shopDomain, payload.id);
  if (await findOrderByExternalRef(ctx.db, 'storefront', ref)) return alreadyRecorded(ctx, eventId);
  if (payload.currency !== 'USD') return { status: 'ignored', result: `currency ${payload.currency} is not the program currency` };
  const nowMs = ctx.clock.nowMs();
  const placedAtMs = Math.min(Date.parse(payload.created_at), nowMs);
  // ST-4: the storefront's processing time is its payment confirmation; never later than now.
  const paidAtMs = Math.min(payload.processed_at ? Date.parse(payload.processed_at) : placedAtMs, nowMs);
  const memberId = await memberOf(ctx, payload, placedAtMs);
  const orderId = ctx.ids.next('ord');
  const lines: OrderLine[] = [];
  for (const [index, item] of payload.line_items.entries()) {
    const product = item.sku ? await findProductBySku(ctx.db, item.sku.toUpperCase()) : undefined;
    const unitPriceMinor = parseDecimalMinor(item.price);
    const merchandiseMinor = unitPriceMinor * item.quantity;
    const discountMinor = Math.min(merchandiseMinor, item.discount_allocations.reduce((sum, d) => sum + parseDecimalMinor(d.amount), 0));
    const taxMinor = item.tax_lines.reduce((sum, t) => sum + parseDecimalMinor(t.price), 0);
    const giftCard = item.gift_card || product?.giftCard === true;
    const earnsCredits = product ? product.earnsCredits : true;
    lines.push({
      id: ctx.ids.next('oln'),
      lineNo: index + 1,
      externalRef: item.id,
      productId: product?.id ?? null,
      sku: product?.sku ?? item.sku ?? '',
      name: item.title,
      category: product?.category ?? (giftCard ? 'gift-cards' : 'other'),
      earnsCredits,
      giftCard,
      plusBonus: product?.plusBonus ?? false,
      serialNumbered: product?.serialNumbered ?? false,
      listPriceMinor: product?.listPriceMinor ?? unitPriceMinor,
      unitPriceMinor,
      quantity: item.quantity,
      merchandiseMinor,
      discountMinor,
      plusDiscountMinor: 0,
      creditsMinor: 0,
      credits: 0,
      taxMinor,
      // CR-4: merchandise after discounts; gift cards and non-earning products qualify nothing.
      qualifyingMinor: earnsCredits && !giftCard ? merchandiseMinor - discountMinor : 0,
      paidMinor: merchandiseMinor - discountMinor + taxMinor,
      earnedCredits: 0,
      refundedQuantity: 0,
      refundedMinor: 0,
      refundedQualifyingMinor: 0,
      restoredCredits: 0,
    });
  }
  const sum = (pick: (line: OrderLine) => number) => lines.reduce((total, line) => total + pick(line), 0);
  const shippingMinor = payload.shipping_lines.reduce((total, s) => total + parseDecimalMinor(s.price), 0);
  const shipping = shippingOf(payload);
  const order: Order = {
    id: orderId,
    memberId,
    guestEmail: memberId ? null : (payload.email ?? payload.customer?.email ?? null),
    channel: 'storefront',
    externalRef: ref,
    status: 'paid',
    refundState: 'none',
    currency: 'USD',
    region: shipping.region,
    discountCode: null,
    merchandiseMinor: sum((l) => l.merchandiseMinor),
    discountMinor: sum((l) => l.discountMinor),
    plusDiscountMinor: 0,
    creditsApplied: 0,
    creditsValueMinor: 0,
    shippingMinor,
    taxMinor: sum((l) => l.taxMinor),
    totalMinor: sum((l) => l.paidMinor) + shippingMinor,
    refundedMinor: 0,
    earnedCredits: 0,
    plusActive: false,
    plusPlan: null,
    plusPeriodId: null,
    delivery: 'standard',
    deliverByDate: null,
    holdId: null,
    paymentFailureCode: null,
    replacementForOrderId: null,
    replacementCaseId: null,
    placedAtMs,
    paidAtMs,
    shipByDate: null,
    cancelledAtMs: null,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
    shippingAddress: shipping.address,
    lines,
  };
  if (!(await insertOrder(ctx.db, order))) return alreadyRecorded(ctx, eventId);
  if (!memberId) {
    await recordOrderPaid(ctx, order);
    return { status: 'processed', result: `recorded order ${orderId} without a member: earns nothing` };
  }
  await storeTables(ctx.db).insertInto('store_pending_earnings').values({ order_id: orderId, event_id: eventId, created_at_ms: nowMs }).execute();
  return { status: 'earning', orderId };
}

/**
 * A cancellation or refund of an order whose earning is still being finished waits: reversing before the earning
 * lands would reverse nothing and leave the credits. Not a business refusal (AppError) but a plain error, so the job
 * is retried after its backoff instead of the event being marked failed.
 */
async function refuseWhileEarning(ctx: Ctx, orderId: string): Promise<void> {
  const pending = await storeTables(ctx.db).selectFrom('store_pending_earnings').select('order_id').where('order_id', '=', orderId).executeTakeFirst();
  if (pending) throw new Error(`order ${orderId}: its earning is still being finished; the event is retried`);
}

async function cancelStorefrontOrder(ctx: Ctx, shopDomain: string, payload: StorefrontOrder): Promise<Outcome> {
  // Locked: events of one order (a cancellation, refunds, each delivered under several IDs) are applied one after
  // another, also when jobs run concurrently, so each sees what the one before it recorded.
  const order = await findOrderByExternalRef(ctx.db, 'storefront', orderRef(shopDomain, payload.id), { lock: true });
  if (!order) return { status: 'ignored', result: 'unknown order' };
  await refuseWhileEarning(ctx, order.id);
  if (order.status === 'cancelled') return { status: 'ignored', result: 'order already cancelled' };
  const begun = await beginRefund(ctx, { orderId: order.id, request: { kind: 'cancellation' }, reason: 'storefront', source: 'storefront', requestedBy: null, externalRef: `cancel:${payload.id}` });
  const refund = await completeRefund(ctx, { refundId: begun.refund.id, gatewayRefundId: null });
  return { status: 'processed', result: `cancelled order ${order.id} (refund ${refund.id})` };
}

async function refundStorefrontOrder(ctx: Ctx, shopDomain: string, payload: z.infer<typeof storefrontRefundSchema>): Promise<Outcome> {
  const order = await findOrderByExternalRef(ctx.db, 'storefront', orderRef(shopDomain, payload.order_id), { lock: true });
  if (!order) return { status: 'ignored', result: 'unknown order' };
  await refuseWhileEarning(ctx, order.id);
  if (await findRefundByExternalRef(ctx.db, order.id, payload.id)) return { status: 'ignored', result: 'refund already recorded' };
  let request: RefundRequest;
  if (payload.refund_line_items.length > 0) {
    request = {
      kind: 'lines',
      lines: payload.refund_line_items.map((item) => {
        const line = order.lines.find((l) => l.externalRef === item.line_item_id);
        if (!line) throw new AppError('validation', `The refund names line item ${item.line_item_id}, which is not on the order.`);
        return { lineId: line.id, quantity: item.quantity };
      }),
    };
  } else {
    const amountMinor = payload.transactions.filter((t) => t.kind === 'refund' && (t.status ?? 'success') === 'success').reduce((sum, t) => sum + parseDecimalMinor(t.amount), 0);
    if (amountMinor === 0) return { status: 'ignored', result: 'refund without lines or money' };
    // Not capped at what is left: a refund larger than that is refused by the refund plan and the event is marked
    // failed with the reason (docs/WEBHOOKS.md), so an agent sees the disagreement instead of a silent smaller refund.
    request = { kind: 'amount', amountMinor };
  }
  const begun = await beginRefund(ctx, { orderId: order.id, request, reason: 'storefront', note: payload.note ?? null, source: 'storefront', requestedBy: null, externalRef: payload.id });
  const refund = await completeRefund(ctx, { refundId: begun.refund.id, gatewayRefundId: null });
  assert(refund.status === 'completed', 'a storefront refund completes at once');
  return { status: 'processed', result: `refund ${refund.id} of ${formatAmount(refund.amountMinor)} on order ${order.id}` };
}

export interface WebhookEventSummary {
  eventId: string;
  topic: string;
  shopDomain: string;
  status: WebhookEventStatus;
  result: string | null;
  triggeredAtMs: number;
  receivedAtMs: number;
  processedAtMs: number | null;
}

export async function listWebhookEvents(ctx: Ctx, limit = 50): Promise<WebhookEventSummary[]> {
  const rows = await storeTables(ctx.db).selectFrom('store_webhook_events').selectAll().orderBy('received_at_ms', 'desc').orderBy('id', 'desc').limit(Math.min(limit, 200)).execute();
  return rows.map((row) => ({
    eventId: row.event_id,
    topic: row.topic,
    shopDomain: row.shop_domain,
    status: row.status,
    result: row.result,
    triggeredAtMs: row.triggered_at_ms,
    receivedAtMs: row.received_at_ms,
    processedAtMs: row.processed_at_ms,
  }));
}
