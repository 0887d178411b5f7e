// SQL for orders, their lines and shipments, with row ↔ domain mappers (payments are the payments module's).
import type { Executor } from '../../db/database.ts';
import { forUpdate } from '../../db/database.ts';
import type { Delivery, OrderChannel, OrderLineRow, OrderRow, OrderStatus, RefundState, ShipmentRow, ShipmentStatus } from './store.table.ts';
import { storeTables } from './store.table.ts';
import type { LinePrice } from './pricing.rules.ts';
import type { ShippingAddress } from './shipping-address.rules.ts';

/** A line as the order keeps it: the product as it was, its price components as priced at checkout. */
export interface OrderLine extends LinePrice {
  id: string;
  lineNo: number;
  externalRef: string | null;
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
  refundedQualifyingMinor: number;
  restoredCredits: number;
}

export interface Order {
  id: string;
  memberId: string | null;
  guestEmail: string | null;
  channel: OrderChannel;
  externalRef: string | null;
  status: OrderStatus;
  refundState: RefundState;
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
  earnedCredits: number;
  plusActive: boolean;
  /** Plus at payment (MB-10): the plan and the membership period, null when not Plus then or not paid yet. */
  plusPlan: 'monthly' | 'annual' | null;
  plusPeriodId: string | null;
  /** `next_day` when a Plus delivery voucher was used: no shipping fee, delivered by `deliverByDate`. */
  delivery: Delivery;
  deliverByDate: string | null;
  holdId: string | null;
  paymentFailureCode: string | null;
  placedAtMs: number;
  paidAtMs: number | null;
  shipByDate: string | null;
  cancelledAtMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
  /** Where the order ships, as it was when the order was placed; null when the order has no address. */
  shippingAddress: ShippingAddress | null;
  /** A zero-price replacement's original order (AS-11); null for every other order. */
  replacementForOrderId: string | null;
  /** The after-sales case a replacement order was made for; null for every other order. */
  replacementCaseId: string | null;
  lines: OrderLine[];
}

export interface Shipment {
  id: string;
  memberId: string | null;
  orderId: string | null;
  redemptionId: string | null;
  kind: 'order' | 'redemption';
  status: ShipmentStatus;
  shipByDate: string;
  carrier: string | null;
  trackingNumber: string | null;
  shippedAtMs: number | null;
  deliveredAtMs: number | null;
  createdAtMs: number;
}

export function toOrderLine(row: OrderLineRow): OrderLine {
  return {
    id: row.id,
    lineNo: row.line_no,
    externalRef: row.external_ref,
    productId: row.product_id,
    sku: row.sku,
    name: row.name,
    category: row.category,
    earnsCredits: row.earns_credits === 1,
    giftCard: row.gift_card === 1,
    plusBonus: row.plus_bonus === 1,
    serialNumbered: row.serial_numbered === 1,
    listPriceMinor: row.list_price_minor,
    unitPriceMinor: row.unit_price_minor,
    quantity: row.quantity,
    merchandiseMinor: row.merchandise_minor,
    discountMinor: row.discount_minor,
    plusDiscountMinor: row.plus_discount_minor,
    creditsMinor: row.credits_minor,
    credits: row.credits,
    taxMinor: row.tax_minor,
    qualifyingMinor: row.qualifying_minor,
    paidMinor: row.paid_minor,
    earnedCredits: row.earned_credits,
    refundedQuantity: row.refunded_quantity,
    refundedMinor: row.refunded_minor,
    refundedQualifyingMinor: row.refunded_qualifying_minor,
    restoredCredits: row.restored_credits,
  };
}

export function toOrderLineRow(orderId: string, memberId: string | null, line: OrderLine): OrderLineRow {
  return {
    id: line.id,
    order_id: orderId,
    member_id: memberId,
    line_no: line.lineNo,
    external_ref: line.externalRef,
    product_id: line.productId,
    sku: line.sku,
    name: line.name,
    category: line.category,
    earns_credits: line.earnsCredits ? 1 : 0,
    gift_card: line.giftCard ? 1 : 0,
    plus_bonus: line.plusBonus ? 1 : 0,
    serial_numbered: line.serialNumbered ? 1 : 0,
    list_price_minor: line.listPriceMinor,
    unit_price_minor: line.unitPriceMinor,
    quantity: line.quantity,
    merchandise_minor: line.merchandiseMinor,
    discount_minor: line.discountMinor,
    plus_discount_minor: line.plusDiscountMinor,
    credits_minor: line.creditsMinor,
    credits: line.credits,
    tax_minor: line.taxMinor,
    qualifying_minor: line.qualifyingMinor,
    paid_minor: line.paidMinor,
    earned_credits: line.earnedCredits,
    refunded_quantity: line.refundedQuantity,
    refunded_minor: line.refundedMinor,
    refunded_qualifying_minor: line.refundedQualifyingMinor,
    restored_credits: line.restoredCredits,
  };
}

export function toOrder(row: OrderRow, lines: OrderLineRow[]): Order {
  return {
    id: row.id,
    memberId: row.member_id,
    guestEmail: row.guest_email,
    channel: row.channel,
    externalRef: row.external_ref,
    status: row.status,
    refundState: row.refund_state,
    currency: row.currency,
    region: row.region,
    discountCode: row.discount_code,
    merchandiseMinor: row.merchandise_minor,
    discountMinor: row.discount_minor,
    plusDiscountMinor: row.plus_discount_minor,
    creditsApplied: row.credits_applied,
    creditsValueMinor: row.credits_value_minor,
    shippingMinor: row.shipping_minor,
    taxMinor: row.tax_minor,
    totalMinor: row.total_minor,
    refundedMinor: row.refunded_minor,
    earnedCredits: row.earned_credits,
    plusActive: row.plus_active === 1,
    plusPlan: row.plus_plan,
    plusPeriodId: row.plus_period_id,
    delivery: row.delivery,
    deliverByDate: row.deliver_by_date,
    holdId: row.hold_id,
    paymentFailureCode: row.payment_failure_code,
    placedAtMs: row.placed_at_ms,
    paidAtMs: row.paid_at_ms,
    shipByDate: row.ship_by_date,
    cancelledAtMs: row.cancelled_at_ms,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
    shippingAddress: toShippingAddress(row),
    replacementForOrderId: row.replacement_for_order_id ?? null,
    replacementCaseId: row.replacement_case_id ?? null,
    lines: lines.sort((a, b) => a.line_no - b.line_no).map(toOrderLine),
  };
}

function toShippingAddress(row: OrderRow): ShippingAddress | null {
  if (row.ship_to_name === null || row.ship_to_line1 === null || row.ship_to_city === null || row.ship_to_country === null) return null;
  return {
    name: row.ship_to_name,
    line1: row.ship_to_line1,
    line2: row.ship_to_line2,
    city: row.ship_to_city,
    region: row.ship_to_region,
    postalCode: row.ship_to_postal_code,
    country: row.ship_to_country,
  };
}

export function toOrderRow(order: Order): OrderRow {
  return {
    id: order.id,
    member_id: order.memberId,
    guest_email: order.guestEmail,
    channel: order.channel,
    external_ref: order.externalRef,
    status: order.status,
    refund_state: order.refundState,
    currency: order.currency,
    region: order.region,
    discount_code: order.discountCode,
    merchandise_minor: order.merchandiseMinor,
    discount_minor: order.discountMinor,
    plus_discount_minor: order.plusDiscountMinor,
    credits_applied: order.creditsApplied,
    credits_value_minor: order.creditsValueMinor,
    shipping_minor: order.shippingMinor,
    tax_minor: order.taxMinor,
    total_minor: order.totalMinor,
    refunded_minor: order.refundedMinor,
    earned_credits: order.earnedCredits,
    plus_active: order.plusActive ? 1 : 0,
    plus_plan: order.plusPlan,
    plus_period_id: order.plusPeriodId,
    delivery: order.delivery,
    deliver_by_date: order.deliverByDate,
    hold_id: order.holdId,
    payment_failure_code: order.paymentFailureCode,
    placed_at_ms: order.placedAtMs,
    paid_at_ms: order.paidAtMs,
    ship_by_date: order.shipByDate,
    cancelled_at_ms: order.cancelledAtMs,
    created_at_ms: order.createdAtMs,
    updated_at_ms: order.updatedAtMs,
    ship_to_name: order.shippingAddress?.name ?? null,
    ship_to_line1: order.shippingAddress?.line1 ?? null,
    ship_to_line2: order.shippingAddress?.line2 ?? null,
    ship_to_city: order.shippingAddress?.city ?? null,
    ship_to_region: order.shippingAddress?.region ?? null,
    ship_to_postal_code: order.shippingAddress?.postalCode ?? null,
    ship_to_country: order.shippingAddress?.country ?? null,
    replacement_for_order_id: order.replacementForOrderId,
    replacement_case_id: order.replacementCaseId,
  };
}

export function toShipment(row: ShipmentRow): Shipment {
  return {
    id: row.id,
    memberId: row.member_id,
    orderId: row.order_id,
    redemptionId: row.redemption_id,
    kind: row.kind,
    status: row.status,
    shipByDate: row.ship_by_date,
    carrier: row.carrier,
    trackingNumber: row.tracking_number,
    shippedAtMs: row.shipped_at_ms,
    deliveredAtMs: row.delivered_at_ms,
    createdAtMs: row.created_at_ms,
  };
}

export async function insertOrder(db: Executor, order: Order): Promise<boolean> {
  const result = await storeTables(db)
    .insertInto('store_orders')
    .values(toOrderRow(order))
    .onConflict((oc) => oc.columns(['channel', 'external_ref']).doNothing())
    .executeTakeFirst();
  if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
  if (order.lines.length > 0) await storeTables(db).insertInto('store_order_lines').values(order.lines.map((line) => toOrderLineRow(order.id, order.memberId, line))).execute();
  return true;
}

/** Loads an order with its lines; `lock` takes the order row first (PostgreSQL), which serialises changes to it. */
export async function findOrder(db: Executor, id: string, options: { lock?: boolean } = {}): Promise<Order | undefined> {
  const query = storeTables(db).selectFrom('store_orders').selectAll().where('id', '=', id);
  const row = await (options.lock ? forUpdate(db, query) : query).executeTakeFirst();
  if (!row) return undefined;
  const lines = await storeTables(db).selectFrom('store_order_lines').selectAll().where('order_id', '=', id).execute();
  return toOrder(row, lines);
}

export async function findOrderByExternalRef(db: Executor, channel: OrderChannel, externalRef: string, options: { lock?: boolean } = {}): Promise<Order | undefined> {
  const query = storeTables(db).selectFrom('store_orders').select('id').where('channel', '=', channel).where('external_ref', '=', externalRef);
  const row = await (options.lock ? forUpdate(db, query) : query).executeTakeFirst();
  return row ? findOrder(db, row.id) : undefined;
}

export interface OrderListFilter {
  memberId?: string;
  status?: OrderStatus;
  /** Only orders placed before this one (keyset pagination, newest first). */
  beforeId?: string;
  limit: number;
  /** Hide checkouts that never got paid (members do not need to see them). */
  hideUnpaid?: boolean;
}

export async function selectOrders(db: Executor, filter: OrderListFilter): Promise<Order[]> {
  let query = storeTables(db).selectFrom('store_orders').selectAll();
  if (filter.memberId) query = query.where('member_id', '=', filter.memberId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.hideUnpaid) query = query.where('status', 'not in', ['pending_payment', 'payment_failed', 'abandoned']);
  if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
  const rows = await query.orderBy('id', 'desc').limit(filter.limit).execute();
  if (rows.length === 0) return [];
  const lines = await storeTables(db).selectFrom('store_order_lines').selectAll().where('order_id', 'in', rows.map((r) => r.id)).execute();
  const byOrder = new Map<string, OrderLineRow[]>();
  for (const line of lines) byOrder.set(line.order_id, [...(byOrder.get(line.order_id) ?? []), line]);
  return rows.map((row) => toOrder(row, byOrder.get(row.id) ?? []));
}

/** Moves an order from one of `from` to a new status with other fields; false when it was no longer in `from`. */
export async function transitionOrder(db: Executor, id: string, from: readonly OrderStatus[], changes: Partial<Omit<OrderRow, 'id'>>): Promise<boolean> {
  const result = await storeTables(db).updateTable('store_orders').set(changes).where('id', '=', id).where('status', 'in', [...from]).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function updateOrderFields(db: Executor, id: string, changes: Partial<Omit<OrderRow, 'id'>>): Promise<void> {
  await storeTables(db).updateTable('store_orders').set(changes).where('id', '=', id).execute();
}

export async function updateOrderLine(db: Executor, id: string, changes: Partial<Omit<OrderLineRow, 'id' | 'order_id'>>): Promise<void> {
  await storeTables(db).updateTable('store_order_lines').set(changes).where('id', '=', id).execute();
}

/** A new shipment waits for the warehouse: no carrier or tracking number until it is shipped. */
export async function insertPendingShipment(
  db: Executor,
  shipment: Pick<Shipment, 'id' | 'memberId' | 'orderId' | 'redemptionId' | 'kind' | 'shipByDate'>,
  nowMs: number,
): Promise<void> {
  const row: ShipmentRow = {
    id: shipment.id,
    member_id: shipment.memberId,
    order_id: shipment.orderId,
    redemption_id: shipment.redemptionId,
    kind: shipment.kind,
    status: 'pending',
    ship_by_date: shipment.shipByDate,
    carrier: null,
    tracking_number: null,
    shipped_at_ms: null,
    delivered_at_ms: null,
    created_at_ms: nowMs,
    updated_at_ms: nowMs,
  };
  await storeTables(db).insertInto('store_shipments').values(row).execute();
}

export async function selectShipmentsForOrders(db: Executor, orderIds: readonly string[]): Promise<Map<string, Shipment[]>> {
  const result = new Map<string, Shipment[]>();
  if (orderIds.length === 0) return result;
  const rows = await storeTables(db).selectFrom('store_shipments').selectAll().where('order_id', 'in', [...orderIds]).orderBy('created_at_ms').orderBy('id').execute();
  for (const row of rows) result.set(row.order_id!, [...(result.get(row.order_id!) ?? []), toShipment(row)]);
  return result;
}

export async function findShipment(db: Executor, id: string): Promise<Shipment | undefined> {
  const row = await storeTables(db).selectFrom('store_shipments').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toShipment(row);
}

export async function transitionShipment(db: Executor, id: string, from: readonly ShipmentStatus[], changes: Partial<Omit<ShipmentRow, 'id'>>): Promise<boolean> {
  const result = await storeTables(db).updateTable('store_shipments').set(changes).where('id', '=', id).where('status', 'in', [...from]).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function cancelPendingShipments(db: Executor, orderId: string, nowMs: number): Promise<void> {
  await storeTables(db).updateTable('store_shipments').set({ status: 'cancelled', updated_at_ms: nowMs }).where('order_id', '=', orderId).where('status', '=', 'pending').execute();
}

/** Orders still waiting for their payment since before `beforeMs` (checkouts abandoned by a crash or a lost answer). */
export async function selectStalePendingOrders(db: Executor, beforeMs: number, limit: number): Promise<string[]> {
  const rows = await storeTables(db).selectFrom('store_orders').select('id').where('status', '=', 'pending_payment').where('placed_at_ms', '<', beforeMs).orderBy('placed_at_ms').limit(limit).execute();
  return rows.map((row) => row.id);
}

/** The member's orders whose checkout is still running (payment not settled; an account closure waits for them). */
export async function selectCheckoutsInProgress(db: Executor, memberId: string): Promise<string[]> {
  const rows = await storeTables(db).selectFrom('store_orders').select('id').where('member_id', '=', memberId).where('status', '=', 'pending_payment').orderBy('id').limit(20).execute();
  return rows.map((row) => row.id);
}

/** Whether the buyer (a member, or a guest by email) has an order that was paid (ST-10: first-order-only codes). */
export async function hasPaidOrder(db: Executor, buyer: { memberId: string | null; guestEmail?: string | null }): Promise<boolean> {
  if (buyer.memberId === null && !buyer.guestEmail) return false;
  const row = await storeTables(db)
    .selectFrom('store_orders')
    .select('id')
    .where((eb) => (buyer.memberId !== null ? eb('member_id', '=', buyer.memberId) : eb('guest_email', '=', buyer.guestEmail!.trim().toLowerCase())))
    .where('status', 'in', ['paid', 'shipped', 'delivered'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
