import type { Kysely } from 'kysely';

// The domain-event outbox (issue 13): written in the same transaction as the change it describes.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('domain_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    .addColumn('occurred_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('domain_events_member').on('domain_events').columns(['member_id']).execute();
  await db.schema.createIndex('domain_events_subject').on('domain_events').columns(['subject_id', 'id']).execute();
}
