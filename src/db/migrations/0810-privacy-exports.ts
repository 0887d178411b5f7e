import { sql, type Kysely } from 'kysely';

// Access and portability exports (PV-15..PV-17): one row per ZIP built for a subject. The ZIP itself lives in the file
// store under `storage_key` until `expires_at_ms` (at most 7 days after it is ready), when the expiry job deletes the
// file and marks the row expired. A member's own request is idempotent per day through `dedupe_key`
// (`self:<member>:<YYYY-MM-DD>`). A download by code (someone who cannot sign in) keeps only the HMAC of the 6-digit
// code, its expiry (10 minutes) and the tries made (3 at most). Times in epoch ms.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('privacy_exports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('queued', 'ready', 'failed', 'expired')`))
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('storage_key', 'text')
    .addColumn('size_bytes', 'bigint')
    .addColumn('sha256', 'text')
    .addColumn('file_count', 'integer')
    .addColumn('failure_code', 'text')
    .addColumn('download_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_downloaded_at_ms', 'bigint')
    .addColumn('code_hash', 'text')
    .addColumn('code_expires_at_ms', 'bigint')
    .addColumn('code_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('ready_at_ms', 'bigint')
    .addColumn('expires_at_ms', 'bigint')
    .execute();
  await db.schema.createIndex('privacy_exports_member').on('privacy_exports').columns(['member_id', 'created_at_ms']).execute();
  await db.schema.createIndex('privacy_exports_expiry').on('privacy_exports').column('expires_at_ms').where(sql<boolean>`state = 'ready'`).execute();
}
