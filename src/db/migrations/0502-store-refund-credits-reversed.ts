import type { Kysely } from 'kysely';

// The earned credits a refund reversed (CR-15..CR-17), per refund and per refunded line, next to the credits it
// restored (CR-18): the ledger's answer recorded when the refund completes, so the refund itself reports it.
// Refunds completed before this migration read 0.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('store_refunds').addColumn('credits_reversed', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('store_refund_lines').addColumn('credits_reversed', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}
