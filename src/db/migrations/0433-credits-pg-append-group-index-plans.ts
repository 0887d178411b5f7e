import { PostgresAdapter, sql, type Kysely } from 'kysely';

// PostgreSQL only (issue 12, PF-3/PF-5): the append group's function plans its statements once per connection
// (plan_cache_mode, migrations 0423 and 0432), so a connection keeps the plan made at its first call. Made on nearly
// empty tables (a new installation, or the moments after a bulk import), that plan read credit_transactions by a
// sequential scan, and kept doing so as the table grew until an ANALYZE invalidated it: measured, 20,000 members
// seeded through the function and earns measured at once, 1.0k earns/s falling to 0.4k within 40 s, against 6.7k once
// analyzed. Every statement of the function reads by key, so its plans are told not to scan tables whole: the first
// plan is then the same at any size.
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`alter function credits_append_group_arrays(jsonb) set enable_seqscan = off`.execute(db);
}
