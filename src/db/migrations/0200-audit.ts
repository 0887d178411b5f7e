import { sql, type Kysely } from 'kysely';
import { makeAppendOnly } from '../schema-helpers.ts';

// The hash-chained, append-only audit log (PV-33) and the single row that holds the end of the chain.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull().unique())
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_role', 'text', (c) => c.notNull().check(sql`actor_role in ('member', 'agent', 'admin', 'system', 'api_key')`))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text')
    .addColumn('subject', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_entries_member_seq').on('audit_entries').columns(['member_id', 'seq']).execute();
  await makeAppendOnly(db, 'audit_entries');

  await db.schema
    .createTable('audit_chain_head')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .addColumn('last_hash', 'text', (c) => c.notNull())
    .execute();
  // The chain starts from 64 zeros; src/modules/audit/audit.rules.ts names the same value genesisHash.
  await db.insertInto('audit_chain_head').values({ id: 'head', last_seq: 0, last_hash: '0'.repeat(64) }).execute();
}
