// Row types of the store module's tables (migrations 0500..0530); they never leave the module's repositories. Its
// payments moved to the payments module (0550), its idempotency records to the platform (0551).
import type { Kysely } from 'kysely';
import { tables, type Executor } from '../../db/database.ts';

export const productCategories = ['power-banks', 'chargers', 'wireless', 'cables', 'hubs-and-docks', 'gift-cards'] as const;
export type ProductCategory = (typeof productCategories)[number];

export const catalogStatuses = ['active', 'archived'] as const;
export type CatalogStatus = (typeof catalogStatuses)[number];

export type Flag = 0 | 1;

export interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: ProductCategory;
  price_minor: number;
  list_price_minor: number;
  currency: 'USD';
  earns_credits: Flag;
  gift_card: Flag;
  plus_bonus: Flag;
  serial_numbered: Flag;
  stock: number;
  status: CatalogStatus;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface RewardItemRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  credits_price: number;
  stock: number;
  per_member_limit: number | null;
  shipping_fee_minor: number;
  status: CatalogStatus;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface RewardCountRow {
  member_id: string;
  reward_item_id: string;
  quantity: number;
}

export const discountKinds = ['percent', 'fixed'] as const;
export type DiscountKind = (typeof discountKinds)[number];

export interface DiscountCodeRow {
  id: string;
  code: string;
  kind: DiscountKind;
  percent_bp: number | null;
  amount_minor: number | null;
  min_subtotal_minor: number;
  max_uses: number | null;
  uses: number;
  starts_at_ms: number | null;
  ends_at_ms: number | null;
  status: CatalogStatus;
  created_at_ms: number;
  /** 1: valid only on the buyer's first order (the newsletter's welcome code, ST-10). */
  first_order_only: number;
}

export interface TaxRateRow {
  region: string;
  name: string;
  rate_ppm: number;
  updated_at_ms: number;
}

export interface CartRow {
  member_id: string;
  discount_code: string | null;
  region: string | null;
  updated_at_ms: number;
}

export interface CartLineRow {
  member_id: string;
  product_id: string;
  quantity: number;
  added_at_ms: number;
}

export const orderChannels = ['store', 'storefront'] as const;
export type OrderChannel = (typeof orderChannels)[number];

export const orderStatuses = ['pending_payment', 'paid', 'shipped', 'delivered', 'cancelled', 'payment_failed', 'abandoned'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

export const deliveryKinds = ['standard', 'next_day'] as const;
export type Delivery = (typeof deliveryKinds)[number];

export const refundStates = ['none', 'partial', 'full'] as const;
export type RefundState = (typeof refundStates)[number];

export interface OrderRow {
  id: string;
  member_id: string | null;
  guest_email: string | null;
  channel: OrderChannel;
  external_ref: string | null;
  status: OrderStatus;
  refund_state: RefundState;
  currency: 'USD';
  region: string;
  discount_code: string | null;
  merchandise_minor: number;
  discount_minor: number;
  plus_discount_minor: number;
  credits_applied: number;
  credits_value_minor: number;
  shipping_minor: number;
  tax_minor: number;
  total_minor: number;
  refunded_minor: number;
  earned_credits: number;
  /**
   * Store orders: Plus at placement (what priced the member discount) until the payment is confirmed, then Plus at
   * payment (CR-5), the same as `plus_plan !== null`. Storefront orders: always 0 (MB-8).
   */
  plus_active: Flag;
  /** The Plus plan and membership period at payment (migration 0530, MB-10); null when not Plus then. */
  plus_plan: 'monthly' | 'annual' | null;
  plus_period_id: string | null;
  /** `next_day` when a Plus delivery voucher was used (0530): no shipping fee, delivered by `deliver_by_date`. */
  delivery: Delivery;
  deliver_by_date: string | null;
  hold_id: string | null;
  payment_failure_code: string | null;
  placed_at_ms: number;
  paid_at_ms: number | null;
  ship_by_date: string | null;
  cancelled_at_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
  /** The shipping address snapshot (migration 0501): all null, or name, line1, city, region and country set. */
  ship_to_name: string | null;
  ship_to_line1: string | null;
  ship_to_line2: string | null;
  ship_to_city: string | null;
  ship_to_region: string | null;
  ship_to_postal_code: string | null;
  ship_to_country: string | null;
  /** A zero-price replacement (migration 0540, AS-11): the order it replaces and the after-sales case; else null. */
  replacement_for_order_id: string | null;
  replacement_case_id: string | null;
}

export interface OrderLineRow {
  id: string;
  order_id: string;
  member_id: string | null;
  line_no: number;
  external_ref: string | null;
  product_id: string | null;
  sku: string;
  name: string;
  category: string;
  earns_credits: Flag;
  gift_card: Flag;
  plus_bonus: Flag;
  serial_numbered: Flag;
  list_price_minor: number;
  unit_price_minor: number;
  quantity: number;
  merchandise_minor: number;
  discount_minor: number;
  plus_discount_minor: number;
  credits_minor: number;
  credits: number;
  tax_minor: number;
  qualifying_minor: number;
  paid_minor: number;
  earned_credits: number;
  refunded_quantity: number;
  refunded_minor: number;
  refunded_qualifying_minor: number;
  restored_credits: number;
}

export const shipmentStatuses = ['pending', 'shipped', 'delivered', 'cancelled'] as const;
export type ShipmentStatus = (typeof shipmentStatuses)[number];

export interface ShipmentRow {
  id: string;
  member_id: string | null;
  order_id: string | null;
  redemption_id: string | null;
  kind: 'order' | 'redemption';
  status: ShipmentStatus;
  ship_by_date: string;
  carrier: string | null;
  tracking_number: string | null;
  shipped_at_ms: number | null;
  delivered_at_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export const refundKinds = ['lines', 'amount', 'cancellation'] as const;
export type RefundKind = (typeof refundKinds)[number];
export const refundSources = ['agent', 'member', 'storefront', 'system'] as const;
export type RefundSource = (typeof refundSources)[number];
export const refundStatuses = ['pending', 'completed', 'failed'] as const;
export type RefundStatus = (typeof refundStatuses)[number];

export interface RefundRow {
  id: string;
  order_id: string;
  member_id: string | null;
  kind: RefundKind;
  source: RefundSource;
  reason: string;
  note: string | null;
  amount_minor: number;
  credits_restored: number;
  /** Earned credits the refund reversed, recorded when it completes (migration 0502). */
  credits_reversed: number;
  status: RefundStatus;
  gateway_refund_id: string | null;
  failure_code: string | null;
  external_ref: string | null;
  requested_by: string | null;
  created_at_ms: number;
  completed_at_ms: number | null;
}

export interface RefundLineRow {
  refund_id: string;
  order_line_id: string;
  quantity: number;
  amount_minor: number;
  qualifying_minor: number;
  credits_restored: number;
  credits_reversed: number;
}

export interface RedemptionRow {
  id: string;
  member_id: string;
  reward_item_id: string;
  sku: string;
  name: string;
  quantity: number;
  credits: number;
  shipping_fee_minor: number;
  status: 'confirmed' | 'shipped';
  created_at_ms: number;
  /** A zero-credit replacement (migration 0540, AS-7): the redemption it replaces and the after-sales case; else null. */
  replacement_for_redemption_id: string | null;
  replacement_case_id: string | null;
}

export const externalSources = ['amazon', 'storefront'] as const;
export type ExternalSource = (typeof externalSources)[number];

export interface ExternalOrderRow {
  id: string;
  source: ExternalSource;
  marketplace: string | null;
  external_order_id: string;
  member_id: string | null;
  customer_email: string | null;
  currency: string;
  total_minor: number;
  purchased_at_ms: number;
  items: string;
  recorded_by: string;
  created_at_ms: number;
}

export const webhookEventStatuses = ['received', 'processed', 'ignored', 'failed'] as const;
export type WebhookEventStatus = (typeof webhookEventStatuses)[number];

export interface WebhookEventRow {
  id: string;
  event_id: string;
  topic: string;
  shop_domain: string;
  triggered_at_ms: number;
  received_at_ms: number;
  body: string;
  status: WebhookEventStatus;
  result: string | null;
  processed_at_ms: number | null;
  /** The member the event's order belongs to, set when processing knows it (PV-16); null for guests. */
  member_id: string | null;
}

/** A storefront order whose earning the webhook job has yet to finish (migration 0560; webhooks.service.ts). */
export interface PendingEarningRow {
  order_id: string;
  event_id: string;
  created_at_ms: number;
}

export interface StoreTables {
  store_products: ProductRow;
  store_reward_items: RewardItemRow;
  store_reward_counts: RewardCountRow;
  store_discount_codes: DiscountCodeRow;
  store_tax_rates: TaxRateRow;
  store_carts: CartRow;
  store_cart_lines: CartLineRow;
  store_orders: OrderRow;
  store_order_lines: OrderLineRow;
  store_shipments: ShipmentRow;
  store_refunds: RefundRow;
  store_refund_lines: RefundLineRow;
  store_redemptions: RedemptionRow;
  store_external_orders: ExternalOrderRow;
  store_webhook_events: WebhookEventRow;
  store_pending_earnings: PendingEarningRow;
}

export function storeTables(db: Executor): Kysely<StoreTables> {
  return tables<StoreTables>(db);
}

export const flag = (value: boolean): Flag => (value ? 1 : 0);
