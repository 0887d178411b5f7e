// PF-7: per-member balance snapshots (migration 0405) — taking one, and the point-in-time read that starts from the
// newest usable one. Snapshots are derived data: the postings stay the truth, and a read from a snapshot sums exactly
// the postings the full replay (selectReplay) sums, only fewer of them from the table.
import { z } from 'zod';
import { isPostgres, type Executor } from '../../db/database.ts';
import { assert } from '../../platform/assert.ts';
import { pgCall, rawQuery, readLot, type ReplayRows, type ReplaySum } from './ledger.repository.ts';
import type { CreditHoldRow, CreditLotRow } from './ledger.table.ts';

/** A member gets a snapshot at every this-many transactions (the partial index of migration 0405 says the same). */
export const snapshotEvery = 200;

/** One stored sum: the member-side postings of one (lot, hold, bucket) up to the snapshot's version. */
export type SnapshotTuple = [lotId: string | null, holdId: string | null, account: string, total: number];

/** The stored `sums` column, validated where it is read (a JSON column: CONVENTIONS 7). */
const storedSums = z.array(z.tuple([z.string().nullable(), z.string().nullable(), z.string(), z.number().int()]));

function parseSums(text: string): SnapshotTuple[] {
  return storedSums.parse(JSON.parse(text));
}

const memberBuckets = `('pending', 'available', 'held', 'debt')`;

function fromTuples(tuples: readonly SnapshotTuple[]): ReplaySum[] {
  return tuples.map(([lot_id, hold_id, account, total]) => ({ lot_id, hold_id, account, total: Number(total) }));
}

// node:sqlite answers JSON as text; the JSON objects name the columns, so the usual row mappers apply.
const lotJson = `json_object(${['id', 'member_id', 'source', 'state', 'original', 'remaining', 'held', 'reversed', 'qualifying_minor', 'refunded_qualifying_minor',
  'unlock_at_ms', 'expires_at_ms', 'order_id', 'order_line_id', 'transaction_id', 'policy_version', 'warned_at_ms', 'created_at_ms'].map((c) => `'${c}', ${c}`).join(', ')})`;
const holdJson = `json_object(${['id', 'member_id', 'state', 'credits', 'captured', 'order_id', 'expires_at_ms', 'created_at_ms', 'resolved_at_ms'].map((c) => `'${c}', ${c}`).join(', ')})`;

/**
 * PostgreSQL's point-in-time answer (migration 0430): [snapshot sums, sums, last, lots, holds, policy version], each
 * lot and hold an array of the columns below, in this order, without the member ID.
 */
type PgPointInTime = [
  snapshot: SnapshotTuple[] | null,
  sums: SnapshotTuple[],
  last: [version: number, atMs: number, lifetimeAfter: number] | null,
  lots: unknown[][],
  holds: unknown[][],
  policyVersion: number | null,
];
export const pointInTimeLotColumns = ['id', 'source', 'state', 'original', 'remaining', 'held', 'reversed', 'qualifying_minor', 'refunded_qualifying_minor',
  'unlock_at_ms', 'expires_at_ms', 'order_id', 'order_line_id', 'transaction_id', 'policy_version', 'warned_at_ms', 'created_at_ms'] as const;
export const pointInTimeHoldColumns = ['id', 'state', 'credits', 'captured', 'order_id', 'expires_at_ms', 'created_at_ms', 'resolved_at_ms'] as const;

function fromColumns<T>(columns: readonly string[], values: readonly unknown[], memberId: string): T {
  const row: Record<string, unknown> = { member_id: memberId };
  columns.forEach((column, i) => {
    row[column] = values[i];
  });
  return row as T;
}

/** SQLite: the whole read in one statement (?1 member, ?2 moment); credits_point_in_time is the same on PostgreSQL. */
const sqliteReplayFromSnapshotSql = `
  with s as (
    select version, at_ms, lifetime_after, sums from credit_balance_snapshots
    where member_id = ?1 and max_at_ms <= ?2 order by version desc limit 1),
  v0 as (select coalesce((select version from s), 0) as v),
  skip as (
    select max(base_version, (select v from v0)) as lo, version as hi from credit_balance_snapshots
    where member_id = ?1 and version > (select v from v0) and period_min_at_ms > ?2),
  sorted as (select lo, hi, max(hi) over (order by lo rows between unbounded preceding and 1 preceding) as before_hi from skip),
  ranges as (
    select coalesce(before_hi, (select v from v0)) as lo, lo as hi from sorted where lo > coalesce(before_hi, (select v from v0))
    union all select coalesce((select max(hi) from skip), (select v from v0)), 2147483647),
  d as (
    select p.lot_id, p.hold_id, p.account, sum(p.amount) as total from (
      select l.lot_id, l.hold_id, l.account, l.amount from ranges r
      join credit_postings_legacy l on l.member_id = ?1 and l.version > r.lo and l.version <= r.hi where l.at_ms <= ?2
      union all
      select j.value ->> 1, j.value ->> 2, j.value ->> 0, j.value ->> 3 from ranges r
      join credit_transactions t on t.member_id = ?1 and t.version > r.lo and t.version <= r.hi
      join jsonb_each(t.postings) j where t.at_ms <= ?2) p
    where p.account in ${memberBuckets}
    group by p.lot_id, p.hold_id, p.account),
  ids as (
    select value ->> 0 as lot_id, value ->> 1 as hold_id from s, json_each(s.sums)
    union all select lot_id, hold_id from d)
  select (select sums from s) as snapshot,
    (select json_group_array(json_array(lot_id, hold_id, account, total)) from d) as sums,
    coalesce(
      (select json_array(t.version, t.at_ms, t.lifetime_after) from ranges r
        join credit_transactions t on t.member_id = ?1 and t.version > r.lo and t.version <= r.hi
        where t.at_ms <= ?2 order by t.version desc limit 1),
      (select json_array(version, at_ms, lifetime_after) from s)) as last,
    (select json_group_array(${lotJson}) from credit_lots_all where member_id = ?1 and id in (select lot_id from ids)) as lots,
    (select json_group_array(${holdJson}) from credit_holds where id in (select hold_id from ids)) as holds,
    (select max(version) from credit_policies where published_at_ms <= ?2) as pv`;

/**
 * LG-4 from a snapshot: what selectReplay answers, read from the newest snapshot whose every transaction is at or
 * before `atMs` plus the postings after it, less the periods of later snapshots that begin after `atMs`. The sums may name a (lot, hold, bucket) twice (once in the snapshot, once
 * after it): the replay adds them up. Lots and holds whose sums are all zero may be missing; they are spent or
 * released and change nothing in the balance.
 */
export async function selectReplayFromSnapshot(db: Executor, memberId: string, atMs: number): Promise<ReplayRows> {
  if (isPostgres(db)) {
    const [row] = await pgCall<{ r: PgPointInTime }>(db, 'select credits_point_in_time($1, $2) as r', [memberId, atMs]);
    assert(row, 'credits_point_in_time returns one row');
    const [snapshot, sums, last, lots, holds, policyVersion] = row.r;
    return {
      sums: [...fromTuples(snapshot === null ? [] : storedSums.parse(snapshot)), ...fromTuples(sums)],
      last: last ? { version: Number(last[0]), at_ms: Number(last[1]), lifetime_after: Number(last[2]) } : undefined,
      lots: lots.map((values) => readLot(fromColumns<CreditLotRow>(pointInTimeLotColumns, values, memberId))),
      holds: holds.map((values) => fromColumns<CreditHoldRow>(pointInTimeHoldColumns, values, memberId)),
      policyVersion: Number(policyVersion ?? 1),
    };
  }
  type SqliteReplay = { snapshot: string | null; sums: string; last: string | null; lots: string; holds: string; pv: number | null };
  const [row] = await rawQuery<SqliteReplay>(db, sqliteReplayFromSnapshotSql, [memberId, atMs]);
  assert(row, 'the point-in-time statement returns one row');
  const last = row.last === null ? undefined : (JSON.parse(row.last) as [number, number, number]);
  return {
    sums: [...fromTuples(row.snapshot === null ? [] : parseSums(row.snapshot)), ...fromTuples(JSON.parse(row.sums) as SnapshotTuple[])],
    last: last ? { version: last[0], at_ms: last[1], lifetime_after: last[2] } : undefined,
    lots: (JSON.parse(row.lots) as CreditLotRow[]).map(readLot),
    holds: JSON.parse(row.holds) as CreditHoldRow[],
    policyVersion: Number(row.pv ?? 1),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Taking snapshots

export interface SnapshotRow {
  member_id: string;
  version: number;
  at_ms: number;
  max_at_ms: number;
  lifetime_after: number;
  base_version: number;
  period_min_at_ms: number;
  sums: string;
  recorded_at_ms: number;
  taken_at_ms: number;
}

/**
 * The snapshot of `memberId` at `version`, computed from the newest older snapshot (or from nothing) plus the
 * postings between: versions up to `version` are committed and never change, so no lock is needed. Undefined when
 * the member has no such transaction.
 */
export async function computeSnapshot(db: Executor, memberId: string, version: number, takenAtMs: number, options: { fromScratch?: boolean } = {}): Promise<SnapshotRow | undefined> {
  const [tx] = await rawQuery<{ at_ms: number; lifetime_after: number; recorded_at_ms: number }>(
    db, `select at_ms, lifetime_after, recorded_at_ms from credit_transactions where member_id = ? and version = ?`, [memberId, version]);
  if (!tx) return undefined;
  const [base] = options.fromScratch ? [] : await rawQuery<{ version: number; max_at_ms: number; sums: string }>(
    db, `select version, max_at_ms, sums from credit_balance_snapshots where member_id = ? and version < ? order by version desc limit 1`, [memberId, version]);
  const fromVersion = base ? Number(base.version) : 0;
  const delta = await rawQuery<{ lot_id: string | null; hold_id: string | null; account: string; total: number | string }>(
    db,
    `select lot_id, hold_id, account, sum(amount) as total from credit_postings
     where member_id = ? and version > ? and version <= ? and account in ${memberBuckets} group by lot_id, hold_id, account`,
    [memberId, fromVersion, version],
  );
  const span = await periodSpan(db, memberId, fromVersion, version);
  const totals = new Map<string, SnapshotTuple>();
  const add = (lotId: string | null, holdId: string | null, account: string, total: number) => {
    const key = JSON.stringify([lotId, holdId, account]);
    const entry = totals.get(key);
    if (entry) entry[3] += total;
    else totals.set(key, [lotId, holdId, account, total]);
  };
  if (base) for (const [lotId, holdId, account, total] of parseSums(base.sums)) add(lotId, holdId, account, total);
  for (const s of delta) add(s.lot_id, s.hold_id, s.account, Number(s.total));
  // Zero sums are spent lots and released holds: the replay finds nothing in them, so they are left out.
  const tuples = [...totals.entries()].filter(([, t]) => t[3] !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
  return {
    member_id: memberId,
    version,
    at_ms: Number(tx.at_ms),
    max_at_ms: Math.max(base ? Number(base.max_at_ms) : 0, span.maxAtMs),
    lifetime_after: Number(tx.lifetime_after),
    base_version: fromVersion,
    period_min_at_ms: span.minAtMs,
    sums: JSON.stringify(tuples),
    recorded_at_ms: Number(tx.recorded_at_ms),
    taken_at_ms: takenAtMs,
  };
}

/** The earliest and latest transaction times among versions in (fromVersion, toVersion] (at least one exists). */
export async function periodSpan(db: Executor, memberId: string, fromVersion: number, toVersion: number): Promise<{ minAtMs: number; maxAtMs: number }> {
  const [span] = await rawQuery<{ min_at_ms: number | string; max_at_ms: number | string }>(
    db, `select min(at_ms) as min_at_ms, max(at_ms) as max_at_ms from credit_transactions where member_id = ? and version > ? and version <= ?`, [memberId, fromVersion, toVersion]);
  assert(span && span.min_at_ms !== null, 'a snapshot period holds at least its own transaction');
  return { minAtMs: Number(span.min_at_ms), maxAtMs: Number(span.max_at_ms) };
}

/** Stores a snapshot; one already there (another job run took it) is kept. */
export async function insertSnapshot(db: Executor, row: SnapshotRow): Promise<void> {
  await rawQuery(
    db,
    `insert into credit_balance_snapshots (member_id, version, at_ms, max_at_ms, lifetime_after, base_version, period_min_at_ms, sums, recorded_at_ms, taken_at_ms)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (member_id, version) do nothing`,
    [row.member_id, row.version, row.at_ms, row.max_at_ms, row.lifetime_after, row.base_version, row.period_min_at_ms, row.sums, row.recorded_at_ms, row.taken_at_ms],
  );
}

/**
 * Transactions that should carry a snapshot and do not yet: every snapshotEvery-th version, found through the
 * partial index credit_transactions_snapshot_due from a little before the newest snapshot's transaction (`lagMs`
 * covers transactions recorded earlier that committed later). Oldest first, so the watermark only moves forward.
 */
export async function snapshotsDue(db: Executor, lagMs: number, limit: number): Promise<{ member_id: string; version: number }[]> {
  const [mark] = await rawQuery<{ m: number | string | null }>(db, `select max(recorded_at_ms) as m from credit_balance_snapshots`, []);
  const from = mark?.m === null || mark?.m === undefined ? 0 : Number(mark.m) - lagMs;
  const rows = await rawQuery<{ member_id: string; version: number }>(
    db,
    `select t.member_id, t.version from credit_transactions t
     where version % ${snapshotEvery} = 0 and t.recorded_at_ms >= ?
       and not exists (select 1 from credit_balance_snapshots s where s.member_id = t.member_id and s.version = t.version)
     order by t.recorded_at_ms limit ?`,
    [from, limit],
  );
  return rows.map((r) => ({ member_id: r.member_id, version: Number(r.version) }));
}

/** A sample of stored snapshots for the auditor (the newest ones: most likely to be read). */
export async function sampleSnapshots(db: Executor, limit: number, memberId?: string): Promise<SnapshotRow[]> {
  if (memberId !== undefined) return rawQuery<SnapshotRow>(db, `select * from credit_balance_snapshots where member_id = ? order by version desc limit ?`, [memberId, limit]);
  return rawQuery<SnapshotRow>(db, `select * from credit_balance_snapshots order by recorded_at_ms desc limit ?`, [limit]);
}
