// HTTP shapes of the store (PL-13): request bodies refuse unknown keys; responses name every field they expose.
import { z } from 'zod';
import { amazonMarketplaces } from './external-orders.rules.ts';
import type { ExternalOrder } from './external-orders.service.ts';
import type { DiscountCode, Product, RewardItem, TaxRate } from './catalog.repository.ts';
import type { Cart } from './cart.service.ts';
import type { CheckoutQuote, OrderDetail } from './orders.service.ts';
import type { Order, OrderLine, Shipment } from './orders.repository.ts';
import type { Refund } from './refunds.repository.ts';
import type { Redemption } from './redemptions.service.ts';
import type { WebhookEventSummary } from './webhooks.service.ts';
import { discountCodeSchema, regionSchema } from './catalog.service.ts';
import { refundReasons } from './refunds.service.ts';
import { deliveryKinds, externalSources, orderStatuses, productCategories } from './store.table.ts';
import { linePriceOf, maxLinesPerOrder, maxQuantityPerLine, type LinePrice } from './pricing.rules.ts';
import { shippingAddressSchema, type ShippingAddress } from './shipping-address.rules.ts';

const timestamp = z.iso.datetime();
const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const id = z.string().min(1).max(100);

export const productIdParams = z.strictObject({ productId: id });
export const rewardIdParams = z.strictObject({ rewardId: id });
export const orderIdParams = z.strictObject({ orderId: id });
export const redemptionIdParams = z.strictObject({ redemptionId: id });
export const discountCodeIdParams = z.strictObject({ discountCodeId: id });
export const regionParams = z.strictObject({ region: regionSchema });
export const externalOrderIdParams = z.strictObject({ externalOrderId: id });

export const productListQuery = z.strictObject({
  category: z.enum(productCategories).optional(),
  search: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const productView = z.object({
  id: z.string(),
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.enum(productCategories),
  priceMinor: z.number().int(),
  listPriceMinor: z.number().int(),
  currency: z.literal('USD'),
  earnsCredits: z.boolean(),
  giftCard: z.boolean(),
  plusBonus: z.boolean(),
  serialNumbered: z.boolean(),
  stock: z.number().int(),
  status: z.enum(['active', 'archived']),
});
export const productList = z.object({ products: z.array(productView) });

export function toProductView(product: Product): z.infer<typeof productView> {
  const { createdAtMs: _c, updatedAtMs: _u, ...view } = product;
  return view;
}

export const categoryList = z.object({ categories: z.array(z.object({ id: z.enum(productCategories), name: z.string() })) });
export const categoryNames: Record<(typeof productCategories)[number], string> = {
  'power-banks': 'Power banks',
  chargers: 'Chargers',
  wireless: 'Wireless',
  cables: 'Cables',
  'hubs-and-docks': 'Hubs and docks',
  'gift-cards': 'Gift cards',
};

export const rewardView = z.object({
  id: z.string(),
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  creditsPrice: z.number().int(),
  stock: z.number().int(),
  perMemberLimit: z.number().int().nullable(),
  shippingFeeMinor: z.number().int(),
  status: z.enum(['active', 'archived']),
});
export const rewardList = z.object({ rewards: z.array(rewardView) });
export function toRewardView(item: RewardItem): z.infer<typeof rewardView> {
  const { createdAtMs: _c, updatedAtMs: _u, ...view } = item;
  return view;
}

export const discountCodeView = z.object({
  id: z.string(),
  code: z.string(),
  kind: z.enum(['percent', 'fixed']),
  percentBp: z.number().int().nullable(),
  amountMinor: z.number().int().nullable(),
  minSubtotalMinor: z.number().int(),
  maxUses: z.number().int().nullable(),
  uses: z.number().int(),
  startsAt: timestamp.nullable(),
  endsAt: timestamp.nullable(),
  status: z.enum(['active', 'archived']),
  createdAt: timestamp,
});
export const discountCodeList = z.object({ discountCodes: z.array(discountCodeView) });
export function toDiscountCodeView(code: DiscountCode): z.infer<typeof discountCodeView> {
  return {
    id: code.id,
    code: code.code,
    kind: code.kind,
    percentBp: code.percentBp,
    amountMinor: code.amountMinor,
    minSubtotalMinor: code.minSubtotalMinor,
    maxUses: code.maxUses,
    uses: code.uses,
    startsAt: isoOrNull(code.startsAtMs),
    endsAt: isoOrNull(code.endsAtMs),
    status: code.status,
    createdAt: iso(code.createdAtMs),
  };
}

export const taxRateView = z.object({ region: z.string(), name: z.string(), ratePpm: z.number().int(), updatedAt: timestamp });
export const taxRateList = z.object({ taxRates: z.array(taxRateView) });
export function toTaxRateView(rate: TaxRate): z.infer<typeof taxRateView> {
  return { region: rate.region, name: rate.name, ratePpm: rate.ratePpm, updatedAt: iso(rate.updatedAtMs) };
}

/** GET /store/regions: where the store ships, from the tax-rate table (ST-2). */
export const shippingRegionList = z.object({
  regions: z.array(z.object({ region: z.string(), country: z.string(), name: z.string(), ratePpm: z.number().int() })),
});
export function toShippingRegionView(rate: TaxRate): z.infer<typeof shippingRegionList>['regions'][number] {
  return { region: rate.region, country: rate.region.split('-')[0]!, name: rate.name, ratePpm: rate.ratePpm };
}

export const shippingAddressView = z.object({
  name: z.string(),
  line1: z.string(),
  line2: z.string().nullable(),
  city: z.string(),
  region: z.string().nullable(),
  postalCode: z.string().nullable(),
  country: z.string(),
});
function toShippingAddressView(address: ShippingAddress | null): z.infer<typeof shippingAddressView> | null {
  return address && { name: address.name, line1: address.line1, line2: address.line2, city: address.city, region: address.region, postalCode: address.postalCode, country: address.country };
}

export const cartView = z.object({
  lines: z.array(z.object({ product: productView, quantity: z.number().int() })),
  discountCode: z.string().nullable(),
  region: z.string().nullable(),
  updatedAt: timestamp.nullable(),
});
export function toCartView(cart: Cart): z.infer<typeof cartView> {
  return { lines: cart.lines.map((line) => ({ product: toProductView(line.product), quantity: line.quantity })), discountCode: cart.discountCode, region: cart.region, updatedAt: isoOrNull(cart.updatedAtMs) };
}
export const cartLineBody = z.strictObject({ quantity: z.number().int().min(0).max(maxQuantityPerLine) });
export const cartOptionsBody = z.strictObject({ discountCode: discountCodeSchema.nullable().optional(), region: regionSchema.nullable().optional() });

/** ST-2, MB-8: use a Plus next-day delivery voucher (no shipping fee, delivered the business day after it ships). */
const useDeliveryVoucher = z.boolean().default(false);

const lineRequest = z.strictObject({ productId: id, quantity: z.number().int().min(1).max(maxQuantityPerLine) });

export const quoteBody = z.strictObject({
  /** Omit to quote the signed-in member's cart. */
  lines: z.array(lineRequest).min(1).max(maxLinesPerOrder).optional(),
  discountCode: discountCodeSchema.nullable().optional(),
  /** `{ addressId }` (a saved address) or the address itself; its state sets the tax region. */
  shippingAddress: shippingAddressSchema.optional(),
  /** The tax region alone, to price before the address is known; otherwise the cart's. */
  region: regionSchema.optional(),
  /** Credits to apply (CR-12), or "max" for as many as possible. */
  credits: z.union([z.number().int().min(0).max(1_000_000_000), z.literal('max')]).default(0),
  useDeliveryVoucher,
});

export const placeOrderBody = z.strictObject({
  lines: z.array(lineRequest).min(1).max(maxLinesPerOrder).optional(),
  discountCode: discountCodeSchema.nullable().optional(),
  /** Where the order ships: `{ addressId, name? }` (a saved address) or the address itself; guests give it inline. */
  shippingAddress: shippingAddressSchema.optional(),
  /** Members' orders without an address only: the tax region (otherwise the cart's). */
  region: regionSchema.optional(),
  credits: z.number().int().min(0).max(1_000_000_000).default(0),
  useDeliveryVoucher,
  /** A gateway token; the sandbox takes tok_approve, tok_decline, tok_fail_after_delay, … (src/modules/payments/sandbox.gateway.ts). */
  paymentToken: z.string().min(1).max(200).optional(),
  /** Guests only: where the receipt goes. */
  email: z.email().max(254).optional(),
});

/** A line's price components (ST-2, CR-12), the same on a quote's line and an order's. */
const linePriceFields = {
  listPriceMinor: z.number().int(),
  unitPriceMinor: z.number().int(),
  merchandiseMinor: z.number().int(),
  discountMinor: z.number().int(),
  plusDiscountMinor: z.number().int(),
  creditsMinor: z.number().int(),
  credits: z.number().int(),
  taxMinor: z.number().int(),
  qualifyingMinor: z.number().int(),
  paidMinor: z.number().int(),
} satisfies Record<keyof LinePrice, z.ZodType>;

const quoteLineView = z.object({
  lineNo: z.number().int(),
  productId: z.string(),
  sku: z.string(),
  name: z.string(),
  quantity: z.number().int(),
  ...linePriceFields,
  giftCard: z.boolean(),
});

export const quoteView = z.object({
  currency: z.literal('USD'),
  lines: z.array(quoteLineView),
  merchandiseMinor: z.number().int(),
  discountMinor: z.number().int(),
  plusDiscountMinor: z.number().int(),
  creditsApplied: z.number().int(),
  creditsValueMinor: z.number().int(),
  maxCredits: z.number().int(),
  availableCredits: z.number().int(),
  spendCreditsPerMajorUnit: z.number().int(),
  shippingMinor: z.number().int(),
  taxMinor: z.number().int(),
  totalMinor: z.number().int(),
  qualifyingMinor: z.number().int(),
  shipByDate: z.string(),
  sameDayShipping: z.boolean(),
  /** Plus was active now (MB-8): the member discount applies at `memberDiscountBp` (0 without Plus). */
  plusActive: z.boolean(),
  memberDiscountBp: z.number().int(),
  /** Next-day delivery vouchers the member could use on this order (0 without Plus). */
  deliveryVouchersLeft: z.number().int(),
  delivery: z.enum(deliveryKinds),
  /** With a voucher: the promised delivery date, the business day after the ship-by date. */
  deliverByDate: z.string().nullable(),
  /** The tax region that priced the quote (from the shipping address when one was given). */
  region: z.string(),
  shippingAddress: shippingAddressView.nullable(),
});
export function toQuoteView(result: CheckoutQuote): z.infer<typeof quoteView> {
  const { quote } = result;
  return {
    currency: 'USD',
    lines: quote.lines.map((line) => ({
      lineNo: line.lineNo,
      productId: line.product.id,
      sku: line.product.sku,
      name: line.product.name,
      quantity: line.quantity,
      ...linePriceOf(line),
      giftCard: line.product.giftCard,
    })),
    merchandiseMinor: quote.merchandiseMinor,
    discountMinor: quote.discountMinor,
    plusDiscountMinor: quote.plusDiscountMinor,
    creditsApplied: quote.creditsApplied,
    creditsValueMinor: quote.creditsValueMinor,
    maxCredits: quote.maxCredits,
    availableCredits: result.availableCredits,
    spendCreditsPerMajorUnit: result.spendCreditsPerMajorUnit,
    shippingMinor: quote.shippingMinor,
    taxMinor: quote.taxMinor,
    totalMinor: quote.totalMinor,
    qualifyingMinor: quote.qualifyingMinor,
    shipByDate: result.promise.shipByDate,
    sameDayShipping: result.promise.sameDay,
    plusActive: result.plusActive,
    memberDiscountBp: result.memberDiscountBp,
    deliveryVouchersLeft: result.deliveryVouchersLeft,
    delivery: result.delivery,
    deliverByDate: result.deliverByDate,
    region: result.region,
    shippingAddress: toShippingAddressView(result.shippingAddress),
  };
}

export const orderLineView = z.object({
  id: z.string(),
  lineNo: z.number().int(),
  productId: z.string().nullable(),
  sku: z.string(),
  name: z.string(),
  category: z.string(),
  earnsCredits: z.boolean(),
  giftCard: z.boolean(),
  plusBonus: z.boolean(),
  serialNumbered: z.boolean(),
  quantity: z.number().int(),
  ...linePriceFields,
  earnedCredits: z.number().int(),
  refundedQuantity: z.number().int(),
  refundedMinor: z.number().int(),
  restoredCredits: z.number().int(),
});

export const shipmentView = z.object({
  id: z.string(),
  kind: z.enum(['order', 'redemption']),
  status: z.enum(['pending', 'shipped', 'delivered', 'cancelled']),
  shipByDate: z.string(),
  carrier: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  shippedAt: timestamp.nullable(),
  deliveredAt: timestamp.nullable(),
});
export function toShipmentView(shipment: Shipment): z.infer<typeof shipmentView> {
  return {
    id: shipment.id,
    kind: shipment.kind,
    status: shipment.status,
    shipByDate: shipment.shipByDate,
    carrier: shipment.carrier,
    trackingNumber: shipment.trackingNumber,
    shippedAt: isoOrNull(shipment.shippedAtMs),
    deliveredAt: isoOrNull(shipment.deliveredAtMs),
  };
}

export const refundView = z.object({
  id: z.string(),
  kind: z.enum(['lines', 'amount', 'cancellation']),
  source: z.enum(['agent', 'member', 'storefront', 'system']),
  reason: z.string(),
  note: z.string().nullable(),
  amountMinor: z.number().int(),
  /** Credits that paid for the order, given back to their lots (CR-18). */
  creditsRestored: z.number().int(),
  /** Earned credits taken back (CR-15..CR-17), as the ledger reversed them when the refund completed; 0 before. */
  creditsReversed: z.number().int(),
  status: z.enum(['pending', 'completed', 'failed']),
  failureCode: z.string().nullable(),
  createdAt: timestamp,
  completedAt: timestamp.nullable(),
  lines: z.array(
    z.object({ orderLineId: z.string(), quantity: z.number().int(), amountMinor: z.number().int(), qualifyingMinor: z.number().int(), creditsRestored: z.number().int(), creditsReversed: z.number().int() }),
  ),
});
export function toRefundView(refund: Refund): z.infer<typeof refundView> {
  return {
    id: refund.id,
    kind: refund.kind,
    source: refund.source,
    reason: refund.reason,
    note: refund.note,
    amountMinor: refund.amountMinor,
    creditsRestored: refund.creditsRestored,
    creditsReversed: refund.creditsReversed,
    status: refund.status,
    failureCode: refund.failureCode,
    createdAt: iso(refund.createdAtMs),
    completedAt: isoOrNull(refund.completedAtMs),
    lines: refund.lines.map((line) => ({
      orderLineId: line.orderLineId,
      quantity: line.quantity,
      amountMinor: line.amountMinor,
      qualifyingMinor: line.qualifyingMinor,
      creditsRestored: line.creditsRestored,
      creditsReversed: line.creditsReversed,
    })),
  };
}

const orderFields = {
  id: z.string(),
  memberId: z.string().nullable(),
  channel: z.enum(['store', 'storefront']),
  status: z.enum(orderStatuses),
  refundState: z.enum(['none', 'partial', 'full']),
  currency: z.literal('USD'),
  region: z.string(),
  discountCode: z.string().nullable(),
  merchandiseMinor: z.number().int(),
  discountMinor: z.number().int(),
  plusDiscountMinor: z.number().int(),
  creditsApplied: z.number().int(),
  creditsValueMinor: z.number().int(),
  shippingMinor: z.number().int(),
  taxMinor: z.number().int(),
  totalMinor: z.number().int(),
  refundedMinor: z.number().int(),
  /** Credits the order earned (pending until the pending period after payment ends, CR-7). */
  earnedCredits: z.number().int(),
  /** Plus at payment (CR-5, MB-10): after-sales reads purchase-time status here, not from today's membership. */
  plusActive: z.boolean(),
  plusPlan: z.enum(['monthly', 'annual']).nullable(),
  plusPeriodId: z.string().nullable(),
  /** `next_day` when a Plus voucher was used (no shipping fee); `deliverByDate` is then the promised delivery date. */
  delivery: z.enum(deliveryKinds),
  deliverByDate: z.string().nullable(),
  paymentFailureCode: z.string().nullable(),
  placedAt: timestamp,
  paidAt: timestamp.nullable(),
  shipByDate: z.string().nullable(),
  cancelledAt: timestamp.nullable(),
  /** Where the order ships, as it was when the order was placed; null when it has no address. */
  shippingAddress: shippingAddressView.nullable(),
  lines: z.array(orderLineView),
};

export const orderSummaryView = z.object(orderFields);
export const orderView = z.object({
  ...orderFields,
  /** When the credits the order earned unlock: payment time plus the pending period then in force (CR-7). */
  creditsUnlockAt: timestamp.nullable(),
  guestEmail: z.string().nullable(),
  shipments: z.array(shipmentView),
  refunds: z.array(refundView),
  payment: z.object({ status: z.string(), amountMinor: z.number().int(), capturedMinor: z.number().int(), refundedMinor: z.number().int(), confirmedAt: timestamp.nullable() }).nullable(),
});

function toLineView(line: OrderLine): z.infer<typeof orderLineView> {
  return {
    id: line.id,
    lineNo: line.lineNo,
    productId: line.productId,
    sku: line.sku,
    name: line.name,
    category: line.category,
    earnsCredits: line.earnsCredits,
    giftCard: line.giftCard,
    plusBonus: line.plusBonus,
    serialNumbered: line.serialNumbered,
    quantity: line.quantity,
    ...linePriceOf(line),
    earnedCredits: line.earnedCredits,
    refundedQuantity: line.refundedQuantity,
    refundedMinor: line.refundedMinor,
    restoredCredits: line.restoredCredits,
  };
}

export function toOrderSummaryView(order: Order): z.infer<typeof orderSummaryView> {
  return {
    id: order.id,
    memberId: order.memberId,
    channel: order.channel,
    status: order.status,
    refundState: order.refundState,
    currency: order.currency,
    region: order.region,
    discountCode: order.discountCode,
    merchandiseMinor: order.merchandiseMinor,
    discountMinor: order.discountMinor,
    plusDiscountMinor: order.plusDiscountMinor,
    creditsApplied: order.creditsApplied,
    creditsValueMinor: order.creditsValueMinor,
    shippingMinor: order.shippingMinor,
    taxMinor: order.taxMinor,
    totalMinor: order.totalMinor,
    refundedMinor: order.refundedMinor,
    earnedCredits: order.earnedCredits,
    plusActive: order.plusActive,
    plusPlan: order.plusPlan,
    plusPeriodId: order.plusPeriodId,
    delivery: order.delivery,
    deliverByDate: order.deliverByDate,
    paymentFailureCode: order.paymentFailureCode,
    placedAt: iso(order.placedAtMs),
    paidAt: isoOrNull(order.paidAtMs),
    shipByDate: order.shipByDate,
    cancelledAt: isoOrNull(order.cancelledAtMs),
    shippingAddress: toShippingAddressView(order.shippingAddress),
    lines: order.lines.map(toLineView),
  };
}

export function toOrderView(order: OrderDetail): z.infer<typeof orderView> {
  return {
    ...toOrderSummaryView(order),
    creditsUnlockAt: isoOrNull(order.creditsUnlockAtMs),
    guestEmail: order.guestEmail,
    shipments: order.shipments.map(toShipmentView),
    refunds: order.refunds.map(toRefundView),
    payment: order.payment && {
      status: order.payment.status,
      amountMinor: order.payment.amountMinor,
      capturedMinor: order.payment.capturedMinor,
      refundedMinor: order.payment.refundedMinor,
      confirmedAt: isoOrNull(order.payment.confirmedAtMs),
    },
  };
}

export const orderList = z.object({ orders: z.array(orderView), nextBefore: z.string().nullable() });
export const agentOrderList = z.object({ orders: z.array(orderSummaryView), nextBefore: z.string().nullable() });
export const memberOrderListQuery = z.strictObject({ before: id.optional(), limit: z.coerce.number().int().min(1).max(100).default(20) });
export const agentOrderListQuery = z.strictObject({ memberId: id.optional(), status: z.enum(orderStatuses).optional(), before: id.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });

export const placeOrderView = z.object({
  order: orderView,
  payment: z.object({ outcome: z.enum(['approved', 'not_needed', 'declined', 'failed']), code: z.string().nullable(), message: z.string().nullable() }),
});

export const cancelBody = z.strictObject({ note: z.string().trim().max(1000).optional() });
export const agentCancelBody = z.strictObject({ reason: z.enum(refundReasons).default('cancelled_by_agent'), note: z.string().trim().max(1000).optional() });
export const refundBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('lines'),
    reason: z.enum(refundReasons),
    note: z.string().trim().max(1000).optional(),
    /** Each line in full, or `quantity` units of it. */
    lines: z.array(z.strictObject({ lineId: id, quantity: z.number().int().min(1).max(999).optional() })).min(1).max(maxLinesPerOrder),
  }),
  z.strictObject({
    kind: z.literal('amount'),
    reason: z.enum(refundReasons),
    note: z.string().trim().max(1000).optional(),
    /** A price adjustment: money back, from one line or spread over all lines by their remaining money. */
    amountMinor: z.number().int().min(1).max(100_000_000),
    lineId: id.optional(),
  }),
]);
export const refundResult = z.object({ refund: refundView, order: orderView });

export const shipBody = z.strictObject({ carrier: z.string().trim().min(1).max(50), trackingNumber: z.string().trim().min(3).max(64).regex(/^[A-Za-z0-9-]+$/, 'letters, digits and dashes') });

export const redeemBody = z.strictObject({ quantity: z.number().int().min(1).max(10).default(1), paymentToken: z.string().min(1).max(200).optional() });
export const redemptionView = z.object({
  id: z.string(),
  rewardId: z.string(),
  sku: z.string(),
  name: z.string(),
  quantity: z.number().int(),
  credits: z.number().int(),
  shippingFeeMinor: z.number().int(),
  status: z.enum(['confirmed', 'shipped']),
  createdAt: timestamp,
  /** Redemptions are final (CR-13): never cancellable or returnable. */
  cancellable: z.literal(false),
  shipment: shipmentView.nullable(),
});
export const redemptionList = z.object({ redemptions: z.array(redemptionView) });
/** The console's list of one member's redemptions, newest first. */
export const agentRedemptionListQuery = z.strictObject({ memberId: id, limit: z.coerce.number().int().min(1).max(200).default(50) });
export function toRedemptionView(redemption: Redemption): z.infer<typeof redemptionView> {
  return {
    id: redemption.id,
    rewardId: redemption.rewardItemId,
    sku: redemption.sku,
    name: redemption.name,
    quantity: redemption.quantity,
    credits: redemption.credits,
    shippingFeeMinor: redemption.shippingFeeMinor,
    status: redemption.status,
    createdAt: iso(redemption.createdAtMs),
    cancellable: false,
    shipment: redemption.shipment && toShipmentView(redemption.shipment),
  };
}

export const externalOrderView = z.object({
  id: z.string(),
  source: z.enum(externalSources),
  marketplace: z.enum(amazonMarketplaces).nullable(),
  externalOrderId: z.string(),
  memberId: z.string().nullable(),
  customerEmail: z.string().nullable(),
  currency: z.string(),
  totalMinor: z.number().int(),
  purchasedAt: timestamp,
  items: z.array(z.object({ sku: z.string().optional(), name: z.string(), quantity: z.number().int(), unitPriceMinor: z.number().int().optional(), serialNumber: z.string().optional() })),
  recordedAt: timestamp,
  earnsCredits: z.literal(false),
});
export const externalOrderList = z.object({ externalOrders: z.array(externalOrderView) });
export const externalOrderListQuery = z.strictObject({ memberId: id.optional(), source: z.enum(externalSources).optional(), externalOrderId: z.string().trim().min(1).max(64).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });
export function toExternalOrderView(order: ExternalOrder): z.infer<typeof externalOrderView> {
  return {
    id: order.id,
    source: order.source,
    marketplace: order.marketplace as (typeof amazonMarketplaces)[number] | null,
    externalOrderId: order.externalOrderId,
    memberId: order.memberId,
    customerEmail: order.customerEmail,
    currency: order.currency,
    totalMinor: order.totalMinor,
    purchasedAt: iso(order.purchasedAtMs),
    items: order.items,
    recordedAt: iso(order.createdAtMs),
    earnsCredits: false,
  };
}

export const webhookAck = z.object({ received: z.literal(true), eventId: z.string(), duplicate: z.boolean() });
export const webhookSecretView = z.object({
  secret: z.string(),
  algorithm: z.literal('HMAC-SHA256'),
  signatureHeader: z.string(),
  endpoint: z.string(),
  toleranceSeconds: z.number().int(),
});
export const webhookEventList = z.object({
  events: z.array(z.object({ eventId: z.string(), topic: z.string(), shopDomain: z.string(), status: z.string(), result: z.string().nullable(), triggeredAt: timestamp, receivedAt: timestamp, processedAt: timestamp.nullable() })),
});
export function toWebhookEventView(event: WebhookEventSummary) {
  return {
    eventId: event.eventId,
    topic: event.topic,
    shopDomain: event.shopDomain,
    status: event.status,
    result: event.result,
    triggeredAt: iso(event.triggeredAtMs),
    receivedAt: iso(event.receivedAtMs),
    processedAt: isoOrNull(event.processedAtMs),
  };
}
