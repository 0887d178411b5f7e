import { sql, type Kysely } from 'kysely';

// The payments module's table: one row per money movement Patron asks a gateway for, whatever it is for (`purpose`:
// order, redemption_fee, membership_renewal, aftersales_refund) and whose record it belongs to (`owner_ref`). It takes
// over the store's store_payments (migration 0500): the rows are copied, then that table is dropped. The sandbox
// gateway's books (sandbox_gateway_*, also from 0500) stay as they are and belong to the payments module now.
//
// purpose and status carry no check constraint: a new purpose must not need a table rebuild on SQLite; the module
// validates both. Money is integer minor units; times are epoch milliseconds.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('owner_ref', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull().check(sql`amount_minor > 0`))
    .addColumn('gateway', 'text', (c) => c.notNull())
    .addColumn('gateway_payment_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('captured_minor', 'bigint', (c) => c.notNull().check(sql`captured_minor >= 0`))
    .addColumn('refunded_minor', 'bigint', (c) => c.notNull().check(sql`refunded_minor >= 0`))
    .addColumn('failure_code', 'text')
    .addColumn('confirmed_at_ms', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  // An owner's payments, newest first; a member's payments (export, erasure, PL-7).
  await db.schema.createIndex('payments_owner_idx').on('payments').columns(['purpose', 'owner_ref', 'created_at_ms']).execute();
  await db.schema.createIndex('payments_member_idx').on('payments').columns(['member_id', 'created_at_ms']).execute();

  // Every store payment had an order or a redemption; the store only ever charged USD.
  await sql`
    insert into payments (id, purpose, owner_ref, member_id, currency, amount_minor, gateway, gateway_payment_id, status,
                          captured_minor, refunded_minor, failure_code, confirmed_at_ms, created_at_ms, updated_at_ms)
    select id,
           case when order_id is not null then 'order' else 'redemption_fee' end,
           coalesce(order_id, redemption_id),
           member_id, 'USD', amount_minor, gateway, gateway_payment_id, status,
           captured_minor, refunded_minor, failure_code, confirmed_at_ms, created_at_ms, updated_at_ms
    from store_payments`.execute(db);
  await db.schema.dropTable('store_payments').execute();
}
