// PF-8r (issue 12): one day's sweep of the ledger's members with nothing held and no debt, done by the database
// alone — per batch of 500 members one set-based statement that finds the due unlocks and expiries, writes their
// transaction rows (running balances, postings) and the expired lots, and moves each account (version, balances, next
// due time, unlocked through), then the expiry warnings' update; two batches in flight, as the sweep runs them on
// PostgreSQL. No rules in JavaScript, no batch crossing the wire as JSON: the most a sweep of this data model can do
// on this machine, beside which the bench's PF-8 shows what the application adds. Runs on copies of the three tables
// (copyLedgerTables).
//
// A bound, not a second sweep: it ignores what the real sweep sends elsewhere (members with holds or debt, a pending
// lot both unlocking and expiring in one run, the notices' jobs), none of which the bench's dataset has on its
// first day.
import pg from 'pg';
import { lotReadsAvailableSql as isAvailable, lotReadsPendingSql as isPending } from '../src/modules/credits/ledger.repository.ts';
import { copyLedgerTables } from './postgres-schema.ts';

const batchSize = 500;
const inFlight = 2;

// Lots as the ledger reads them (isPending, isAvailable; migration 0427): an unlock writes the transaction row and the
// account, not the lot.
const dueTime = `case when ${isPending} then l.unlock_at_ms else l.expires_at_ms end`;
/** Once the batch's unlocks are written (through $2): a lot's next event. */
const nextTime = `case when l.state = 'pending' and l.unlock_at_ms > $2 then l.unlock_at_ms else l.expires_at_ms end`;

/** Both days' CTEs after `due` (the batch's events by member): running balances, transaction rows, expired lots. */
const eventWrites = `  ), ev as (
    select d.*, a.version + row_number() over w as v,
      a.available + sum(case when d.kind = 'unlock' then d.remaining else -d.remaining end) over w as available_after,
      a.pending - sum(case when d.kind = 'unlock' then d.remaining else 0 end) over w as pending_after,
      a.lifetime_earned, a.updated_at_ms
    from due d join acc a on a.member_id = d.member_id
    window w as (partition by d.member_id order by d.at_ms, d.rank, d.id rows between unbounded preceding and current row)
  ), tx as (
    insert into credit_transactions (member_id, version, id, kind, reason, idem_scope, idem_key, request_hash, policy_version, at_ms, recorded_at_ms,
      credits, available_after, pending_after, held_after, debt_after, lifetime_after, order_id, order_line_id, lot_id, postings)
    select member_id, v, 'ltx_' || md5(id || kind), kind, case when kind = 'unlock' then 'unlocked' else 'expired' end, 'system', null, '', 1,
      greatest(at_ms, updated_at_ms), $2, case when kind = 'unlock' then 0 else -remaining end, available_after, pending_after, 0, 0, lifetime_earned,
      order_id, order_line_id, id,
      case when kind = 'unlock' then jsonb_build_array(jsonb_build_array('pending', id, null, -remaining), jsonb_build_array('available', id, null, remaining))
        else jsonb_build_array(jsonb_build_array('available', id, null, -remaining), jsonb_build_array('program:expired', id, null, remaining)) end
    from ev
  ), lots as (
    update credit_lots l set state = 'expired', remaining = 0
    from ev e where l.member_id = e.member_id and l.id = e.id and e.kind = 'expire'
`;

/** $1 the batch's members, $2 now; `marks` the due marks' upkeep (the `due marks` variant) or nothing. */
const sweepBatchText = (marks: string) => `
  with acc as (
    select * from credit_accounts where member_id = any($1::text[]) order by member_id for update
  ), due as (
    select l.member_id, l.id, l.remaining, l.order_id, l.order_line_id,
      case when ${isPending} then 'unlock' else 'expire' end as kind, ${dueTime} as at_ms, case when ${isPending} then 0 else 2 end as rank
    from credit_lots l join acc a on a.member_id = l.member_id
    where (${isPending} and l.unlock_at_ms <= $2) or (${isAvailable} and l.expires_at_ms <= $2)
${eventWrites}  ), later as (
    select l.member_id, min(${nextTime}) as next_ms from credit_lots l join acc a on a.member_id = l.member_id
    where l.live and ${nextTime} > $2 group by l.member_id
  ), last as (
    select distinct on (member_id) member_id, v, available_after, pending_after from ev order by member_id, v desc
  )${marks}
  update credit_accounts a set version = x.v, available = x.available_after, pending = x.pending_after, next_due_at_ms = lt.next_ms, unlocked_through_ms = $2, updated_at_ms = $2
  from last x left join later lt on lt.member_id = x.member_id
  where a.member_id = x.member_id`;

const sweepBatch = sweepBatchText('');

/**
 * The `due marks` what-if (bench/sweep-rows-variants-pg.ts): the sweep finds members through a table of due marks
 * `(due_at_ms, member_id)` instead of the accounts' next-due index, so an account's update names no indexed column
 * and can stay on its page. Each batch deletes the marks it consumed (found by the accounts' own next due time) and
 * inserts the next ones, in the same statement.
 */
const dueMarksSetup = [
  // The copy's indexes have generated names.
  `do $$ begin execute (select 'drop index ' || indexname from pg_indexes where schemaname = current_schema() and tablename = 'credit_accounts'
    and strpos(indexdef, '(next_due_at_ms, member_id)') > 0); end $$`,
  'alter table credit_accounts set (fillfactor = 90)',
  'vacuum full credit_accounts',
  'create table credit_due_marks (due_at_ms bigint not null, member_id text not null, primary key (due_at_ms, member_id))',
  'insert into credit_due_marks select next_due_at_ms, member_id from credit_accounts where next_due_at_ms is not null order by 1, 2',
  'vacuum analyze credit_due_marks',
  'analyze credit_accounts',
];
const sweepBatchWithMarks = sweepBatchText(`, consumed as (
    delete from credit_due_marks d using acc a where d.due_at_ms = a.next_due_at_ms and d.member_id = a.member_id
  ), marked as (
    insert into credit_due_marks select lt.next_ms, x.member_id from last x join later lt on lt.member_id = x.member_id on conflict do nothing
  )`);

/**
 * The `pending schedule` what-if (bench/sweep-rows-variants-pg.ts): each account carries its pending lots' schedule
 * (lot ID, unlock time, amount, order links), so an unlock, the commonest event, reads the locked account alone: the
 * lots are read only where one expires by now, and the next expiry from the first entry of the member's live-lots
 * index. The account's update drops the unlocked entries. Measured in session 38: 0.91× at S, 1.00× at M, the lot
 * reads saved paid back by the wider account row the update rewrites; what an earn would pay for keeping the schedule
 * is not measured here.
 */
const pendingScheduleSetup = [
  'alter table credit_accounts add column pending_schedule jsonb',
  `update credit_accounts a set pending_schedule = s.schedule from (
     select l.member_id, jsonb_agg(jsonb_build_array(l.id, l.unlock_at_ms, l.remaining, l.order_id, l.order_line_id) order by l.unlock_at_ms, l.id) as schedule
     from credit_lots l join credit_accounts a on a.member_id = l.member_id where l.live and ${isPending} group by l.member_id) s
   where a.member_id = s.member_id`,
  'vacuum full credit_accounts',
  'analyze credit_accounts',
];
const scheduled = `jsonb_array_elements(a.pending_schedule) s(e)`;
const sweepBatchWithSchedule = `
  with acc as (
    select * from credit_accounts where member_id = any($1::text[]) order by member_id for update
  ), due as (
    select a.member_id, s.e->>0 as id, (s.e->>2)::integer as remaining, s.e->>3 as order_id, s.e->>4 as order_line_id,
      'unlock' as kind, (s.e->>1)::bigint as at_ms, 0 as rank
    from acc a cross join lateral ${scheduled} where (s.e->>1)::bigint <= $2
    union all
    select l.member_id, l.id, l.remaining, l.order_id, l.order_line_id, 'expire', l.expires_at_ms, 2
    from acc a join credit_lots l on l.member_id = a.member_id and l.live and l.expires_at_ms <= $2 where ${isAvailable}
${eventWrites}  ), last as (
    select distinct on (member_id) member_id, v, available_after, pending_after from ev order by member_id, v desc
  )
  update credit_accounts a set version = x.v, available = x.available_after, pending = x.pending_after,
    pending_schedule = (select jsonb_agg(s.e order by (s.e->>1)::bigint, s.e->>0) from ${scheduled} where (s.e->>1)::bigint > $2),
    next_due_at_ms = least(
      (select min((s.e->>1)::bigint) from ${scheduled} where (s.e->>1)::bigint > $2),
      (select l.expires_at_ms from credit_lots l where l.member_id = a.member_id and l.live and l.expires_at_ms > $2 order by l.expires_at_ms limit 1)),
    unlocked_through_ms = $2, updated_at_ms = $2
  from last x
  where a.member_id = x.member_id`;

/** $1 the batch's members, $2 now, $3 the end of the warning window. */
const markWarnings = `update credit_lots set warned_at_ms = $2, state = 'available'
  where member_id = any($1::text[]) and live and warned_at_ms is null and expires_at_ms > $2 and expires_at_ms <= $3 and (state = 'available' or unlock_at_ms <= $2)`;

/** $1 now, $2 the end of the warning window: the members with work, as the sweep finds them (two index ranges). */
const dueMembersText = (byTime: string) => `${byTime}
  union select l.member_id from credit_lots l join credit_accounts a on a.member_id = l.member_id
    where l.live and l.warned_at_ms is null and l.expires_at_ms <= $2 and ${isAvailable} order by 1`;
const dueMembers = dueMembersText('select member_id from credit_accounts where next_due_at_ms <= $1');
const dueMembersWithMarks = dueMembersText('select member_id from credit_due_marks where due_at_ms <= $1');

/** A data model other than the ledger's for PF-8r's what-ifs: its setup on a copy, and the day's two statements. */
export type SweepRowsVariant = 'due marks' | 'pending schedule';
const variants: Record<SweepRowsVariant, { setup: string[]; findMembers: string; batch: string }> = {
  'due marks': { setup: dueMarksSetup, findMembers: dueMembersWithMarks, batch: sweepBatchWithMarks },
  'pending schedule': { setup: pendingScheduleSetup, findMembers: dueMembers, batch: sweepBatchWithSchedule },
};

/** Turns the copy in `scratchSchema` into `variant`'s data model (before it is read into the cache and swept). */
export async function prepareSweepRowsVariant(admin: pg.Client, scratchSchema: string, variant: SweepRowsVariant): Promise<void> {
  await admin.query(`set search_path = ${scratchSchema}`);
  try {
    for (const statement of variants[variant].setup) await admin.query(statement);
  } finally {
    await admin.query('reset search_path');
  }
}

/**
 * Events written and seconds taken by one day's sweep at `nowMs` done by set-based SQL, on copies of `schema`'s tables
 * in `scratchSchema`, made here or (`copied`) already there as loaded (and, with `variant`, prepared by
 * prepareSweepRowsVariant); `keepCopy` leaves them there for pgEarnRowsCeiling (`copied`), which drops them.
 */
export async function pgSweepRowsCeiling(url: string, schema: string, scratchSchema: string, nowMs: number, warnUntilMs: number, options: { keepCopy?: boolean; copied?: boolean; variant?: SweepRowsVariant } = {}): Promise<{ events: number; seconds: number }> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    if (!options.copied) await copyLedgerTables(url, schema, scratchSchema);
    const { findMembers, batch: batchStatement } = options.variant ? variants[options.variant] : { findMembers: dueMembers, batch: sweepBatch };
    const pool = new pg.Pool({ connectionString: url, max: inFlight, options: `-c search_path=${scratchSchema}` });
    try {
      const started = performance.now();
      const members = (await pool.query<{ member_id: string }>(findMembers, [nowMs, warnUntilMs])).rows.map((r) => r.member_id);
      const batches = Array.from({ length: Math.ceil(members.length / batchSize) }, (_, i) => members.slice(i * batchSize, (i + 1) * batchSize));
      let next = 0;
      const worker = async () => {
        const client = await pool.connect();
        try {
          for (let batch = batches[next++]; batch; batch = batches[next++]) {
            await client.query('begin');
            await client.query(batchStatement, [batch, nowMs]);
            await client.query(markWarnings, [batch, nowMs, warnUntilMs]);
            await client.query('commit');
          }
        } finally {
          client.release();
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
      const seconds = (performance.now() - started) / 1000;
      // The day's events are the transaction rows it wrote (the copy holds none recorded at that moment before).
      const events = Number((await pool.query<{ n: string }>('select count(*) as n from credit_transactions where recorded_at_ms = $1', [nowMs])).rows[0]!.n);
      return { events, seconds };
    } finally {
      await pool.end();
    }
  } finally {
    if (!options.keepCopy) await admin.query(`drop schema if exists ${scratchSchema} cascade`);
    await admin.end();
  }
}
