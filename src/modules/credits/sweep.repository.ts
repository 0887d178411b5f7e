// The sweep's own reads and its one set-based write (PF-8): finding due members through the per-account next-due
// index, and, for the members whose time events touch nothing but their own lots, reading only the due lots and the
// next due time of the others, and marking expiry warnings in one statement.
import { isPostgres, type Executor } from '../../db/database.ts';
import { liveLotsFirst, rawQuery, toLot } from './ledger.repository.ts';
import type { Lot } from './ledger.rules.ts';
import type { CreditLotRow } from './ledger.table.ts';
import type { ExpiryWarning } from './notices.ts';

const placeholders = (count: number) => Array(count).fill('?').join(', ');

/**
 * `member_id in (the batch)`: on PostgreSQL one array parameter, so the statement has one shape whatever the batch
 * (planning a 500-item IN list took ~7 ms a statement, measured); on SQLite placeholders (prepared once per size).
 */
function memberIn(db: Executor, column: string, memberIds: readonly string[]): { text: string; params: unknown[] } {
  return isPostgres(db) ? { text: `${column} = any(?::text[])`, params: [memberIds] } : { text: `${column} in (${placeholders(memberIds.length)})`, params: [...memberIds] };
}

/**
 * Members with a time event due by `nowMs` (credit_accounts_next_due, migration 0404) or an expiry warning due by
 * `warnUntilMs` (credit_lots_warning_due), at most `limit`, in member order. Two index range reads, never a scan;
 * ties are broken by key, so the same state always gives the same batches.
 */
export async function dueMemberIds(db: Executor, nowMs: number, warnUntilMs: number, limit: number): Promise<string[]> {
  const rows = await rawQuery<{ member_id: string }>(
    db,
    `select member_id from (select member_id from credit_accounts where next_due_at_ms <= ? order by next_due_at_ms, member_id limit ?) d
     union select member_id from (select member_id from credit_lots where ${liveLotsFirst(db)}state = 'available' and warned_at_ms is null and expires_at_ms <= ? order by expires_at_ms, member_id, id limit ?) w`,
    [nowMs, limit, warnUntilMs, limit],
  );
  return rows.map((r) => r.member_id).sort().slice(0, limit);
}

/** Which of these members have an active hold (their hold timeouts go through the book). */
export async function membersWithActiveHolds(db: Executor, memberIds: readonly string[]): Promise<Set<string>> {
  if (memberIds.length === 0) return new Set();
  const members = memberIn(db, 'member_id', memberIds);
  const rows = await rawQuery<{ member_id: string }>(db, `select distinct member_id from credit_holds where ${members.text} and state = 'active'`, members.params);
  return new Set(rows.map((r) => r.member_id));
}

export interface DueWork {
  /** Per member, its lots with an unlock or an expiry due by now (a pending lot expires after it unlocks). */
  dueLots: Map<string, Lot[]>;
  /**
   * Per member, the next time event among its live lots with nothing due by now (the unlock of a pending lot, the
   * expiry of an available one): what computeNextDue finds among the lots the sweep does not touch. Absent: none.
   */
  laterDue: Map<string, number>;
}

/**
 * Two statements over these members' lots: the due lots in full, and per member the next event of the others. (One
 * statement with a window over the live lots answered both, but took 3× as long on SQLite and 1.7× on PostgreSQL,
 * measured alternating on the same batches.)
 */
export async function selectDueWork(db: Executor, memberIds: readonly string[], nowMs: number): Promise<DueWork> {
  const work: DueWork = { dueLots: new Map(memberIds.map((id) => [id, []])), laterDue: new Map() };
  if (memberIds.length === 0) return work;
  const members = memberIn(db, 'member_id', memberIds);
  const due = await rawQuery<CreditLotRow>(
    db,
    `select * from credit_lots where ${members.text} and ((state = 'pending' and unlock_at_ms <= ?) or (state = 'available' and expires_at_ms <= ?))`,
    [...members.params, nowMs, nowMs],
  );
  for (const row of due) work.dueLots.get(row.member_id)!.push(toLot(row));
  const later = await rawQuery<{ member_id: string; next_ms: number | null }>(
    db,
    `select member_id, min(case when state = 'pending' and unlock_at_ms > ? then unlock_at_ms when state = 'available' and expires_at_ms > ? then expires_at_ms end) as next_ms
     from credit_lots where ${liveLotsFirst(db)}${members.text} and state in ('pending', 'available') group by member_id`,
    [nowMs, nowMs, ...members.params],
  );
  for (const row of later) if (row.next_ms !== null) work.laterDue.set(row.member_id, Number(row.next_ms));
  return work;
}

/**
 * CR-10 for members without held credits: marks every available, unwarned lot expiring in (now, warnUntil] as warned
 * now, in one statement, and answers the warnings to send (every such lot has unheld credits: nothing is held).
 */
export async function markExpiryWarnings(db: Executor, memberIds: readonly string[], nowMs: number, warnUntilMs: number): Promise<ExpiryWarning[]> {
  if (memberIds.length === 0) return [];
  const members = memberIn(db, 'member_id', memberIds);
  const rows = await rawQuery<{ member_id: string; id: string; unheld: number; expires_at_ms: number }>(
    db,
    `update credit_lots set warned_at_ms = ?
     where ${members.text} and state = 'available' and warned_at_ms is null and expires_at_ms > ? and expires_at_ms <= ?
     returning member_id, id, remaining - held as unheld, expires_at_ms`,
    [nowMs, ...members.params, nowMs, warnUntilMs],
  );
  const warnings = rows
    .filter((r) => Number(r.unheld) > 0)
    .map((r): ExpiryWarning => ({ memberId: r.member_id, lotId: r.id, credits: Number(r.unheld), expiresAtMs: Number(r.expires_at_ms) }));
  // The order the reference path lists them in: member, then lot (SQLite's clustered key; PostgreSQL's heap order is
  // arbitrary, and only the member order reaches an email).
  return warnings.sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : a.lotId < b.lotId ? -1 : a.lotId > b.lotId ? 1 : 0));
}
