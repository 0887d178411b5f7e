import type { Kysely } from 'kysely';

// Worker heartbeats (issue 13, `patron doctor`): each job worker writes its row every few seconds, so an operator
// can tell a stopped worker from an idle one. Plus an index for the notification outbox's backlog gauge (PL-12):
// the oldest queued message is then a seek, not a scan of every message ever sent.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('worker_heartbeats')
    .addColumn('worker_id', 'text', (c) => c.primaryKey())
    .addColumn('started_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('seen_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outbox_messages_state_created').on('outbox_messages').columns(['state', 'created_at_ms']).execute();
}
