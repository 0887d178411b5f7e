// Rewards redemption (CR-13): a member buys a rewards-catalog item with credits in a single-phase spend, final at
// confirmation. It ships at once as its own shipment (the ship job), with a confirmation email now and a shipped
// email with the tracking number when it leaves; an agent records its delivery, which starts the 7-day window of a
// damage report (AS-7). It cannot be cancelled or returned: there is no API that would.
//
// Shipping is free unless the item sets a fee, payable with money: the redemption flow (src/flows/redemption.ts)
// charges the fee through the gateway before `confirmRedemption` spends the credits, and refunds it if the
// redemption then fails (a recorded compensation, retried until the money is back).
import type { Ctx } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { assert } from '../../platform/assert.ts';
import { randomInt } from '../../platform/ids.ts';
import { enqueueJob } from '../../jobs/index.ts';
import { getMemberContact } from '../accounts/index.ts';
import { queueEmail } from '../notifications/index.ts';
import { countRewardRedemption, findRewardItem, rewardRedeemedQuantity, takeRewardStock } from './catalog.repository.ts';
import { spendForRedemption, spendableCreditsOf } from './credits.adapter.ts';
import { recordCapturedPayment } from '../payments/index.ts';
import { insertPendingShipment, toShipment, transitionShipment, type Shipment } from './orders.repository.ts';
import { formatDate, localDateTime, warehouseTimeZone } from './shipping-promise.rules.ts';
import { storeTables, type RedemptionRow } from './store.table.ts';
import { redemptionConfirmationEmail } from './emails/redemption-confirmation.ts';
import { redemptionShippedEmail } from './emails/redemption-shipped.ts';

export const shipRedemptionJobType = 'store-ship-redemption';
export const maxRedemptionQuantity = 10;
export const redemptionCarrier = 'Patron Post';

export interface Redemption {
  id: string;
  memberId: string;
  rewardItemId: string;
  sku: string;
  name: string;
  quantity: number;
  credits: number;
  shippingFeeMinor: number;
  status: 'confirmed' | 'shipped';
  createdAtMs: number;
  /** A zero-credit replacement's original redemption (AS-7); null for every redemption a member made. */
  replacementForRedemptionId: string | null;
  shipment: Shipment | null;
}

function toRedemption(row: RedemptionRow, shipment: Shipment | null): Redemption {
  return {
    id: row.id,
    memberId: row.member_id,
    rewardItemId: row.reward_item_id,
    sku: row.sku,
    name: row.name,
    quantity: row.quantity,
    credits: row.credits,
    shippingFeeMinor: row.shipping_fee_minor,
    status: row.status,
    createdAtMs: row.created_at_ms,
    replacementForRedemptionId: row.replacement_for_redemption_id ?? null,
    shipment,
  };
}

async function loadRedemptions(ctx: Ctx, rows: RedemptionRow[]): Promise<Redemption[]> {
  if (rows.length === 0) return [];
  const shipments = await storeTables(ctx.db).selectFrom('store_shipments').selectAll().where('redemption_id', 'in', rows.map((r) => r.id)).execute();
  return rows.map((row) => {
    const shipment = shipments.find((s) => s.redemption_id === row.id);
    return toRedemption(row, shipment ? toShipment(shipment) : null);
  });
}

export async function listMemberRedemptions(ctx: Ctx, memberId: string, limit = 50): Promise<Redemption[]> {
  const rows = await storeTables(ctx.db).selectFrom('store_redemptions').selectAll().where('member_id', '=', memberId).orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(Math.min(limit, 200)).execute();
  return loadRedemptions(ctx, rows);
}

export async function getMemberRedemption(ctx: Ctx, memberId: string, redemptionId: string): Promise<Redemption> {
  const row = await storeTables(ctx.db).selectFrom('store_redemptions').selectAll().where('id', '=', redemptionId).executeTakeFirst();
  if (!row || row.member_id !== memberId) throw notFound('The redemption');
  return (await loadRedemptions(ctx, [row]))[0]!;
}

/** Any member's redemption by ID, for after-sales resolutions (the case already proved whose it is). */
export async function getRedemptionForFlow(ctx: Ctx, redemptionId: string): Promise<Redemption> {
  const row = await storeTables(ctx.db).selectFrom('store_redemptions').selectAll().where('id', '=', redemptionId).executeTakeFirst();
  if (!row) throw notFound('The redemption');
  return (await loadRedemptions(ctx, [row]))[0]!;
}

export interface RedeemInput {
  memberId: string;
  rewardItemId: string;
  quantity: number;
  /** Needed only when the item has a shipping fee. */
  paymentToken: string | null;
}

/** One answer for the limit, whether the early check or the one under lock in the transaction finds it reached. */
function perMemberLimitReached(itemName: string, perMemberLimit: number): AppError {
  return new AppError('not_eligible', `You can redeem ${itemName} at most ${perMemberLimit} ${perMemberLimit === 1 ? 'time' : 'times'}.`, { perMemberLimit });
}

/**
 * The redemption itself, in the caller's transaction: stock, per-member limit, the spend, the shipment, the email.
 * `feePaymentId` is the gateway payment of the fee the flow captured (null when the item ships free).
 */
export async function confirmRedemption(ctx: Ctx, input: Omit<RedeemInput, 'paymentToken'> & { redemptionId: string; feePaymentId: string | null; gateway: string | null }): Promise<Redemption> {
  const nowMs = ctx.clock.nowMs();
  const item = await findRewardItem(ctx.db, input.rewardItemId);
  if (!item || item.status !== 'active') throw notFound('The reward');
  if (!(await takeRewardStock(ctx.db, item.id, input.quantity, nowMs))) throw new AppError('not_eligible', item.stock === 0 ? `${item.name} is out of stock.` : `Only ${item.stock} of ${item.name} left.`);
  if (item.perMemberLimit !== null && !(await countRewardRedemption(ctx.db, input.memberId, item.id, input.quantity, item.perMemberLimit))) {
    throw perMemberLimitReached(item.name, item.perMemberLimit);
  }
  const credits = item.creditsPrice * input.quantity;
  await spendForRedemption(ctx, { memberId: input.memberId, redemptionId: input.redemptionId, credits });
  const row: RedemptionRow = {
    id: input.redemptionId,
    member_id: input.memberId,
    reward_item_id: item.id,
    sku: item.sku,
    name: item.name,
    quantity: input.quantity,
    credits,
    shipping_fee_minor: item.shippingFeeMinor,
    status: 'confirmed',
    created_at_ms: nowMs,
    replacement_for_redemption_id: null,
    replacement_case_id: null,
  };
  await storeTables(ctx.db).insertInto('store_redemptions').values(row).execute();
  if (input.feePaymentId) {
    await recordCapturedPayment(ctx, {
      purpose: 'redemption_fee',
      ownerRef: row.id,
      memberId: input.memberId,
      currency: 'USD',
      amountMinor: item.shippingFeeMinor,
      gateway: input.gateway ?? ctx.ports.payments.name,
      gatewayPaymentId: input.feePaymentId,
      confirmedAtMs: nowMs,
    });
  }
  // It ships at once, whatever the time of day (CR-13).
  const shipByDate = formatDate(localDateTime(nowMs, warehouseTimeZone).date);
  await insertPendingShipment(ctx.db, { id: ctx.ids.next('shp'), memberId: input.memberId, orderId: null, redemptionId: row.id, kind: 'redemption', shipByDate }, nowMs);
  const contact = await getMemberContact(ctx, input.memberId);
  if (contact) {
    await queueEmail(ctx, {
      memberId: input.memberId,
      to: contact.email,
      template: redemptionConfirmationEmail,
      data: { firstName: contact.firstName ?? undefined, itemName: item.name, quantity: input.quantity, credits, redemptionId: row.id },
      dedupeKey: `redemption-confirmation:${row.id}`,
    });
  }
  await enqueueJob(ctx, { type: shipRedemptionJobType, payload: { redemptionId: row.id }, key: `${shipRedemptionJobType}:${row.id}` });
  return (await loadRedemptions(ctx, [row]))[0]!;
}

export interface PreparedRedemption {
  redemptionId: string;
  /** The item's shipping fee, charged with money before the credits are spent; 0 ships free. */
  shippingFeeMinor: number;
}

/**
 * The checks made before any money moves (the spend re-checks under lock): a member without enough credits, or over
 * the limit, is never charged the fee. Answers the new redemption's ID and the fee to charge.
 */
export async function prepareRedemption(ctx: Ctx, input: RedeemInput): Promise<PreparedRedemption> {
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1 || input.quantity > maxRedemptionQuantity) {
    throw new AppError('validation', `Redeem 1 to ${maxRedemptionQuantity} at a time.`, { field: 'quantity' });
  }
  const item = await findRewardItem(ctx.db, input.rewardItemId);
  if (!item || item.status !== 'active') throw notFound('The reward');
  const available = await spendableCreditsOf(ctx, input.memberId);
  if (available < item.creditsPrice * input.quantity) {
    throw new AppError('insufficient_credits', `This needs ${item.creditsPrice * input.quantity} credits; you have ${available} available.`, { available });
  }
  if (item.perMemberLimit !== null && (await rewardRedeemedQuantity(ctx.db, input.memberId, item.id)) + input.quantity > item.perMemberLimit) {
    throw perMemberLimitReached(item.name, item.perMemberLimit);
  }
  if (item.shippingFeeMinor > 0 && !input.paymentToken) throw new AppError('validation', 'This reward has a shipping fee: add a payment method.', { field: 'paymentToken' });
  return { redemptionId: ctx.ids.next('rdm'), shippingFeeMinor: item.shippingFeeMinor };
}

function trackingNumber(): string {
  let digits = '';
  for (let i = 0; i < 16; i++) digits += String(randomInt(10));
  return `PP${digits}`;
}

/** The ship job: the redemption leaves the warehouse with a tracking number; the member is told (CR-13, NT-3). */
export async function shipRedemption(ctx: Ctx, redemptionId: string): Promise<void> {
  const row = await storeTables(ctx.db).selectFrom('store_redemptions').selectAll().where('id', '=', redemptionId).executeTakeFirst();
  if (!row || row.status === 'shipped') return;
  const shipment = await storeTables(ctx.db).selectFrom('store_shipments').selectAll().where('redemption_id', '=', redemptionId).executeTakeFirst();
  assert(shipment, `redemption ${redemptionId} has no shipment`);
  const nowMs = ctx.clock.nowMs();
  const tracking = trackingNumber();
  if (!(await transitionShipment(ctx.db, shipment.id, ['pending'], { status: 'shipped', carrier: redemptionCarrier, tracking_number: tracking, shipped_at_ms: nowMs, updated_at_ms: nowMs }))) return;
  await storeTables(ctx.db).updateTable('store_redemptions').set({ status: 'shipped' }).where('id', '=', redemptionId).execute();
  const contact = await getMemberContact(ctx, row.member_id);
  if (contact) {
    await queueEmail(ctx, {
      memberId: row.member_id,
      to: contact.email,
      template: redemptionShippedEmail,
      data: { firstName: contact.firstName ?? undefined, tracking, carrier: redemptionCarrier, itemName: row.name },
      dedupeKey: `redemption-shipped:${redemptionId}`,
    });
  }
}

/**
 * An agent records that a shipped redemption arrived: its shipment becomes delivered with the delivery time, which
 * after-sales reads as the start of the damage-report window (AS-7). The redemption's own status stays `shipped`
 * (its column knows confirmed and shipped only); the shipment carries the delivery. The update is guarded on the
 * shipment being shipped, so a second call, or two at once, changes nothing and answers the redemption as it is;
 * one not shipped yet is refused.
 */
export async function markRedemptionDelivered(ctx: Ctx, redemptionId: string): Promise<Redemption> {
  const row = await storeTables(ctx.db).selectFrom('store_redemptions').selectAll().where('id', '=', redemptionId).executeTakeFirst();
  if (!row) throw notFound('The redemption');
  const shipment = await storeTables(ctx.db).selectFrom('store_shipments').selectAll().where('redemption_id', '=', redemptionId).executeTakeFirst();
  assert(shipment, `redemption ${redemptionId} has no shipment`);
  const nowMs = ctx.clock.nowMs();
  if (!(await transitionShipment(ctx.db, shipment.id, ['shipped'], { status: 'delivered', delivered_at_ms: nowMs, updated_at_ms: nowMs }))) {
    const current = await storeTables(ctx.db).selectFrom('store_shipments').select('status').where('id', '=', shipment.id).executeTakeFirstOrThrow();
    if (current.status === 'pending') throw new AppError('invalid_state', 'This redemption has not shipped yet; it can be marked as delivered once it has.');
    if (current.status !== 'delivered') throw new AppError('invalid_state', `A ${current.status} redemption cannot be delivered.`);
  }
  return (await loadRedemptions(ctx, [row]))[0]!;
}
