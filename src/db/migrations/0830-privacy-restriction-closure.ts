import { sql, type Kysely } from 'kysely';

// Restriction of processing (PV-20) and the record of account closures (AC-10, PV-32).
// - privacy_restrictions: one row per member who was ever restricted; `state` is the current answer of isRestricted.
// - privacy_restriction_events: every set and lift, append-only (who, when, why), so the history is kept.
// - privacy_account_closures: one row per closed account: what closure did and when retention started.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('privacy_restrictions')
    .addColumn('member_id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('restricted', 'lifted')`))
    .addColumn('reason_code', 'text', (c) => c.notNull())
    .addColumn('since_ms', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('privacy_restriction_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('restricted', 'lifted')`))
    .addColumn('reason_code', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_role', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('privacy_restriction_events_member_idx').on('privacy_restriction_events').columns(['member_id', 'at_ms']).execute();

  await db.schema
    .createTable('privacy_account_closures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().unique())
    .addColumn('actor_id', 'text')
    .addColumn('actor_role', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('credits_forfeited', 'bigint', (c) => c.notNull())
    .addColumn('credits_transaction_id', 'text')
    .addColumn('plus_subscription_id', 'text')
    .addColumn('sessions_ended', 'integer', (c) => c.notNull())
    .addColumn('closed_at_ms', 'bigint', (c) => c.notNull())
    .execute();
}
