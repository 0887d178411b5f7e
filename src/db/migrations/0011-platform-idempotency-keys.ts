import { sql, type Kysely } from 'kysely';

// HTTP idempotency (PL-4) as platform code: one record per (caller, route, Idempotency-Key), whatever module serves
// the route. The first answer is kept to replay it; an in-progress record carries a lease (locked_until_ms) so a
// request that crashed does not hold its key for a day. Response bodies may hold personal data: member_id names the
// member where known, and records live one day (the prune job). It replaces the store's store_idempotency_keys;
// 0551 moves those rows (it must sort after 0500, which created them).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('caller', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('in_progress', 'done')`))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('locked_until_ms', 'bigint')
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('member_id', 'text')
    .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['caller', 'scope', 'key'])
    .execute();
  // The prune sweep by age; privacy export and erasure by member.
  await db.schema.createIndex('idempotency_keys_created_idx').on('idempotency_keys').columns(['created_at_ms']).execute();
  await db.schema.createIndex('idempotency_keys_member_idx').on('idempotency_keys').columns(['member_id']).execute();
}
