// Rewards redemption (CR-13): a member buys a rewards-catalog item with credits in a single-phase spend, final at
// confirmation. It ships at once as its own shipment (the ship job), with a confirmation email now and a shipped
// email with the tracking number when it leaves. It cannot be cancelled or returned: there is no API that would.
//
// Shipping is free unless the item sets a fee, payable with money: the fee is charged through the gateway before the
// credits are spent (outside any transaction) and refunded if the redemption then fails (compensation).
import { transact, type Ctx, type Deps } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { assert } from '../../platform/assert.ts';
import { randomInt } from '../../platform/ids.ts';
import { enqueueJob } from '../../jobs/index.ts';
import { getMemberContact } from '../accounts/index.ts';
import { queueEmail } from '../notifications/index.ts';
import { countRewardRedemption, findRewardItem, rewardRedeemedQuantity, takeRewardStock } from './catalog.repository.ts';
import { spendForRedemption, spendableCreditsOf } from './credits.adapter.ts';
import { GatewayUnavailableError, paymentGateway, recordCapturedPayment, releaseAuthorization } from '../payments/index.ts';
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

/** The redemption itself, in the caller's transaction: stock, per-member limit, the spend, the shipment, the email. */
async function confirmRedemption(ctx: Ctx, input: RedeemInput & { redemptionId: string; feePaymentId: string | null; gateway: string | null }): Promise<Redemption> {
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

export async function redeemReward(deps: Deps, input: RedeemInput): Promise<Redemption> {
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1 || input.quantity > maxRedemptionQuantity) {
    throw new AppError('validation', `Redeem 1 to ${maxRedemptionQuantity} at a time.`, { field: 'quantity' });
  }
  const item = await findRewardItem(deps.db, input.rewardItemId);
  if (!item || item.status !== 'active') throw notFound('The reward');
  // Checked up front so a member without enough credits is never charged the fee; the spend re-checks under lock.
  const available = await spendableCreditsOf(deps, input.memberId);
  if (available < item.creditsPrice * input.quantity) {
    throw new AppError('insufficient_credits', `This needs ${item.creditsPrice * input.quantity} credits; you have ${available} available.`, { available });
  }
  if (item.perMemberLimit !== null && (await rewardRedeemedQuantity(deps.db, input.memberId, item.id)) + input.quantity > item.perMemberLimit) {
    throw perMemberLimitReached(item.name, item.perMemberLimit);
  }
  const redemptionId = deps.ids.next('ord');
  if (item.shippingFeeMinor === 0) return transact(deps, (trx) => confirmRedemption(trx, { ...input, redemptionId, feePaymentId: null, gateway: null }));

  if (!input.paymentToken) throw new AppError('validation', 'This reward has a shipping fee: add a payment method.', { field: 'paymentToken' });
  const gateway = paymentGateway(deps);
  let charge;
  try {
    const authorization = await gateway.authorize({ token: input.paymentToken, amountMinor: item.shippingFeeMinor, currency: 'USD', idempotencyKey: `redemption:${redemptionId}:authorize` });
    if (!authorization.ok) throw new AppError('not_eligible', `The shipping fee payment did not go through: ${authorization.message}`, { code: authorization.code });
    charge = await gateway.capture({ paymentId: authorization.paymentId, amountMinor: item.shippingFeeMinor, idempotencyKey: `redemption:${redemptionId}:capture` });
    if (!charge.ok) {
      await releaseAuthorization(deps, gateway, { paymentId: authorization.paymentId, idempotencyKey: `redemption:${redemptionId}:void` });
      throw new AppError('not_eligible', `The shipping fee payment did not go through: ${charge.message}`, { code: charge.code });
    }
  } catch (error) {
    if (error instanceof GatewayUnavailableError) throw new AppError('unavailable', 'The payment service is not answering. Nothing was charged; please try again in a moment.');
    throw error;
  }
  try {
    return await transact(deps, (trx) => confirmRedemption(trx, { ...input, redemptionId, feePaymentId: charge.paymentId, gateway: gateway.name }));
  } catch (error) {
    await gateway.refund({ paymentId: charge.paymentId, amountMinor: item.shippingFeeMinor, idempotencyKey: `redemption:${redemptionId}:compensate` });
    throw error;
  }
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
