import { sql, type Kysely } from 'kysely';

// After-sales intake (AS-1): the single-use links that confirm a guest's email address before their case is reviewed
// (only the SHA-256 of the token is kept, like the account links), and the ALTCHA proof-of-work solutions already
// used, so one solved captcha opens one case (kept until the challenge expires, then pruned). Times in epoch ms.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('aftersales_case_confirmations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('aftersales_cases.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('used_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('aftersales_case_confirmations_case').on('aftersales_case_confirmations').column('case_id').execute();

  await db.schema
    .createTable('aftersales_captcha_uses')
    // The SHA-256 of the solved challenge's signature: one use per challenge.
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('aftersales_captcha_uses_expiry').on('aftersales_captcha_uses').column('expires_at_ms').execute();

  // Members' case lists and the per-address submission bound read cases by requester.
  await db.schema.createIndex('aftersales_cases_guest_email').on('aftersales_cases').columns(['guest_email', 'created_at_ms']).where(sql<boolean>`guest_email is not null`).execute();
}
