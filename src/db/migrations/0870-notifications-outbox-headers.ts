import type { Kysely } from 'kysely';

// Extra mail headers per outbox message (PV-27): promotional email carries List-Unsubscribe and
// List-Unsubscribe-Post; transactional email leaves the column null.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox_messages').addColumn('headers', 'text').execute();
}
