import { PostgresAdapter, sql, type Kysely } from 'kysely';

// PF-7: the common balance read without the book. PostgreSQL: one call reads the account row and the current policy
// version and, only when no time event is due by `p_now` (the account's next_due_at_ms is a lower bound of every
// lot's and hold's next event), the two short lists the balance shows: pending lots, and available lots expiring
// within the policy's warning window, each as [time, credits] per lot (grouped by the caller). When something is due
// (or next_due_at_ms is unknown) it answers with the whole book instead (credits_book, migration 0401), from which the
// caller computes exactly (CR-9) without a second round trip.
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  // One statement (one plan, cached per connection): the pending list is skipped when the account has nothing
  // pending (a.pending is the sum of its pending lots), both lists (and the book read instead) when something may be due.
  await sql`
    create or replace function credits_balance(p_member text, p_now bigint) returns json language plpgsql stable as $$
    declare
      r json;
    begin
      select json_build_object('account', row_to_json(a), 'pv', p.version,
          'pending', case when a.next_due_at_ms > p_now then
            (select coalesce(json_agg(json_build_array(l.unlock_at_ms, l.remaining)), '[]') from credit_lots l
              where a.pending <> 0 and l.member_id = a.member_id and l.state = 'pending' and l.remaining > 0) end,
          'expiring', case when a.next_due_at_ms > p_now then
            (select coalesce(json_agg(json_build_array(l.expires_at_ms, l.remaining - l.held)), '[]') from credit_lots l
              where l.member_id = a.member_id and l.state = 'available' and l.expires_at_ms > p_now
                and l.expires_at_ms <= p_now + p.expiry_warning_ms and l.remaining > l.held) end,
          'book', case when a.next_due_at_ms > p_now then null else credits_book(a.member_id) end)
        into r
        from credit_accounts a
        cross join lateral (select version, expiry_warning_ms from credit_policies order by version desc limit 1) p
        where a.member_id = p_member;
      return r;
    end $$`.execute(db);
}
