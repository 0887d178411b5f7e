import { sql, type Kysely } from 'kysely';
import { makeAppendOnly } from '../schema-helpers.ts';

// The membership module's tables (MB-1..MB-11): versioned plan policies, subscriptions (one open per member), their
// billing periods, the dated history every state change writes (MB-10, append-only), proof of the notices sent
// (MB-3), next-day delivery vouchers and the record of every benefit used (MB-8). Money in integer minor units,
// times in epoch milliseconds, flags 0/1. Every member-scoped table carries member_id.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('membership_policies')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('published_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('published_by', 'text')
    .addColumn('note', 'text')
    .execute();
  await makeAppendOnly(db, 'membership_policies');
  // Version 1 is the documented default (shared/spec README): monthly 9.99 (list 15.00), annual 99.99 (list 135.00).
  await db
    .insertInto('membership_policies')
    .values({
      version: 1,
      settings: JSON.stringify({
        monthly: { priceMinor: 999, listPriceMinor: 1500 },
        annual: { priceMinor: 9999, listPriceMinor: 13500 },
        monthlyReminderLeadMs: 7 * 86_400_000,
        annualReminderLeadMs: 30 * 86_400_000,
        renewalRetries: 3,
        renewalRetryWindowMs: 7 * 86_400_000,
        memberDiscountBp: 500,
        vouchersPerMonth: 1,
        maxPauseMs: 90 * 86_400_000,
      }),
      published_at_ms: 0,
      published_by: null,
      note: 'default',
    })
    .execute();

  await db.schema
    .createTable('membership_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending_payment', 'active', 'past_due', 'paused', 'canceled', 'lapsed')`))
    .addColumn('plan', 'text', (c) => c.notNull().check(sql`plan in ('monthly', 'annual')`))
    .addColumn('next_plan', 'text', (c) => c.check(sql`next_plan in ('monthly', 'annual')`))
    .addColumn('auto_renew', 'integer', (c) => c.notNull())
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('payment_method', 'text', (c) => c.notNull())
    .addColumn('anchor_ms', 'bigint')
    .addColumn('anchor_seq', 'integer', (c) => c.notNull())
    .addColumn('period_count', 'integer', (c) => c.notNull())
    .addColumn('current_period_id', 'text')
    .addColumn('current_period_end_ms', 'bigint')
    .addColumn('paused_at_ms', 'bigint')
    .addColumn('resume_at_ms', 'bigint')
    .addColumn('past_due_since_ms', 'bigint')
    .addColumn('reminder_due_at_ms', 'bigint')
    .addColumn('retries_done', 'integer', (c) => c.notNull())
    .addColumn('next_retry_at_ms', 'bigint')
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until_ms', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('ended_at_ms', 'bigint')
    .addColumn('end_reason', 'text')
    .execute();
  // MB-1: at most one open subscription per member, enforced by the database whatever the callers race.
  await db.schema
    .createIndex('membership_one_open_per_member')
    .on('membership_subscriptions')
    .column('member_id')
    .unique()
    .where(sql<boolean>`state in ('pending_payment', 'active', 'past_due', 'paused')`)
    .execute();
  await db.schema.createIndex('membership_subscriptions_member').on('membership_subscriptions').columns(['member_id', 'created_at_ms']).execute();
  await db.schema.createIndex('membership_renewals_due').on('membership_subscriptions').column('current_period_end_ms').where(sql<boolean>`state = 'active'`).execute();
  await db.schema.createIndex('membership_retries_due').on('membership_subscriptions').column('next_retry_at_ms').where(sql<boolean>`state = 'past_due'`).execute();
  await db.schema.createIndex('membership_reminders_due').on('membership_subscriptions').column('reminder_due_at_ms').where(sql<boolean>`state = 'active'`).execute();
  await db.schema.createIndex('membership_pending_joins').on('membership_subscriptions').column('created_at_ms').where(sql<boolean>`state = 'pending_payment'`).execute();
  await db.schema.createIndex('membership_resumes_due').on('membership_subscriptions').column('resume_at_ms').where(sql<boolean>`state = 'paused'`).execute();

  await db.schema
    .createTable('membership_periods')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull().check(sql`plan in ('monthly', 'annual')`))
    .addColumn('starts_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('ends_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('price_minor', 'bigint', (c) => c.notNull().check(sql`price_minor >= 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('gateway', 'text', (c) => c.notNull())
    .addColumn('gateway_payment_id', 'text', (c) => c.notNull())
    .addColumn('paid_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('membership_periods_seq', ['subscription_id', 'seq'])
    .execute();
  await db.schema.createIndex('membership_periods_member').on('membership_periods').columns(['member_id', 'starts_at_ms']).execute();

  await db.schema
    .createTable('membership_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('period_id', 'text')
    .addColumn('period_ends_at_ms', 'bigint')
    .addColumn('effective_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('recorded_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('actor_role', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('reason', 'text')
    .execute();
  await db.schema.createIndex('membership_history_member_time').on('membership_history').columns(['member_id', 'effective_at_ms']).execute();
  await makeAppendOnly(db, 'membership_history');

  await db.schema
    .createTable('membership_notices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('price_minor', 'bigint')
    .addColumn('renews_at_ms', 'bigint')
    .addColumn('message_id', 'text')
    .addColumn('sent_to_member', 'integer', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('membership_notices_subscription').on('membership_notices').columns(['subscription_id', 'created_at_ms']).execute();

  await db.schema
    .createTable('membership_vouchers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('period_id', 'text', (c) => c.notNull())
    .addColumn('available_from_ms', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('available', 'used')`))
    .addColumn('used_order_id', 'text')
    .addColumn('used_at_ms', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('membership_vouchers_member').on('membership_vouchers').columns(['member_id', 'state', 'available_from_ms']).execute();

  await db.schema
    .createTable('membership_benefit_uses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('period_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('member_discount', 'delivery_voucher', 'earn_multiplier')`))
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('amount_minor', 'bigint', (c) => c.notNull())
    .addColumn('credits', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('used', 'restored')`))
    .addColumn('used_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('restored_at_ms', 'bigint')
    .addUniqueConstraint('membership_benefit_uses_once', ['order_id', 'kind'])
    .execute();
  await db.schema.createIndex('membership_benefit_uses_period').on('membership_benefit_uses').columns(['member_id', 'period_id']).execute();
}
