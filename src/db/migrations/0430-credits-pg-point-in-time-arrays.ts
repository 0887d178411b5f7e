import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Issue 12, PF-7 (PostgreSQL): the point-in-time read answers arrays, not objects. credits_replay_from_snapshot
// (migrations 0405, 0420) built every lot, hold and sum as a JSON object, so each call escaped and sent each column's
// name once per row (18 per lot) and the service parsed them again; the lots' columns were a third of its answer's
// bytes and `escape_json` the server's largest single function under load (perf, 16 connections). This function is
// the same two plans (the plain one whenever no later period can be skipped, else the version ranges) with the same
// rows, answering one array: [snapshot sums, sums, last, lots, holds, policy version], each lot and hold an array in
// the column order of `pointInTimeLotColumns` / `pointInTimeHoldColumns` (snapshot.repository.ts), without the member
// ID the caller already has. Measured (pgbench, one connection, 100,000 members, alternating): 0.51–0.56 ms a call
// → 0.44–0.50 ms, the round trip (0.14 ms for `select 1` on that machine) included.
//
// credits_replay_from_snapshot stays: an instance still running the code before this migration calls it until it is
// replaced (a rolling upgrade), and it is the reference this function's test compares with.
// The parts both plans share: the newest usable snapshot, and the answer built from it, the sums after it (`d`) and
// the newest transaction the plan read (`last`, a json_build_array of version, at_ms, lifetime_after).
const newestSnapshot = `select version, at_ms, lifetime_after, sums::json as sums from credit_balance_snapshots
  where member_id = p_member and max_at_ms <= p_at order by version desc limit 1`;
const answer = (last: string) => `ids as (
    select e->>0 as lot_id, e->>1 as hold_id from s, json_array_elements(s.sums) e
    union all select lot_id, hold_id from d)
  select json_build_array(
    (select sums from s),
    (select coalesce(json_agg(json_build_array(lot_id, hold_id, account, total)), '[]') from d),
    coalesce(${last}, (select json_build_array(version, at_ms, lifetime_after) from s)),
    (select coalesce(json_agg(json_build_array(l.id, l.source, l.state, l.original, l.remaining, l.held, l.reversed,
      l.qualifying_minor, l.refunded_qualifying_minor, l.unlock_at_ms, l.expires_at_ms, l.order_id, l.order_line_id, l.transaction_id,
      l.policy_version, l.warned_at_ms, l.created_at_ms)), '[]') from credit_lots l where l.member_id = p_member and l.id in (select lot_id from ids)),
    (select coalesce(json_agg(json_build_array(h.id, h.state, h.credits, h.captured, h.order_id, h.expires_at_ms, h.created_at_ms, h.resolved_at_ms)), '[]')
      from credit_holds h where h.member_id = p_member and h.id in (select hold_id from ids)),
    (select max(version) from credit_policies where published_at_ms <= p_at))`;

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql
    .raw(`
    create or replace function credits_point_in_time(p_member text, p_at bigint) returns json language plpgsql stable as $$
    declare
      r json;
    begin
      if not exists (select 1 from credit_balance_snapshots k where k.member_id = p_member and k.period_min_at_ms > p_at
          and k.version > coalesce((select max(version) from credit_balance_snapshots where member_id = p_member and max_at_ms <= p_at), 0)) then
        with s as (
          ${newestSnapshot}),
        d as (
          select lot_id, hold_id, account, sum(amount) as total from credit_postings
          where member_id = p_member and version > coalesce((select version from s), 0) and at_ms <= p_at
            and account in ('pending', 'available', 'held', 'debt')
          group by lot_id, hold_id, account),
        ${answer(`(select json_build_array(version, at_ms, lifetime_after) from credit_transactions
          where member_id = p_member and version > coalesce((select version from s), 0) and at_ms <= p_at order by version desc limit 1)`)}
        into r;
        return r;
      end if;
      with s as (
        ${newestSnapshot}),
      v0 as (select coalesce((select version from s), 0) as v),
      skip as (
        select greatest(base_version, (select v from v0)) as lo, version as hi from credit_balance_snapshots
        where member_id = p_member and version > (select v from v0) and period_min_at_ms > p_at),
      sorted as (select lo, hi, max(hi) over (order by lo rows between unbounded preceding and 1 preceding) as before_hi from skip),
      ranges as (
        select coalesce(before_hi, (select v from v0)) as lo, lo as hi from sorted where lo > coalesce(before_hi, (select v from v0))
        union all select coalesce((select max(hi) from skip), (select v from v0)), 2147483647),
      d as (
        select p.lot_id, p.hold_id, p.account, sum(p.amount) as total from (
          select l.lot_id, l.hold_id, l.account, l.amount from ranges r
          join credit_postings_legacy l on l.member_id = p_member and l.version > r.lo and l.version <= r.hi where l.at_ms <= p_at
          union all
          select j.e->>1, j.e->>2, j.e->>0, (j.e->>3)::integer from ranges r
          join credit_transactions t on t.member_id = p_member and t.version > r.lo and t.version <= r.hi
          cross join lateral jsonb_array_elements(t.postings) j(e) where t.at_ms <= p_at) p
        where p.account in ('pending', 'available', 'held', 'debt')
        group by p.lot_id, p.hold_id, p.account),
      ${answer(`(select json_build_array(t.version, t.at_ms, t.lifetime_after) from ranges r
        join credit_transactions t on t.member_id = p_member and t.version > r.lo and t.version <= r.hi
        where t.at_ms <= p_at order by t.version desc limit 1)`)}
      into r;
      return r;
    end $$`)
    .execute(db);
}
