import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Issue 12, point 2 (fewer rows and index entries per operation): a transaction's postings are stored in the
// transaction's own row, `credit_transactions.postings`, a JSON array of [account, lot_id, hold_id, amount] in
// posting order (the index is the posting's seq), instead of one row each in a second B-tree keyed by (member,
// version, seq). Decoded from the WAL, the postings B-tree was a quarter of the pages an earn wrote on SQLite (2.95 of
// 11–13, PERFORMANCE.md) and three of an earn's eight rows on PostgreSQL. LG-1 holds as before: the transaction row
// is append-only (the trigger of migration 0400), so its postings are too.
//
// Readers are unchanged: `credit_postings` is now a view with the same columns — the rows written before this
// migration (the table renamed `credit_postings_legacy`, never rewritten: a posting is never updated) followed by
// the postings of every transaction row. Both databases push a reader's `member_id = ?` (and version range) down
// into each arm, so a member's postings are still a range of a primary key. SQLite reads the text with jsonb_each,
// whose elements come out in SQLite's binary JSON, so the four `->>` per posting do not parse text again (measured:
// a member's 500 transactions summed in 625 µs against 780 µs with json_each).
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await sql`alter table credit_postings rename to credit_postings_legacy`.execute(db);
  await sql.raw(`alter table credit_transactions add column postings ${postgres ? 'jsonb' : 'text'}`).execute(db);
  const legacy = sql`select member_id, version, seq, transaction_id, account, lot_id, hold_id, amount, at_ms from credit_postings_legacy`;
  if (!postgres) {
    await sql`create view credit_postings (member_id, version, seq, transaction_id, account, lot_id, hold_id, amount, at_ms) as
      ${legacy}
      union all
      select t.member_id, t.version, j.key, t.id, j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, t.at_ms
      from credit_transactions t join jsonb_each(t.postings) j`.execute(db);
    return;
  }
  await sql`create view credit_postings (member_id, version, seq, transaction_id, account, lot_id, hold_id, amount, at_ms) as
    ${legacy}
    union all
    select t.member_id, t.version, (j.n - 1)::integer, t.id, j.p ->> 0, j.p ->> 1, j.p ->> 2, (j.p ->> 3)::integer, t.at_ms
    from credit_transactions t cross join lateral jsonb_array_elements(t.postings) with ordinality as j(p, n)`.execute(db);

  // The writers of migrations 0401 and 0406, with the postings in the transaction row. credits_append_many (0401)
  // had no caller left since the append groups (0406).
  await sql`drop function if exists credits_append_many(jsonb)`.execute(db);
  await sql`
    create or replace function credits_write(p jsonb) returns void language plpgsql as $$
    begin
      insert into credit_transactions select * from jsonb_populate_recordset(null::credit_transactions, p->'transactions');
      insert into credit_lots select * from jsonb_populate_recordset(null::credit_lots, p->'newLots');
      update credit_lots l set state = x.state, remaining = x.remaining, held = x.held, reversed = x.reversed,
          refunded_qualifying_minor = x.refunded_qualifying_minor, warned_at_ms = x.warned_at_ms
        from jsonb_populate_recordset(null::credit_lots, p->'changedLots') x where l.member_id = x.member_id and l.id = x.id;
      insert into credit_holds select * from jsonb_populate_recordset(null::credit_holds, p->'newHolds');
      update credit_holds h set state = x.state, captured = x.captured, resolved_at_ms = x.resolved_at_ms
        from jsonb_populate_recordset(null::credit_holds, p->'changedHolds') x where h.id = x.id;
      insert into credit_hold_lots select * from jsonb_populate_recordset(null::credit_hold_lots, p->'newHoldLots');
      update credit_hold_lots h set held = x.held, captured = x.captured
        from jsonb_populate_recordset(null::credit_hold_lots, p->'changedHoldLots') x where h.hold_id = x.hold_id and h.lot_id = x.lot_id;
      update credit_accounts a set state = x.state, version = x.version, available = x.available, pending = x.pending, held = x.held,
          debt = x.debt, lifetime_earned = x.lifetime_earned, next_due_at_ms = x.next_due_at_ms, updated_at_ms = x.updated_at_ms
        from jsonb_populate_recordset(null::credit_accounts, p->'accounts') x where a.member_id = x.member_id;
    end $$`.execute(db);

  await sql`
    create or replace function credits_append(p jsonb) returns json language plpgsql as $$
    declare
      m text := p->>'memberId';
      now_ms bigint := (p->>'nowMs')::bigint;
      acc credit_accounts;
      idem record;
      v integer;
    begin
      select * into acc from credit_accounts where member_id = m for update;
      if acc.member_id is null then
        insert into credit_accounts (member_id, state, version, available, pending, held, debt, lifetime_earned, next_due_at_ms, created_at_ms, updated_at_ms)
          values (m, 'open', 0, 0, 0, 0, 0, 0, null, now_ms, 0) on conflict (member_id) do nothing;
        select * into acc from credit_accounts where member_id = m for update;
      end if;
      select request_hash, result into idem from credit_transactions where member_id = m and idem_scope = p->>'idemScope' and idem_key = p->>'idemKey';
      if found then return json_build_object('status', 'replay', 'requestHash', idem.request_hash, 'result', idem.result); end if;
      if acc.state <> 'open' or acc.next_due_at_ms <= now_ms or (p->>'policyVersion')::integer <> (select max(version) from credit_policies)
         or ((p->>'requireNoDebt')::boolean and acc.debt > 0) then
        return json_build_object('status', 'fallback');
      end if;
      v := acc.version + 1;
      update credit_accounts set version = v,
          available = available + (p->>'availableDelta')::integer,
          pending = pending + (p->>'pendingDelta')::integer,
          lifetime_earned = lifetime_earned + (p->>'lifetimeDelta')::integer,
          next_due_at_ms = least(next_due_at_ms, (p->>'nextDueAtMs')::bigint),
          updated_at_ms = greatest(updated_at_ms, now_ms)
        where member_id = m returning * into acc;
      insert into credit_transactions
        select x.member_id, v, x.id, x.kind, x.reason, x.idem_scope, x.idem_key, x.request_hash, x.policy_version, x.at_ms, x.recorded_at_ms, x.credits,
          acc.available, acc.pending, acc.held, acc.debt, acc.lifetime_earned, x.order_id, x.order_line_id, x.case_id, x.hold_id, x.lot_id,
          x.reason_code, x.note, x.actor_id, x.actor_role, x.result, x.postings
        from jsonb_populate_record(null::credit_transactions, p->'transaction') x;
      insert into credit_lots select * from jsonb_populate_recordset(null::credit_lots, p->'lots');
      return json_build_object('status', 'applied', 'version', v);
    end $$`.execute(db);

  await sql`
    create or replace function credits_spend(p jsonb) returns json language plpgsql as $$
    declare
      m text := p->>'memberId';
      now_ms bigint := (p->>'nowMs')::bigint;
      n_credits integer := (p->>'credits')::integer;
      tx_id text := p->>'transactionId';
      acc credit_accounts;
      idem record;
      lot record;
      v integer;
      left_over integer;
      take integer;
      postings jsonb := '[]';
      taken json[] := '{}';
      result_text text;
    begin
      select * into acc from credit_accounts where member_id = m for update;
      if acc.member_id is null then return json_build_object('status', 'fallback'); end if;
      select request_hash, t.result into idem from credit_transactions t where member_id = m and idem_scope = p->>'idemScope' and idem_key = p->>'idemKey';
      if found then return json_build_object('status', 'replay', 'requestHash', idem.request_hash, 'result', idem.result); end if;
      if acc.state <> 'open' or acc.next_due_at_ms <= now_ms or (p->>'policyVersion')::integer <> (select max(version) from credit_policies) then
        return json_build_object('status', 'fallback');
      end if;
      if acc.available < n_credits then return json_build_object('status', 'insufficient', 'available', acc.available); end if;
      v := acc.version + 1;
      left_over := n_credits;
      for lot in select id, remaining, held from credit_lots
          where member_id = m and state = 'available' and expires_at_ms > now_ms and remaining > held
          order by expires_at_ms, created_at_ms, id loop
        take := least(left_over, lot.remaining - lot.held);
        update credit_lots set remaining = remaining - take, state = case when remaining - take = 0 then 'depleted' else state end
          where member_id = m and id = lot.id;
        postings := postings || jsonb_build_array(jsonb_build_array('available', lot.id, null, -take), jsonb_build_array('program:spent', lot.id, null, take));
        taken := taken || json_build_object('lotId', lot.id, 'credits', take);
        left_over := left_over - take;
        exit when left_over = 0;
      end loop;
      if left_over <> 0 then raise exception 'credits_spend: lots of % hold less than the account says', m; end if;
      update credit_accounts set version = v, available = available - n_credits, updated_at_ms = greatest(updated_at_ms, now_ms)
        where member_id = m returning * into acc;
      result_text := json_build_object('transactionId', tx_id, 'memberId', m, 'credits', n_credits, 'orderId', p->>'orderId', 'lots', array_to_json(taken))::text;
      insert into credit_transactions (member_id, version, id, kind, reason, idem_scope, idem_key, request_hash, policy_version, at_ms, recorded_at_ms, credits,
          available_after, pending_after, held_after, debt_after, lifetime_after, order_id, result, postings)
        values (m, v, tx_id, 'spend', p->>'reason', p->>'idemScope', p->>'idemKey', p->>'requestHash', (p->>'policyVersion')::integer, now_ms, now_ms, -n_credits,
          acc.available, acc.pending, acc.held, acc.debt, acc.lifetime_earned, p->>'orderId', result_text, postings);
      return json_build_object('status', 'applied', 'result', result_text);
    end $$`.execute(db);

  await sql`
    create or replace function credits_append_group(p jsonb) returns jsonb language plpgsql as $$
    declare
      pv integer := (select max(version) from credit_policies);
      -- Array variables: the planner sizes unnest() of a parameter by its value (migration 0406).
      ops jsonb[] := array(select value from jsonb_array_elements(p));
      members text[] := array(select distinct value->>'memberId' from jsonb_array_elements(p));
      answers jsonb;
    begin
      insert into credit_accounts (member_id, state, version, available, pending, held, debt, lifetime_earned, next_due_at_ms, created_at_ms, updated_at_ms)
        select o.i->>'memberId', 'open', 0, 0, 0, 0, 0, 0, null, min((o.i->>'nowMs')::bigint), 0
        from unnest(ops) as o(i)
        where not exists (select 1 from credit_accounts a where a.member_id = o.i->>'memberId')
        group by o.i->>'memberId' order by 1
        on conflict (member_id) do nothing;
      perform 1 from credit_accounts where member_id = any(members) order by member_id for update;

      with items as materialized (
        select x.i, x.n, x.i->>'memberId' as m, x.i->>'idemScope' as sc, x.i->>'idemKey' as k, (x.i->>'nowMs')::bigint as now_ms
        from unnest(ops) with ordinality as x(i, n)
      ), classified as (
        select it.*, a.version as acc_version, a.available, a.pending, a.held, a.debt, a.lifetime_earned,
          t.request_hash as idem_hash, t.result as idem_result,
          case
            when t.request_hash is not null then 'replay'
            when row_number() over (partition by it.m, it.sc, it.k order by it.n) > 1 then 'retry'
            when a.state <> 'open' or a.next_due_at_ms <= it.now_ms or (it.i->>'policyVersion')::integer <> pv
              or ((it.i->>'requireNoDebt')::boolean and a.debt > 0) then 'fallback'
            else 'applied'
          end as st
        from items it
        join credit_accounts a on a.member_id = it.m
        left join credit_transactions t on t.member_id = it.m and t.idem_scope = it.sc and t.idem_key = it.k
      ), applied as (
        select c.*, c.acc_version + row_number() over w as v,
          c.available + sum((c.i->>'availableDelta')::integer) over w as available_after,
          c.pending + sum((c.i->>'pendingDelta')::integer) over w as pending_after,
          c.lifetime_earned + sum((c.i->>'lifetimeDelta')::integer) over w as lifetime_after
        from classified c where c.st = 'applied'
        window w as (partition by c.m order by c.n rows between unbounded preceding and current row)
      ), tx as (
        insert into credit_transactions
        select x.member_id, a.v, x.id, x.kind, x.reason, x.idem_scope, x.idem_key, x.request_hash, x.policy_version, x.at_ms, x.recorded_at_ms, x.credits,
          a.available_after, a.pending_after, a.held, a.debt, a.lifetime_after, x.order_id, x.order_line_id, x.case_id, x.hold_id, x.lot_id,
          x.reason_code, x.note, x.actor_id, x.actor_role, x.result, x.postings
        from applied a cross join lateral jsonb_populate_record(null::credit_transactions, a.i->'transaction') x
      ), lo as (
        insert into credit_lots select x.* from applied a cross join lateral jsonb_populate_recordset(null::credit_lots, a.i->'lots') x
      ), acc as (
        update credit_accounts c set version = g.v, available = c.available + g.da, pending = c.pending + g.dp,
            lifetime_earned = c.lifetime_earned + g.dl, next_due_at_ms = least(c.next_due_at_ms, g.nd),
            updated_at_ms = greatest(c.updated_at_ms, g.now_ms)
        from (select m, max(v) as v, sum((i->>'availableDelta')::integer) as da, sum((i->>'pendingDelta')::integer) as dp,
                sum((i->>'lifetimeDelta')::integer) as dl, min((i->>'nextDueAtMs')::bigint) as nd, max(now_ms) as now_ms
              from applied group by m) g
        where c.member_id = g.m
      )
      select jsonb_agg(case st
          when 'replay' then jsonb_build_object('status', 'replay', 'requestHash', idem_hash, 'result', idem_result)
          else jsonb_build_object('status', st) end order by n)
        into answers from classified;
      return answers;
    end $$`.execute(db);

  // The point-in-time read of migration 0405: its version ranges are joined to the base tables, so each range is a
  // primary-key range (joined to the view, PostgreSQL reads all the member's postings and filters them).
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
