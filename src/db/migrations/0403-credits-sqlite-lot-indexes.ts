import { PostgresAdapter, type Kysely } from 'kysely';

// SQLite only: credit_lots is clustered on (member_id, id) (WITHOUT ROWID), so a member's lots already sit together
// and every per-member read (the book, the balance lists, an order line's lot) is a short primary-key range scan.
// The partial index credit_lots_member_live duplicated that range and cost ≈ 1.7 dirtied pages per written lot
// (PERFORMANCE.md: the commit cost is the number of pages written). PostgreSQL keeps it: its tables are heaps, and
// credits_spend walks a member's live lots in FIFO order through it. The sweep's due-time indexes stay.
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  await db.schema.dropIndex('credit_lots_member_live').ifExists().execute();
}
