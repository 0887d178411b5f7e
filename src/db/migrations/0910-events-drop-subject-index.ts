import { sql, type Kysely } from 'kysely';

// Issue 12 (fewer index entries per operation): no query reads domain_events by subject (the outgoing webhooks order a
// subject's deliveries in their own table, webhook_deliveries), so the index only cost every event one more entry —
// for the ledger, one per earn, spend and sweep batch, on both databases.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists domain_events_subject`.execute(db);
}
