import { PostgresAdapter, sql, type Kysely } from 'kysely';

// PostgreSQL only: the credits ledger's statements as PL/pgSQL functions. A function's plans are cached per
// connection, so each call costs a short parse instead of planning a large statement (≈1 ms each, measured), and a
// whole operation fits in one round trip where it can (PERFORMANCE.md: one round trip per operation matters most).
// The rules stay in TypeScript (src/modules/credits/ledger.rules.ts); these functions lock, read and write, and the
// two fast paths below take the common case only, answering 'fallback' whenever the general path is needed.
export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;

  // The member's account row locked (the serialization point), then, each in a statement of its own and so in a
  // fresh snapshot taken after the lock: the idempotency record, the current policy version and, when asked for or
  // when a time event is due, the book (live lots, active holds with their lots, and the lots those holds draw on).
  await sql`
    create or replace function credits_book(p_member text) returns json language plpgsql stable as $$
    declare
      lots json;
      holds json;
      dead json := '[]';
    begin
      -- A PL/pgSQL body, not SQL: its plans are cached per connection (a SQL function is planned on every call).
      select coalesce(json_agg(l), '[]') into lots from credit_lots l where l.member_id = p_member and l.state in ('pending', 'available');
      select coalesce(json_agg(json_build_object('hold', h, 'lots',
          (select coalesce(json_agg(hl), '[]') from credit_hold_lots hl where hl.hold_id = h.id))), '[]')
        into holds from credit_holds h where h.member_id = p_member and h.state = 'active';
      if holds::text <> '[]' then
        select coalesce(json_agg(l), '[]') into dead from credit_lots l where l.member_id = p_member and l.id in
          (select hl.lot_id from credit_hold_lots hl join credit_holds h on h.id = hl.hold_id
           where h.member_id = p_member and h.state = 'active' and hl.held > 0) and l.state not in ('pending', 'available');
      end if;
      return json_build_object('lots', lots, 'holds', holds, 'dead_lots', dead);
    end $$`.execute(db);

  await sql`
    create or replace function credits_lock(p_member text, p_scope text, p_key text, p_force boolean, p_now bigint) returns json language plpgsql as $$
    declare
      acc credit_accounts;
      idem json;
    begin
      select * into acc from credit_accounts where member_id = p_member for update;
      select json_build_array(t.request_hash, t.result) into idem from credit_transactions t
        where t.member_id = p_member and t.idem_scope = p_scope and t.idem_key = p_key;
      if acc.member_id is null then
        return json_build_object('account', null, 'pv', (select max(version) from credit_policies), 'idem', idem, 'book', null);
      end if;
      return json_build_object('account', row_to_json(acc), 'pv', (select max(version) from credit_policies), 'idem', idem,
        'book', case when p_force or acc.next_due_at_ms <= p_now then credits_book(p_member) end);
    end $$`.execute(db);

  // A read without a lock: the account, the current policy version and the book, in one call.
  await sql`
    create or replace function credits_read(p_member text) returns json language plpgsql stable as $$
    declare
      acc credit_accounts;
    begin
      select * into acc from credit_accounts where member_id = p_member;
      if acc.member_id is null then return null; end if;
      return json_build_object('account', row_to_json(acc), 'pv', (select max(version) from credit_policies), 'book', credits_book(p_member));
    end $$`.execute(db);

  // What a point-in-time replay needs (LG-4), in one call: posting sums by lot, hold and bucket up to the moment,
  // the last transaction by then, the lots and holds those postings name, and the policy version in force.
  await sql`
    create or replace function credits_replay(p_member text, p_at bigint) returns json language plpgsql stable as $$
    declare
      sums json;
      last json;
      lots json;
      holds json;
    begin
      select coalesce(json_agg(s), '[]') into sums from (
        select lot_id, hold_id, account, sum(amount) as total from credit_postings
        where member_id = p_member and at_ms <= p_at and account in ('pending', 'available', 'held', 'debt') group by lot_id, hold_id, account) s;
      select json_build_object('version', version, 'at_ms', at_ms, 'lifetime_after', lifetime_after) into last from credit_transactions
        where member_id = p_member and at_ms <= p_at order by version desc limit 1;
      select coalesce(json_agg(l), '[]') into lots from credit_lots l where l.member_id = p_member and l.id in
        (select distinct lot_id from credit_postings where member_id = p_member and at_ms <= p_at and lot_id is not null);
      select coalesce(json_agg(h), '[]') into holds from credit_holds h where h.member_id = p_member and h.id in
        (select distinct hold_id from credit_postings where member_id = p_member and at_ms <= p_at and hold_id is not null);
      return json_build_object('sums', sums, 'last', last, 'lots', lots, 'holds', holds,
        'policy_version', (select max(version) from credit_policies where published_at_ms <= p_at));
    end $$`.execute(db);

  // Writes everything an operation (or a sweep batch) produced. Rows arrive as JSON objects named like the columns.
  await sql`
    create or replace function credits_write(p jsonb) returns void language plpgsql as $$
    begin
      insert into credit_transactions select * from jsonb_populate_recordset(null::credit_transactions, p->'transactions');
      insert into credit_postings select * from jsonb_populate_recordset(null::credit_postings, p->'postings');
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

  // Fast path 1: an operation that only adds one transaction with new lots (an earning, a bonus, an upward
  // adjustment) when nothing about the member's existing lots matters: the account is open, no time event is due,
  // and (when the new credits are available at once) there is no debt to settle. The version and the balances after
  // are filled in here, under the lock. Answers {status: applied | replay | fallback}.
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
          x.reason_code, x.note, x.actor_id, x.actor_role, x.result
        from jsonb_populate_record(null::credit_transactions, p->'transaction') x;
      insert into credit_postings
        select x.member_id, v, x.seq, x.transaction_id, x.account, x.lot_id, x.hold_id, x.amount, x.at_ms
        from jsonb_populate_recordset(null::credit_postings, p->'postings') x;
      insert into credit_lots select * from jsonb_populate_recordset(null::credit_lots, p->'lots');
      return json_build_object('status', 'applied', 'version', v);
    end $$`.execute(db);

  // Fast path 2: a single-phase spend, FIFO (soonest expiry, then oldest), when no time event is due. Lots are only
  // read and changed under the account lock. Answers applied (with the result) | replay | insufficient | fallback.
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
      n_seq integer := 0;
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
        insert into credit_postings values (m, v, n_seq, tx_id, 'available', lot.id, null, -take, now_ms), (m, v, n_seq + 1, tx_id, 'program:spent', lot.id, null, take, now_ms);
        n_seq := n_seq + 2;
        taken := taken || json_build_object('lotId', lot.id, 'credits', take);
        left_over := left_over - take;
        exit when left_over = 0;
      end loop;
      if left_over <> 0 then raise exception 'credits_spend: lots of % hold less than the account says', m; end if;
      update credit_accounts set version = v, available = available - n_credits, updated_at_ms = greatest(updated_at_ms, now_ms)
        where member_id = m returning * into acc;
      result_text := json_build_object('transactionId', tx_id, 'memberId', m, 'credits', n_credits, 'orderId', p->>'orderId', 'lots', array_to_json(taken))::text;
      insert into credit_transactions (member_id, version, id, kind, reason, idem_scope, idem_key, request_hash, policy_version, at_ms, recorded_at_ms, credits,
          available_after, pending_after, held_after, debt_after, lifetime_after, order_id, result)
        values (m, v, tx_id, 'spend', p->>'reason', p->>'idemScope', p->>'idemKey', p->>'requestHash', (p->>'policyVersion')::integer, now_ms, now_ms, -n_credits,
          acc.available, acc.pending, acc.held, acc.debt, acc.lifetime_earned, p->>'orderId', result_text);
      return json_build_object('status', 'applied', 'result', result_text);
    end $$`.execute(db);

  // Micro-batched recording writes (PF-5): many appends in one call and one commit; items come sorted by member.
  await sql`
    create or replace function credits_append_many(p jsonb) returns json language plpgsql as $$
    declare
      item jsonb;
      answers json[] := '{}';
    begin
      for item in select * from jsonb_array_elements(p) loop
        answers := answers || credits_append(item);
      end loop;
      return array_to_json(answers);
    end $$`.execute(db);
}
