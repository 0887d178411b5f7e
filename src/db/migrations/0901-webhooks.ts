import { sql, type Kysely } from 'kysely';

// Outgoing webhooks (issue 13): the endpoints staff register, one delivery per endpoint and event (the unique pair
// makes a repeated fan-out a no-op), and the log of delivery attempts. The domain-event outbox gets a dispatched
// marker per event: the fan-out takes undispatched events whatever their ID, so an event whose transaction committed
// after a later-numbered one (PostgreSQL hands out IDs before commit) is never skipped, as an "after the last ID"
// cursor would skip it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('domain_events').addColumn('dispatched_at_ms', 'bigint').execute();
  await sql`create index domain_events_undispatched on domain_events (id) where dispatched_at_ms is null`.execute(db);

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    // A JSON array of event types from the catalogue (src/modules/events/events.catalogue.ts).
    .addColumn('event_types', 'text', (c) => c.notNull())
    // `whsec_…` encrypted at rest (platform/secret-box.ts); the previous one signs too until previous_secret_until_ms.
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_until_ms', 'bigint')
    // `auto_disabled`: disabled after failing for days; its events keep collecting until it is enabled again.
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('enabled', 'disabled', 'auto_disabled')`))
    // The first failed attempt since the last success: the automatic disabling counts from here.
    .addColumn('failing_since_ms', 'bigint')
    .addColumn('created_by_member_id', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    // The event's ID (`evt_…`), sent as `webhook-id`; a test message has an ID of its own.
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    // The exact body sent on every attempt (the signature covers it).
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending', 'succeeded', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at_ms', 'bigint', (c) => c.notNull())
    // The lease: also the fencing token of the claim (a later claim always sets a later time).
    .addColumn('locked_until_ms', 'bigint')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('completed_at_ms', 'bigint')
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_deliveries_endpoint_event').on('webhook_deliveries').columns(['endpoint_id', 'event_id']).unique().execute();
  await db.schema.createIndex('webhook_deliveries_subject').on('webhook_deliveries').columns(['endpoint_id', 'subject_id', 'state', 'event_id']).execute();
  await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['state', 'next_attempt_at_ms']).execute();
  await db.schema.createIndex('webhook_deliveries_member').on('webhook_deliveries').columns(['member_id']).execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('automatic', 'manual')`))
    .addColumn('started_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('succeeded', 'failed')`))
    // A short code (`http_503`, `timeout`, `connection_refused`), never a message or a stack.
    .addColumn('failure_code', 'text')
    // The first characters of the response body, for the log; nothing more is kept.
    .addColumn('response_excerpt', 'text')
    .execute();
  await db.schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').columns(['delivery_id', 'id']).execute();
  await db.schema.createIndex('webhook_attempts_member').on('webhook_attempts').columns(['member_id']).execute();
}
