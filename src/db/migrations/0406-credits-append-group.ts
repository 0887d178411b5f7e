import { PostgresAdapter, sql, type Kysely } from 'kysely';

// PostgreSQL only (issue 12, PF-3/PF-5): a group commit's append-only operations (earnings, bonuses, upward
// adjustments) applied set-based: no per-operation loop and no per-operation subtransaction. Measured on one
// connection with 48 earns per call: credits_append_many's loop 288 µs per earn, a loop with an exception block per
// operation 664 µs (its subtransactions make every later row check longer), this function far less (docs/PERFORMANCE.md).
//
// Same rules as credits_append (migration 0401), per operation: the account is created when missing and locked (in
// member order, so groups never deadlock on accounts); a used idempotency key answers `replay`; a closed account, a
// time event due, another policy version or debt where the operation requires none answers `fallback` (the caller
// takes the general path). Two operations of one group with the same key: the first applies, the later answers
// `retry` (the caller sends it again and it then replays). Several operations of one member get consecutive versions
// and running balances, in the order given. Answers one object per operation, in order.
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`
    create or replace function credits_append_group(p jsonb) returns jsonb language plpgsql as $$
    declare
      pv integer := (select max(version) from credit_policies);
      -- The operations and their members as array variables: the planner sizes unnest() of a parameter by its
      -- value, where jsonb_array_elements is always estimated at 100 rows (that made it join the accounts and the
      -- idempotency keys by scanning them whole: 2.4 ms for one operation).
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

      -- A statement of its own after the locks: its snapshot sees every transaction committed before them.
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
          x.reason_code, x.note, x.actor_id, x.actor_role, x.result
        from applied a cross join lateral jsonb_populate_record(null::credit_transactions, a.i->'transaction') x
      ), po as (
        insert into credit_postings
        select x.member_id, a.v, x.seq, x.transaction_id, x.account, x.lot_id, x.hold_id, x.amount, x.at_ms
        from applied a cross join lateral jsonb_populate_recordset(null::credit_postings, a.i->'postings') x
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
}
