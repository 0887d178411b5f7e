import { sql, type Kysely } from 'kysely';

// Plus benefits on store orders (issue 8; CR-5, MB-8, MB-10):
// - `plus_plan` and `plus_period_id`: the member's Plus plan and membership period at the moment the gateway
//   confirmed the payment (ST-4), null when not Plus then (and on every order from before this migration, when the
//   store asked no membership). After-sales reads purchase-time status from the order (AS-5, AS-6).
// - `delivery`: `standard`, or `next_day` when a Plus next-day delivery voucher was used (the shipping fee waived);
//   `deliver_by_date` is then the promised delivery date (the business day after the ship-by date), else null.
// SQLite adds one column per statement; a NOT NULL column added to existing rows needs a default.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('store_orders').addColumn('plus_plan', 'text', (c) => c.check(sql`plus_plan in ('monthly', 'annual')`)).execute();
  await db.schema.alterTable('store_orders').addColumn('plus_period_id', 'text').execute();
  await db.schema
    .alterTable('store_orders')
    .addColumn('delivery', 'text', (c) => c.notNull().defaultTo('standard').check(sql`delivery in ('standard', 'next_day')`))
    .execute();
  await db.schema.alterTable('store_orders').addColumn('deliver_by_date', 'text').execute();
}
