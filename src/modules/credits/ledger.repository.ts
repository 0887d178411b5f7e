// Reading and writing the ledger tables. The hot paths are hand-written SQL sent as precompiled queries: Kysely's
// query building costs tens of microseconds per statement (PERFORMANCE.md), and PostgreSQL pays a round trip per
// statement, so each operation reads its member in one statement and writes everything in one more.
import { memoize } from '../../platform/memo.ts';
import { CompiledQuery } from 'kysely';
import type { SQLInputValue } from 'node:sqlite';
import { isPostgres, type Executor } from '../../db/database.ts';
import { toSqliteInput } from '../../db/node-sqlite-adapter.ts';
import { preparedStatement } from '../../db/pg-prepared.ts';
import { executeRaw, queryRaw, rawSqliteInTransaction, type RawSqlite } from '../../db/sqlite-raw.ts';
import { assert } from '../../platform/assert.ts';
import { effectiveLotState, type Account, type Book, type Hold, type HoldLot, type HoldState, type Lot, type LotSource, type LotState, type TransactionDraft } from './ledger.rules.ts';
import type { CreditAccountRow, CreditHoldLotRow, CreditHoldRow, CreditLotRow, CreditTransactionRow } from './ledger.table.ts';

// ---------------------------------------------------------------------------------------------------------------
// Raw statements

/** Statements are written with `?` placeholders; PostgreSQL gets `$1…$n` (converted once per text). */
const pgText = memoize((text: string): string => {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
});

export function rawQuery<T>(db: Executor, text: string, params: readonly unknown[]): Promise<T[]> {
  return queryRaw<T>(db, isPostgres(db) ? pgText(text) : text, params);
}

/** PostgreSQL-only statements already written with `$n` placeholders. */
async function pgQuery<T>(db: Executor, text: string, params: readonly unknown[]): Promise<T[]> {
  const result = await db.executeQuery<T>(CompiledQuery.raw(text, params as unknown[]));
  return result.rows as T[];
}

/**
 * A call of one of the ledger's PostgreSQL functions, as a named prepared statement (db/pg-prepared.ts): parsed and
 * planned once per connection. Only calls: each answers one json column, so a migration that changes a table cannot
 * change a prepared statement's result type under a running instance (a `select *` could).
 */
export function pgCall<T>(db: Executor, text: `select credits_${string}`, params: readonly unknown[]): Promise<T[]> {
  return pgQuery<T>(db, preparedStatement(text), params);
}

export function rawExecute(db: Executor, text: string, params: readonly unknown[]): Promise<number> {
  return executeRaw(db, isPostgres(db) ? pgText(text) : text, params);
}

/** PostgreSQL refused the transaction for a reason a retry cures (serialization failure, deadlock). */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

// ---------------------------------------------------------------------------------------------------------------
// Row mapping (CONVENTIONS 4: one mapper per table)

/**
 * What a row held when it was read, in the columns whose indexes SQLite would rewrite even when the value stays: an
 * UPDATE that assigns an indexed column (or one in a partial index's WHERE) rewrites that index entry, changed or
 * not. An account whose next-due time is unchanged (credit_accounts_next_due, migration 0404), as after most
 * operations, is written without it; a lot whose state and warning mark are unchanged is written with the amount
 * columns only, which dirties one page instead of four (PF-2).
 *
 * Kept on the object itself, under a symbol and not enumerable (spreads, JSON and equality checks ignore it), not in
 * a WeakMap: every WeakMap entry is an ephemeron that each young-generation GC has to visit, and with one entry per
 * account or lot read the GC pauses grew to 1.4–3 ms (median 2.1 ms) at 9,000 point-in-time reads/s, against 0.5–1.3
 * ms (median 0.8) without (`node --trace-gc`; PF-7's paced p99 is those pauses).
 */
const asRead = Symbol('as read');

function markAsRead<T extends object>(object: T, value: unknown): void {
  Object.defineProperty(object, asRead, { value, writable: true, configurable: true, enumerable: false });
}

function readMark<T>(object: object): T | undefined {
  return (object as { [asRead]?: T })[asRead];
}

export function toAccount(row: CreditAccountRow): Account {
  const account = readAccount(row);
  markAsRead(account, account.nextDueAtMs);
  if (row.deferred_from_version != null) markDeferred(account, Number(row.deferred_expires_at_ms));
  return account;
}

// ---------------------------------------------------------------------------------------------------------------
// Deferred lots (SQLite, migration 0429)

/**
 * Where a member's lots are read from: on SQLite `credit_lots_all`, the lots in credit_lots and those an append group
 * left in its transaction rows (migration 0429); on PostgreSQL credit_lots, which holds them all.
 */
export const lotsTable = (db: Executor): string => (isPostgres(db) ? 'credit_lots' : 'credit_lots_all');

/**
 * lotsTable for one member whose account is at hand: credit_lots itself when the account was read from its row
 * (toAccount) without a mark, as most are; the view's second part costs every read an account lookup and a
 * co-routine (a day's sweep read through it ran 10–20 % slower).
 */
export function lotsTableOf(db: Executor, account: Pick<Account, 'memberId'>): string {
  return Object.hasOwn(account, asRead) && deferredExpiryOf(account as Account) === undefined ? 'credit_lots' : lotsTable(db);
}

/**
 * Whether the account, as read, marks lots still in its transaction rows, and the soonest expiry among them: kept on
 * the object as asRead is (a storage fact the rules never see).
 */
const deferredMark = Symbol('deferred lots');

function markDeferred(account: Account, soonestExpiryMs: number | undefined): void {
  Object.defineProperty(account, deferredMark, { value: soonestExpiryMs, writable: true, configurable: true, enumerable: false });
}

/** The soonest expiry among the account's deferred lots; undefined when it has none (or was not read from its row). */
export function deferredExpiryOf(account: Account): number | undefined {
  return (account as { [deferredMark]?: number })[deferredMark];
}

/**
 * Copies the member's deferred lots into credit_lots and clears the account's mark (SQLite, in the caller's write
 * transaction): done before the first write to any of the member's lots, which then finds its row. The rows are as
 * the lots were issued; what has happened to them since (an unlock) the account says, as for any stored lot.
 */
export function materializeDeferredLots(raw: RawSqlite, memberId: string): void {
  raw.statement(materializeSql.lots).run(memberId);
  raw.statement(materializeSql.account).run(memberId);
}

/**
 * The sweep's first step (SQLite): the accounts, locked by the caller, whose deferred lots come into the expiry warning
 * window by `warnUntilMs` get them copied into credit_lots, where the warnings' index and the due-lot reads find them.
 * Every member the sweep found through the deferred mark (sweep.repository.ts) leaves it here, so none is found twice.
 */
export function materializeDeferredLotsDue(db: Executor, accounts: readonly Account[], warnUntilMs: number): void {
  const due = accounts.filter((account) => (deferredExpiryOf(account) ?? Infinity) <= warnUntilMs);
  if (due.length === 0) return;
  const raw = rawSqliteInTransaction(db);
  assert(raw, 'the sweep runs in the caller’s transaction');
  for (const account of due) {
    materializeDeferredLots(raw, account.memberId);
    markDeferred(account, undefined);
  }
}

function readAccount(row: CreditAccountRow): Account {
  return {
    memberId: row.member_id,
    state: row.state,
    version: Number(row.version),
    available: Number(row.available),
    pending: Number(row.pending),
    held: Number(row.held),
    debt: Number(row.debt),
    lifetimeEarned: Number(row.lifetime_earned),
    nextDueAtMs: row.next_due_at_ms === null ? null : Number(row.next_due_at_ms),
    unlockedThroughMs: row.unlocked_through_ms == null ? null : Number(row.unlocked_through_ms),
    createdAtMs: Number(row.created_at_ms),
    updatedAtMs: Number(row.updated_at_ms),
  };
}

/** What a lot's row held when it was read: its stored state (see effectiveLotState) and what an unlock leaves as it is. */
interface LotAsRead {
  state: LotState;
  warnedAtMs: number | null;
  remaining: number;
  held: number;
  reversed: number;
  refundedQualifyingMinor: number;
}

/**
 * A lot read to be worked on: in the state it is in (a stored pending lot unlocked through the account's
 * `unlockedThroughMs` is available), marked with what its row holds.
 */
export function toLot(row: CreditLotRow, unlockedThroughMs: number | null): Lot {
  const lot = readLot(row);
  markAsRead(lot, rowOf(lot));
  lot.state = effectiveLotState(lot.state, lot.unlockAtMs, unlockedThroughMs);
  return lot;
}

function rowOf(lot: Lot): LotAsRead {
  return { state: lot.state, warnedAtMs: lot.warnedAtMs, remaining: lot.remaining, held: lot.held, reversed: lot.reversed, refundedQualifyingMinor: lot.refundedQualifyingMinor };
}

/**
 * effectiveLotState in SQL, for a lot `l` and a relation `a` with its account's `unlocked_through_ms`: whether the lot
 * reads as pending, or as available (a stored pending lot unlocked through the account's moment is available).
 */
export const lotReadsPendingSql = `l.state = 'pending' and (a.unlocked_through_ms is null or l.unlock_at_ms > a.unlocked_through_ms)`;
export const lotReadsAvailableSql = `(l.state = 'available' or (l.state = 'pending' and l.unlock_at_ms <= a.unlocked_through_ms))`;

/** A lot read for a computation that never writes it back (point-in-time replays): no mark of what it was read as. */
export function readLot(row: CreditLotRow): Lot {
  return {
    id: row.id,
    memberId: row.member_id,
    source: row.source as LotSource,
    state: row.state as LotState,
    original: Number(row.original),
    remaining: Number(row.remaining),
    held: Number(row.held),
    reversed: Number(row.reversed),
    qualifyingMinor: Number(row.qualifying_minor),
    refundedQualifyingMinor: Number(row.refunded_qualifying_minor),
    unlockAtMs: Number(row.unlock_at_ms),
    expiresAtMs: Number(row.expires_at_ms),
    orderId: row.order_id,
    orderLineId: row.order_line_id,
    transactionId: row.transaction_id,
    policyVersion: Number(row.policy_version),
    warnedAtMs: row.warned_at_ms === null ? null : Number(row.warned_at_ms),
    createdAtMs: Number(row.created_at_ms),
  };
}

function toHoldLot(row: CreditHoldLotRow): HoldLot {
  return { lotId: row.lot_id, allocated: Number(row.allocated), held: Number(row.held), captured: Number(row.captured) };
}

export function toHold(row: CreditHoldRow, lots: CreditHoldLotRow[]): Hold {
  return {
    id: row.id,
    memberId: row.member_id,
    state: row.state as HoldState,
    credits: Number(row.credits),
    captured: Number(row.captured),
    orderId: row.order_id,
    expiresAtMs: Number(row.expires_at_ms),
    createdAtMs: Number(row.created_at_ms),
    resolvedAtMs: row.resolved_at_ms === null ? null : Number(row.resolved_at_ms),
    lots: lots.map(toHoldLot),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Loading a member for an operation

export interface IdempotentHit {
  requestHash: string;
  result: string | null;
}

export interface LoadedMember {
  account: Account | undefined;
  currentPolicyVersion: number;
  idempotent: IdempotentHit | undefined;
  /** Present when the book was loaded: every live lot, every active hold, and the lots those holds draw on. */
  lots: Lot[] | undefined;
  holds: Hold[] | undefined;
}

export interface LoadOptions {
  memberId: string;
  idemScope: string;
  idemKey: string;
  /** Load the book even when no time event is due. */
  forceBook: boolean;
  nowMs: number;
}

/**
 * `live and ` on PostgreSQL, whose partial indexes over live lots are on the generated column `live` (migration 0426):
 * a query names it for the planner to use them (a predicate on `state` does not imply one on `live`). Nothing on
 * SQLite, which has no such column.
 */
export const liveLotsFirst = (db: Executor): string => (isPostgres(db) ? 'live and ' : '');

const liveLotsSql = (db: Executor, account: Account) => `select * from ${lotsTableOf(db, account)} where ${liveLotsFirst(db)}member_id = ? and state in ('pending', 'available')`;
const activeHoldsSql = `select * from credit_holds where member_id = ? and state = 'active'`;
const activeHoldLotsSql = `select hl.* from credit_hold_lots hl join credit_holds h on h.id = hl.hold_id where h.member_id = ? and h.state = 'active'`;
const heldDeadLotsSql = (db: Executor, account: Account) => `select l.* from ${lotsTableOf(db, account)} l where l.member_id = ? and l.id in (select hl.lot_id from credit_hold_lots hl join credit_holds h on h.id = hl.hold_id
  where h.member_id = ? and h.state = 'active' and hl.held > 0) and l.state not in ('pending', 'available')`;

function groupHolds(holdRows: CreditHoldRow[], holdLotRows: CreditHoldLotRow[]): Hold[] {
  const byHold = new Map<string, CreditHoldLotRow[]>();
  for (const row of holdLotRows) {
    const list = byHold.get(row.hold_id) ?? [];
    list.push(row);
    byHold.set(row.hold_id, list);
  }
  return holdRows.map((row) => toHold(row, byHold.get(row.id) ?? []));
}

async function loadBookRows(db: Executor, account: Account): Promise<{ lots: Lot[]; holds: Hold[] }> {
  const { memberId, unlockedThroughMs } = account;
  const withHolds = account.held > 0;
  const lots = (await rawQuery<CreditLotRow>(db, liveLotsSql(db, account), [memberId])).map((row) => toLot(row, unlockedThroughMs));
  if (!withHolds) return { lots, holds: [] };
  const holdRows = await rawQuery<CreditHoldRow>(db, activeHoldsSql, [memberId]);
  if (holdRows.length === 0) return { lots, holds: [] };
  const holdLotRows = await rawQuery<CreditHoldLotRow>(db, activeHoldLotsSql, [memberId]);
  const extra = (await rawQuery<CreditLotRow>(db, heldDeadLotsSql(db, account), [memberId, memberId])).map((row) => toLot(row, unlockedThroughMs));
  return { lots: [...lots, ...extra], holds: groupHolds(holdRows, holdLotRows) };
}

/** SQLite: the general path's read of the account, the policy version and what the idempotency key already holds. */
export const sqliteHeadSql = `select a.*, (select max(version) from credit_policies) as pv, t.request_hash as idem_hash, t.result as idem_result
  from (select 1 as one) x
  left join credit_accounts a on a.member_id = ?
  left join credit_transactions t on t.member_id = ? and t.idem_scope = ? and t.idem_key = ?`;

interface PgBook {
  lots: CreditLotRow[];
  holds: { hold: CreditHoldRow; lots: CreditHoldLotRow[] }[];
  dead_lots: CreditLotRow[];
}

function fromPgBook(book: PgBook, account: Account): { lots: Lot[]; holds: Hold[] } {
  return { lots: [...book.lots, ...book.dead_lots].map((row) => toLot(row, account.unlockedThroughMs)), holds: book.holds.map((h) => toHold(h.hold, h.lots)) };
}

/**
 * Locks the member's account row (SELECT … FOR UPDATE: the serialization point; lots are only ever changed while it
 * is held) and reads the idempotency record, the current policy version and, when needed, the book.
 */
export async function lockMember(db: Executor, options: LoadOptions): Promise<LoadedMember> {
  const { memberId, idemScope, idemKey, forceBook, nowMs } = options;
  if (isPostgres(db)) {
    // credits_lock (migration 0401): the lock first, then every read in a statement of its own, after the lock.
    const [row] = await pgCall<{ r: { account: CreditAccountRow | null; pv: number; idem: [string, string | null] | null; book: PgBook | null } }>(
      db,
      'select credits_lock($1, $2, $3, $4, $5) as r',
      [memberId, idemScope, idemKey, forceBook, nowMs],
    );
    assert(row, 'credits_lock returns one row');
    const { account: accountRow, pv, idem, book } = row.r;
    const account = accountRow ? toAccount(accountRow) : undefined;
    const loaded = book && account ? fromPgBook(book, account) : undefined;
    return {
      account,
      currentPolicyVersion: Number(pv),
      idempotent: idem ? { requestHash: idem[0], result: idem[1] } : undefined,
      lots: loaded?.lots,
      holds: loaded?.holds,
    };
  }
  const [head] = await rawQuery<Partial<CreditAccountRow> & { pv: number; idem_hash: string | null; idem_result: string | null }>(db, sqliteHeadSql, [memberId, memberId, idemScope, idemKey]);
  assert(head, 'the head read returns one row');
  const idempotent = head.idem_hash != null ? { requestHash: head.idem_hash, result: head.idem_result ?? null } : undefined;
  if (head.member_id == null) return { account: undefined, currentPolicyVersion: Number(head.pv), idempotent, lots: undefined, holds: undefined };
  const account = toAccount(head as CreditAccountRow);
  const wantBook = forceBook || (account.nextDueAtMs !== null && account.nextDueAtMs <= nowMs);
  const book = wantBook ? await loadBookRows(db, account) : undefined;
  return { account, currentPolicyVersion: Number(head.pv), idempotent, lots: book?.lots, holds: book?.holds };
}

export async function insertEmptyAccount(db: Executor, memberId: string, nowMs: number): Promise<void> {
  await rawExecute(
    db,
    `insert into credit_accounts (member_id, state, version, available, pending, held, debt, lifetime_earned, next_due_at_ms, created_at_ms, updated_at_ms)
     values (?, 'open', 0, 0, 0, 0, 0, 0, null, ?, 0) on conflict (member_id) do nothing`,
    [memberId, nowMs],
  );
}

/** Locks many accounts in member-ID order (the sweep): a fixed order, so two sweeps never deadlock. */
export async function lockAccounts(db: Executor, memberIds: readonly string[]): Promise<Account[]> {
  if (memberIds.length === 0) return [];
  const sorted = [...memberIds].sort();
  // PostgreSQL: one array parameter (a 500-item IN list costs milliseconds to plan); SQLite: placeholders.
  const rows = isPostgres(db)
    ? await pgQuery<CreditAccountRow>(db, 'select * from credit_accounts where member_id = any($1::text[]) order by member_id for update', [sorted])
    : await rawQuery<CreditAccountRow>(db, `select * from credit_accounts where member_id in (${sorted.map(() => '?').join(', ')}) order by member_id`, sorted);
  return rows.map(toAccount);
}

/** The books (live lots, active holds and the lots they draw on) of many members at once, their accounts as read. */
export async function loadBooks(db: Executor, accounts: readonly Account[]): Promise<Map<string, { lots: Lot[]; holds: Hold[] }>> {
  const memberIds = accounts.map((a) => a.memberId);
  const unlockedThrough = new Map(accounts.map((a) => [a.memberId, a.unlockedThroughMs]));
  const result = new Map<string, { lots: Lot[]; holds: Hold[] }>();
  for (const id of memberIds) result.set(id, { lots: [], holds: [] });
  if (memberIds.length === 0) return result;
  const placeholders = memberIds.map(() => '?').join(', ');
  const table = accounts.every((account) => lotsTableOf(db, account) === 'credit_lots') ? 'credit_lots' : lotsTable(db);
  const lots = await rawQuery<CreditLotRow>(db, `select * from ${table} where ${liveLotsFirst(db)}member_id in (${placeholders}) and state in ('pending', 'available')`, memberIds);
  const holdRows = await rawQuery<CreditHoldRow>(db, `select * from credit_holds where member_id in (${placeholders}) and state = 'active'`, memberIds);
  let holdLotRows: CreditHoldLotRow[] = [];
  let extra: CreditLotRow[] = [];
  if (holdRows.length > 0) {
    const holdPlaceholders = holdRows.map(() => '?').join(', ');
    holdLotRows = await rawQuery<CreditHoldLotRow>(db, `select * from credit_hold_lots where hold_id in (${holdPlaceholders})`, holdRows.map((h) => h.id));
    const wanted = [...new Set(holdLotRows.filter((r) => Number(r.held) > 0).map((r) => r.lot_id))];
    if (wanted.length > 0) {
      extra = await rawQuery<CreditLotRow>(
        db,
        `select * from ${table} where member_id in (${placeholders}) and id in (${wanted.map(() => '?').join(', ')}) and state not in ('pending', 'available')`,
        [...memberIds, ...wanted],
      );
    }
  }
  for (const row of [...lots, ...extra]) result.get(row.member_id)!.lots.push(toLot(row, unlockedThrough.get(row.member_id)!));
  for (const hold of groupHolds(holdRows, holdLotRows)) result.get(hold.memberId)!.holds.push(hold);
  return result;
}

/** `account`: the member's, as read under its lock (its unlockedThroughMs says which stored pending lots are available). */
export async function findOrderLineLot(db: Executor, account: Account, orderLineId: string): Promise<Lot | undefined> {
  const rows = await rawQuery<CreditLotRow>(db, `select * from ${lotsTableOf(db, account)} where member_id = ? and order_line_id = ? and order_line_id is not null`, [account.memberId, orderLineId]);
  return rows[0] ? toLot(rows[0], account.unlockedThroughMs) : undefined;
}

export async function findLots(db: Executor, account: Pick<Account, 'memberId' | 'unlockedThroughMs'>, lotIds: readonly string[]): Promise<Lot[]> {
  if (lotIds.length === 0) return [];
  const rows = await rawQuery<CreditLotRow>(db, `select * from ${lotsTableOf(db, account)} where member_id = ? and id in (${lotIds.map(() => '?').join(', ')})`, [account.memberId, ...lotIds]);
  return rows.map((row) => toLot(row, account.unlockedThroughMs));
}

/**
 * CR-18: per lot, the credits that spends and captures for an order took, and what restores gave back so far.
 * Restores name the order too, and their postings are program:spent with a negative amount.
 */
export async function spentOnOrderByLot(db: Executor, memberId: string, orderId: string): Promise<{ lotId: string; spent: number; restored: number; lastVersion: number }[]> {
  const rows = await rawQuery<{ lot_id: string; kind: string; total: number; last_version: number }>(
    db,
    `select p.lot_id, t.kind, sum(p.amount) as total, max(p.version) as last_version
     from credit_transactions t join credit_postings p on p.member_id = t.member_id and p.version = t.version
     where t.member_id = ? and t.order_id = ? and t.kind in ('spend', 'capture', 'restore') and p.account = 'program:spent' and p.lot_id is not null
     group by p.lot_id, t.kind`,
    [memberId, orderId],
  );
  const byLot = new Map<string, { lotId: string; spent: number; restored: number; lastVersion: number }>();
  for (const row of rows) {
    const entry = byLot.get(row.lot_id) ?? { lotId: row.lot_id, spent: 0, restored: 0, lastVersion: 0 };
    if (row.kind === 'restore') entry.restored += -Number(row.total);
    else {
      entry.spent += Number(row.total);
      entry.lastVersion = Math.max(entry.lastVersion, Number(row.last_version));
    }
    byLot.set(row.lot_id, entry);
  }
  return [...byLot.values()];
}

// ---------------------------------------------------------------------------------------------------------------
// Writing books back

interface TableWrite<Row> {
  table: string;
  /** The columns written; `values` gives a row's values in this order. */
  columns: readonly string[];
  /** Update only: the key columns (matched, not set). */
  keys?: readonly string[];
  values(row: Row): unknown[];
}

const txWrite: TableWrite<TransactionDraft> = {
  table: 'credit_transactions',
  columns: [
    'member_id', 'version', 'id', 'kind', 'reason', 'idem_scope', 'idem_key',
    'request_hash', 'policy_version', 'at_ms', 'recorded_at_ms', 'credits',
    'available_after', 'pending_after', 'held_after', 'debt_after', 'lifetime_after',
    'order_id', 'order_line_id', 'case_id', 'hold_id', 'lot_id', 'reason_code',
    'note', 'actor_id', 'actor_role', 'result', 'postings',
  ],
  values: (t) => [
    t.memberId, t.version, t.id, t.kind, t.reason, t.idemScope, t.idemKey, t.requestHash, t.policyVersion, t.atMs, t.recordedAtMs, t.credits,
    t.after.available, t.after.pending, t.after.held, t.after.debt, t.after.lifetimeEarned,
    t.links.orderId ?? null, t.links.orderLineId ?? null, t.links.caseId ?? null, t.links.holdId ?? null, t.links.lotId ?? null,
    t.links.reasonCode ?? null, t.links.note ?? null, t.links.actorId ?? null, t.links.actorRole ?? null, t.result,
    t.postings.map((p) => [p.account, p.lotId, p.holdId, p.amount]),
  ],
};

const lotInsert: TableWrite<Lot> = {
  table: 'credit_lots',
  columns: [
    'id', 'member_id', 'source', 'state', 'original', 'remaining', 'held',
    'reversed', 'qualifying_minor', 'refunded_qualifying_minor', 'unlock_at_ms', 'expires_at_ms',
    'order_id', 'order_line_id', 'transaction_id', 'policy_version', 'warned_at_ms', 'created_at_ms',
  ],
  values: (l) => [
    l.id, l.memberId, l.source, l.state, l.original, l.remaining, l.held, l.reversed, l.qualifyingMinor, l.refundedQualifyingMinor, l.unlockAtMs,
    l.expiresAtMs, l.orderId, l.orderLineId, l.transactionId, l.policyVersion, l.warnedAtMs, l.createdAtMs,
  ],
};

/** materializeDeferredLots' statements: the deferred lots' view read into the table, then the mark cleared. */
const materializeSql = {
  lots: `insert into credit_lots (${lotInsert.columns.join(', ')}) select ${lotInsert.columns.join(', ')} from credit_lots_deferred where member_id = ?`,
  account: 'update credit_accounts set deferred_from_version = null, deferred_expires_at_ms = null, deferred_seq = null where member_id = ?',
};

const lotUpdate: TableWrite<Lot> = {
  table: 'credit_lots',
  keys: ['member_id', 'id'],
  columns: ['member_id', 'id', 'state', 'remaining', 'held', 'reversed', 'refunded_qualifying_minor', 'warned_at_ms'],
  values: (l) => [l.memberId, l.id, l.state, l.remaining, l.held, l.reversed, l.refundedQualifyingMinor, l.warnedAtMs],
};

/** A lot whose state and warning mark are as read: only its amounts changed (see asRead). */
const lotAmountsUpdate: TableWrite<Lot> = {
  table: 'credit_lots',
  keys: ['member_id', 'id'],
  columns: ['member_id', 'id', 'remaining', 'held', 'reversed', 'refunded_qualifying_minor'],
  values: (l) => [l.memberId, l.id, l.remaining, l.held, l.reversed, l.refundedQualifyingMinor],
};

export function onlyAmountsChanged(lot: Lot): boolean {
  const read = readMark<LotAsRead>(lot);
  return read !== undefined && read.state === lot.state && read.warnedAtMs === lot.warnedAtMs;
}

/**
 * Nothing to write: the lot's row is as read but for the state its unlock gave it, which the account's
 * unlockedThroughMs already says (effectiveLotState). The sweep's commonest event then writes no lot page (PF-8).
 */
function unlockedInPlace(lot: Lot, account: Account): boolean {
  const read = readMark<LotAsRead>(lot);
  if (read === undefined || lot.state !== effectiveLotState(read.state, lot.unlockAtMs, account.unlockedThroughMs)) return false;
  const now = rowOf(lot);
  return (Object.keys(now) as (keyof LotAsRead)[]).every((key) => key === 'state' || now[key] === read[key]);
}

const holdInsert: TableWrite<Hold> = {
  table: 'credit_holds',
  columns: ['id', 'member_id', 'state', 'credits', 'captured', 'order_id', 'expires_at_ms', 'created_at_ms', 'resolved_at_ms'],
  values: (h) => [h.id, h.memberId, h.state, h.credits, h.captured, h.orderId, h.expiresAtMs, h.createdAtMs, h.resolvedAtMs],
};

const holdUpdate: TableWrite<Hold> = {
  table: 'credit_holds',
  keys: ['id'],
  columns: ['id', 'state', 'captured', 'resolved_at_ms'],
  values: (h) => [h.id, h.state, h.captured, h.resolvedAtMs],
};

interface HoldLotDraft extends HoldLot {
  holdId: string;
  memberId: string;
}

const holdLotInsert: TableWrite<HoldLotDraft> = {
  table: 'credit_hold_lots',
  columns: ['hold_id', 'lot_id', 'member_id', 'allocated', 'held', 'captured'],
  values: (h) => [h.holdId, h.lotId, h.memberId, h.allocated, h.held, h.captured],
};

const holdLotUpdate: TableWrite<HoldLotDraft> = {
  table: 'credit_hold_lots',
  keys: ['hold_id', 'lot_id'],
  columns: ['hold_id', 'lot_id', 'held', 'captured'],
  values: (h) => [h.holdId, h.lotId, h.held, h.captured],
};

const accountUpdate: TableWrite<Account> = {
  table: 'credit_accounts',
  keys: ['member_id'],
  columns: [
    'member_id', 'state', 'version', 'available', 'pending', 'held', 'debt',
    'lifetime_earned', 'next_due_at_ms', 'unlocked_through_ms', 'updated_at_ms',
  ],
  values: (a) => [a.memberId, a.state, a.version, a.available, a.pending, a.held, a.debt, a.lifetimeEarned, a.nextDueAtMs, a.unlockedThroughMs, a.updatedAtMs],
};

/** An account whose next-due time is as read (see asRead). */
const accountBalancesUpdate: TableWrite<Account> = {
  table: 'credit_accounts',
  keys: ['member_id'],
  columns: accountUpdate.columns.filter((name) => name !== 'next_due_at_ms'),
  values: (a) => [a.memberId, a.state, a.version, a.available, a.pending, a.held, a.debt, a.lifetimeEarned, a.unlockedThroughMs, a.updatedAtMs],
};

export function nextDueUnchanged(account: Account): boolean {
  return Object.hasOwn(account, asRead) && readMark<number | null>(account) === account.nextDueAtMs;
}

/** A lot change outside any book (the sweep's "warned" mark). */
export interface Writes {
  transactions: TransactionDraft[];
  newLots: Lot[];
  changedLots: Lot[];
  newHolds: Hold[];
  changedHolds: Hold[];
  newHoldLots: HoldLotDraft[];
  changedHoldLots: HoldLotDraft[];
  accounts: Account[];
  /** SQLite: the accounts whose deferred lots go into credit_lots first, as one of their lots is written. */
  materialize: Account[];
}

export function collectWrites(books: readonly Book[]): Writes {
  const writes: Writes = { transactions: [], newLots: [], changedLots: [], newHolds: [], changedHolds: [], newHoldLots: [], changedHoldLots: [], accounts: [], materialize: [] };
  for (const book of books) {
    writes.transactions.push(...book.transactions);
    const unlockedThrough = book.account.unlockedThroughMs;
    for (const id of book.newLots) {
      const lot = book.lots.get(id)!;
      // A lot stored as pending must read as pending (effectiveLotState): one issued already due is unlocked first.
      assert(lot.state !== 'pending' || unlockedThrough === null || lot.unlockAtMs > unlockedThrough, `lot ${lot.id} would be stored pending after its unlock`);
      writes.newLots.push(lot);
    }
    const lotsBefore = writes.changedLots.length;
    for (const id of book.changedLots) {
      const lot = book.lots.get(id)!;
      if (!book.newLots.has(id) && !unlockedInPlace(lot, book.account)) writes.changedLots.push(lot);
    }
    if (writes.changedLots.length > lotsBefore && deferredExpiryOf(book.account) !== undefined) writes.materialize.push(book.account);
    for (const id of book.newHolds) writes.newHolds.push(book.holds.get(id)!);
    for (const id of book.changedHolds) if (!book.newHolds.has(id)) writes.changedHolds.push(book.holds.get(id)!);
    const holdLot = (key: string): HoldLotDraft => {
      const [holdId, lotId] = key.split('|') as [string, string];
      const hold = book.holds.get(holdId)!;
      const entry = hold.lots.find((l) => l.lotId === lotId)!;
      return { ...entry, holdId, memberId: hold.memberId };
    };
    for (const key of book.newHoldLots) writes.newHoldLots.push(holdLot(key));
    for (const key of book.changedHoldLots) if (!book.newHoldLots.has(key)) writes.changedHoldLots.push(holdLot(key));
    if (book.accountChanged) writes.accounts.push(book.account);
  }
  return writes;
}

const sqliteInsertTextOf = memoize((spec: TableWrite<never>) => {
  return `insert into ${spec.table} (${spec.columns.join(', ')}) values (${spec.columns.map(() => '?').join(', ')})`;
});

const sqliteUpdateTextOf = memoize((spec: TableWrite<never>) => {
  const keys = spec.keys!;
  const sets = spec.columns.filter((name) => !keys.includes(name)).map((name) => `${name} = ?`);
  return `update ${spec.table} set ${sets.join(', ')} where ${keys.map((k) => `${k} = ?`).join(' and ')}`;
});

// SQLite writes run in the caller's transaction on the connection it owns, one row per execution of one prepared
// statement per table. Multi-row texts were a new statement for every row count (prepared again each time, crowding
// the connection's cache); one execution per row cost less on the sweep (docs/PERFORMANCE.md, session 19).
function sqliteInsert<Row>(raw: RawSqlite, spec: TableWrite<Row>, rows: readonly Row[]): void {
  if (rows.length === 0) return;
  const insert = raw.statement(sqliteInsertTextOf(spec as TableWrite<never>));
  for (const row of rows) insert.run(...spec.values(row).map(toSqliteInput));
}

function sqliteUpdate<Row>(raw: RawSqlite, spec: TableWrite<Row>, rows: readonly Row[]): void {
  if (rows.length === 0) return;
  const keys = spec.keys!;
  const update = raw.statement(sqliteUpdateTextOf(spec as TableWrite<never>));
  const keyIndexes = spec.columns.flatMap((name, i) => (keys.includes(name) ? [i] : []));
  const setIndexes = spec.columns.flatMap((name, i) => (keys.includes(name) ? [] : [i]));
  for (const row of rows) {
    const values = spec.values(row);
    const changed = update.run(...[...setIndexes.map((i) => values[i]), ...keyIndexes.map((i) => values[i])].map(toSqliteInput)).changes;
    assert(Number(changed) === 1, `${spec.table}: the row to update is missing`);
  }
}

/**
 * What credits_write_arrays (migration 0431) reads: each part's rows as arrays of its TableWrite's values, in its
 * column order, which the migration lists too (a test holds the two equal). Objects keyed by column cost the server
 * a sort of every row's keys on parsing (PF-8: 17 % of its CPU during a day's sweep).
 */
export const pgWriteParts = {
  transactions: txWrite, newLots: lotInsert, changedLots: lotUpdate, newHolds: holdInsert, changedHolds: holdUpdate,
  newHoldLots: holdLotInsert, changedHoldLots: holdLotUpdate, accounts: accountUpdate,
} as const;

/** Rows as JSON objects named like their columns: the append functions' json_populate_recordset (migration 0401). */
function asRows<Row>(spec: TableWrite<Row>, rows: readonly Row[]): Record<string, unknown>[] {
  return rows.map((row) => {
    const values = spec.values(row);
    const object: Record<string, unknown> = {};
    spec.columns.forEach((name, i) => {
      object[name] = values[i];
    });
    return object;
  });
}

function asArrays<Row>(spec: TableWrite<Row>, rows: readonly Row[]): unknown[][] {
  return rows.map((row) => spec.values(row));
}

export async function writeAll(db: Executor, writes: Writes): Promise<void> {
  if (isPostgres(db)) {
    const payload = Object.fromEntries(
      Object.entries(pgWriteParts).map(([part, spec]) => [part, asArrays(spec as TableWrite<unknown>, writes[part as keyof typeof pgWriteParts])]),
    );
    await pgCall(db, 'select credits_write_arrays($1::jsonb)', [JSON.stringify(payload)]);
    return;
  }
  const raw = rawSqliteInTransaction(db);
  assert(raw, 'ledger writes run in the caller’s transaction');
  for (const account of writes.materialize) {
    materializeDeferredLots(raw, account.memberId);
    markDeferred(account, undefined);
  }
  sqliteInsert(raw, txWrite, writes.transactions);
  sqliteInsert(raw, lotInsert, writes.newLots);
  sqliteUpdate(raw, lotAmountsUpdate, writes.changedLots.filter(onlyAmountsChanged));
  sqliteUpdate(raw, lotUpdate, writes.changedLots.filter((lot) => !onlyAmountsChanged(lot)));
  // The rows now hold what these objects hold: a later write of the same object compares against that.
  for (const lot of [...writes.newLots, ...writes.changedLots]) markAsRead(lot, rowOf(lot));
  sqliteInsert(raw, holdInsert, writes.newHolds);
  sqliteUpdate(raw, holdUpdate, writes.changedHolds);
  sqliteInsert(raw, holdLotInsert, writes.newHoldLots);
  sqliteUpdate(raw, holdLotUpdate, writes.changedHoldLots);
  sqliteUpdate(raw, accountBalancesUpdate, writes.accounts.filter(nextDueUnchanged));
  sqliteUpdate(raw, accountUpdate, writes.accounts.filter((account) => !nextDueUnchanged(account)));
  for (const account of writes.accounts) markAsRead(account, account.nextDueAtMs);
}

export async function persistBooks(db: Executor, books: readonly Book[]): Promise<void> {
  await writeAll(db, collectWrites(books));
}


// ---------------------------------------------------------------------------------------------------------------
// Reads without a lock (balance, history, point in time)

const sqliteAccountSql = `select a.*, (select max(version) from credit_policies) as pv from credit_accounts a where a.member_id = ?`;

export interface MemberSnapshot {
  account: Account;
  lots: Lot[];
  holds: Hold[];
  currentPolicyVersion: number;
}

/** One member's account and book as committed (one statement on PostgreSQL). */
export async function readMember(db: Executor, memberId: string): Promise<MemberSnapshot | undefined> {
  if (isPostgres(db)) {
    const [row] = await pgCall<{ r: { account: CreditAccountRow; pv: number; book: PgBook } | null }>(db, 'select credits_read($1) as r', [memberId]);
    if (!row?.r) return undefined;
    const account = toAccount(row.r.account);
    return { account, ...fromPgBook(row.r.book, account), currentPolicyVersion: Number(row.r.pv) };
  }
  const [row] = await rawQuery<CreditAccountRow & { pv: number }>(db, sqliteAccountSql, [memberId]);
  if (!row) return undefined;
  const account = toAccount(row);
  const book = await loadBookRows(db, account);
  return { account, lots: book.lots, holds: book.holds, currentPolicyVersion: Number(row.pv) };
}

/**
 * PF-7: the balance without the book, when no time event is due by `nowMs` (the account's next due time is a lower
 * bound of every lot's and hold's next event, so nothing has to be applied first: CR-9). When something is (or may
 * be) due, `lists` is undefined and `book` holds the whole book instead, for the exact computation.
 */
export interface BalanceHead {
  account: Account;
  currentPolicyVersion: number;
  /** Per lot: [unlock time, credits] of pending lots and [expiry time, unheld credits] of lots expiring soon. */
  lists: { pending: [number, number][]; expiring: [number, number][] } | undefined;
  /** When there are no lists: the book as readMember reads it (in the same statement on PostgreSQL). */
  book: { lots: Lot[]; holds: Hold[] } | undefined;
}

const sqliteLiveLotAmountsSql = (table: string) => `select state, unlock_at_ms, expires_at_ms, remaining, held from ${table} where member_id = ? and state in ('pending', 'available')`;

export async function readBalanceHead(db: Executor, memberId: string, nowMs: number, warningMsOf: (policyVersion: number) => Promise<number>): Promise<BalanceHead | undefined> {
  if (isPostgres(db)) {
    type PgBalance = { account: CreditAccountRow; pv: number; pending: [number, number][] | null; expiring: [number, number][] | null; book: PgBook | null };
    const [row] = await pgCall<{ r: PgBalance | null }>(db, 'select credits_balance($1, $2) as r', [memberId, nowMs]);
    if (!row?.r) return undefined;
    const { account, pv, pending, expiring, book } = row.r;
    const num = (list: [number, number][]) => list.map(([at, credits]): [number, number] => [Number(at), Number(credits)]);
    const lists = pending && expiring && !book ? { pending: num(pending), expiring: num(expiring) } : undefined;
    if (!lists) assert(book, 'credits_balance answers the lists or the book');
    const head = toAccount(account);
    return { account: head, currentPolicyVersion: Number(pv), lists, book: lists || !book ? undefined : fromPgBook(book, head) };
  }
  const [row] = await rawQuery<CreditAccountRow & { pv: number }>(db, sqliteAccountSql, [memberId]);
  if (!row) return undefined;
  const account = toAccount(row);
  const pv = Number(row.pv);
  if (account.nextDueAtMs === null || account.nextDueAtMs <= nowMs) {
    return { account, currentPolicyVersion: pv, lists: undefined, book: await loadBookRows(db, account) };
  }
  const warningMs = await warningMsOf(pv);
  const pending: [number, number][] = [];
  const expiring: [number, number][] = [];
  const lots = await rawQuery<{ state: string; unlock_at_ms: number; expires_at_ms: number; remaining: number; held: number }>(db, sqliteLiveLotAmountsSql(lotsTableOf(db, account)), [memberId]);
  for (const lot of lots) {
    const remaining = Number(lot.remaining);
    const unheld = remaining - Number(lot.held);
    const expiresAtMs = Number(lot.expires_at_ms);
    const state = effectiveLotState(lot.state as LotState, Number(lot.unlock_at_ms), account.unlockedThroughMs);
    if (state === 'pending' && remaining > 0) pending.push([Number(lot.unlock_at_ms), remaining]);
    if (state === 'available' && unheld > 0 && expiresAtMs > nowMs && expiresAtMs <= nowMs + warningMs) expiring.push([expiresAtMs, unheld]);
  }
  return { account, currentPolicyVersion: pv, lists: { pending, expiring }, book: undefined };
}

export async function selectHistory(db: Executor, memberId: string, beforeVersion: number, limit: number): Promise<CreditTransactionRow[]> {
  return rawQuery<CreditTransactionRow>(db, `select * from credit_transactions where member_id = ? and version < ? order by version desc limit ?`, [memberId, beforeVersion, limit]);
}

export interface ReplaySum {
  lot_id: string | null;
  hold_id: string | null;
  account: string;
  total: number;
}

export interface ReplayRows {
  sums: ReplaySum[];
  last: { version: number; at_ms: number; lifetime_after: number } | undefined;
  lots: Lot[];
  holds: CreditHoldRow[];
  policyVersion: number;
}

/**
 * Everything a point-in-time replay needs: posting sums by lot, hold and bucket up to `atMs` (LG-4), from all the
 * member's postings. Reads go through selectReplayFromSnapshot (snapshot.repository.ts); this is its reference.
 */
export async function selectReplay(db: Executor, memberId: string, atMs: number): Promise<ReplayRows> {
  if (isPostgres(db)) {
    type PgReplay = { sums: ReplayRows['sums']; last: ReplayRows['last'] | null; lots: CreditLotRow[]; holds: CreditHoldRow[]; policy_version: number | null };
    const [row] = await pgCall<{ r: PgReplay }>(db, 'select credits_replay($1, $2) as r', [memberId, atMs]);
    assert(row, 'credits_replay returns one row');
    const r = row.r;
    return {
      sums: r.sums.map((s) => ({ ...s, total: Number(s.total) })),
      last: r.last ?? undefined,
      lots: r.lots.map(readLot),
      holds: r.holds,
      policyVersion: Number(r.policy_version ?? 1),
    };
  }
  const sums = await rawQuery<{ lot_id: string | null; hold_id: string | null; account: string; total: number }>(
    db,
    `select lot_id, hold_id, account, sum(amount) as total from credit_postings
     where member_id = ? and at_ms <= ? and account in ('pending', 'available', 'held', 'debt') group by lot_id, hold_id, account`,
    [memberId, atMs],
  );
  const [last] = await rawQuery<{ version: number; at_ms: number; lifetime_after: number }>(
    db,
    `select version, at_ms, lifetime_after from credit_transactions where member_id = ? and at_ms <= ? order by version desc limit 1`,
    [memberId, atMs],
  );
  const lotIds = [...new Set(sums.map((s) => s.lot_id).filter((x): x is string => x !== null))];
  const holdIds = [...new Set(sums.map((s) => s.hold_id).filter((x): x is string => x !== null))];
  // The replay takes each lot's state from its postings, not from its row.
  const lots = await findLots(db, { memberId, unlockedThroughMs: null }, lotIds);
  const holds = holdIds.length === 0 ? [] : await rawQuery<CreditHoldRow>(db, `select * from credit_holds where id in (${holdIds.map(() => '?').join(', ')})`, holdIds);
  const [policy] = await rawQuery<{ version: number }>(db, `select max(version) as version from credit_policies where published_at_ms <= ?`, [atMs]);
  return {
    sums: sums.map((s) => ({ ...s, total: Number(s.total) })),
    last: last ? { version: Number(last.version), at_ms: Number(last.at_ms), lifetime_after: Number(last.lifetime_after) } : undefined,
    lots,
    holds,
    policyVersion: Number(policy?.version ?? 1),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL single-call fast paths (migration 0401)

export type FastAnswer =
  | { status: 'applied'; version?: number; result?: string }
  | { status: 'replay'; requestHash: string; result: string | null }
  | { status: 'insufficient'; available: number }
  | { status: 'fallback' };

/**
 * The one transaction of an append-only book and its new lots as the rules made them: SQLite's append group binds
 * their values itself (sqliteTransactionValues, sqliteLotValues), with no rows named like columns in between.
 */
export function appendBook(book: Book): { transaction: TransactionDraft; lots: Lot[] } {
  const writes = collectWrites([book]);
  assert(writes.transactions.length === 1 && writes.changedLots.length === 0 && writes.newHolds.length === 0, 'an append adds one transaction and new lots only');
  return { transaction: writes.transactions[0]!, lots: writes.newLots };
}

/** A transaction's values in appendColumns.transaction order, as SQLite binds them (its postings as JSON text). */
export function sqliteTransactionValues(transaction: TransactionDraft): SQLInputValue[] {
  return txWrite.values(transaction).map(toSqliteInput);
}

/** A lot's values in appendColumns.lots order, as SQLite binds them. */
export function sqliteLotValues(lot: Lot): SQLInputValue[] {
  return lotInsert.values(lot).map(toSqliteInput);
}

/**
 * A row without its null columns: the readers take a missing key as NULL (jsonb_populate_record on PostgreSQL, the
 * positional binding on SQLite), and a transaction row is mostly nulls (a third less JSON to build, send and parse).
 */
function withoutNulls(row: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key in row) if (row[key] !== null) kept[key] = row[key];
  return kept;
}

/**
 * The columns of the ledger's rows as written, in table order: the SQLite append and spend groups bind them
 * positionally, and the sweep's one-pass read (sweep.repository.ts) answers due lots as arrays in this order.
 */
export const appendColumns = {
  transaction: txWrite.columns,
  lots: lotInsert.columns,
};

/**
 * An append's payload as credits_append (migration 0401) reads it: the transaction and its lots as rows named like
 * their columns. The payload holds the rules' own objects (ledger.service.ts prepareAppend, appendBook).
 */
export function appendPayloadAsRows(payload: Record<string, unknown>): Record<string, unknown> {
  const { transaction, lots, ...operation } = payload as Record<string, unknown> & { transaction: TransactionDraft; lots: Lot[] };
  return { ...operation, transaction: withoutNulls(asRows(txWrite, [transaction])[0]!), lots: asRows(lotInsert, lots).map(withoutNulls) };
}

/**
 * The fields of an append before its rows, in the order credits_append_group_arrays (migration 0432) reads them; a
 * test holds the list equal to the migration's.
 */
export const appendGroupFields = [
  'memberId', 'idemScope', 'idemKey', 'nowMs', 'policyVersion', 'requireNoDebt',
  'availableDelta', 'pendingDelta', 'lifetimeDelta', 'nextDueAtMs',
] as const;

/**
 * An append's payload as credits_append_group_arrays reads it: its fields in appendGroupFields order, then the
 * transaction's values and each lot's, in their TableWrite's column order (appendColumns). As objects keyed by column
 * (credits_append_group, migration 0406) the server sorted every object's keys on parsing.
 */
export function appendPayloadAsArray(payload: Record<string, unknown>): unknown[] {
  const { transaction, lots } = payload as { transaction: TransactionDraft; lots: Lot[] };
  return [...appendGroupFields.map((field) => payload[field] ?? null), txWrite.values(transaction), lots.map((lot) => lotInsert.values(lot))];
}

export async function callAppend(db: Executor, payload: Record<string, unknown>): Promise<FastAnswer> {
  const [row] = await pgCall<{ r: FastAnswer }>(db, 'select credits_append($1::jsonb) as r', [JSON.stringify(appendPayloadAsRows(payload))]);
  assert(row, 'credits_append returns one row');
  return row.r;
}

/**
 * A group's append-only operations in one autocommit statement (migration 0432): one answer per payload, in order
 * (`retry` for a key repeated within the group).
 */
export async function callAppendGroup(db: Executor, payloads: readonly Record<string, unknown>[]): Promise<(FastAnswer | { status: 'retry' })[]> {
  const [row] = await pgCall<{ r: (FastAnswer | { status: 'retry' })[] }>(db, 'select credits_append_group_arrays($1::jsonb) as r', [
    JSON.stringify(payloads.map(appendPayloadAsArray)),
  ]);
  assert(row && row.r.length === payloads.length, 'credits_append_group_arrays answers every operation');
  return row.r;
}

export async function callSpend(db: Executor, payload: Record<string, unknown>): Promise<FastAnswer> {
  const [row] = await pgCall<{ r: FastAnswer }>(db, 'select credits_spend($1::jsonb) as r', [JSON.stringify(payload)]);
  assert(row, 'credits_spend returns one row');
  return row.r;
}

/** A group's spends in one call (migration 0424): one answer per payload, in order. */
export async function callSpendGroup(db: Executor, payloads: readonly Record<string, unknown>[]): Promise<FastAnswer[]> {
  const [row] = await pgCall<{ r: FastAnswer[] }>(db, 'select credits_spend_group($1::jsonb) as r', [JSON.stringify(payloads)]);
  assert(row && row.r.length === payloads.length, 'credits_spend_group answers every spend');
  return row.r;
}
