// Orders (ST-2, ST-4, ST-9, CR-3..CR-5, CR-12): quoting a checkout, writing the order with its per-line components,
// recording the gateway's answer, and reading orders back with shipments, refunds and tracking.
//
// The checkout flow (src/flows/checkout.ts) calls these as its steps, in separate short transactions around the
// gateway calls: createPendingOrder → (gateway) → recordAuthorization → (gateway) → finalizePaidOrder, or
// failOrderPayment to undo.
import type { Ctx } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { assert } from '../../platform/assert.ts';
import { findProductsByIds, releaseDiscountCode, returnProductStock, takeProductStock, useDiscountCode, findTaxRate, type Product } from './catalog.repository.ts';
import { usableDiscountCode } from './catalog.service.ts';
import { clearCart } from './cart.service.ts';
import { captureCheckoutHold, checkoutHoldTimeoutMs, creditsUnlockTimes, earnOrderCredits, holdCheckoutCredits, releaseCheckoutHold, spendableCreditsOf, spendRateOf } from './credits.adapter.ts';
import { deliveryVouchersLeft, giveBackDeliveryVoucher, memberDiscountBpOf, plusStatusOf, recordOrderBenefits, takeDeliveryVoucher } from './membership.adapter.ts';
import { defaultShippingPolicy, linePriceOf, maxLinesPerOrder, maxQuantityPerLine, priceOrder, type DiscountRule, type PricingProduct, type Quote } from './pricing.rules.ts';
import { nextDayDeliveryDate, shippingPromise, type ShippingPromise } from './shipping-promise.rules.ts';
import { addressError, type ShippingAddress, type ShippingAddressInput } from './shipping-address.rules.ts';
import { resolveShipping } from './shipping-address.service.ts';
import {
  cancelPendingShipments,
  findOrder,
  findOrderByExternalRef,
  insertOrder,
  insertPendingShipment,
  selectOrders,
  selectStalePendingOrders,
  selectShipmentsForOrders,
  transitionOrder,
  transitionShipment,
  updateOrderFields,
  updateOrderLine,
  type Order,
  type OrderLine,
  type Shipment,
} from './orders.repository.ts';
import { recordEvent } from '../events/index.ts';
import { closeUnpaidPayment, findLatestPayment, markPaymentAuthorized, markPaymentCaptured, openPayment, type Payment } from '../payments/index.ts';
import { hasPendingRefund, selectRefundsForOrders, type Refund } from './refunds.repository.ts';
import type { Delivery, OrderStatus } from './store.table.ts';

export interface LineRequest {
  productId: string;
  quantity: number;
}

export interface CheckoutRequest {
  /** Null for a guest. */
  memberId: string | null;
  lines: readonly LineRequest[];
  discountCode: string | null;
  /**
   * Where the order ships: one of the member's saved addresses or an address given inline; the tax region derives
   * from its state. Guests' orders need one (inline).
   */
  shippingAddress?: ShippingAddressInput | null;
  /**
   * The tax region without an address (`US-CA`): a quote made before the address is known, or a member's order
   * placed without an address. With an address, it may be given only if it is the address's own.
   */
  region?: string | null;
  /** Credits to apply as money (CR-12); `'max'` only for quotes. Guests cannot apply credits. */
  credits: number | 'max';
  /**
   * Use one of the member's Plus next-day delivery vouchers (ST-2, MB-8): the shipping fee is waived and the order is
   * delivered the business day after it ships. Refused without Plus, without a voucher left, or with nothing to ship.
   */
  useDeliveryVoucher?: boolean;
}

export interface CheckoutQuote {
  quote: Quote;
  promise: ShippingPromise;
  /** The tax region that priced the quote, from the address when there is one. */
  region: string;
  /** The address snapshot the order would keep; null when the checkout gave a region only. */
  shippingAddress: ShippingAddress | null;
  /** Credits the member can spend now (0 for guests). */
  availableCredits: number;
  spendCreditsPerMajorUnit: number;
  /** Plus was active at placement (MB-8): the member discount applies at the membership policy's rate. */
  plusActive: boolean;
  memberDiscountBp: number;
  /** Next-day delivery vouchers the member could use now (0 without Plus). */
  deliveryVouchersLeft: number;
  delivery: Delivery;
  /** With a voucher: the promised delivery date (the business day after the ship-by date); else null. */
  deliverByDate: string | null;
}

/** Order status changes allowed, as data (CONVENTIONS 10); guarded updates enforce them. */
export const orderTransitions = {
  pending_payment: ['paid', 'payment_failed', 'abandoned'],
  paid: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
  payment_failed: [],
  abandoned: [],
} as const satisfies Record<OrderStatus, readonly OrderStatus[]>;

export function sourcesOf(target: OrderStatus): OrderStatus[] {
  return (Object.keys(orderTransitions) as OrderStatus[]).filter((from) => (orderTransitions[from] as readonly OrderStatus[]).includes(target));
}

function toPricingProduct(product: Product): PricingProduct {
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    category: product.category,
    priceMinor: product.priceMinor,
    listPriceMinor: product.listPriceMinor,
    earnsCredits: product.earnsCredits,
    giftCard: product.giftCard,
    plusBonus: product.plusBonus,
    serialNumbered: product.serialNumbered,
  };
}

async function resolveLines(ctx: Ctx, lines: readonly LineRequest[]): Promise<{ product: Product; quantity: number }[]> {
  if (lines.length === 0) throw new AppError('validation', 'The cart is empty.', { field: 'lines' });
  if (lines.length > maxLinesPerOrder) throw new AppError('validation', `An order has at most ${maxLinesPerOrder} lines.`, { field: 'lines' });
  const merged = new Map<string, number>();
  for (const line of lines) merged.set(line.productId, (merged.get(line.productId) ?? 0) + line.quantity);
  const products = await findProductsByIds(ctx.db, [...merged.keys()]);
  return [...merged].map(([productId, quantity]) => {
    const product = products.get(productId);
    if (!product || product.status !== 'active') throw new AppError('not_eligible', 'A product in the cart is no longer sold.', { productId });
    if (quantity < 1 || quantity > maxQuantityPerLine) throw new AppError('validation', `A quantity is 1 to ${maxQuantityPerLine}.`, { productId });
    if (product.stock < quantity) {
      throw new AppError('not_eligible', product.stock === 0 ? `${product.name} is out of stock.` : `Only ${product.stock} of ${product.name} left.`, { productId, stock: product.stock });
    }
    return { product, quantity };
  });
}

function toDiscountRule(code: Awaited<ReturnType<typeof usableDiscountCode>>): DiscountRule {
  if (code.kind === 'percent') {
    assert(code.percentBp !== null, 'a percent code has a percentage');
    return { code: code.code, kind: 'percent', percentBp: code.percentBp, minSubtotalMinor: code.minSubtotalMinor };
  }
  assert(code.amountMinor !== null, 'a fixed code has an amount');
  return { code: code.code, kind: 'fixed', amountMinor: code.amountMinor, minSubtotalMinor: code.minSubtotalMinor };
}

export async function quoteCheckout(ctx: Ctx, request: CheckoutRequest): Promise<CheckoutQuote> {
  const lines = await resolveLines(ctx, request.lines);
  const shipping = await resolveShipping(ctx, request);
  const rate = await findTaxRate(ctx.db, shipping.region);
  if (!rate) throw new AppError('not_eligible', `We do not ship to ${shipping.region} yet.`, { field: 'region' });
  const discount = request.discountCode ? toDiscountRule(await usableDiscountCode(ctx, request.discountCode, { memberId: request.memberId })) : null;
  const nowMs = ctx.clock.nowMs();
  // MB-8: the member discount and the voucher follow Plus at placement: what the member is shown is what they pay.
  const plusActive = request.memberId ? (await plusStatusOf(ctx, request.memberId, nowMs)).plan !== null : false;
  const memberDiscountBp = plusActive ? await memberDiscountBpOf(ctx) : 0;
  const vouchersLeft = plusActive && request.memberId ? await deliveryVouchersLeft(ctx, request.memberId, nowMs) : 0;
  if (!request.memberId && request.credits !== 0 && request.credits !== 'max') throw new AppError('unauthenticated', 'Sign in to pay with credits.');
  const useVoucher = request.useDeliveryVoucher === true;
  if (useVoucher) assertVoucherUsable({ signedIn: request.memberId !== null, plusActive, vouchersLeft, ships: lines.some((line) => !line.product.giftCard) });
  const availableCredits = request.memberId ? await spendableCreditsOf(ctx, request.memberId) : 0;
  const spendCreditsPerMajorUnit = await spendRateOf(ctx);
  const quote = priceOrder({
    lines: lines.map((line) => ({ product: toPricingProduct(line.product), quantity: line.quantity })),
    discount,
    plus: { active: plusActive, discountBp: memberDiscountBp },
    deliveryVoucher: useVoucher,
    taxRatePpm: rate.ratePpm,
    shipping: defaultShippingPolicy,
    credits: { requested: request.credits, available: availableCredits, spendCreditsPerMajorUnit },
  });
  if (typeof request.credits === 'number' && request.credits > availableCredits) {
    throw new AppError('insufficient_credits', `You have ${availableCredits} credits available.`, { field: 'credits', availableCredits });
  }
  const promise = shippingPromise({ placedAtMs: nowMs, signedIn: request.memberId !== null });
  return {
    quote,
    promise,
    region: shipping.region,
    shippingAddress: shipping.address,
    availableCredits,
    spendCreditsPerMajorUnit,
    plusActive,
    memberDiscountBp,
    deliveryVouchersLeft: vouchersLeft,
    delivery: useVoucher ? 'next_day' : 'standard',
    deliverByDate: useVoucher ? nextDayDeliveryDate(promise.shipByDate) : null,
  };
}

/** The quote's check of a voucher request (the order's transaction takes the voucher, which is the check that counts). */
function assertVoucherUsable(input: { signedIn: boolean; plusActive: boolean; vouchersLeft: number; ships: boolean }): void {
  const field = { field: 'useDeliveryVoucher' };
  if (!input.signedIn) throw new AppError('unauthenticated', 'Sign in to use a Plus next-day delivery voucher.', field);
  if (!input.ships) throw new AppError('validation', 'This order has nothing to ship, so it cannot use a next-day delivery voucher.', field);
  if (!input.plusActive) throw new AppError('not_eligible', 'Next-day delivery vouchers are a Plus benefit, and your Plus membership is not active.', field);
  if (input.vouchersLeft === 0) throw new AppError('not_eligible', 'You have no next-day delivery voucher left this month.', field);
}

export interface PlaceOrderInput extends CheckoutRequest {
  credits: number;
  guestEmail: string | null;
  /**
   * The reference of the request that places the order (a keyed hash of the caller and its Idempotency-Key), kept
   * as the store order's external_ref, so a retry whose first attempt died half-way finds its order
   * (findOrderForRequest) instead of placing a second one.
   */
  requestRef?: string | null;
}

/**
 * Step 1 of checkout, in the caller's transaction: resolves the shipping address (a snapshot goes on the order, its
 * state sets the tax region), prices the order, takes stock (in product ID order, so two checkouts never wait on
 * each other in a circle), counts the discount code, holds the credits (CR-12), and writes the order as pending
 * payment with every component per line.
 */
export async function createPendingOrder(ctx: Ctx, input: PlaceOrderInput): Promise<Order> {
  if (input.memberId === null && !input.guestEmail) throw new AppError('validation', 'Guests give an email address for the receipt.', { field: 'email' });
  if (input.memberId === null && !input.shippingAddress) throw addressError('validation', '', 'Guests give the address the order ships to.');
  const { quote, promise, plusActive, region, shippingAddress, delivery, deliverByDate } = await quoteCheckout(ctx, input);
  const nowMs = ctx.clock.nowMs();
  const orderId = ctx.ids.next('ord');
  for (const line of [...quote.lines].sort((a, b) => (a.product.id < b.product.id ? -1 : 1))) {
    if (!(await takeProductStock(ctx.db, line.product.id, line.quantity, nowMs))) {
      throw new AppError('not_eligible', `${line.product.name} sold out while you were checking out.`, { productId: line.product.id });
    }
  }
  const discountCode = input.discountCode ? (await usableDiscountCode(ctx, input.discountCode, { memberId: input.memberId, guestEmail: input.guestEmail ?? null })).code : null;
  if (discountCode && !(await useDiscountCode(ctx.db, discountCode))) throw new AppError('not_eligible', 'This discount code has been used up.', { field: 'discountCode' });
  // MB-8: the voucher is taken in the order's transaction; a failed payment or a cancellation before shipping gives it back.
  if (delivery === 'next_day') {
    assert(input.memberId, 'the quote refuses a guest a voucher');
    await takeDeliveryVoucher(ctx, { memberId: input.memberId, orderId, atMs: nowMs });
  }
  let holdId: string | null = null;
  if (quote.creditsApplied > 0) {
    assert(input.memberId, 'only members apply credits');
    holdId = await holdCheckoutCredits(ctx, { memberId: input.memberId, orderId, credits: quote.creditsApplied });
  }
  const lines: OrderLine[] = quote.lines.map((line) => ({
    id: ctx.ids.next('oln'),
    lineNo: line.lineNo,
    externalRef: null,
    productId: line.product.id,
    sku: line.product.sku,
    name: line.product.name,
    category: line.product.category,
    earnsCredits: line.product.earnsCredits,
    giftCard: line.product.giftCard,
    plusBonus: line.product.plusBonus,
    serialNumbered: line.product.serialNumbered,
    quantity: line.quantity,
    ...linePriceOf(line),
    earnedCredits: 0,
    refundedQuantity: 0,
    refundedMinor: 0,
    refundedQualifyingMinor: 0,
    restoredCredits: 0,
  }));
  const order: Order = {
    id: orderId,
    memberId: input.memberId,
    guestEmail: input.memberId ? null : input.guestEmail,
    channel: 'store',
    externalRef: input.requestRef ?? null,
    status: 'pending_payment',
    refundState: 'none',
    currency: 'USD',
    region,
    discountCode,
    merchandiseMinor: quote.merchandiseMinor,
    discountMinor: quote.discountMinor,
    plusDiscountMinor: quote.plusDiscountMinor,
    creditsApplied: quote.creditsApplied,
    creditsValueMinor: quote.creditsValueMinor,
    shippingMinor: quote.shippingMinor,
    taxMinor: quote.taxMinor,
    totalMinor: quote.totalMinor,
    refundedMinor: 0,
    earnedCredits: 0,
    plusActive,
    plusPlan: null,
    plusPeriodId: null,
    delivery,
    deliverByDate,
    holdId,
    paymentFailureCode: null,
    replacementForOrderId: null,
    replacementCaseId: null,
    placedAtMs: nowMs,
    paidAtMs: null,
    shipByDate: promise.shipByDate,
    cancelledAtMs: null,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
    shippingAddress,
    lines,
  };
  assert(await insertOrder(ctx.db, order), 'a new store order cannot collide');
  if (order.totalMinor > 0) {
    await openPayment(ctx, { purpose: 'order', ownerRef: order.id, memberId: order.memberId, currency: order.currency, amountMinor: order.totalMinor });
  }
  return order;
}

/** Remembers the gateway's authorization at once, so a crash before capture can still be cleaned up (void). */
export async function recordAuthorization(ctx: Ctx, orderId: string, gateway: string, gatewayPaymentId: string): Promise<void> {
  const payment = await findOrderPayment(ctx, orderId);
  assert(payment, `order ${orderId} has no payment row`);
  await markPaymentAuthorized(ctx, { paymentId: payment.id, gateway, gatewayPaymentId });
}

/**
 * Step 3 of checkout: the gateway confirmed the payment at `paidAtMs` (ST-4). Captures the credits hold, earns for a
 * member's order (CR-3..CR-5, with the Plus multiplier only when Plus was active at `paidAtMs`: a payment confirmed
 * a second after a cancel earns none), keeps the Plus plan and period at payment on the order (MB-10), records the
 * benefits used against the periods that granted them (MB-8), opens the shipment and empties the cart. Idempotent:
 * an order already past pending payment is returned as it is.
 */
export async function finalizePaidOrder(ctx: Ctx, input: { orderId: string; paidAtMs: number; capturedMinor: number; clearCartOf: string | null }): Promise<Order> {
  const order = await findOrder(ctx.db, input.orderId, { lock: true });
  if (!order) throw notFound('The order');
  if (order.status !== 'pending_payment') return order;
  const nowMs = ctx.clock.nowMs();
  assert(await transitionOrder(ctx.db, order.id, ['pending_payment'], { status: 'paid', paid_at_ms: input.paidAtMs, updated_at_ms: nowMs }), 'the locked order is pending payment');
  if (order.holdId) {
    assert(order.memberId, 'only members hold credits');
    await captureCheckoutHold(ctx, { memberId: order.memberId, orderId: order.id, holdId: order.holdId, credits: order.creditsApplied });
  }
  const payment = await findOrderPayment(ctx, order.id);
  if (payment) await markPaymentCaptured(ctx, { paymentId: payment.id, capturedMinor: input.capturedMinor, confirmedAtMs: input.paidAtMs });
  assert(order.channel === 'store', 'only orders placed on the store are paid through checkout');
  let plus: { plan: 'monthly' | 'annual' | null; periodId: string | null } = { plan: null, periodId: null };
  let earned = 0;
  if (order.memberId) {
    plus = await plusStatusOf(ctx, order.memberId, input.paidAtMs);
    const result = await earnOrderCredits(ctx, { memberId: order.memberId, orderId: order.id, paidAtMs: input.paidAtMs, plusActive: plus.plan !== null, lines: order.lines });
    earned = result.total;
    for (const line of order.lines) {
      const credits = result.lines.get(line.id) ?? 0;
      if (credits > 0) await updateOrderLine(ctx.db, line.id, { earned_credits: credits });
    }
    await recordOrderBenefits(ctx, {
      memberId: order.memberId,
      orderId: order.id,
      placedAtMs: order.placedAtMs,
      memberDiscountMinor: order.plusDiscountMinor,
      paidAtMs: input.paidAtMs,
      extraCredits: result.plusExtraCredits,
    });
  }
  // The snapshot after-sales reads (MB-9, MB-10); `plus_active` now says the same as the plan.
  await updateOrderFields(ctx.db, order.id, { earned_credits: earned, plus_active: plus.plan !== null ? 1 : 0, plus_plan: plus.plan, plus_period_id: plus.periodId });
  if (order.lines.some((line) => !line.giftCard)) {
    assert(order.shipByDate, 'a store order has a ship-by date');
    await insertPendingShipment(ctx.db, { id: ctx.ids.next('shp'), memberId: order.memberId, orderId: order.id, redemptionId: null, kind: 'order', shipByDate: order.shipByDate }, nowMs);
  }
  if (input.clearCartOf) await clearCart(ctx, input.clearCartOf);
  await recordOrderPaid(ctx, { ...order, paidAtMs: input.paidAtMs, earnedCredits: earned });
  const paid = await findOrder(ctx.db, order.id);
  assert(paid, 'the order was just updated');
  return paid;
}

/**
 * The payment failed (declined, gateway error) or was abandoned: releases the credits hold (CR-12), puts the stock
 * back, frees the discount code and gives the next-day delivery voucher back (MB-8). Idempotent like finalizePaidOrder.
 */
export async function failOrderPayment(ctx: Ctx, input: { orderId: string; code: string; status: 'payment_failed' | 'abandoned' }): Promise<Order> {
  const order = await findOrder(ctx.db, input.orderId, { lock: true });
  if (!order) throw notFound('The order');
  if (order.status !== 'pending_payment') return order;
  const nowMs = ctx.clock.nowMs();
  assert(await transitionOrder(ctx.db, order.id, ['pending_payment'], { status: input.status, payment_failure_code: input.code, updated_at_ms: nowMs }), 'the locked order is pending payment');
  if (order.holdId) {
    assert(order.memberId, 'only members hold credits');
    await releaseCheckoutHold(ctx, { memberId: order.memberId, orderId: order.id, holdId: order.holdId });
  }
  for (const line of [...order.lines].sort((a, b) => ((a.productId ?? '') < (b.productId ?? '') ? -1 : 1))) {
    if (line.productId) await returnProductStock(ctx.db, line.productId, line.quantity, nowMs);
  }
  if (order.discountCode) await releaseDiscountCode(ctx.db, order.discountCode);
  if (order.delivery === 'next_day') await giveBackDeliveryVoucher(ctx, order.id);
  const payment = await findOrderPayment(ctx, order.id);
  if (payment) await closeUnpaidPayment(ctx, { paymentId: payment.id, failureCode: input.code });
  const failed = await findOrder(ctx.db, order.id);
  assert(failed, 'the order was just updated');
  return failed;
}

export interface OrderDetail extends Order {
  shipments: Shipment[];
  refunds: Refund[];
  payment: Payment | null;
  /** When the credits the order earned unlock (CR-7); null when it earned none. */
  creditsUnlockAtMs: number | null;
}

async function withDetails(ctx: Ctx, orders: Order[]): Promise<OrderDetail[]> {
  const ids = orders.map((order) => order.id);
  const shipments = await selectShipmentsForOrders(ctx.db, ids);
  const refunds = await selectRefundsForOrders(ctx.db, ids);
  const earning = orders.filter((order): order is Order & { paidAtMs: number } => order.earnedCredits > 0 && order.paidAtMs !== null);
  const unlockTimes = await creditsUnlockTimes(ctx, earning.map((order) => order.paidAtMs));
  const unlockAt = new Map(earning.map((order, index) => [order.id, unlockTimes[index]!]));
  const details: OrderDetail[] = [];
  for (const order of orders) {
    details.push({
      ...order,
      shipments: shipments.get(order.id) ?? [],
      refunds: refunds.get(order.id) ?? [],
      payment: (await findOrderPayment(ctx, order.id)) ?? null,
      creditsUnlockAtMs: unlockAt.get(order.id) ?? null,
    });
  }
  return details;
}

/** The store order that a request (by its reference, see PlaceOrderInput.requestRef) placed, if any. */
export async function findOrderForRequest(ctx: Ctx, requestRef: string): Promise<OrderDetail | undefined> {
  const order = await findOrderByExternalRef(ctx.db, 'store', requestRef);
  if (!order) return undefined;
  const [detail] = await withDetails(ctx, [order]);
  return detail;
}

export async function getOrderDetail(ctx: Ctx, orderId: string): Promise<OrderDetail> {
  const order = await findOrder(ctx.db, orderId);
  if (!order) throw notFound('The order');
  const [detail] = await withDetails(ctx, [order]);
  return detail!;
}

/** A member's own order; anyone else's is "not found" (PL-15). */
export async function getMemberOrder(ctx: Ctx, memberId: string, orderId: string): Promise<OrderDetail> {
  const order = await findOrder(ctx.db, orderId);
  if (!order || order.memberId !== memberId) throw notFound('The order');
  const [detail] = await withDetails(ctx, [order]);
  return detail!;
}

export async function listMemberOrders(ctx: Ctx, memberId: string, page: { beforeId?: string; limit?: number }): Promise<OrderDetail[]> {
  const orders = await selectOrders(ctx.db, { memberId, hideUnpaid: true, beforeId: page.beforeId, limit: Math.min(page.limit ?? 20, 100) });
  return withDetails(ctx, orders);
}

export async function listOrdersForAgents(ctx: Ctx, filter: { memberId?: string; status?: OrderStatus; beforeId?: string; limit?: number }): Promise<Order[]> {
  return selectOrders(ctx.db, { memberId: filter.memberId, status: filter.status, beforeId: filter.beforeId, limit: Math.min(filter.limit ?? 50, 200) });
}

/** An agent (or the warehouse) hands the parcel to the carrier: the shipment and the order become shipped. */
export async function shipOrder(ctx: Ctx, input: { orderId: string; carrier: string; trackingNumber: string }): Promise<OrderDetail> {
  const order = await findOrder(ctx.db, input.orderId, { lock: true });
  if (!order) throw notFound('The order');
  if (order.status !== 'paid') throw new AppError('invalid_state', order.status === 'shipped' ? 'This order has already shipped.' : `A ${order.status.replace('_', ' ')} order cannot ship.`);
  if (await hasPendingRefund(ctx.db, order.id, 'cancellation')) throw new AppError('invalid_state', 'This order is being cancelled.');
  const shipments = (await selectShipmentsForOrders(ctx.db, [order.id])).get(order.id) ?? [];
  const pending = shipments.find((shipment) => shipment.status === 'pending');
  if (!pending) throw new AppError('invalid_state', 'This order has nothing to ship.');
  const nowMs = ctx.clock.nowMs();
  assert(await transitionShipment(ctx.db, pending.id, ['pending'], { status: 'shipped', carrier: input.carrier, tracking_number: input.trackingNumber, shipped_at_ms: nowMs, updated_at_ms: nowMs }), 'the pending shipment is pending');
  assert(await transitionOrder(ctx.db, order.id, sourcesOf('shipped'), { status: 'shipped', updated_at_ms: nowMs }), 'the locked order is paid');
  return getOrderDetail(ctx, order.id);
}

export async function markOrderDelivered(ctx: Ctx, orderId: string): Promise<OrderDetail> {
  const order = await findOrder(ctx.db, orderId, { lock: true });
  if (!order) throw notFound('The order');
  const nowMs = ctx.clock.nowMs();
  if (!(await transitionOrder(ctx.db, order.id, sourcesOf('delivered'), { status: 'delivered', updated_at_ms: nowMs }))) {
    throw new AppError('invalid_state', 'Only a shipped order can be delivered.');
  }
  const shipments = (await selectShipmentsForOrders(ctx.db, [order.id])).get(order.id) ?? [];
  for (const shipment of shipments) {
    if (shipment.status === 'shipped') await transitionShipment(ctx.db, shipment.id, ['shipped'], { status: 'delivered', delivered_at_ms: nowMs, updated_at_ms: nowMs });
  }
  return getOrderDetail(ctx, order.id);
}

export { cancelPendingShipments };

/** An order's payment (the payments module keeps it, purpose `order`). */
export async function findOrderPayment(ctx: Ctx, orderId: string): Promise<Payment | undefined> {
  return findLatestPayment(ctx, { purpose: 'order', ownerRef: orderId });
}

/**
 * How long an unpaid checkout may wait before it is given up: past the credits hold timeout of the program policy
 * (CR-12, up to 7 days), so the hold always lapses or is captured first; the margin covers a slow gateway answer.
 */
export async function staleCheckoutAfterMs(ctx: Ctx): Promise<number> {
  return (await checkoutHoldTimeoutMs(ctx)) + staleCheckoutMarginMs;
}

export const staleCheckoutMarginMs = 5 * 60_000;

/** Checkouts still pending payment past the stale-checkout timeout, oldest first (bounded batch). */
export async function staleCheckouts(ctx: Ctx, limit = 100): Promise<string[]> {
  return selectStalePendingOrders(ctx.db, ctx.clock.nowMs() - (await staleCheckoutAfterMs(ctx)), limit);
}

/** The `order.paid` event (issue 13), in the transaction that marked the order paid: IDs and amounts only. */
export async function recordOrderPaid(ctx: Ctx, order: Pick<Order, 'id' | 'memberId' | 'channel' | 'currency' | 'totalMinor' | 'creditsApplied' | 'earnedCredits' | 'paidAtMs'>): Promise<void> {
  await recordEvent(ctx, {
    type: 'order.paid',
    subjectId: order.id,
    memberId: order.memberId,
    data: { orderId: order.id, channel: order.channel, currency: order.currency, totalMinor: order.totalMinor, creditsApplied: order.creditsApplied, creditsEarned: order.earnedCredits, paidAt: order.paidAtMs === null ? null : new Date(order.paidAtMs).toISOString() },
  });
}
