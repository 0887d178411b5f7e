import { sql, type Kysely } from 'kysely';
import { makeAppendOnly } from '../schema-helpers.ts';

// Rights requests (PV-1..PV-14): the requests with their regime, deadlines and verification state, the append-only
// timeline of their events (actor, time, action, reason code, legal basis, note), the emailed verification codes
// (only a keyed hash is kept), the authorized agents' documents (PV-14), and the subjects' opt-out choices that take
// effect at once (PV-4), keyed by member or by normalized email. Dates of the deadline engine are `YYYY-MM-DD` text
// (UTC calendar dates); instants are epoch milliseconds; flags 0/1.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('privacy_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) =>
      c.notNull().check(sql`type in ('access', 'portability', 'know', 'rectify', 'erase', 'restrict', 'object', 'withdraw_consent', 'optout_sale_share', 'optout_targeted_ads', 'limit_sensitive', 'complaint', 'appeal')`),
    )
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('web_form', 'member_center', 'email', 'agent')`))
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('received', 'awaiting_verification', 'verified', 'in_progress', 'on_hold', 'fulfilled', 'partially_fulfilled', 'denied', 'withdrawn', 'closed_unverified', 'appealed', 'appeal_decided')`),
    )
    .addColumn('regime', 'text', (c) => c.notNull().check(sql`regime in ('us_state', 'gdpr', 'uk', 'other')`))
    .addColumn('requester_name', 'text', (c) => c.notNull())
    .addColumn('requester_email', 'text', (c) => c.notNull())
    .addColumn('relationship', 'text', (c) => c.notNull().check(sql`relationship in ('self', 'authorized_agent')`))
    .addColumn('brands', 'text', (c) => c.notNull())
    .addColumn('subject_email', 'text', (c) => c.notNull())
    // The subject's member ID when the subject email is a member's (or the requester was signed in).
    .addColumn('member_id', 'text')
    .addColumn('subject_country', 'text', (c) => c.notNull())
    .addColumn('subject_state', 'text')
    .addColumn('subject_zip', 'text')
    .addColumn('comments', 'text')
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().check(sql`priority in (0, 1)`))
    .addColumn('verification_level', 'text', (c) => c.notNull())
    .addColumn('verification_method', 'text')
    .addColumn('code_verified_at_ms', 'bigint')
    .addColumn('facts_matched', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('facts_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('declaration_signed_at_ms', 'bigint')
    .addColumn('agent_confirmation_required', 'integer', (c) => c.notNull().check(sql`agent_confirmation_required in (0, 1)`))
    .addColumn('agent_confirmed_at_ms', 'bigint')
    .addColumn('verified_at_ms', 'bigint')
    .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('received_date', 'text', (c) => c.notNull())
    .addColumn('acknowledge_due_date', 'text', (c) => c.notNull())
    .addColumn('acknowledged_at_ms', 'bigint')
    .addColumn('original_due_date', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('extension_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('extended_months', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('decision_reason_code', 'text')
    .addColumn('decision_legal_basis', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('outcome', 'text')
    .addColumn('appealed_at_ms', 'bigint')
    .addColumn('appeal_decision', 'text')
    .addColumn('entered_by', 'text')
    .addColumn('state_entered_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('closed_at_ms', 'bigint')
    .execute();
  // PV-10: the queue reads open requests, priority first, then earliest due.
  await db.schema
    .createIndex('privacy_requests_queue')
    .on('privacy_requests')
    .columns(['priority desc', 'due_date asc', 'id asc'])
    .where(sql<boolean>`state in ('received', 'awaiting_verification', 'verified', 'in_progress', 'on_hold', 'appealed')`)
    .execute();
  await db.schema.createIndex('privacy_requests_subject').on('privacy_requests').columns(['subject_email', 'type', 'created_at_ms']).execute();
  await db.schema.createIndex('privacy_requests_requester').on('privacy_requests').columns(['requester_email', 'created_at_ms']).execute();
  await db.schema.createIndex('privacy_requests_member').on('privacy_requests').columns(['member_id', 'created_at_ms']).execute();
  // The 7-day sweep of unverified requests reads them by state and the time they began to wait.
  await db.schema.createIndex('privacy_requests_state_entered').on('privacy_requests').columns(['state', 'state_entered_at_ms']).execute();

  await db.schema
    .createTable('privacy_request_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.notNull().references('privacy_requests.id'))
    .addColumn('member_id', 'text')
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_role', 'text', (c) => c.notNull().check(sql`actor_role in ('member', 'requester', 'subject', 'agent', 'admin', 'system')`))
    .addColumn('actor_id', 'text')
    .addColumn('reason_code', 'text')
    .addColumn('legal_basis', 'text')
    .addColumn('note', 'text')
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('privacy_request_events_seq', ['request_id', 'seq'])
    .execute();
  await makeAppendOnly(db, 'privacy_request_events');

  await db.schema
    .createTable('privacy_verification_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.notNull().references('privacy_requests.id'))
    // HMAC-SHA256 of the request ID and the code under the server secret; the code itself is never stored.
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('used_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('privacy_verification_codes_request').on('privacy_verification_codes').columns(['request_id', 'created_at_ms']).execute();

  await db.schema
    .createTable('privacy_request_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.notNull().references('privacy_requests.id'))
    .addColumn('member_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('power_of_attorney', 'signed_letter')`))
    .addColumn('storage_key', 'text', (c) => c.notNull().unique())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull().check(sql`size_bytes > 0`))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('privacy_request_documents_request').on('privacy_request_documents').column('request_id').execute();

  await db.schema
    .createTable('privacy_subject_choices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text')
    .addColumn('subject_email', 'text')
    .addColumn('choice', 'text', (c) => c.notNull().check(sql`choice in ('optout_sale_share', 'optout_targeted_ads', 'limit_sensitive', 'withdraw_consent', 'object')`))
    .addColumn('request_id', 'text', (c) => c.notNull().references('privacy_requests.id'))
    .addColumn('recorded_at_ms', 'bigint', (c) => c.notNull())
    .addCheckConstraint('privacy_subject_choices_subject', sql`member_id is not null or subject_email is not null`)
    .execute();
  await db.schema.createIndex('privacy_subject_choices_member').on('privacy_subject_choices').columns(['member_id', 'choice']).where(sql<boolean>`member_id is not null`).execute();
  await db.schema.createIndex('privacy_subject_choices_email').on('privacy_subject_choices').columns(['subject_email', 'choice']).where(sql<boolean>`subject_email is not null`).execute();
}
