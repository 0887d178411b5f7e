import type { Kysely } from 'kysely';

// Replacements (AS-11, AS-7; issue 9): an exchange or a warranty replacement ships as a zero-price store order, and a
// redemption's damage report as a zero-credit redemption of the same reward. Each names what it replaces and the
// after-sales case that asked for it; the case reference is unique, so one case never ships two replacements (a
// retried resolution finds the first one). Both columns are null on ordinary orders and redemptions.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('store_orders').addColumn('replacement_for_order_id', 'text').execute();
  await db.schema.alterTable('store_orders').addColumn('replacement_case_id', 'text').execute();
  await db.schema.createIndex('store_orders_replacement_case_uq').on('store_orders').columns(['replacement_case_id']).unique().execute();
  await db.schema.alterTable('store_redemptions').addColumn('replacement_for_redemption_id', 'text').execute();
  await db.schema.alterTable('store_redemptions').addColumn('replacement_case_id', 'text').execute();
  await db.schema.createIndex('store_redemptions_replacement_case_uq').on('store_redemptions').columns(['replacement_case_id']).unique().execute();
}
