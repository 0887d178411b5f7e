import { sql, type Kysely } from 'kysely';

// One refund resolves at most one case (AS-11): two cases on the same storefront line must not both link the
// storefront's one refund of it. The resolution looks for an unlinked refund first; this index settles a race.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('aftersales_cases_resolution_refund')
    .on('aftersales_cases')
    .column('resolution_refund_id')
    .unique()
    .where(sql.ref('resolution_refund_id'), 'is not', null)
    .execute();
}
