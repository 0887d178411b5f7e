import type { Kysely } from 'kysely';

// Storefront orders whose credits are being earned (issue 12, PF-5): the webhook job records the order and this row
// in one transaction, earns outside it (so concurrent jobs' earnings share one ledger append group), then updates the
// order, records it paid, deletes this row and marks the event processed in a second transaction. A job that
// crashed between the two finds the row on its retry and finishes the earning (idempotent by the order's key).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('store_pending_earnings')
    .addColumn('order_id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();
}
