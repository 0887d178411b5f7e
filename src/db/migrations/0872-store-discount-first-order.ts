import type { Kysely } from 'kysely';

// A discount code may be limited to a buyer's first order (ST-10: the newsletter's welcome code).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('store_discount_codes').addColumn('first_order_only', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
