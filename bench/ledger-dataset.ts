// The ledger bench's dataset: members, each with one seeding transaction that issued `lotsPerMember` lots (half
// available, expiring over the coming year; half pending, unlocking over the coming 30 days), consistent postings and
// account rows, all written by set-based statements. Shared by the ledger, sweep and micro benches.
import { sql } from 'kysely';
import type { Database } from '../src/db/database.ts';
import type { EarnForOrderInput } from '../src/modules/credits/index.ts';
import { DAY_MS, MINUTE_MS } from '../src/platform/clock.ts';

/** 2026-03-02T17:00:00Z: the dataset's "now". */
export const T0 = Date.parse('2026-03-02T17:00:00.000Z');

export const memberId = (i: number) => `mem_${String(i).padStart(26, '0')}`;

/**
 * The ledger bench's earn (PF-1, PF-3): a paid order of two lines for `member`, its order and line IDs as a store makes
 * them (time-ordered), so its idempotency key (the order ID) is one a store would send.
 */
export function benchEarnInput(ids: { next(prefix: 'ord' | 'oln'): string }, paidAtMs: number, random: () => number, member: string): EarnForOrderInput {
  return {
    memberId: member,
    orderId: ids.next('ord'),
    paidAtMs,
    plusActive: random() < 0.3,
    lines: [
      { lineId: ids.next('oln'), qualifyingMinor: 500 + Math.floor(random() * 20_000), plusBonus: random() < 0.5, earnsCredits: true },
      { lineId: ids.next('oln'), qualifyingMinor: 500 + Math.floor(random() * 5_000), plusBonus: false, earnsCredits: true },
    ],
  };
}

export async function loadDataset(database: Database, members: number, lotsPerMember: number, options: { parts?: number } = {}): Promise<void> {
  const pgDialect = database.dialect === 'postgres';
  // PostgreSQL loads contiguous ranges of members on connections of their own at once (each backend a core of its
  // own); SQLite has one writer.
  const parts = pgDialect ? Math.max(1, Math.min(options.parts ?? 2, members)) : 1;
  const ranges = Array.from({ length: parts }, (_, p) => ({ lo: Math.floor((members * p) / parts), hi: Math.floor((members * (p + 1)) / parts) }));
  // SQLite loads with a page cache that holds the indexes it fills in no particular order (the expiry warnings'),
  // then goes back to the connection's own: the same file, at M in 107 s instead of 180.
  const cacheSize = pgDialect ? undefined : Number(Object.values((await sql<Record<string, number>>`PRAGMA cache_size`.execute(database.db)).rows[0] ?? {})[0]);
  if (cacheSize !== undefined) await sql`PRAGMA cache_size = -2000000`.execute(database.db);
  try {
    // PostgreSQL: the secondary indexes of the three tables loaded are built after the rows (sorted once) instead of
    // filled row by row: at 300k members its load took 52 → 43 s, at M 292 → 214 s. Keys and unique constraints stay
    // as they were made. Not SQLite: its index builds fill every leaf, and the first day's sweep then split the
    // next-due index's pages one by one (at M 11.6 → 14.8 s; PostgreSQL's leave a tenth free: 31.9 → 30.1 s).
    const indexes = pgDialect ? await secondaryIndexes(database) : [];
    for (const index of indexes) await sql.raw(`drop index ${index.name}`).execute(database.db);
    await Promise.all(ranges.map((range) => loadMembers(database, members, lotsPerMember, range)));
    if (indexes.length > 0) {
      await database.db.connection().execute(async (connection) => {
        await sql`set maintenance_work_mem = '512MB'`.execute(connection);
        for (const index of indexes) await sql.raw(index.definition).execute(connection);
        await sql`reset maintenance_work_mem`.execute(connection);
      });
    }
  } finally {
    if (cacheSize !== undefined) await sql.raw(`PRAGMA cache_size = ${cacheSize}`).execute(database.db);
  }
  // Measure through a checkpoint (PERFORMANCE.md: a cold cache right after a bulk load showed 1-second stalls). On
  // PostgreSQL a vacuum too, so that autovacuum's pass over the freshly inserted tables does not come during a
  // measurement (or, since the PostgreSQL load runs beside SQLite's phases, during those).
  if (pgDialect) {
    await sql`vacuum (analyze) credit_lots, credit_accounts, credit_transactions`.execute(database.db);
    await sql`checkpoint`.execute(database.db);
  } else {
    await sql`analyze`.execute(database.db);
    await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(database.db);
  }
}

/** PostgreSQL: the indexes of the loaded tables that neither key a table nor make a column unique, with their definitions. */
async function secondaryIndexes(database: Database): Promise<{ name: string; definition: string }[]> {
  const tables = ['credit_lots', 'credit_transactions', 'credit_accounts'];
  return (
    await sql<{ name: string; definition: string }>`select i.relname as name, pg_get_indexdef(i.oid) as definition from pg_index x
      join pg_class i on i.oid = x.indexrelid join pg_class c on c.oid = x.indrelid
      where c.relname in (${sql.join(tables)}) and c.relnamespace = current_schema()::regnamespace and not x.indisprimary and not x.indisunique
      order by i.relname`.execute(database.db)
  ).rows;
}

/** Members lo ≤ i < hi: their lots, accounts and seed transactions. */
async function loadMembers(database: Database, members: number, lotsPerMember: number, range: { lo: number; hi: number }): Promise<void> {
  const db = database.db;
  const created = T0 - 400 * DAY_MS;
  const half = Math.floor(lotsPerMember / 2);
  const params = { members, lotsPerMember, half, day: DAY_MS, minute: MINUTE_MS, t0: T0, created, life: 365 * DAY_MS, warnBy: T0 + 30 * DAY_MS, lo: range.lo, hi: range.hi };
  // Numbers only, inlined into set-based statements (`:name` for the parameters above, nothing else).
  const fill = (text: string) => text.replace(/:(\w+)/g, (match, name: string) => (Object.hasOwn(params, name) ? String(params[name as keyof typeof params]) : match));
  const pgDialect = database.dialect === 'postgres';
  // The range's member IDs (zero-padded, so they sort as their numbers do).
  const inRange = (column: string) => `${column} >= '${memberId(range.lo)}' and ${column} < '${memberId(range.hi)}'`;
  const ids = pgDialect
    ? { member: `'mem_' || lpad(cast(m.i as text), 26, '0')`, lot: `'lot_' || lpad(cast(m.i * :lotsPerMember + k.j as text), 26, '0')`, tx: `'ltx_' || lpad(cast(m.i as text), 26, '0')`, line: `'oln_' || lpad(cast(m.i * :lotsPerMember + k.j as text), 26, '0')`, order: `'ord_' || lpad(cast(m.i as text), 26, '0')` }
    : { member: `printf('mem_%026d', m.i)`, lot: `printf('lot_%026d', m.i * :lotsPerMember + k.j)`, tx: `printf('ltx_%026d', m.i)`, line: `printf('oln_%026d', m.i * :lotsPerMember + k.j)`, order: `printf('ord_%026d', m.i)` };
  const series = pgDialect
    ? `generate_series(cast(:lo as bigint), :hi - 1) as m(i) cross join generate_series(cast(0 as bigint), :lotsPerMember - 1) as k(j)`
    : `m cross join k`;
  const recursive = pgDialect ? '' : `with recursive m(i) as (select :lo union all select i + 1 from m where i < :hi - 1), k(j) as (select 0 union all select j + 1 from k where j < :lotsPerMember - 1) `;
  const amount = `((m.i * 31 + k.j * 17) % 91 + 10)`;
  const availableExpiry = `(:t0 + ((m.i * 7 + k.j * 13) % 365 + 1) * :day - (m.i % 1000) * :minute)`;
  const pendingUnlock = `(:t0 + ((m.i * 11 + k.j * 5) % 30 + 1) * :day - (m.i % 1000) * :minute)`;
  await sql.raw(fill(`${recursive}insert into credit_lots (member_id, id, source, state, original, remaining, held, reversed, qualifying_minor, refunded_qualifying_minor,
      unlock_at_ms, expires_at_ms, order_id, order_line_id, transaction_id, policy_version, warned_at_ms, created_at_ms)
    select ${ids.member}, ${ids.lot}, 'order', case when k.j < :half then 'available' else 'pending' end, ${amount}, ${amount}, 0, 0, ${amount} * 100, 0,
      case when k.j < :half then ${availableExpiry} - :life else ${pendingUnlock} end,
      case when k.j < :half then ${availableExpiry} else ${pendingUnlock} + :life end,
      ${ids.order}, ${ids.line}, ${ids.tx}, 1,
      case when k.j < :half and ${availableExpiry} <= :warnBy then :t0 - 1 end, :created
    from ${series}`)).execute(db);
  await sql.raw(fill(`insert into credit_accounts (member_id, state, version, available, pending, held, debt, lifetime_earned, next_due_at_ms, created_at_ms, updated_at_ms)
    select member_id, 'open', 1, sum(case when state = 'available' then remaining else 0 end), sum(case when state = 'pending' then remaining else 0 end), 0, 0,
      sum(original), min(case when state = 'pending' then unlock_at_ms else expires_at_ms end), :created, :created
    from credit_lots where ${inRange('member_id')} group by member_id`)).execute(db);
  // The seed transaction's postings (migration 0420): per lot, its bucket and the program's counter-posting, in lot order.
  // PostgreSQL aggregates every member's in one pass over the lots (measured: 8.2 → 4.2 s at 100k members, 27.7 → 12.5 s
  // at 300k, the same rows, against a subquery per account); SQLite reads each member's lots where they sit (its lot
  // table is clustered by member).
  const seedColumns = `member_id, version, id, kind, reason, idem_scope, idem_key, request_hash, policy_version, at_ms, recorded_at_ms,
      credits, available_after, pending_after, held_after, debt_after, lifetime_after, result, postings`;
  const seedValues = (postings: string) => `a.member_id, 1, 'ltx_' || substr(a.member_id, 5), 'earn', 'seed', 'seed', 'seed', '', 1, :created, :created,
      available + pending, available, pending, 0, 0, lifetime_earned, null, ${postings}`;
  if (pgDialect) {
    const posting = `case when v.o = 0 then jsonb_build_array(l.state, l.id, cast(null as text), l.original) else jsonb_build_array('program:issued', l.id, cast(null as text), -l.original) end`;
    await sql.raw(fill(`insert into credit_transactions (${seedColumns})
      select ${seedValues('p.postings')}
      from credit_accounts a join (
        select l.member_id, jsonb_agg(${posting} order by l.id, v.o) as postings from credit_lots l cross join (values (0), (1)) as v(o)
        where ${inRange('l.member_id')} group by l.member_id
      ) p on p.member_id = a.member_id
      where ${inRange('a.member_id')}
      order by a.member_id`)).execute(db);
  } else {
    const lotPostings = `select json_array(state, id, cast(null as text), original) as e, id, 0 as o from credit_lots l where l.member_id = a.member_id
      union all select json_array('program:issued', id, cast(null as text), -original), id, 1 from credit_lots l where l.member_id = a.member_id`;
    await sql.raw(fill(`insert into credit_transactions (${seedColumns})
      select ${seedValues(`(select json_group_array(json(e)) from (${lotPostings} order by 2, 3))`)}
      from credit_accounts a where ${inRange('a.member_id')}`)).execute(db);
  }
}
