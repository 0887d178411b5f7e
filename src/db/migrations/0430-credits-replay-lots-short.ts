import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Issue 12, PF-7 (PostgreSQL): the point-in-time read answers each lot as [id, original, unlock_at_ms, expires_at_ms]
// and each sum as [lot_id, hold_id, account, total], instead of JSON objects naming every column. A past balance takes
// a lot's amounts from the postings and its time events from its two moments (balance.service.ts replayBalance);
// nothing else of the lot is in a balance, and the whole row written as an object was most of the answer: 12.4 KB
// for a member with twenty lots against 2.7 KB now, and the call 0.53–0.93 ms against 0.48–0.60 ms, alternating
// (docs/PERFORMANCE.md, "Session 33"). The statement is 0420's otherwise, both plans. SQLite's one-statement read
// (snapshot.repository.ts) answers the same tuples.
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`
    create or replace function credits_replay_from_snapshot(p_member text, p_at bigint) returns json language plpgsql stable as $$
    declare
      r json;
    begin
      -- Two plans: the plain one (every version after the snapshot) whenever no later period can be skipped (no later
      -- snapshot, or the moment falls in the next period: recent moments, the common read); it costs about half of
      -- the ranges plan on PostgreSQL. The ranges plan only when some later snapshot's period begins after p_at.
      if not exists (select 1 from credit_balance_snapshots k where k.member_id = p_member and k.period_min_at_ms > p_at
          and k.version > coalesce((select max(version) from credit_balance_snapshots where member_id = p_member and max_at_ms <= p_at), 0)) then
        with s as (
          select version, at_ms, lifetime_after, sums::json as sums from credit_balance_snapshots
          where member_id = p_member and max_at_ms <= p_at order by version desc limit 1),
        d as (
          select lot_id, hold_id, account, sum(amount) as total from credit_postings
          where member_id = p_member and version > coalesce((select version from s), 0) and at_ms <= p_at
            and account in ('pending', 'available', 'held', 'debt')
          group by lot_id, hold_id, account),
        ids as (
          select e->>0 as lot_id, e->>1 as hold_id from s, json_array_elements(s.sums) e
          union all select lot_id, hold_id from d)
        select json_build_object(
          'snapshot', (select sums from s),
          'sums', (select coalesce(json_agg(json_build_array(d.lot_id, d.hold_id, d.account, d.total)), '[]') from d),
          'last', coalesce(
            (select json_build_object('version', version, 'at_ms', at_ms, 'lifetime_after', lifetime_after) from credit_transactions
              where member_id = p_member and version > coalesce((select version from s), 0) and at_ms <= p_at order by version desc limit 1),
            (select json_build_object('version', version, 'at_ms', at_ms, 'lifetime_after', lifetime_after) from s)),
          'lots', (select coalesce(json_agg(json_build_array(l.id, l.original, l.unlock_at_ms, l.expires_at_ms)), '[]') from credit_lots l where l.member_id = p_member and l.id in (select lot_id from ids)),
          'holds', (select coalesce(json_agg(h), '[]') from credit_holds h where h.member_id = p_member and h.id in (select hold_id from ids)),
          'policy_version', (select max(version) from credit_policies where published_at_ms <= p_at))
        into r;
        return r;
      end if;
      with s as (
        select version, at_ms, lifetime_after, sums::json as sums from credit_balance_snapshots
        where member_id = p_member and max_at_ms <= p_at order by version desc limit 1),
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
      ids as (
        select e->>0 as lot_id, e->>1 as hold_id from s, json_array_elements(s.sums) e
        union all select lot_id, hold_id from d)
      select json_build_object(
        'snapshot', (select sums from s),
        'sums', (select coalesce(json_agg(json_build_array(d.lot_id, d.hold_id, d.account, d.total)), '[]') from d),
        'last', coalesce(
          (select json_build_object('version', t.version, 'at_ms', t.at_ms, 'lifetime_after', t.lifetime_after) from ranges r
            join credit_transactions t on t.member_id = p_member and t.version > r.lo and t.version <= r.hi
            where t.at_ms <= p_at order by t.version desc limit 1),
          (select json_build_object('version', version, 'at_ms', at_ms, 'lifetime_after', lifetime_after) from s)),
        'lots', (select coalesce(json_agg(json_build_array(l.id, l.original, l.unlock_at_ms, l.expires_at_ms)), '[]') from credit_lots l where l.member_id = p_member and l.id in (select lot_id from ids)),
        'holds', (select coalesce(json_agg(h), '[]') from credit_holds h where h.member_id = p_member and h.id in (select hold_id from ids)),
        'policy_version', (select max(version) from credit_policies where published_at_ms <= p_at))
      into r;
      return r;
    end $$`.execute(db);
}
