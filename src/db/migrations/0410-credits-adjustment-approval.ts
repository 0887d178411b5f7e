import { sql, type Kysely } from 'kysely';

// Four-eyes adjustments (CR-21): the policy says from how many credits an adjustment needs a second staff member's
// approval, and a request waits in credit_adjustment_requests until another staff member approves (the posting is
// written then) or rejects it. A request row changes status once; the ledger itself stays insert-only.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('credit_policies')
    .addColumn('adjustment_approval_threshold_credits', 'integer', (c) => c.notNull().defaultTo(1000))
    .execute();

  await db.schema
    .createTable('credit_adjustment_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('credits', 'integer', (c) => c.notNull())
    .addColumn('reason_code', 'text', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('threshold_credits', 'integer', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_by_role', 'text', (c) => c.notNull())
    .addColumn('requested_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'approved', 'rejected')`))
    .addColumn('decided_by', 'text')
    .addColumn('decided_by_role', 'text')
    .addColumn('decided_at_ms', 'bigint')
    .addColumn('decision_note', 'text')
    .addColumn('transaction_id', 'text')
    .execute();
  // The caller's Idempotency-Key, per member as for postings (LG-3): a retried request finds the first one.
  await db.schema.createIndex('credit_adjustment_requests_key').on('credit_adjustment_requests').columns(['member_id', 'idempotency_key']).unique().execute();
  // The console's queue: pending requests, oldest first.
  await db.schema.createIndex('credit_adjustment_requests_status').on('credit_adjustment_requests').columns(['status', 'requested_at_ms']).execute();
}
