import { sql, type Kysely } from 'kysely';

// Marketing (issue 11 parts 4-6; PV-26..PV-29, ST-10, NT-5, NT-6): the contact list per channel, suppressions,
// pending double opt-in confirmations, campaigns and their deliveries, per-campaign opt-outs, open/click tracking,
// texts in and out, and the keyed hashes of addresses that already received the newsletter code.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('marketing_contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'sms')`))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    .addColumn('region', 'text')
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('subscribed', 'unsubscribed')`))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('marketing_contacts_address', ['channel', 'address'])
    .execute();
  await db.schema.createIndex('marketing_contacts_member').on('marketing_contacts').column('member_id').execute();
  await db.schema.createIndex('marketing_contacts_audience').on('marketing_contacts').columns(['channel', 'state', 'id']).execute();

  await db.schema
    .createTable('marketing_suppressions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'sms')`))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('unsubscribed', 'bounced', 'complaint', 'manual', 'sms_stop')`))
    .addColumn('note', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('marketing_suppressions_address', ['channel', 'address'])
    .execute();
  await db.schema.createIndex('marketing_suppressions_member').on('marketing_suppressions').column('member_id').execute();

  await db.schema
    .createTable('marketing_confirmations')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    .addColumn('region', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('used_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('marketing_confirmations_member').on('marketing_confirmations').column('member_id').execute();

  await db.schema
    .createTable('marketing_campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'sms')`))
    .addColumn('subject', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('draft', 'scheduled', 'sending', 'sent', 'canceled')`))
    .addColumn('scheduled_at_ms', 'bigint')
    .addColumn('cursor', 'text')
    .addColumn('queued_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('completed_at_ms', 'bigint')
    .execute();

  await db.schema
    .createTable('marketing_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('queued', 'skipped')`))
    .addColumn('skip_reason', 'text')
    .addColumn('message_id', 'text')
    .addColumn('tracked', 'integer', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('marketing_deliveries_once', ['campaign_id', 'contact_id'])
    .execute();
  await db.schema.createIndex('marketing_deliveries_member').on('marketing_deliveries').column('member_id').execute();

  await db.schema
    .createTable('marketing_campaign_optouts')
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('marketing_campaign_optouts_pk', ['campaign_id', 'channel', 'address'])
    .execute();
  await db.schema.createIndex('marketing_campaign_optouts_member').on('marketing_campaign_optouts').column('member_id').execute();

  await db.schema
    .createTable('marketing_tracking_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('open', 'click')`))
    .addColumn('link_url', 'text')
    .addColumn('occurred_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('marketing_tracking_member').on('marketing_tracking_events').column('member_id').execute();
  await db.schema.createIndex('marketing_tracking_delivery').on('marketing_tracking_events').column('delivery_id').execute();

  await db.schema
    .createTable('marketing_texts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text')
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('campaign', 'stop_confirmation', 'start_confirmation', 'help')`))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('queued', 'sent', 'held', 'failed')`))
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('sent_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('marketing_texts_member').on('marketing_texts').column('member_id').execute();
  await db.schema.createIndex('marketing_texts_phone').on('marketing_texts').columns(['phone', 'kind']).execute();

  await db.schema
    .createTable('marketing_inbound_texts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider_message_id', 'text', (c) => c.notNull().unique())
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('keyword', 'text')
    .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('marketing_newsletter_codes')
    .addColumn('email_key', 'text', (c) => c.primaryKey())
    .addColumn('discount_code_id', 'text', (c) => c.notNull())
    .addColumn('issued_at_ms', 'bigint', (c) => c.notNull())
    .execute();
}
