// Store API (src/modules/store/store.routes.ts, shapes in store.schemas.ts): catalog, cart, checkout, orders,
// rewards redemption; the console's catalog, orders, refunds, a member's redemptions and their delivery, external
// orders and webhook inbox.
import { api, query } from './client.ts';

export const productCategories = ['power-banks', 'chargers', 'wireless', 'cables', 'hubs-and-docks', 'gift-cards'] as const;
export type ProductCategory = (typeof productCategories)[number];

/** productView */
export interface Product {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: ProductCategory;
  priceMinor: number;
  listPriceMinor: number;
  currency: 'USD';
  earnsCredits: boolean;
  giftCard: boolean;
  plusBonus: boolean;
  serialNumbered: boolean;
  stock: number;
  status: 'active' | 'archived';
}

/** rewardView */
export interface Reward {
  id: string;
  sku: string;
  name: string;
  description: string;
  creditsPrice: number;
  stock: number;
  perMemberLimit: number | null;
  shippingFeeMinor: number;
  status: 'active' | 'archived';
}

/** GET /store/regions: a region the store ships to, from the tax-rate table. */
export interface ShippingRegion {
  region: string;
  country: string;
  name: string;
  ratePpm: number;
}

/** shippingAddressView: where an order ships, as it was when the order was placed. */
export interface ShippingAddress {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string | null;
  country: string;
}

/** A checkout's address: one of the member's saved addresses, or the address itself (country US). */
export type ShippingAddressInput =
  | { addressId: number; name?: string | null }
  | { name: string; line1: string; line2?: string | null; city: string; region: string; postalCode: string; country?: 'US' };

export interface Cart {
  lines: Array<{ product: Product; quantity: number }>;
  discountCode: string | null;
  region: string | null;
  updatedAt: string | null;
}

/** A line's price components, the same on a quote's line and an order's (linePriceFields in store.schemas.ts). */
export interface LinePrice {
  listPriceMinor: number;
  unitPriceMinor: number;
  merchandiseMinor: number;
  discountMinor: number;
  plusDiscountMinor: number;
  creditsMinor: number;
  credits: number;
  taxMinor: number;
  qualifyingMinor: number;
  paidMinor: number;
}

export interface QuoteLine extends LinePrice {
  lineNo: number;
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  giftCard: boolean;
}

/** quoteView */
export interface Quote {
  currency: 'USD';
  lines: QuoteLine[];
  merchandiseMinor: number;
  discountMinor: number;
  plusDiscountMinor: number;
  creditsApplied: number;
  creditsValueMinor: number;
  /** The most credits this order can take: its merchandise after discounts, gift cards aside. */
  maxCredits: number;
  availableCredits: number;
  spendCreditsPerMajorUnit: number;
  shippingMinor: number;
  taxMinor: number;
  totalMinor: number;
  qualifyingMinor: number;
  shipByDate: string;
  sameDayShipping: boolean;
  /** Plus is active now: the member discount applies at `memberDiscountBp` (0 without Plus). */
  plusActive: boolean;
  memberDiscountBp: number;
  /** Next-day delivery vouchers the member could use on this order (0 without Plus). */
  deliveryVouchersLeft: number;
  delivery: Delivery;
  /** With a voucher: the promised delivery date, the business day after the ship-by date. */
  deliverByDate: string | null;
  /** The tax region that priced the quote (the shipping address's state when one was given). */
  region: string;
  shippingAddress: ShippingAddress | null;
}

/** `next_day` when a Plus next-day delivery voucher was used: no shipping fee, delivered by `deliverByDate`. */
export type Delivery = 'standard' | 'next_day';

export const orderStatuses = ['pending_payment', 'paid', 'shipped', 'delivered', 'cancelled', 'payment_failed', 'abandoned'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export interface OrderLine extends LinePrice {
  id: string;
  lineNo: number;
  productId: string | null;
  sku: string;
  name: string;
  category: string;
  earnsCredits: boolean;
  giftCard: boolean;
  plusBonus: boolean;
  serialNumbered: boolean;
  quantity: number;
  earnedCredits: number;
  refundedQuantity: number;
  refundedMinor: number;
  restoredCredits: number;
}

export interface Shipment {
  id: string;
  kind: 'order' | 'redemption';
  status: 'pending' | 'shipped' | 'delivered' | 'cancelled';
  shipByDate: string;
  carrier: string | null;
  trackingNumber: string | null;
  shippedAt: string | null;
  deliveredAt: string | null;
}

export const refundReasons = ['returned', 'damaged', 'defective', 'wrong_item', 'price_adjustment', 'cancelled_by_member', 'cancelled_by_agent', 'storefront', 'other'] as const;
export type RefundReason = (typeof refundReasons)[number];

export interface Refund {
  id: string;
  kind: 'lines' | 'amount' | 'cancellation';
  source: 'agent' | 'member' | 'storefront' | 'system';
  reason: string;
  note: string | null;
  amountMinor: number;
  /** Credits that paid for the order, given back to the member. */
  creditsRestored: number;
  /** Earned credits taken back, as the ledger reversed them when the refund completed (0 before). */
  creditsReversed: number;
  status: 'pending' | 'completed' | 'failed';
  failureCode: string | null;
  createdAt: string;
  completedAt: string | null;
  lines: Array<{ orderLineId: string; quantity: number; amountMinor: number; qualifyingMinor: number; creditsRestored: number; creditsReversed: number }>;
}

/** orderSummaryView: what the console's order list shows. */
export interface OrderSummary {
  id: string;
  memberId: string | null;
  channel: 'store' | 'storefront';
  status: OrderStatus;
  refundState: 'none' | 'partial' | 'full';
  currency: 'USD';
  region: string;
  discountCode: string | null;
  merchandiseMinor: number;
  discountMinor: number;
  plusDiscountMinor: number;
  creditsApplied: number;
  creditsValueMinor: number;
  shippingMinor: number;
  taxMinor: number;
  totalMinor: number;
  refundedMinor: number;
  /** Credits the order earned (pending until the pending period after payment ends). */
  earnedCredits: number;
  /** Plus at payment, with its plan and membership period (the purchase-time status after-sales reads). */
  plusActive: boolean;
  plusPlan: 'monthly' | 'annual' | null;
  plusPeriodId: string | null;
  delivery: Delivery;
  deliverByDate: string | null;
  paymentFailureCode: string | null;
  placedAt: string;
  paidAt: string | null;
  shipByDate: string | null;
  cancelledAt: string | null;
  /** Where the order ships; null for orders without an address. */
  shippingAddress: ShippingAddress | null;
  lines: OrderLine[];
}

/** orderView */
export interface Order extends OrderSummary {
  creditsUnlockAt: string | null;
  guestEmail: string | null;
  shipments: Shipment[];
  refunds: Refund[];
  payment: { status: string; amountMinor: number; capturedMinor: number; refundedMinor: number; confirmedAt: string | null } | null;
}

export interface PlaceOrderResult {
  order: Order;
  payment: { outcome: 'approved' | 'not_needed' | 'declined' | 'failed'; code: string | null; message: string | null };
}

export interface RefundResult {
  refund: Refund;
  order: Order;
}

/** redemptionView: the status stops at shipped; `shipment.deliveredAt` says when it arrived. */
export interface Redemption {
  id: string;
  rewardId: string;
  sku: string;
  name: string;
  quantity: number;
  credits: number;
  shippingFeeMinor: number;
  status: 'confirmed' | 'shipped';
  createdAt: string;
  cancellable: false;
  shipment: Shipment | null;
}

export const amazonMarketplaces = ['US', 'UK', 'CA', 'ES', 'IT', 'FR', 'DE'] as const;
export const externalSources = ['amazon', 'storefront'] as const;
export const externalCurrencies = ['USD', 'GBP', 'CAD', 'EUR'] as const;

export interface ExternalOrderItem {
  sku?: string;
  name: string;
  quantity: number;
  unitPriceMinor?: number;
  serialNumber?: string;
}

export interface ExternalOrder {
  id: string;
  source: (typeof externalSources)[number];
  marketplace: (typeof amazonMarketplaces)[number] | null;
  externalOrderId: string;
  memberId: string | null;
  customerEmail: string | null;
  currency: string;
  totalMinor: number;
  purchasedAt: string;
  items: ExternalOrderItem[];
  recordedAt: string;
  earnsCredits: false;
}

export interface ExternalOrderInput {
  source: (typeof externalSources)[number];
  marketplace?: (typeof amazonMarketplaces)[number];
  externalOrderId: string;
  memberId: string | null;
  customerEmail: string | null;
  purchasedAt: string;
  currency: (typeof externalCurrencies)[number];
  totalMinor: number;
  items: ExternalOrderItem[];
}

export interface WebhookEvent {
  eventId: string;
  topic: string;
  shopDomain: string;
  status: string;
  result: string | null;
  triggeredAt: string;
  receivedAt: string;
  processedAt: string | null;
}

export interface ProductInput {
  sku: string;
  name: string;
  description: string;
  category: ProductCategory;
  priceMinor: number;
  listPriceMinor: number;
  earnsCredits: boolean;
  giftCard: boolean;
  plusBonus: boolean;
  serialNumbered: boolean;
  stock: number;
  status: 'active' | 'archived';
}

export type ProductPatch = Partial<Omit<ProductInput, 'sku'>>;

export interface RewardInput {
  sku: string;
  name: string;
  description: string;
  creditsPrice: number;
  stock: number;
  perMemberLimit: number | null;
  shippingFeeMinor: number;
  status: 'active' | 'archived';
}

export type RewardPatch = Partial<Omit<RewardInput, 'sku'>>;

export type RefundRequest =
  | { kind: 'lines'; reason: RefundReason; note?: string; lines: Array<{ lineId: string; quantity?: number }> }
  | { kind: 'amount'; reason: RefundReason; note?: string; amountMinor: number; lineId?: string };

export interface CheckoutInput {
  /** Where it ships; without it, `region` alone prices a quote (the address is not complete yet). */
  shippingAddress?: ShippingAddressInput;
  region?: string;
  credits: number;
  discountCode?: string | null;
  /** Use a Plus next-day delivery voucher: no shipping fee, delivered the business day after it ships. */
  useDeliveryVoucher?: boolean;
}

const id = (value: string) => encodeURIComponent(value);
const withKey = (idempotencyKey: string) => ({ 'idempotency-key': idempotencyKey });

export const storeApi = {
  categories: () => api.get<{ categories: Array<{ id: ProductCategory; name: string }> }>('/store/categories'),
  products: (filter: { category?: string; search?: string } = {}) => api.get<{ products: Product[] }>(`/store/products${query(filter)}`),
  product: (productId: string) => api.get<Product>(`/store/products/${id(productId)}`),
  rewards: () => api.get<{ rewards: Reward[] }>('/store/rewards'),
  regions: () => api.get<{ regions: ShippingRegion[] }>('/store/regions'),

  cart: () => api.get<Cart>('/store/cart'),
  setCartLine: (productId: string, quantity: number) => api.put<Cart>(`/store/cart/lines/${id(productId)}`, { quantity }),
  removeCartLine: (productId: string) => api.delete<Cart>(`/store/cart/lines/${id(productId)}`),
  setCartOptions: (options: { discountCode?: string | null; region?: string | null }) => api.patch<Cart>('/store/cart', options),

  /** Prices the signed-in member's cart with this address (or region), code and credits. */
  quote: (input: CheckoutInput) => api.post<Quote>('/store/checkout/quote', input),
  placeOrder: (input: CheckoutInput & { paymentToken?: string }, idempotencyKey: string) => api.post<PlaceOrderResult>('/store/orders', input, withKey(idempotencyKey)),
  orders: (before?: string) => api.get<{ orders: Order[]; nextBefore: string | null }>(`/store/orders${query({ before })}`),
  order: (orderId: string) => api.get<Order>(`/store/orders/${id(orderId)}`),
  cancelOrder: (orderId: string, note: string | undefined, idempotencyKey: string) =>
    api.post<RefundResult>(`/store/orders/${id(orderId)}/cancel`, note ? { note } : {}, withKey(idempotencyKey)),

  redeem: (rewardId: string, input: { quantity: number; paymentToken?: string }, idempotencyKey: string) =>
    api.post<Redemption>(`/store/rewards/${id(rewardId)}/redeem`, input, withKey(idempotencyKey)),
  redemptions: () => api.get<{ redemptions: Redemption[] }>('/store/redemptions'),

  agentProducts: (filter: { category?: string; search?: string } = {}) => api.get<{ products: Product[] }>(`/agent/store/products${query({ ...filter, limit: 200 })}`),
  createProduct: (input: ProductInput) => api.post<Product>('/agent/store/products', input),
  changeProduct: (productId: string, patch: ProductPatch) => api.patch<Product>(`/agent/store/products/${id(productId)}`, patch),
  agentRewards: () => api.get<{ rewards: Reward[] }>('/agent/store/rewards'),
  createReward: (input: RewardInput) => api.post<Reward>('/agent/store/rewards', input),
  changeReward: (rewardId: string, patch: RewardPatch) => api.patch<Reward>(`/agent/store/rewards/${id(rewardId)}`, patch),

  agentOrders: (filter: { status?: string; memberId?: string; before?: string } = {}) =>
    api.get<{ orders: OrderSummary[]; nextBefore: string | null }>(`/agent/store/orders${query(filter)}`),
  agentOrder: (orderId: string) => api.get<Order>(`/agent/store/orders/${id(orderId)}`),
  shipOrder: (orderId: string, carrier: string, trackingNumber: string) => api.post<Order>(`/agent/store/orders/${id(orderId)}/ship`, { carrier, trackingNumber }),
  deliverOrder: (orderId: string) => api.post<Order>(`/agent/store/orders/${id(orderId)}/deliver`),
  agentCancelOrder: (orderId: string, input: { reason: RefundReason; note?: string }, idempotencyKey: string) =>
    api.post<RefundResult>(`/agent/store/orders/${id(orderId)}/cancel`, input, withKey(idempotencyKey)),
  refundOrder: (orderId: string, input: RefundRequest, idempotencyKey: string) => api.post<RefundResult>(`/agent/store/orders/${id(orderId)}/refunds`, input, withKey(idempotencyKey)),

  agentRedemptions: (memberId: string) => api.get<{ redemptions: Redemption[] }>(`/agent/store/redemptions${query({ memberId })}`),
  deliverRedemption: (redemptionId: string) => api.post<Redemption>(`/agent/store/redemptions/${id(redemptionId)}/deliver`),

  externalOrders: (filter: { source?: string; externalOrderId?: string } = {}) => api.get<{ externalOrders: ExternalOrder[] }>(`/agent/store/external-orders${query(filter)}`),
  recordExternalOrder: (input: ExternalOrderInput, idempotencyKey: string) => api.post<ExternalOrder>('/store/external-orders', input, withKey(idempotencyKey)),
  webhooks: () => api.get<{ events: WebhookEvent[] }>('/agent/store/webhooks'),
};
