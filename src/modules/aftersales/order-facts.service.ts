// The facts a case is decided on (AS-1..AS-8), gathered from the store: which order the requester names (a store
// order `ord_…`, a rewards redemption `rdm_…`, or a recorded marketplace or storefront order, ST-7), whether it is
// theirs, which line and product, when it was bought and delivered, the buyer's Plus plan at purchase (MB-10), and
// the serials recorded as shipped on that line (AS-2). Read-only; the caller decides and writes.
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { normalizeEmail } from '../accounts/index.ts';
import { findExternalOrder, getMemberRedemption, getOrderDetail, isValidAmazonOrderId, type ExternalOrder, type OrderDetail, type Redemption, type Shipment } from '../store/index.ts';
import { findShipmentSerials } from './cases.repository.ts';
import type { EligibilityFacts, OrderSource } from './eligibility.rules.ts';

/** Who claims the order: a signed-in member (their own orders) or a guest (proves it by the order's email). */
export type Claimant = { kind: 'member'; memberId: string } | { kind: 'guest'; email: string };

export interface OrderClaim {
  orderRef: string;
  orderLineId?: string | null;
  productSku?: string | null;
  /** The Amazon store the requester says they bought on (US, UK…); must agree with the recorded order. */
  marketplace?: string | null;
}

export interface OrderFacts {
  orderRef: string;
  orderSource: OrderSource;
  orderLineId: string | null;
  productSku: string;
  /** The member who placed the order (null for a guest's or an unlinked external order). */
  orderMemberId: string | null;
  order: EligibilityFacts['order'];
  /** Serials recorded as shipped for this line (AS-2); null when the order kind records none. */
  recordedSerials: string[] | null;
}

/**
 * One answer for a guest whose email and order ID do not go together, whichever of the two is wrong, so the form
 * cannot be used to learn which orders exist or which address placed one.
 */
export const guestOrderMismatchMessage = 'We could not find an order with this order ID for this email address. Check both against your order confirmation email.';

const redemptionNeedsSignIn = 'Rewards redemptions are reported from your account. Please sign in and open the report there.';

const memberOrderNotFound = 'We could not find this order in your account. Check the order ID, or pick the order from your list.';

function notFoundFor(claimant: Claimant): AppError {
  return new AppError('not_found', claimant.kind === 'guest' ? guestOrderMismatchMessage : memberOrderNotFound);
}

/** The latest delivery among delivered shipments (the parcel that completed the order), or null. */
function deliveredAt(shipments: readonly Shipment[]): number | null {
  const times = shipments.filter((shipment) => shipment.deliveredAtMs !== null).map((shipment) => shipment.deliveredAtMs!);
  return times.length === 0 ? null : Math.max(...times);
}

async function memberEmail(ctx: Ctx, memberId: string | null): Promise<string | null> {
  if (memberId === null) return null;
  const contact = await ctx.ports.memberContacts.contactOf(ctx.db, memberId);
  return contact ? normalizeEmail(contact.email) : null;
}

/** Whether the claimant may open a case on an order owned by `owner` (member and/or the order's email). */
async function owns(ctx: Ctx, claimant: Claimant, owner: { memberId: string | null; email: string | null }): Promise<boolean> {
  if (claimant.kind === 'member') {
    if (owner.memberId !== null) return owner.memberId === claimant.memberId;
    // An external order recorded with the customer's email only: the member's own address proves it.
    return owner.email !== null && owner.email === (await memberEmail(ctx, claimant.memberId));
  }
  const email = normalizeEmail(claimant.email);
  if (owner.email !== null && normalizeEmail(owner.email) === email) return true;
  return (await memberEmail(ctx, owner.memberId)) === email;
}

const unpaidStatuses: ReadonlySet<OrderDetail['status']> = new Set(['pending_payment', 'payment_failed', 'abandoned']);

/**
 * The line a claim is about: the line picked (members pick from their order), else the one line whose SKU the
 * requester typed (a guest does not know line IDs; two lines of the same product are the same product), else the
 * order's only line.
 */
function orderLineOf(order: OrderDetail, claim: OrderClaim): OrderDetail['lines'][number] {
  if (claim.orderLineId) {
    const picked = order.lines.find((candidate) => candidate.id === claim.orderLineId);
    if (!picked) throw new AppError('validation', 'This product is not on the order.', { field: 'orderLineId' });
    return picked;
  }
  const sku = claim.productSku?.trim().toUpperCase();
  if (sku) {
    const bySku = order.lines.find((candidate) => candidate.sku.toUpperCase() === sku);
    if (!bySku) throw new AppError('validation', 'This product is not on the order. Enter the product code (SKU) as it appears in your order confirmation.', { field: 'productSku' });
    return bySku;
  }
  if (order.lines.length === 1) return order.lines[0]!;
  throw new AppError('validation', 'Choose which product of the order this is about.', { field: 'productSku' });
}

/**
 * When and as whom the item was bought. A replacement order (an exchange or warranty replacement, AS-11) is not a new
 * purchase: its warranty runs on from the original purchase, with the buyer's Plus plan at that purchase (AS-4, AS-5),
 * following a chain of replacements back to the order that was paid for.
 */
async function originalPurchaseOf(ctx: Ctx, order: OrderDetail): Promise<{ purchasedAtMs: number; plusPlan: OrderDetail['plusPlan'] }> {
  let current = order;
  for (let hops = 0; current.replacementForOrderId !== null && hops < 20; hops++) current = await getOrderDetail(ctx, current.replacementForOrderId);
  return { purchasedAtMs: current.paidAtMs ?? current.placedAtMs, plusPlan: current.plusPlan };
}

async function storeOrderFacts(ctx: Ctx, claimant: Claimant, claim: OrderClaim): Promise<OrderFacts> {
  let order: OrderDetail;
  try {
    order = await getOrderDetail(ctx, claim.orderRef);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') throw notFoundFor(claimant);
    throw error;
  }
  if (unpaidStatuses.has(order.status) || !(await owns(ctx, claimant, { memberId: order.memberId, email: order.guestEmail }))) throw notFoundFor(claimant);
  if (order.status === 'cancelled') throw new AppError('not_eligible', 'This order was cancelled, so there is nothing to return or claim on it.', { texts: ['This order was cancelled, so there is nothing to return or claim on it.'] });
  const line = orderLineOf(order, claim);
  const serials = await findShipmentSerials(ctx.db, line.id);
  const purchase = await originalPurchaseOf(ctx, order);
  return {
    orderRef: order.id,
    orderSource: order.channel === 'storefront' ? 'storefront' : 'store',
    orderLineId: line.id,
    productSku: line.sku,
    orderMemberId: order.memberId,
    order: { source: order.channel === 'storefront' ? 'storefront' : 'store', redeemed: false, purchasedAtMs: purchase.purchasedAtMs, deliveredAtMs: deliveredAt(order.shipments), plusPlanAtPurchase: purchase.plusPlan },
    recordedSerials: serials.map((serial) => serial.serial),
  };
}

async function redemptionFacts(ctx: Ctx, claimant: Claimant, claim: OrderClaim): Promise<OrderFacts> {
  // Only members redeem credits, so a redemption's damage report (AS-7) is opened from the member's account.
  if (claimant.kind === 'guest') throw new AppError('not_eligible', redemptionNeedsSignIn, { texts: [redemptionNeedsSignIn] });
  let redemption: Redemption;
  try {
    redemption = await getMemberRedemption(ctx, claimant.memberId, claim.orderRef);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') throw notFoundFor(claimant);
    throw error;
  }
  return {
    orderRef: redemption.id,
    orderSource: 'store',
    orderLineId: null,
    productSku: redemption.sku,
    orderMemberId: redemption.memberId,
    order: { source: 'store', redeemed: true, purchasedAtMs: redemption.createdAtMs, deliveredAtMs: redemption.shipment?.deliveredAtMs ?? null, plusPlanAtPurchase: null },
    recordedSerials: null,
  };
}

function externalItem(order: ExternalOrder, productSku: string | null | undefined): { sku: string; serials: string[] } {
  const sku = productSku?.trim().toUpperCase() ?? '';
  const withSkus = order.items.filter((item) => item.sku !== undefined);
  if (sku === '') {
    if (order.items.length === 1 && order.items[0]!.sku) return { sku: order.items[0]!.sku, serials: order.items[0]!.serialNumber ? [order.items[0]!.serialNumber] : [] };
    throw new AppError('validation', 'Enter the product (its model number or name) the claim is about.', { field: 'productSku' });
  }
  // Orders recorded without SKUs cannot be checked; with SKUs, the product must be one of them.
  if (withSkus.length === 0) return { sku, serials: [] };
  const matching = withSkus.filter((item) => item.sku!.toUpperCase() === sku);
  if (matching.length === 0) throw new AppError('validation', 'This product is not on the order.', { field: 'productSku' });
  return { sku, serials: matching.flatMap((item) => (item.serialNumber ? [item.serialNumber] : [])) };
}

async function externalOrderFacts(ctx: Ctx, claimant: Claimant, claim: OrderClaim): Promise<OrderFacts> {
  const orderRef = claim.orderRef.trim();
  const source = isValidAmazonOrderId(orderRef) ? 'amazon' : 'storefront';
  const order = await findExternalOrder(ctx, { source, externalOrderId: orderRef });
  if (!order || !(await owns(ctx, claimant, { memberId: order.memberId, email: order.customerEmail }))) throw notFoundFor(claimant);
  // The same answer as for a wrong email: an order ID bought on another Amazon store is not this order.
  if (claim.marketplace && order.marketplace !== null && order.marketplace !== claim.marketplace) throw notFoundFor(claimant);
  const item = externalItem(order, claim.productSku);
  const orderSource: OrderSource = source === 'amazon' ? 'marketplace' : 'storefront';
  return {
    orderRef: order.externalOrderId,
    orderSource,
    orderLineId: null,
    productSku: item.sku,
    orderMemberId: order.memberId,
    // External orders carry no delivery and never member benefits (ST-7): no Plus snapshot.
    order: { source: orderSource, redeemed: false, purchasedAtMs: order.purchasedAtMs, deliveredAtMs: null, plusPlanAtPurchase: null },
    recordedSerials: item.serials,
  };
}

/** Resolves the order a requester names and checks it is theirs (a foreign or unknown order is one 404). */
export async function gatherOrderFacts(ctx: Ctx, claimant: Claimant, claim: OrderClaim): Promise<OrderFacts> {
  const orderRef = claim.orderRef.trim();
  if (orderRef.startsWith('ord_')) return storeOrderFacts(ctx, claimant, { ...claim, orderRef });
  if (orderRef.startsWith('rdm_')) return redemptionFacts(ctx, claimant, { ...claim, orderRef });
  return externalOrderFacts(ctx, claimant, { ...claim, orderRef });
}
