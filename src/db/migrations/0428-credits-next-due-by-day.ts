import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Issue 12, PF-8 (SQLite): the sweep's index of due accounts keyed by the day of the next due time, then the member,
// instead of by the millisecond. The sweep cuts the members it finds into batches in member order (session 26), and
// each event moves its account's entry: out of the day it fell due, into the day of the account's next event. Keyed
// by the millisecond, both ends of that move landed on a page of their own per member (the due times of a batch's
// members are unrelated): bench/sweep-wal-frames.ts counted 0.37 WAL pages an event for this index alone. Keyed by
// day, a batch's members due on one day sit side by side, and so do those whose next event falls on one later day:
// 0.11 pages an event, a day's sweep 12–28 % faster (docs/PERFORMANCE.md, "Session 30"). The due time itself is the
// third column, so the members of today not yet due are passed over from the index alone. SQLite matches an
// expression index only by the same expression: the reader (sweep.repository.ts, `nextDueDay`) spells it as here.
//
// PostgreSQL keeps 0404's index: a day's sweep there measured no different within the machine's noise, and its
// planner, taking the two bounds (the day, the moment) as independent, scanned the accounts at 100k members rather
// than read the day's index in order.
export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return;
  await sql`drop index credit_accounts_next_due`.execute(db);
  await sql`create index credit_accounts_next_due_day on credit_accounts ((next_due_at_ms / 86400000), member_id, next_due_at_ms) where next_due_at_ms is not null`.execute(db);
}
