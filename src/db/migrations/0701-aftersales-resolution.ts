import type { Kysely } from 'kysely';

// What a case was resolved with (AS-11), recorded on the case by the resolution flow's last transaction so the case
// answers for itself: the store refund (its money and the credits it reversed, CR-16) or the replacement order or
// redemption it created, the credits a redemption damage report restored, and the customer-worded detail.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('aftersales_cases')
    .addColumn('resolution_refund_id', 'text')
    .execute();
  for (const [column, type] of [
    ['resolution_order_id', 'text'],
    ['resolution_amount_minor', 'bigint'],
    ['resolution_credits_reversed', 'bigint'],
    ['resolution_credits_restored', 'bigint'],
    ['resolution_detail', 'text'],
  ] as const) {
    await db.schema.alterTable('aftersales_cases').addColumn(column, type).execute();
  }
}
