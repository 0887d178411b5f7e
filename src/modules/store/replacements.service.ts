// Replacements for after-sales resolutions (AS-7, AS-11), in the caller's transaction:
// - a zero-price replacement order for an exchange or a warranty replacement: paid at 0 with no payment row, no
//   credits earned (no ledger call at all, and its line is marked as earning nothing), no Plus snapshot or benefit;
//   it ships like any order, so agents ship it from the console;
// - a zero-credit replacement redemption of the same reward for a redeemed product's damage report: no spend, no fee,
//   its own shipment that ships at once like any redemption (CR-13);
// - the credits spent on a redemption given back (a damage report's credit restore), never money;
// - the storefront's own refund of a line, which a case on a storefront order links to (refunds of storefront orders
//   happen on the storefront; its webhook reverses the credits).
// Each replacement names the case it was made for; that reference is unique (migration 0540), so a retried
// resolution answers the replacement it already made instead of shipping a second one.
import type { Ctx } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { assert } from '../../platform/assert.ts';
import { enqueueJob } from '../../jobs/index.ts';
import { findProduct, findProductBySku, findRewardItem, takeProductStock, takeRewardStock, type Product } from './catalog.repository.ts';
import { restoreRedemptionSpend } from './credits.adapter.ts';
import { findOrder, insertOrder, insertPendingShipment, type Order, type OrderLine } from './orders.repository.ts';
import { selectRefundsForOrders, type Refund } from './refunds.repository.ts';
import { getRedemptionForFlow, shipRedemptionJobType, type Redemption } from './redemptions.service.ts';
import { formatDate, localDateTime, shippingPromise, warehouseTimeZone } from './shipping-promise.rules.ts';
import { storeTables, type RedemptionRow } from './store.table.ts';

const replaceableStatuses = new Set(['paid', 'shipped', 'delivered']);

/** What a replacement order copies: the original order and line, or (a marketplace purchase) a catalog product. */
export type ReplacementSource =
  | { kind: 'order'; sourceOrderId: string; lineId: string }
  | { kind: 'product'; sku: string; memberId: string | null; guestEmail: string | null; region: string };

export interface CreateReplacementOrderInput {
  source: ReplacementSource;
  quantity: number;
  caseId: string;
}

function outOfStock(name: string): AppError {
  return new AppError('not_eligible', `${name} is out of stock, so no replacement can ship now. Resolve the case with another remedy, or once it is back in stock.`);
}

async function findReplacementOrder(ctx: Ctx, caseId: string): Promise<Order | undefined> {
  const row = await storeTables(ctx.db).selectFrom('store_orders').select('id').where('replacement_case_id', '=', caseId).executeTakeFirst();
  return row ? findOrder(ctx.db, row.id) : undefined;
}

interface ReplacementBasis {
  memberId: string | null;
  guestEmail: string | null;
  region: string;
  shippingAddress: Order['shippingAddress'];
  replacementForOrderId: string | null;
  line: Pick<OrderLine, 'productId' | 'sku' | 'name' | 'category' | 'serialNumbered'>;
  product: Product | undefined;
}

async function basisOf(ctx: Ctx, source: ReplacementSource, quantity: number): Promise<ReplacementBasis> {
  if (source.kind === 'product') {
    const product = await findProductBySku(ctx.db, source.sku);
    if (!product) throw new AppError('not_eligible', `Our catalog has no product with SKU ${source.sku}, so no replacement order can be made for it. Resolve the case with another remedy.`);
    return {
      memberId: source.memberId,
      guestEmail: source.memberId ? null : source.guestEmail,
      region: source.region,
      shippingAddress: null,
      replacementForOrderId: null,
      line: { productId: product.id, sku: product.sku, name: product.name, category: product.category, serialNumbered: product.serialNumbered },
      product,
    };
  }
  const order = await findOrder(ctx.db, source.sourceOrderId);
  if (!order) throw notFound('The order');
  if (!replaceableStatuses.has(order.status)) throw new AppError('invalid_state', `A ${order.status.replace('_', ' ')} order cannot be replaced.`);
  const line = order.lines.find((candidate) => candidate.id === source.lineId);
  if (!line) throw notFound('The order line');
  if (line.giftCard) throw new AppError('invalid_state', 'A gift card is not replaced by shipping another one.');
  if (quantity > line.quantity) throw new AppError('validation', `This line has ${line.quantity}; a replacement ships at most that many.`, { field: 'quantity' });
  const product = line.productId ? await findProduct(ctx.db, line.productId) : await findProductBySku(ctx.db, line.sku);
  return {
    memberId: order.memberId,
    guestEmail: order.guestEmail,
    region: order.region,
    shippingAddress: order.shippingAddress,
    replacementForOrderId: order.id,
    line: { productId: product?.id ?? null, sku: line.sku, name: line.name, category: line.category, serialNumbered: line.serialNumbered },
    product,
  };
}

/**
 * AS-11: a zero-price order that ships `quantity` of the line's product (or of the catalog product, for a
 * marketplace purchase) to the original order's address, paid at 0 on creation, earning nothing. Takes stock like a
 * sale (the item leaves the warehouse). Idempotent per case: a second call answers the first order.
 */
export async function createReplacementOrder(ctx: Ctx, input: CreateReplacementOrderInput): Promise<Order> {
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1 || input.quantity > 100) throw new AppError('validation', 'A replacement ships 1 to 100 items.', { field: 'quantity' });
  const existing = await findReplacementOrder(ctx, input.caseId);
  if (existing) return existing;
  const basis = await basisOf(ctx, input.source, input.quantity);
  const nowMs = ctx.clock.nowMs();
  if (!basis.product || !(await takeProductStock(ctx.db, basis.product.id, input.quantity, nowMs))) throw outOfStock(basis.line.name);
  const promise = shippingPromise({ placedAtMs: nowMs, signedIn: basis.memberId !== null });
  const orderId = ctx.ids.next('ord');
  const zero = { listPriceMinor: 0, unitPriceMinor: 0, merchandiseMinor: 0, discountMinor: 0, plusDiscountMinor: 0, creditsMinor: 0, credits: 0, taxMinor: 0, qualifyingMinor: 0, paidMinor: 0 };
  const order: Order = {
    id: orderId,
    memberId: basis.memberId,
    guestEmail: basis.guestEmail,
    channel: 'store',
    externalRef: null,
    status: 'paid',
    refundState: 'none',
    currency: 'USD',
    region: basis.region,
    discountCode: null,
    merchandiseMinor: 0,
    discountMinor: 0,
    plusDiscountMinor: 0,
    creditsApplied: 0,
    creditsValueMinor: 0,
    shippingMinor: 0,
    taxMinor: 0,
    totalMinor: 0,
    refundedMinor: 0,
    earnedCredits: 0,
    // No Plus benefits: nothing was bought, so no snapshot, no multiplier, no voucher.
    plusActive: false,
    plusPlan: null,
    plusPeriodId: null,
    delivery: 'standard',
    deliverByDate: null,
    holdId: null,
    paymentFailureCode: null,
    placedAtMs: nowMs,
    paidAtMs: nowMs,
    shipByDate: promise.shipByDate,
    cancelledAtMs: null,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
    shippingAddress: basis.shippingAddress,
    replacementForOrderId: basis.replacementForOrderId,
    replacementCaseId: input.caseId,
    lines: [
      {
        id: ctx.ids.next('oln'),
        lineNo: 1,
        externalRef: null,
        productId: basis.line.productId,
        sku: basis.line.sku,
        name: basis.line.name,
        category: basis.line.category,
        // Earns nothing, whatever the product: a replacement is not a purchase (CR-3).
        earnsCredits: false,
        giftCard: false,
        plusBonus: false,
        serialNumbered: basis.line.serialNumbered,
        quantity: input.quantity,
        ...zero,
        earnedCredits: 0,
        refundedQuantity: 0,
        refundedMinor: 0,
        refundedQualifyingMinor: 0,
        restoredCredits: 0,
      },
    ],
  };
  assert(await insertOrder(ctx.db, order), 'a new replacement order cannot collide');
  await insertPendingShipment(ctx.db, { id: ctx.ids.next('shp'), memberId: order.memberId, orderId: order.id, redemptionId: null, kind: 'order', shipByDate: promise.shipByDate }, nowMs);
  const written = await findOrder(ctx.db, order.id);
  assert(written, 'the replacement order was just written');
  return written;
}

/**
 * AS-7: a damaged reward is replaced by a new shipment of the same reward at no credits and no fee, shipped at once
 * like any redemption (the ship job). Takes the reward's stock; does not count against the per-member limit (the
 * member redeemed once). Idempotent per case.
 */
export async function createReplacementRedemption(ctx: Ctx, input: { sourceRedemptionId: string; caseId: string }): Promise<Redemption> {
  const tables = storeTables(ctx.db);
  const existing = await tables.selectFrom('store_redemptions').select('id').where('replacement_case_id', '=', input.caseId).executeTakeFirst();
  if (existing) return getRedemptionForFlow(ctx, existing.id);
  const source = await getRedemptionForFlow(ctx, input.sourceRedemptionId);
  const item = await findRewardItem(ctx.db, source.rewardItemId);
  if (!item) throw notFound('The reward');
  const nowMs = ctx.clock.nowMs();
  if (!(await takeRewardStock(ctx.db, item.id, source.quantity, nowMs))) throw outOfStock(item.name);
  const row: RedemptionRow = {
    id: ctx.ids.next('rdm'),
    member_id: source.memberId,
    reward_item_id: item.id,
    sku: source.sku,
    name: source.name,
    quantity: source.quantity,
    credits: 0,
    shipping_fee_minor: 0,
    status: 'confirmed',
    created_at_ms: nowMs,
    replacement_for_redemption_id: source.id,
    replacement_case_id: input.caseId,
  };
  await tables.insertInto('store_redemptions').values(row).execute();
  const shipByDate = formatDate(localDateTime(nowMs, warehouseTimeZone).date);
  await insertPendingShipment(ctx.db, { id: ctx.ids.next('shp'), memberId: source.memberId, orderId: null, redemptionId: row.id, kind: 'redemption', shipByDate }, nowMs);
  await enqueueJob(ctx, { type: shipRedemptionJobType, payload: { redemptionId: row.id }, key: `${shipRedemptionJobType}:${row.id}` });
  return getRedemptionForFlow(ctx, row.id);
}

/**
 * AS-7: the credits spent on a redemption go back to the lots they came from (CR-18 rules: a lot that expired
 * meanwhile stays expired), under a key of the case, so a retry never restores twice. Never money: a shipping fee
 * paid for the redemption stays paid.
 */
export async function restoreRedemptionCredits(ctx: Ctx, input: { redemptionId: string; caseId: string }): Promise<{ redemption: Redemption; restored: number; expired: number }> {
  const redemption = await getRedemptionForFlow(ctx, input.redemptionId);
  if (redemption.credits === 0) throw new AppError('invalid_state', 'No credits were spent on this redemption (it is a replacement), so there are none to restore.');
  const result = await restoreRedemptionSpend(ctx, { memberId: redemption.memberId, redemptionId: redemption.id, credits: redemption.credits, caseId: input.caseId });
  return { redemption, restored: result.restored, expired: result.expired };
}

/**
 * The storefront's completed refunds that gave back part of this line (newest first): a case on a storefront order
 * is resolved with the refund the storefront made, which its webhook recorded and reversed credits for (ST-8).
 */
export async function findStorefrontLineRefunds(ctx: Ctx, input: { orderId: string; lineId: string }): Promise<Refund[]> {
  const refunds = (await selectRefundsForOrders(ctx.db, [input.orderId])).get(input.orderId) ?? [];
  return refunds
    .filter((refund) => refund.status === 'completed' && refund.source === 'storefront' && refund.lines.some((line) => line.orderLineId === input.lineId && line.quantity > 0))
    .sort((a, b) => b.createdAtMs - a.createdAtMs);
}
