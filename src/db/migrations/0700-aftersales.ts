import { sql, type Kysely } from 'kysely';
import { makeAppendOnly } from '../schema-helpers.ts';

// The after-sales module's tables (AS-1..AS-13): cases (returns, exchanges, warranty claims, damage reports, support),
// the append-only log of their state changes (AS-12: each transition recorded with actor, time and reason), the
// images attached to a case (AS-9: at most 5 per case, the service's rule), internal agent notes, and which serial
// shipped on which order line (AS-2). Times in epoch milliseconds, flags 0/1. Every member-scoped table carries
// member_id (null for a guest's case, which names its guest_email instead).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('aftersales_cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text')
    .addColumn('guest_email', 'text')
    .addColumn('contact_name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('return', 'exchange', 'warranty_claim', 'damage_report', 'support')`))
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('submitted', 'under_review', 'needs_info', 'approved', 'awaiting_return', 'received', 'resolved', 'rejected', 'canceled', 'expired')`),
    )
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('damaged_on_arrival', 'defective', 'wrong_item_sent', 'ordered_wrong_item', 'no_longer_needed', 'other')`))
    .addColumn('remedy', 'text', (c) => c.notNull().check(sql`remedy in ('refund', 'exchange', 'replacement', 'credit_restore', 'none')`))
    .addColumn('order_ref', 'text', (c) => c.notNull())
    .addColumn('order_source', 'text', (c) => c.notNull().check(sql`order_source in ('store', 'storefront', 'marketplace')`))
    .addColumn('order_line_id', 'text')
    .addColumn('product_sku', 'text', (c) => c.notNull())
    .addColumn('serial', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().check(sql`priority in (0, 1)`))
    .addColumn('eligibility', 'text', (c) => c.notNull())
    .addColumn('state_entered_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('resolved_at_ms', 'bigint')
    .addColumn('email_confirmed_at_ms', 'bigint')
    .addCheckConstraint('aftersales_cases_requester', sql`member_id is not null or guest_email is not null`)
    .execute();
  // AS-10: the agent queue reads open cases, priority first, then oldest.
  await db.schema
    .createIndex('aftersales_cases_queue')
    .on('aftersales_cases')
    .columns(['priority desc', 'created_at_ms asc'])
    .where(sql<boolean>`state in ('submitted', 'under_review', 'needs_info', 'approved', 'awaiting_return', 'received')`)
    .execute();
  await db.schema.createIndex('aftersales_cases_member').on('aftersales_cases').columns(['member_id', 'created_at_ms']).execute();
  // AS-2: the serial-reuse flag looks cases up by serial.
  await db.schema.createIndex('aftersales_cases_serial').on('aftersales_cases').column('serial').where(sql<boolean>`serial is not null`).execute();
  // AS-13-style expiry sweeps read open cases by how long they have been in their state.
  await db.schema.createIndex('aftersales_cases_state_entered').on('aftersales_cases').columns(['state', 'state_entered_at_ms']).execute();

  await db.schema
    .createTable('aftersales_transitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('aftersales_cases.id'))
    .addColumn('member_id', 'text')
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_role', 'text', (c) => c.notNull().check(sql`actor_role in ('member', 'guest', 'agent', 'admin', 'system', 'api_key')`))
    .addColumn('actor_id', 'text')
    .addColumn('reason_code', 'text')
    .addColumn('note', 'text')
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('aftersales_transitions_seq', ['case_id', 'seq'])
    .execute();
  await makeAppendOnly(db, 'aftersales_transitions');

  await db.schema
    .createTable('aftersales_images')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('aftersales_cases.id'))
    .addColumn('member_id', 'text')
    .addColumn('storage_key', 'text', (c) => c.notNull().unique())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull().check(sql`size_bytes > 0`))
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('aftersales_images_case').on('aftersales_images').columns(['case_id', 'created_at_ms']).execute();

  await db.schema
    .createTable('aftersales_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('aftersales_cases.id'))
    .addColumn('member_id', 'text')
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('aftersales_notes_case').on('aftersales_notes').columns(['case_id', 'created_at_ms']).execute();

  await db.schema
    .createTable('aftersales_shipment_serials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('order_line_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at_ms', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('aftersales_shipment_serials_once', ['order_line_id', 'serial'])
    .execute();
  await db.schema.createIndex('aftersales_shipment_serials_serial').on('aftersales_shipment_serials').column('serial').execute();
}
