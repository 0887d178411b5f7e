import { PostgresAdapter, sql, type Kysely } from 'kysely';

// PF-7: per-member balance snapshots, so a point-in-time read sums at most one period of postings instead of the
// member's whole history. A snapshot is derived data, not a ledger row: it may be deleted or rebuilt at any time, and
// the postings stay the truth (the auditor checks a sample of snapshots against them).
//
// A snapshot is keyed by VERSION: (member, version V) holds the member-side posting sums by (lot, hold, bucket) over
// versions <= V, without zero sums, as one JSON text of [lot_id, hold_id, account, total] tuples (one row read per
// snapshot). Transaction times are not strictly increasing in version (an operation takes its time before it waits
// for the member's lock), so max_at_ms is the latest at_ms among versions <= V: a read at atMs may start from a
// snapshot only when max_at_ms <= atMs, and then adds the postings with version > V and at_ms <= atMs — exactly the
// postings the full replay sums.
//
// The reverse bound: base_version is the snapshot this one was built on (0: from nothing), and period_min_at_ms the
// earliest at_ms among versions in (base_version, version]. A read at atMs skips every such period whose minimum is
// after atMs (none of its postings count), so it reads the postings from its snapshot to the next one's period, plus
// the member's versions after the newest snapshot — about two periods at most, however long the history.
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const clustered = postgres ? sql`` : sql`without rowid`;
  await db.schema
    .createTable('credit_balance_snapshots')
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('max_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('lifetime_after', 'integer', (c) => c.notNull())
    .addColumn('base_version', 'integer', (c) => c.notNull())
    .addColumn('period_min_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('sums', 'text', (c) => c.notNull())
    // recorded_at_ms of transaction V: the snapshot job's watermark (see below).
    .addColumn('recorded_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('taken_at_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('credit_balance_snapshots_pk', ['member_id', 'version'])
    .modifyEnd(clustered)
    .execute();
  await db.schema.createIndex('credit_balance_snapshots_recorded').on('credit_balance_snapshots').column('recorded_at_ms').execute();

  // The snapshot job's work list (never a full scan, PF-8): every 200th transaction of a member (snapshotEvery in
  // snapshot.jobs.ts; change both together). A partial index: the other 199 of 200 inserts write no entry.
  await sql`create index credit_transactions_snapshot_due on credit_transactions (recorded_at_ms) where version % 200 = 0`.execute(db);

  if (!postgres) return;
  // One call (a check and one statement, plans cached per connection by PL/pgSQL) for a point-in-time read: the newest usable
  // snapshot; the version ranges after it that may hold postings up to p_at (all of them, less the periods of later
  // snapshots that start after p_at); the member-side posting sums and the latest transaction in those ranges; the
  // lots and holds the sums name; and the policy version in force at p_at. The snapshot's tuples and the later sums
  // are returned side by side: the caller adds them up.
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
          'sums', (select coalesce(json_agg(d), '[]') from d),
          'last', coalesce(
            (select json_build_object('version', version, 'at_ms', at_ms, 'lifetime_after', lifetime_after) from credit_transactions
              where member_id = p_member and version > coalesce((select version from s), 0) and at_ms <= p_at order by version desc limit 1),
            (select json_build_object('version', version, 'at_ms', at_ms, 'lifetime_after', lifetime_after) from s)),
          'lots', (select coalesce(json_agg(l), '[]') from credit_lots l where l.member_id = p_member and l.id in (select lot_id from ids)),
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
        select p.lot_id, p.hold_id, p.account, sum(p.amount) as total from ranges r
        join credit_postings p on p.member_id = p_member and p.version > r.lo and p.version <= r.hi
        where p.at_ms <= p_at and p.account in ('pending', 'available', 'held', 'debt')
        group by p.lot_id, p.hold_id, p.account),
      ids as (
        select e->>0 as lot_id, e->>1 as hold_id from s, json_array_elements(s.sums) e
        union all select lot_id, hold_id from d)
      select json_build_object(
        'snapshot', (select sums from s),
        'sums', (select coalesce(json_agg(d), '[]') from d),
        'last', coalesce(
          (select json_build_object('version', t.version, 'at_ms', t.at_ms, 'lifetime_after', t.lifetime_after) from ranges r
            join credit_transactions t on t.member_id = p_member and t.version > r.lo and t.version <= r.hi
            where t.at_ms <= p_at order by t.version desc limit 1),
          (select json_build_object('version', version, 'at_ms', at_ms, 'lifetime_after', lifetime_after) from s)),
        'lots', (select coalesce(json_agg(l), '[]') from credit_lots l where l.member_id = p_member and l.id in (select lot_id from ids)),
        'holds', (select coalesce(json_agg(h), '[]') from credit_holds h where h.member_id = p_member and h.id in (select hold_id from ids)),
        'policy_version', (select max(version) from credit_policies where published_at_ms <= p_at))
      into r;
      return r;
    end $$`.execute(db);
}
