// The sweep's own reads (PF-8): finding due members through the per-account next-due index and the expiry warnings'
// index, and, for the members whose time events touch nothing but their own lots, reading only the due lots (with
// those coming into the warning window) and the next due time of the others.
import { isPostgres, type Executor } from '../../db/database.ts';
import { DAY_MS } from '../../platform/clock.ts';
import { appendColumns, deferredExpiryOf, liveLotsFirst, lotReadsAvailableSql as isAvailable, lotReadsPendingSql as isPending, rawQuery, toLot } from './ledger.repository.ts';
import type { Account, Lot } from './ledger.rules.ts';
import type { CreditLotRow } from './ledger.table.ts';

const placeholders = (count: number) => Array(count).fill('?').join(', ');

/** The expiry warnings' partial index (credit_lots_warning_due), as its predicate reads on SQLite (migration 0427). */
const unwarnedLive = `l.state in ('pending', 'available') and l.warned_at_ms is null`;

/**
 * `member_id in (the batch)`: on PostgreSQL one array parameter, so the statement has one shape whatever the batch
 * (planning a 500-item IN list took ~7 ms a statement, measured); on SQLite placeholders (prepared once per size).
 */
function memberIn(db: Executor, column: string, memberIds: readonly string[]): { text: string; params: unknown[] } {
  return isPostgres(db) ? { text: `${column} = any(?::text[])`, params: [memberIds] } : { text: `${column} in (${placeholders(memberIds.length)})`, params: [...memberIds] };
}

/** The key of SQLite's credit_accounts_next_due_day (migration 0428), spelled as its index spells it (SQLite matches it so). */
const nextDueDay = `next_due_at_ms / ${DAY_MS}`;

/**
 * Members with a time event due by `nowMs` or an expiry warning due by `warnUntilMs` (credit_lots_warning_due), at
 * most `limit`, in member order. Two index range reads, never a scan; ties are broken by key, so the same state always
 * gives the same batches. Time events first: the warnings' read is made only when they fill less than `limit`. It
 * reads each candidate lot's row and its account (whether the lot reads as available), and was made afresh every
 * round, its answer mostly cut off by the member order: at M (1M members) 136 ms a round, 23 % of a day's sweep. A
 * member with a time event due gets its warnings with it (selectDueWork reads them), so what the warnings' read finds
 * once the time events are done is the members with a warning and nothing else due. On SQLite the warnings' read also
 * takes the members whose deferred lots (migration 0429) come into the window, through the accounts' mark.
 */
export async function dueMemberIds(db: Executor, nowMs: number, warnUntilMs: number, limit: number): Promise<string[]> {
  const timeEvents = dueByTimeQuery(db, nowMs, limit);
  const members = (await rawQuery<{ member_id: string }>(db, timeEvents.text, timeEvents.params)).map((r) => r.member_id);
  if (members.length < limit) {
    const found = new Set(members);
    for (const warnings of [dueWarningsQuery(db, warnUntilMs, limit), ...(isPostgres(db) ? [] : [dueDeferredQuery(warnUntilMs, limit)])]) {
      for (const row of await rawQuery<{ member_id: string }>(db, warnings.text, warnings.params)) found.add(row.member_id);
    }
    return [...found].sort().slice(0, limit);
  }
  return members.sort();
}

/**
 * The members with a time event due (their test reads the plan): on SQLite through credit_accounts_next_due_day
 * (0428), the days up to today's, earliest first, then in member order, the members of today not yet due passed over
 * within the index; on PostgreSQL through credit_accounts_next_due (0404), in the order the work fell due.
 */
export function dueByTimeQuery(db: Executor, nowMs: number, limit: number): { text: string; params: unknown[] } {
  return isPostgres(db)
    ? { text: 'select member_id from credit_accounts where next_due_at_ms <= ? order by next_due_at_ms, member_id limit ?', params: [nowMs, limit] }
    : {
        text: `select member_id from credit_accounts where ${nextDueDay} <= ? and next_due_at_ms <= ? order by ${nextDueDay}, member_id limit ?`,
        params: [Math.floor(nowMs / DAY_MS), nowMs, limit],
      };
}

/** The members of the available lots coming into the expiry warning window unwarned, soonest expiry first. */
function dueWarningsQuery(db: Executor, warnUntilMs: number, limit: number): { text: string; params: unknown[] } {
  return {
    text: `select distinct member_id from (select l.member_id from credit_lots l join credit_accounts a on a.member_id = l.member_id
       where ${liveLotsFirst(db)}${unwarnedLive} and l.expires_at_ms <= ? and ${isAvailable} order by l.expires_at_ms, l.id limit ?) w`,
    params: [warnUntilMs, limit],
  };
}

/**
 * SQLite: the members whose lots still in their transaction rows (migration 0429) come into the expiry warning window,
 * soonest first, through the accounts' partial index on the soonest such expiry: the sweep copies their lots into
 * credit_lots first (sweep.jobs.ts), where the lots' own warnings index and reads take over.
 */
function dueDeferredQuery(warnUntilMs: number, limit: number): { text: string; params: unknown[] } {
  return {
    text: `select member_id from credit_accounts where deferred_from_version is not null and deferred_expires_at_ms <= ? order by deferred_expires_at_ms, deferred_seq limit ?`,
    params: [warnUntilMs, limit],
  };
}

/** Which of these members have an active hold (their hold timeouts go through the book). */
export async function membersWithActiveHolds(db: Executor, memberIds: readonly string[]): Promise<Set<string>> {
  if (memberIds.length === 0) return new Set();
  const members = memberIn(db, 'member_id', memberIds);
  const rows = await rawQuery<{ member_id: string }>(db, `select distinct member_id from credit_holds where ${members.text} and state = 'active'`, members.params);
  return new Set(rows.map((r) => r.member_id));
}

export interface DueWork {
  /**
   * Per member, its lots with an unlock or an expiry due by now (a pending lot expires after it unlocks), and its
   * available lots coming into the expiry warning window unwarned (CR-10: the sweep marks them).
   */
  dueLots: Map<string, Lot[]>;
  /**
   * Per member, the next time event among its live lots with nothing due by now (the unlock of a pending lot, the
   * expiry of an available one): what computeNextDue finds among the lots the sweep does not touch. Absent: none.
   */
  laterDue: Map<string, number>;
}

/**
 * The batch's members with how far each account's unlocks are written, as a relation `a(member_id,
 * unlocked_through_ms)` (the accounts as the caller read them under its locks): the lots are then read by key per
 * member, with no account row read again. PostgreSQL: two array parameters (planned once whatever the batch; joined
 * with the accounts table instead, it scanned the accounts); SQLite: a VALUES list.
 */
function membersWithUnlocks(db: Executor, accounts: readonly Pick<Account, 'memberId' | 'unlockedThroughMs'>[]): { text: string; params: unknown[] } {
  if (isPostgres(db)) {
    return { text: 'unnest(?::text[], ?::bigint[]) as a(member_id, unlocked_through_ms)', params: [accounts.map((a) => a.memberId), accounts.map((a) => a.unlockedThroughMs)] };
  }
  return {
    text: `(select column1 as member_id, column2 as unlocked_through_ms from (values ${accounts.map(() => '(?, ?)').join(', ')})) as a`,
    params: accounts.flatMap((a) => [a.memberId, a.unlockedThroughMs]),
  };
}

const lotColumns = appendColumns.lots as readonly (keyof CreditLotRow)[];

/** A lot row from its values in lotColumns order (SQLite's one-pass read answers the due lots as arrays). */
function lotRowOf(values: readonly unknown[]): CreditLotRow {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < lotColumns.length; i++) row[lotColumns[i]!] = values[i];
  return row as unknown as CreditLotRow;
}

/** A lot with an event due by now (an unlock, an expiry) or coming into the expiry warning window unwarned: ?now, ?now, ?warnUntil. */
const dueLotSql = `((${isPending} and l.unlock_at_ms <= ?) or (${isAvailable} and (l.expires_at_ms <= ? or (l.warned_at_ms is null and l.expires_at_ms <= ?))))`;

/** A live lot's next time event after now (its unlock when pending, else its expiry), null when none: ?now, ?now. */
const laterEventSql = `case when ${isPending} then case when l.unlock_at_ms > ? then l.unlock_at_ms end when l.expires_at_ms > ? then l.expires_at_ms end`;

/** SQLite's one pass over each batch member's live lots in `table` (credit_lots, or the deferred lots' view). */
function sqliteDueWorkSql(table: 'credit_lots' | 'credit_lots_deferred', members: string): string {
  return `select a.member_id, (select json_array(min(${laterEventSql}), json_group_array(json_array(${lotColumns.map((c) => `l.${c}`).join(', ')})) filter (where ${dueLotSql}))
    from ${table} l where l.member_id = a.member_id and l.state in ('pending', 'available')) as work
  from ${members}`;
}

/**
 * The due lots in full and, per member, the next event of its live lots (computeNextDue's answer for the lots nothing
 * happens to; a due lot's next event comes from the rules run on it), in one pass over each member's live lots: a
 * correlated aggregate per member that answers both, the due lots as arrays in lotColumns order. SQLite since session
 * 31: against two statements (the due lots, then the next events) 232 against 344 ms for a day's reads at 100k
 * members, alternating; at M (1M members) the second pass over the lots was 1.1 s of a 10 s day. Grouping the batch's
 * lots instead (GROUP BY) sorted them: 313 ms. PostgreSQL since session 36 (a lateral aggregate per member): the two
 * statements were two fifths of the server's statement time in a day's sweep at S (pg_stat_statements: 10 ms each per
 * batch of 500 members, against 9 ms for the accounts' update and 8 for the transaction rows); in one pass,
 * alternating days on one ledger, days 1.10 → 1.00 s (medians of six) and the server's CPU 1.33 → 1.16 s. A window over
 * the live lots answering both had been 1.7× as long as the two statements (session 31).
 */
export async function selectDueWork(db: Executor, accounts: readonly Account[], nowMs: number, warnUntilMs: number): Promise<DueWork> {
  const work: DueWork = { dueLots: new Map(accounts.map((a) => [a.memberId, []])), laterDue: new Map() };
  if (accounts.length === 0) return work;
  const unlockedThrough = new Map(accounts.map((a) => [a.memberId, a.unlockedThroughMs]));
  if (!isPostgres(db)) {
    // Deferred lots (migration 0429) are read by a second pass of the same shape, for the members marked as having
    // them only: naming both parts in one statement (a UNION ALL per member) slowed every day by 10–20 %.
    const marked = accounts.filter((a) => deferredExpiryOf(a) !== undefined);
    for (const [table, readers] of [['credit_lots', accounts], ['credit_lots_deferred', marked]] as const) {
      if (readers.length === 0) continue;
      const of = membersWithUnlocks(db, readers);
      const rows = await rawQuery<{ member_id: string; work: string }>(db, sqliteDueWorkSql(table, of.text), [nowMs, nowMs, nowMs, nowMs, warnUntilMs, ...of.params]);
      for (const row of rows) {
        const [later, due] = JSON.parse(row.work) as [number | null, unknown[][]];
        const before = work.laterDue.get(row.member_id);
        if (later !== null && (before === undefined || later < before)) work.laterDue.set(row.member_id, later);
        const lots = work.dueLots.get(row.member_id)!;
        for (const values of due) lots.push(toLot(lotRowOf(values), unlockedThrough.get(row.member_id)!));
      }
    }
    return work;
  }
  const members = membersWithUnlocks(db, accounts);
  const rows = await rawQuery<{ member_id: string; next_ms: number | null; due: unknown[][] | null }>(
    db,
    `select a.member_id, w.next_ms, w.due from ${members.text} cross join lateral (
       select min(${laterEventSql}) as next_ms, json_agg(json_build_array(${lotColumns.map((c) => `l.${c}`).join(', ')})) filter (where ${dueLotSql}) as due
       from credit_lots l where l.live and l.member_id = a.member_id and l.state in ('pending', 'available')) w`,
    [...members.params, nowMs, nowMs, nowMs, nowMs, warnUntilMs],
  );
  for (const row of rows) {
    if (row.next_ms !== null) work.laterDue.set(row.member_id, Number(row.next_ms));
    const lots = work.dueLots.get(row.member_id)!;
    for (const values of row.due ?? []) lots.push(toLot(lotRowOf(values), unlockedThrough.get(row.member_id)!));
  }
  return work;
}
