import { sql, type Kysely } from 'kysely';

// Account closure and rectification in the accounts module (AC-10, CR-1, PV-21, PV-30).
// - members.closed_at_ms: when the account was closed. It is the start of the retention period of the member's
//   data (PV-30: the trigger "account closure"); the retention job reads it. Null while the account is open.
// - member_closed_emails: the address a closed account had. Closing frees the address on the members row (the
//   unique email column then holds a placeholder), so the person may join again; the address itself stays here,
//   storage-only, for the retention period.
// - closed_email_digests: a keyed hash (HMAC-SHA-256 under a key derived from the server secret) of each closed
//   address, with no member ID, so a later sign-up with the same address gets no second sign-up bonus (CR-1) even
//   after the closed account's data has been erased.
// - member_profile_history: the value a profile or address field had before each change, with who changed it,
//   when and why (PV-21 rectification keeps history).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('members').addColumn('closed_at_ms', 'bigint').execute();

  await db.schema
    .createTable('member_closed_emails')
    .addColumn('member_id', 'text', (c) => c.primaryKey().references('members.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('closed_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('member_closed_emails_email_idx').on('member_closed_emails').column('email').execute();

  await db.schema
    .createTable('closed_email_digests')
    .addColumn('email_digest', 'text', (c) => c.primaryKey())
    .addColumn('first_closed_at_ms', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('member_profile_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
    // Null for a profile field; the address's number for a saved address's field.
    .addColumn('address_number', 'integer')
    // The field's name (first_name, phone, line1…): a closed set fixed in code.
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('previous_value', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('actor_role', 'text', (c) => c.notNull())
    .addColumn('reason_code', 'text', (c) => c.notNull().check(sql`reason_code in ('member_update', 'rectification')`))
    // The rights request (PV-21) an agent's rectification answers, when there is one.
    .addColumn('request_id', 'text')
    .addColumn('changed_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('member_profile_history_member_idx').on('member_profile_history').columns(['member_id', 'changed_at_ms']).execute();
}
