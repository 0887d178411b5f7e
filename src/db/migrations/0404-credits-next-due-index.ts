import { sql, type Kysely } from 'kysely';

// PF-8: the sweep finds its members through the per-account next-due time (every write keeps credit_accounts.
// next_due_at_ms at or below the member's next unlock, expiry or hold timeout), so one short range of one index
// names the members with anything due, each once, in the order their work fell due. Partial: accounts with nothing
// live (null) are not in it; the member ID in the key orders ties and answers the query from the index alone.
// Expiry warnings are not time events: the sweep still finds them through credit_lots_warning_due.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('credit_accounts_next_due')
    .on('credit_accounts')
    .columns(['next_due_at_ms', 'member_id'])
    .where(sql<boolean>`next_due_at_ms is not null`)
    .execute();
}
