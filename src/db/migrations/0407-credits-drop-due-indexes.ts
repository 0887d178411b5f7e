import type { Kysely } from 'kysely';

// Issue 12 (fewer index entries per operation): the sweep finds its members through credit_accounts_next_due
// (migration 0404), so the three partial indexes that the earlier finder read are no longer read by anything, yet
// every earning (a new pending lot), every unlock and expiry (a lot changing state) and every hold still wrote them,
// online and in the sweep alike. credit_lots_warning_due stays: expiry warnings are not time events and are still
// found through it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('credit_lots_unlock_due').ifExists().execute();
  await db.schema.dropIndex('credit_lots_expiry_due').ifExists().execute();
  await db.schema.dropIndex('credit_holds_expiry_due').ifExists().execute();
}
