import type { Kysely } from 'kysely';
import { makeAppendOnly } from '../schema-helpers.ts';

// Consent records (PV-22): append-only, one row per choice, and the versioned notices they were given under.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('privacy_consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text')
    .addColumn('device_id', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('notice_version', 'integer', (c) => c.notNull())
    .addColumn('choice', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('region', 'text')
    .addColumn('recorded_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('source', 'text')
    .execute();
  for (const key of ['member_id', 'device_id', 'email', 'phone']) {
    await db.schema.createIndex(`privacy_consents_${key}`).on('privacy_consents').columns([key, 'recorded_at_ms']).execute();
  }
  await makeAppendOnly(db, 'privacy_consents');

  await db.schema
    .createTable('privacy_consent_notices')
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('published_at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('privacy_consent_notices_pk', ['purpose', 'version'])
    .execute();
}
