import type { Kysely } from 'kysely';

// Storefront webhook bodies carry a customer's email, name and shipping address (PV-16): each event records the
// member its order belongs to once processing knows it (null for guests and unknown orders), so export and erasure
// find it, and finished events are pruned after a short retention, found by this index on their processing time.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('store_webhook_events').addColumn('member_id', 'text').execute();
  await db.schema.createIndex('store_webhook_events_member_idx').on('store_webhook_events').columns(['member_id']).execute();
  await db.schema.createIndex('store_webhook_events_processed_idx').on('store_webhook_events').columns(['processed_at_ms']).execute();
}
