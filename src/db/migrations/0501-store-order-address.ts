import type { Kysely } from 'kysely';

// Where a store order ships (ST-2, ST-9): a snapshot of the shipping address taken when the order is placed, so a
// later change to the member's saved address never rewrites an order. Null on orders placed before addresses were
// taken, on storefront orders that arrived without one, and on members' orders placed through the API without one.
// SQLite adds one column per statement.
const columns = ['ship_to_name', 'ship_to_line1', 'ship_to_line2', 'ship_to_city', 'ship_to_region', 'ship_to_postal_code', 'ship_to_country'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  for (const column of columns) {
    await db.schema.alterTable('store_orders').addColumn(column, 'text').execute();
  }
}
