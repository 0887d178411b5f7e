import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { makeAppendOnly } from '../schema-helpers.ts';

// The credits ledger (CR-*, LG-*): versioned program policy, one account row per member (the serialization point),
// append-only transactions and postings (the facts), and the mutable state derived from them (lots, holds).
// Credits are `integer` columns so that SUM() returns an 8-byte integer on PostgreSQL, which pg parses to a number.
export async function up(db: Kysely<any>): Promise<void> {
  // SQLite: the ledger tables are clustered on their primary key (WITHOUT ROWID), which saves one B-tree page per
  // written row — the commit cost of a ledger write is mostly the number of pages it dirties (PERFORMANCE.md).
  const clustered = db.getExecutor().adapter instanceof PostgresAdapter ? sql`` : sql`without rowid`;
  await db.schema
    .createTable('credit_policies')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('earn_credits_per_major_unit', 'integer', (c) => c.notNull())
    .addColumn('spend_credits_per_major_unit', 'integer', (c) => c.notNull())
    .addColumn('registration_bonus_credits', 'integer', (c) => c.notNull())
    .addColumn('profile_bonus_credits', 'integer', (c) => c.notNull())
    .addColumn('pending_period_ms', 'bigint', (c) => c.notNull())
    .addColumn('lifetime_ms', 'bigint', (c) => c.notNull())
    .addColumn('expiry_warning_ms', 'bigint', (c) => c.notNull())
    .addColumn('hold_timeout_ms', 'bigint', (c) => c.notNull())
    .addColumn('plus_multiplier', 'integer', (c) => c.notNull())
    .addColumn('published_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('published_by', 'text')
    .addColumn('note', 'text')
    .execute();
  await makeAppendOnly(db, 'credit_policies');
  // Version 1 carries the defaults of the specification (spec/README.md, "Defaults the documents leave open").
  const dayMs = 86_400_000;
  await db
    .insertInto('credit_policies')
    .values({
      version: 1,
      earn_credits_per_major_unit: 1,
      spend_credits_per_major_unit: 100,
      registration_bonus_credits: 500,
      profile_bonus_credits: 100,
      pending_period_ms: 30 * dayMs,
      lifetime_ms: 365 * dayMs,
      expiry_warning_ms: 30 * dayMs,
      hold_timeout_ms: 30 * 60_000,
      plus_multiplier: 2,
      published_at_ms: 0,
      published_by: null,
      note: 'Program defaults',
    })
    .execute();

  await db.schema
    .createTable('credit_accounts')
    .addColumn('member_id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('open', 'closed')`))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('available', 'integer', (c) => c.notNull())
    .addColumn('pending', 'integer', (c) => c.notNull())
    .addColumn('held', 'integer', (c) => c.notNull())
    .addColumn('debt', 'integer', (c) => c.notNull())
    .addColumn('lifetime_earned', 'integer', (c) => c.notNull())
    .addColumn('next_due_at_ms', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();

  // One row per ledger transaction; the key (member, version) is gap-free per member.
  await db.schema
    .createTable('credit_transactions')
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('idem_scope', 'text', (c) => c.notNull())
    .addColumn('idem_key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('recorded_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('credits', 'integer', (c) => c.notNull())
    .addColumn('available_after', 'integer', (c) => c.notNull())
    .addColumn('pending_after', 'integer', (c) => c.notNull())
    .addColumn('held_after', 'integer', (c) => c.notNull())
    .addColumn('debt_after', 'integer', (c) => c.notNull())
    .addColumn('lifetime_after', 'integer', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('order_line_id', 'text')
    .addColumn('case_id', 'text')
    .addColumn('hold_id', 'text')
    .addColumn('lot_id', 'text')
    .addColumn('reason_code', 'text')
    .addColumn('note', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('actor_role', 'text')
    .addColumn('result', 'text')
    .addPrimaryKeyConstraint('credit_transactions_pk', ['member_id', 'version'])
    .addUniqueConstraint('credit_transactions_idempotency', ['member_id', 'idem_scope', 'idem_key'])
    .modifyEnd(clustered)
    .execute();
  await makeAppendOnly(db, 'credit_transactions');

  // Double entry: the postings of one transaction sum to zero. The member side is split by bucket (and lot); the
  // program side by counter-account, one row per transaction, so no single row is ever hot.
  await db.schema
    .createTable('credit_postings')
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('lot_id', 'text')
    .addColumn('hold_id', 'text')
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('credit_postings_pk', ['member_id', 'version', 'seq'])
    .modifyEnd(clustered)
    .execute();
  await makeAppendOnly(db, 'credit_postings');

  // Lots: mutable state derived from postings. `remaining` and `held` are in no index so that updates stay in place.
  // Keyed by member first: a member's lots sit together, and finding the lot of an order line is a short range scan.
  await db.schema
    .createTable('credit_lots')
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending', 'available', 'depleted', 'expired', 'voided', 'forfeited')`))
    .addColumn('original', 'integer', (c) => c.notNull())
    .addColumn('remaining', 'integer', (c) => c.notNull())
    .addColumn('held', 'integer', (c) => c.notNull())
    .addColumn('reversed', 'integer', (c) => c.notNull())
    .addColumn('qualifying_minor', 'bigint', (c) => c.notNull())
    .addColumn('refunded_qualifying_minor', 'bigint', (c) => c.notNull())
    .addColumn('unlock_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('order_line_id', 'text')
    .addColumn('transaction_id', 'text', (c) => c.notNull())
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('warned_at_ms', 'bigint')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addCheckConstraint('credit_lots_amounts', sql`held >= 0 and held <= remaining and remaining <= original and reversed >= 0`)
    .addPrimaryKeyConstraint('credit_lots_pk', ['member_id', 'id'])
    .modifyEnd(clustered)
    .execute();
  // A member's live lots in FIFO order (soonest expiry, then oldest): spending and balance reads.
  await db.schema
    .createIndex('credit_lots_member_live')
    .on('credit_lots')
    .columns(['member_id', 'expires_at_ms', 'id'])
    .where(sql<boolean>`state in ('pending', 'available')`)
    .execute();
  // The sweep's work lists: never a full scan (PF-8).
  await db.schema.createIndex('credit_lots_unlock_due').on('credit_lots').column('unlock_at_ms').where(sql<boolean>`state = 'pending'`).execute();
  await db.schema.createIndex('credit_lots_expiry_due').on('credit_lots').column('expires_at_ms').where(sql<boolean>`state = 'available'`).execute();
  await db.schema
    .createIndex('credit_lots_warning_due')
    .on('credit_lots')
    .column('expires_at_ms')
    .where(sql<boolean>`state = 'available' and warned_at_ms is null`)
    .execute();

  await db.schema
    .createTable('credit_holds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('active', 'captured', 'released', 'expired', 'cancelled')`))
    .addColumn('credits', 'integer', (c) => c.notNull())
    .addColumn('captured', 'integer', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at_ms', 'bigint')
    .execute();
  await db.schema
    .createIndex('credit_holds_member_active')
    .on('credit_holds')
    .columns(['member_id', 'expires_at_ms'])
    .where(sql<boolean>`state = 'active'`)
    .execute();
  await db.schema.createIndex('credit_holds_expiry_due').on('credit_holds').column('expires_at_ms').where(sql<boolean>`state = 'active'`).execute();

  // Which lots a hold took its credits from, and what became of them.
  await db.schema
    .createTable('credit_hold_lots')
    .addColumn('hold_id', 'text', (c) => c.notNull())
    .addColumn('lot_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('allocated', 'integer', (c) => c.notNull())
    .addColumn('held', 'integer', (c) => c.notNull())
    .addColumn('captured', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('credit_hold_lots_pk', ['hold_id', 'lot_id'])
    .execute();

  await db.schema
    .createTable('credit_audit_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('started_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('finished_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('members_checked', 'integer', (c) => c.notNull())
    .addColumn('transactions_checked', 'integer', (c) => c.notNull())
    .addColumn('problem_count', 'integer', (c) => c.notNull())
    .addColumn('problems', 'text', (c) => c.notNull())
    .addColumn('totals', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('credit_audit_runs_started').on('credit_audit_runs').column('started_at_ms').execute();
}
