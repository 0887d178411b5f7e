import { sql, type Kysely } from 'kysely';

// The store module's tables (ST-1..ST-9, CR-12, CR-13): catalog, rewards catalog, discount codes, tax rates, carts,
// orders and their lines, payments, shipments, refunds, redemptions, external orders, the storefront webhook inbox,
// idempotency records (PL-4) and the sandbox payment gateway's own books. Money is integer minor units, credits are
// integers, times are epoch milliseconds, flags are 0/1 integers. Member-scoped tables carry member_id (PL-7).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('store_products')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sku', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('price_minor', 'bigint', (c) => c.notNull().check(sql`price_minor >= 0`))
    .addColumn('list_price_minor', 'bigint', (c) => c.notNull().check(sql`list_price_minor >= 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('earns_credits', 'integer', (c) => c.notNull())
    .addColumn('gift_card', 'integer', (c) => c.notNull())
    .addColumn('plus_bonus', 'integer', (c) => c.notNull())
    .addColumn('serial_numbered', 'integer', (c) => c.notNull())
    .addColumn('stock', 'integer', (c) => c.notNull().check(sql`stock >= 0`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'archived')`))
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('store_products_category_idx').on('store_products').columns(['status', 'category', 'name']).execute();

  await db.schema
    .createTable('store_reward_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sku', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('credits_price', 'bigint', (c) => c.notNull().check(sql`credits_price > 0`))
    .addColumn('stock', 'integer', (c) => c.notNull().check(sql`stock >= 0`))
    .addColumn('per_member_limit', 'integer')
    .addColumn('shipping_fee_minor', 'bigint', (c) => c.notNull().check(sql`shipping_fee_minor >= 0`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'archived')`))
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();

  // How many of a limited reward a member has redeemed: a guarded increment enforces the per-member limit.
  await db.schema
    .createTable('store_reward_counts')
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('reward_item_id', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('store_reward_counts_pk', ['member_id', 'reward_item_id'])
    .execute();

  await db.schema
    .createTable('store_discount_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('percent', 'fixed')`))
    .addColumn('percent_bp', 'integer')
    .addColumn('amount_minor', 'bigint')
    .addColumn('min_subtotal_minor', 'bigint', (c) => c.notNull())
    .addColumn('max_uses', 'integer')
    .addColumn('uses', 'integer', (c) => c.notNull())
    .addColumn('starts_at_ms', 'bigint')
    .addColumn('ends_at_ms', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'archived')`))
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('store_tax_rates')
    .addColumn('region', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('rate_ppm', 'integer', (c) => c.notNull().check(sql`rate_ppm >= 0 and rate_ppm <= 1000000`))
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  // A fresh install starts with the default rate table; agents edit it in the console.
  await db
    .insertInto('store_tax_rates')
    .values([
      { region: 'US-CA', name: 'California', rate_ppm: 72_500, updated_at_ms: 0 },
      { region: 'US-NY', name: 'New York', rate_ppm: 40_000, updated_at_ms: 0 },
      { region: 'US-TX', name: 'Texas', rate_ppm: 62_500, updated_at_ms: 0 },
      { region: 'US-WA', name: 'Washington', rate_ppm: 65_000, updated_at_ms: 0 },
      { region: 'US-OR', name: 'Oregon', rate_ppm: 0, updated_at_ms: 0 },
    ])
    .execute();

  await db.schema
    .createTable('store_carts')
    .addColumn('member_id', 'text', (c) => c.primaryKey())
    .addColumn('discount_code', 'text')
    .addColumn('region', 'text')
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('store_cart_lines')
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('product_id', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addColumn('added_at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('store_cart_lines_pk', ['member_id', 'product_id'])
    .execute();

  await db.schema
    .createTable('store_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text')
    .addColumn('guest_email', 'text')
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('store', 'storefront')`))
    // The storefront's own order ID for orders that arrived by webhook (ST-8); null for orders placed here.
    .addColumn('external_ref', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('refund_state', 'text', (c) => c.notNull().check(sql`refund_state in ('none', 'partial', 'full')`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('discount_code', 'text')
    .addColumn('merchandise_minor', 'bigint', (c) => c.notNull())
    .addColumn('discount_minor', 'bigint', (c) => c.notNull())
    .addColumn('plus_discount_minor', 'bigint', (c) => c.notNull())
    .addColumn('credits_applied', 'bigint', (c) => c.notNull())
    .addColumn('credits_value_minor', 'bigint', (c) => c.notNull())
    .addColumn('shipping_minor', 'bigint', (c) => c.notNull())
    .addColumn('tax_minor', 'bigint', (c) => c.notNull())
    .addColumn('total_minor', 'bigint', (c) => c.notNull())
    .addColumn('refunded_minor', 'bigint', (c) => c.notNull())
    // Credits the order earned (CR-3..CR-5), as the ledger answered when the payment was recorded.
    .addColumn('earned_credits', 'bigint', (c) => c.notNull())
    .addColumn('plus_active', 'integer', (c) => c.notNull())
    .addColumn('hold_id', 'text')
    .addColumn('payment_failure_code', 'text')
    .addColumn('placed_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('paid_at_ms', 'bigint')
    .addColumn('ship_by_date', 'text')
    .addColumn('cancelled_at_ms', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('store_orders_member_idx').on('store_orders').columns(['member_id', 'placed_at_ms']).execute();
  await db.schema.createIndex('store_orders_status_idx').on('store_orders').columns(['status', 'placed_at_ms']).execute();
  await db.schema.createIndex('store_orders_external_ref_uq').on('store_orders').columns(['channel', 'external_ref']).unique().execute();

  await db.schema
    .createTable('store_order_lines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('store_orders.id'))
    .addColumn('member_id', 'text')
    .addColumn('line_no', 'integer', (c) => c.notNull())
    .addColumn('external_ref', 'text')
    .addColumn('product_id', 'text')
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('earns_credits', 'integer', (c) => c.notNull())
    .addColumn('gift_card', 'integer', (c) => c.notNull())
    .addColumn('plus_bonus', 'integer', (c) => c.notNull())
    .addColumn('serial_numbered', 'integer', (c) => c.notNull())
    .addColumn('list_price_minor', 'bigint', (c) => c.notNull())
    .addColumn('unit_price_minor', 'bigint', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addColumn('merchandise_minor', 'bigint', (c) => c.notNull())
    .addColumn('discount_minor', 'bigint', (c) => c.notNull())
    .addColumn('plus_discount_minor', 'bigint', (c) => c.notNull())
    .addColumn('credits_minor', 'bigint', (c) => c.notNull())
    .addColumn('credits', 'bigint', (c) => c.notNull())
    .addColumn('tax_minor', 'bigint', (c) => c.notNull())
    .addColumn('qualifying_minor', 'bigint', (c) => c.notNull())
    .addColumn('paid_minor', 'bigint', (c) => c.notNull())
    .addColumn('earned_credits', 'bigint', (c) => c.notNull())
    .addColumn('refunded_quantity', 'integer', (c) => c.notNull())
    .addColumn('refunded_minor', 'bigint', (c) => c.notNull())
    .addColumn('refunded_qualifying_minor', 'bigint', (c) => c.notNull())
    .addColumn('restored_credits', 'bigint', (c) => c.notNull())
    .addCheckConstraint('store_order_lines_refund_bounds', sql`refunded_quantity <= quantity and refunded_minor <= paid_minor and refunded_qualifying_minor <= qualifying_minor and restored_credits <= credits`)
    .execute();
  await db.schema.createIndex('store_order_lines_order_uq').on('store_order_lines').columns(['order_id', 'line_no']).unique().execute();

  await db.schema
    .createTable('store_payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text')
    .addColumn('order_id', 'text')
    .addColumn('redemption_id', 'text')
    .addColumn('gateway', 'text', (c) => c.notNull())
    .addColumn('gateway_payment_id', 'text')
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('captured_minor', 'bigint', (c) => c.notNull())
    .addColumn('refunded_minor', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failure_code', 'text')
    .addColumn('confirmed_at_ms', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('store_payments_order_idx').on('store_payments').columns(['order_id']).execute();

  await db.schema
    .createTable('store_shipments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text')
    .addColumn('order_id', 'text')
    .addColumn('redemption_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('order', 'redemption')`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'shipped', 'delivered', 'cancelled')`))
    .addColumn('ship_by_date', 'text', (c) => c.notNull())
    .addColumn('carrier', 'text')
    .addColumn('tracking_number', 'text')
    .addColumn('shipped_at_ms', 'bigint')
    .addColumn('delivered_at_ms', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('store_shipments_order_idx').on('store_shipments').columns(['order_id']).execute();
  await db.schema.createIndex('store_shipments_member_idx').on('store_shipments').columns(['member_id', 'created_at_ms']).execute();

  await db.schema
    .createTable('store_refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('store_orders.id'))
    .addColumn('member_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('lines', 'amount', 'cancellation')`))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('agent', 'member', 'storefront', 'system')`))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('credits_restored', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'completed', 'failed')`))
    .addColumn('gateway_refund_id', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('external_ref', 'text')
    .addColumn('requested_by', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('completed_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('store_refunds_order_idx').on('store_refunds').columns(['order_id', 'created_at_ms']).execute();
  await db.schema
    .createTable('store_refund_lines')
    .addColumn('refund_id', 'text', (c) => c.notNull().references('store_refunds.id'))
    .addColumn('order_line_id', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('qualifying_minor', 'bigint', (c) => c.notNull())
    .addColumn('credits_restored', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('store_refund_lines_pk', ['refund_id', 'order_line_id'])
    .execute();

  await db.schema
    .createTable('store_redemptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('reward_item_id', 'text', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('credits', 'bigint', (c) => c.notNull())
    .addColumn('shipping_fee_minor', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('confirmed', 'shipped')`))
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('store_redemptions_member_idx').on('store_redemptions').columns(['member_id', 'created_at_ms']).execute();

  await db.schema
    .createTable('store_external_orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('amazon', 'storefront')`))
    .addColumn('marketplace', 'text')
    .addColumn('external_order_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    .addColumn('customer_email', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('total_minor', 'bigint', (c) => c.notNull())
    .addColumn('purchased_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('items', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('store_external_orders_uq').on('store_external_orders').columns(['source', 'external_order_id']).unique().execute();
  await db.schema.createIndex('store_external_orders_member_idx').on('store_external_orders').columns(['member_id']).execute();

  // Storefront webhook deliveries, stored before they are acknowledged and processed from the job queue (ST-8).
  await db.schema
    .createTable('store_webhook_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('shop_domain', 'text', (c) => c.notNull())
    .addColumn('triggered_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('received', 'processed', 'ignored', 'failed')`))
    .addColumn('result', 'text')
    .addColumn('processed_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('store_webhook_events_received_idx').on('store_webhook_events').columns(['received_at_ms']).execute();

  // Idempotency-Key records (PL-4): the first answer to a key, replayed to retries with the same body.
  await db.schema
    .createTable('store_idempotency_keys')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('in_progress', 'done')`))
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('store_idempotency_keys_pk', ['scope', 'key'])
    .execute();
  await db.schema.createIndex('store_idempotency_keys_created_idx').on('store_idempotency_keys').columns(['created_at_ms']).execute();

  // The sandbox gateway's books: it stands in for an outside system, so it keeps its own records and answers
  // repeated requests with the same idempotency key from them, like a real gateway.
  await db.schema
    .createTable('sandbox_gateway_payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('captured_minor', 'bigint', (c) => c.notNull())
    .addColumn('refunded_minor', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sandbox_gateway_requests')
    .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('response', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();
}
