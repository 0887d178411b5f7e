import type { Kysely } from 'kysely';

// The accounts module's tables (AC-1..AC-11): members and their credentials, sessions, single-use email tokens,
// sign-in throttles, 2-step verification, OpenID Connect sign-in, API keys and postal addresses.
// Every member-scoped table leads with member_id (PL-7); secrets are stored only as SHA-256 or argon2id hashes.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('members')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('email_verified_at_ms', 'bigint')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('country', 'text')
    .addColumn('date_of_birth', 'text')
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('preferred_name', 'text')
    .addColumn('phone', 'text')
    .addColumn('language', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('members_last_name_idx').on('members').columns(['last_name']).execute();
  await db.schema.createIndex('members_first_name_idx').on('members').columns(['first_name']).execute();

  await db.schema
    .createTable('member_credentials')
    .addColumn('member_id', 'text', (c) => c.primaryKey().references('members.id'))
    .addColumn('password_hash', 'text')
    .addColumn('password_changed_at_ms', 'bigint')
    .addColumn('totp_secret', 'text')
    .addColumn('totp_pending_secret', 'text')
    .addColumn('totp_enabled_at_ms', 'bigint')
    .addColumn('totp_last_time_step', 'bigint')
    .execute();

  await db.schema
    .createTable('member_recovery_codes')
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('used_at_ms', 'bigint')
    .addPrimaryKeyConstraint('member_recovery_codes_pk', ['member_id', 'code_hash'])
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('idle_timeout_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_member_idx').on('sessions').columns(['member_id', 'created_at_ms']).execute();
  await db.schema.createIndex('sessions_expires_idx').on('sessions').columns(['expires_at_ms']).execute();

  await db.schema
    .createTable('account_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('used_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('account_tokens_member_idx').on('account_tokens').columns(['member_id', 'purpose']).execute();
  await db.schema.createIndex('account_tokens_expires_idx').on('account_tokens').columns(['expires_at_ms']).execute();

  await db.schema
    .createTable('sign_in_throttles')
    .addColumn('scope_key', 'text', (c) => c.primaryKey())
    .addColumn('failure_count', 'integer', (c) => c.notNull())
    .addColumn('window_started_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('locked_until_ms', 'bigint')
    .execute();
  await db.schema.createIndex('sign_in_throttles_window_idx').on('sign_in_throttles').columns(['window_started_at_ms']).execute();

  await db.schema
    .createTable('two_factor_challenges')
    .addColumn('challenge_hash', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('failed_attempts', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('two_factor_challenges_member_idx').on('two_factor_challenges').columns(['member_id']).execute();
  await db.schema.createIndex('two_factor_challenges_expires_idx').on('two_factor_challenges').columns(['expires_at_ms']).execute();

  await db.schema
    .createTable('oidc_flows')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oidc_flows_expires_idx').on('oidc_flows').columns(['expires_at_ms']).execute();

  await db.schema
    .createTable('oidc_links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('oidc_links_provider_subject_uq', ['provider_id', 'subject'])
    .execute();
  await db.schema.createIndex('oidc_links_member_idx').on('oidc_links').columns(['member_id']).execute();

  await db.schema
    .createTable('oidc_pending_sign_ups')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_verified', 'integer', (c) => c.notNull())
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('expires_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oidc_pending_sign_ups_expires_idx').on('oidc_pending_sign_ups').columns(['expires_at_ms']).execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_by_member_id', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at_ms', 'bigint')
    .addColumn('revoked_at_ms', 'bigint')
    .execute();

  await db.schema
    .createTable('member_addresses')
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
    .addColumn('address_number', 'integer', (c) => c.notNull())
    .addColumn('line1', 'text', (c) => c.notNull())
    .addColumn('line2', 'text')
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('region', 'text')
    .addColumn('postal_code', 'text')
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_addresses_pk', ['member_id', 'address_number'])
    .execute();
}
