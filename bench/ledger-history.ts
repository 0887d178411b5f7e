// PF-7 "long history": members with hundreds of transactions, for point-in-time reads with and without balance
// snapshots. Each such member has one lot of 100,000 credits (an adjustment), then one-credit spends from it spread
// over 400 days: consistent postings, transactions, lot and account (the auditor checks them with the rest).
import { sql } from 'kysely';
import type { Database } from '../src/db/database.ts';

export const longMemberPrefix = 'mem_long_';
export const longMemberId = (i: number) => `${longMemberPrefix}${String(i).padStart(21, '0')}`;

export async function loadLongHistories(database: Database, options: { members: number; transactions: number; startMs: number; endMs: number; expiresAtMs: number }): Promise<void> {
  const db = database.db;
  const stepMs = Math.floor((options.endMs - options.startMs) / options.transactions);
  const params = { members: options.members, txs: options.transactions, start: options.startMs, step: stepMs, expires: options.expiresAtMs, big: 100_000 };
  const fill = (text: string) => text.replace(/:(\w+)/g, (match, name: string) => (Object.hasOwn(params, name) ? String(params[name as keyof typeof params]) : match));
  const pgDialect = database.dialect === 'postgres';
  const member = pgDialect ? `'mem_long_' || lpad(cast(m.i as text), 21, '0')` : `printf('mem_long_%021d', m.i)`;
  const lot = pgDialect ? `'lot_long_' || lpad(cast(m.i as text), 21, '0')` : `printf('lot_long_%021d', m.i)`;
  const tx = pgDialect ? `'ltx_long_' || lpad(cast(m.i as text), 14, '0') || '_' || lpad(cast(k.v as text), 6, '0')` : `printf('ltx_long_%014d_%06d', m.i, k.v)`;
  const series = pgDialect
    ? `generate_series(cast(0 as bigint), :members - 1) as m(i) cross join generate_series(cast(1 as bigint), :txs) as k(v)`
    : `m cross join k`;
  const recursive = pgDialect ? '' : `with recursive m(i) as (select 0 union all select i + 1 from m where i < :members - 1), k(v) as (select 1 union all select v + 1 from k where v < :txs) `;
  const onlyMembers = pgDialect ? `generate_series(cast(0 as bigint), :members - 1) as m(i)` : `m`;
  const recursiveMembers = pgDialect ? '' : `with recursive m(i) as (select 0 union all select i + 1 from m where i < :members - 1) `;
  const atMs = `(:start + (k.v - 1) * :step)`;
  await sql.raw(fill(`${recursive}insert into credit_transactions (member_id, version, id, kind, reason, idem_scope, idem_key, request_hash, policy_version, at_ms,
      recorded_at_ms, credits, available_after, pending_after, held_after, debt_after, lifetime_after, result, postings)
    select ${member}, k.v, ${tx}, case when k.v = 1 then 'adjustment' else 'spend' end, case when k.v = 1 then 'correction' else 'order' end,
      'seed', 'long-' || k.v, '', 1, ${atMs}, ${atMs}, case when k.v = 1 then :big else -1 end, :big - (k.v - 1), 0, 0, 0, :big, null,
      ${pgDialect ? 'jsonb_build_array(jsonb_build_array' : 'json_array(json_array'}('available', ${lot}, cast(null as text), case when k.v = 1 then :big else -1 end),
        ${pgDialect ? 'jsonb_build_array' : 'json_array'}(case when k.v = 1 then 'program:adjusted' else 'program:spent' end, ${lot}, cast(null as text), case when k.v = 1 then -:big else 1 end))
    from ${series}`)).execute(db);
  const firstTx = pgDialect ? `'ltx_long_' || lpad(cast(m.i as text), 14, '0') || '_000001'` : `printf('ltx_long_%014d_000001', m.i)`;
  await sql.raw(fill(`${recursiveMembers}insert into credit_lots (member_id, id, source, state, original, remaining, held, reversed, qualifying_minor, refunded_qualifying_minor,
      unlock_at_ms, expires_at_ms, order_id, order_line_id, transaction_id, policy_version, warned_at_ms, created_at_ms)
    select ${member}, ${lot}, 'adjustment', 'available', :big, :big - (:txs - 1), 0, 0, 0, 0, :start, :expires, null, null, ${firstTx}, 1, null, :start
    from ${onlyMembers}`)).execute(db);
  await sql.raw(fill(`${recursiveMembers}insert into credit_accounts (member_id, state, version, available, pending, held, debt, lifetime_earned, next_due_at_ms, created_at_ms, updated_at_ms)
    select ${member}, 'open', :txs, :big - (:txs - 1), 0, 0, 0, :big, :expires, :start, :start + (:txs - 1) * cast(:step as bigint) from ${onlyMembers}`)).execute(db);
  await sql`analyze`.execute(db);
}
