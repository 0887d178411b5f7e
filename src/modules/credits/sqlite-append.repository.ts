// SQLite append groups (issue 12, PF-1): a group commit's append-only operations (earnings, bonuses, upward
// adjustments) written in one write transaction by prepared statements on the raw connection, synchronously: no
// query building, no promise per statement. The same rules as PostgreSQL's credits_append_group (migration 0406),
// per operation and in order: the account is created when missing; a used idempotency key answers `replay` (a key
// repeated within the group replays the first, which is already written); a closed account, a time event due,
// another policy version, or debt where the operation requires none answers `fallback` (the caller takes the general
// path); otherwise the transaction gets the account's next version and running balances, it is inserted with its
// postings (migration 0420) and its lots (0429: deferred, no lot row; the account marks them) and the account is
// updated (its events are read from the row later, event-feed.ts). No savepoints (they cost a fifth of the
// statements' time): every refusal is decided by reads before the operation's first write, so a statement can fail
// only unexpectedly, and then the whole group rolls back and group-commit.ts re-runs its operations one per group.
import { assert } from '../../platform/assert.ts';
import { memoize } from '../../platform/memo.ts';
import type { SQLInputValue } from 'node:sqlite';
import { withRawSqlite, type RawSqlite } from '../../db/sqlite-raw.ts';
import { toSqliteInput } from '../../db/node-sqlite-adapter.ts';
import type { Executor } from '../../db/database.ts';
import { appendColumns, sqliteLotValues, sqliteTransactionValues, type FastAnswer } from './ledger.repository.ts';
import type { Lot, TransactionDraft } from './ledger.rules.ts';
import type { CreditAccountRow } from './ledger.table.ts';

export type AccountHead = Pick<
  CreditAccountRow,
  'state' | 'version' | 'available' | 'pending' | 'held' | 'debt' | 'lifetime_earned' | 'next_due_at_ms' | 'unlocked_through_ms' | 'deferred_from_version' | 'deferred_expires_at_ms'
>;

export const insertText = (table: string, columns: readonly string[]) => `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`;
/** The account as a group reads it, with what its idempotency key already holds (no transaction: nulls). */
export type AccountWithKey = AccountHead & { idem_hash: string | null; idem_result: string | null };

/** The statements an append group and a spend group share (sqlite-spend.repository.ts). */
export const groupSql = {
  // The account and the operation's idempotency key in one statement (one step instead of two per operation): a
  // member without an account has no transaction, so no row means no key used either.
  account: `select a.state, a.version, a.available, a.pending, a.held, a.debt, a.lifetime_earned, a.next_due_at_ms, a.unlocked_through_ms,
      a.deferred_from_version, a.deferred_expires_at_ms, t.request_hash as idem_hash, t.result as idem_result
    from credit_accounts a left join credit_transactions t on t.idem_scope = ? and t.idem_key = ? and t.member_id = a.member_id
    where a.member_id = ?`,
};

const sql = {
  ...groupSql,
  createAccount: `insert into credit_accounts (member_id, state, version, available, pending, held, debt, lifetime_earned, next_due_at_ms, created_at_ms, updated_at_ms)
    values (?, 'open', 0, 0, 0, 0, 0, 0, null, ?, 0)`,
  // The lots ride in the transaction row (migration 0429): deferred until the member's lots are next written.
  transaction: insertText('credit_transactions', [...appendColumns.transaction, 'lots']),
  lot: insertText('credit_lots', appendColumns.lots),
};

/**
 * The account's update: SQLite rewrites an index entry an UPDATE assigns even when the value stays, so the next due
 * time (credit_accounts_next_due_day) and the deferred lots' mark (credit_accounts_deferred_expiry) are assigned only
 * when they change: one text per combination, each prepared once.
 */
const accountUpdateText = memoize((key: string): string => {
  const [due, deferred] = [key[0] === '1', key[1] === '1'];
  return `update credit_accounts set version = ?, available = ?, pending = ?, lifetime_earned = ?, updated_at_ms = max(updated_at_ms, ?)${due ? ', next_due_at_ms = ?' : ''}${
    deferred ? ', deferred_from_version = ?, deferred_expires_at_ms = ?, deferred_seq = ?' : ''
  } where member_id = ?`;
});

type Row = Record<string, unknown>;

/** One group in one write transaction; answers one per payload, in order. */
export function sqliteAppendGroup(db: Executor, payloads: readonly Row[]): Promise<FastAnswer[]> {
  return inSqliteGroup(db, payloads, applyOne);
}

/**
 * Applies each payload of a group in one write transaction on the raw connection, in order, with the current policy
 * version read once; rolls the whole group back if one throws.
 */
export function inSqliteGroup(db: Executor, payloads: readonly Row[], apply: (raw: RawSqlite, payload: Row, policyVersion: number | null) => FastAnswer): Promise<FastAnswer[]> {
  return withRawSqlite(db, (raw) => {
    raw.exec('begin immediate');
    try {
      const pv = (raw.statement('select max(version) as pv from credit_policies').get() as { pv: number | null }).pv;
      const answers = payloads.map((payload) => apply(raw, payload, pv));
      raw.exec('commit');
      return answers;
    } catch (error) {
      raw.exec('rollback');
      throw error;
    }
  });
}

function applyOne(raw: RawSqlite, p: Row, pv: number | null): FastAnswer {
  const memberId = p.memberId as string;
  const nowMs = p.nowMs as number;
  let account = raw.statement(sql.account).get(p.idemScope as string, p.idemKey as string, memberId) as AccountWithKey | undefined;
  if (!account) {
    raw.statement(sql.createAccount).run(memberId, nowMs);
    account = {
      state: 'open', version: 0, available: 0, pending: 0, held: 0, debt: 0, lifetime_earned: 0, next_due_at_ms: null, unlocked_through_ms: null,
      deferred_from_version: null, deferred_expires_at_ms: null, idem_hash: null, idem_result: null,
    };
  }
  if (account.idem_hash !== null) return { status: 'replay', requestHash: account.idem_hash, result: account.idem_result };
  const due = account.next_due_at_ms !== null && account.next_due_at_ms <= nowMs;
  if (account.state !== 'open' || due || p.policyVersion !== pv || (p.requireNoDebt === true && account.debt > 0)) return { status: 'fallback' };

  const version = account.version + 1;
  const available = account.available + (p.availableDelta as number);
  const pending = account.pending + (p.pendingDelta as number);
  const lifetime = account.lifetime_earned + (p.lifetimeDelta as number);
  // The payload holds the rules' own transaction and lots (ledger.repository.ts appendBook), made on an empty stand-in
  // account: the version and the balances after it are this account's.
  const draft = p.transaction as TransactionDraft;
  const row = sqliteTransactionValues({ ...draft, version, after: { available, pending, held: account.held, debt: account.debt, lifetimeEarned: lifetime } });
  // Lots as issued ride in the row (deferred); one that is not as a fresh lot reads from its transaction gets its row.
  const lots = p.lots as Lot[];
  const deferred = lots.filter((lot) => deferrable(lot, draft));
  const inserted = raw.statement(sql.transaction).run(...row, deferred.length === 0 ? null : JSON.stringify(deferred.map(compactLot)));
  if (deferred.length < lots.length) {
    const lotInsert = raw.statement(sql.lot);
    for (const lot of lots) if (!deferred.includes(lot)) lotInsert.run(...sqliteLotValues(lot));
  }

  const due2 = p.nextDueAtMs as number | null;
  const nextDue = account.next_due_at_ms === null ? due2 : due2 === null ? account.next_due_at_ms : Math.min(account.next_due_at_ms, due2);
  const mark = deferredMark(account, version, Number(inserted.lastInsertRowid), deferred);
  const params: SQLInputValue[] = [version, available, pending, lifetime, nowMs];
  if (nextDue !== account.next_due_at_ms) params.push(nextDue);
  if (mark) params.push(mark.fromVersion, mark.expiresAtMs, mark.seq);
  const text = accountUpdateText(`${nextDue !== account.next_due_at_ms ? 1 : 0}${mark ? 1 : 0}`);
  const changed = raw.statement(text).run(...params, memberId).changes;
  assert(Number(changed) === 1, 'the account of an append exists');
  return { status: 'applied', version };
}

/**
 * A lot the row can carry in its short form (migration 0429's view reads the rest from the transaction row): as
 * issueLot makes one, untouched, of this transaction.
 */
function deferrable(lot: Lot, tx: TransactionDraft): boolean {
  return (
    lot.remaining === lot.original && lot.held === 0 && lot.reversed === 0 && lot.refundedQualifyingMinor === 0 && lot.warnedAtMs === null &&
    lot.memberId === tx.memberId && lot.transactionId === tx.id && lot.policyVersion === tx.policyVersion && lot.createdAtMs === tx.atMs &&
    lot.orderId === (tx.links.orderId ?? null)
  );
}

/** The short form: [id, source, state, original, qualifying_minor, unlock_at_ms, expires_at_ms, order_line_id]. */
function compactLot(lot: Lot): unknown[] {
  return [lot.id, lot.source, lot.state, lot.original, lot.qualifyingMinor, lot.unlockAtMs, lot.expiresAtMs, lot.orderLineId];
}

/**
 * The account's deferred lots' mark after this append, when it changes: set by the first deferred lot (the lots from
 * this version on), and the soonest expiry among them moved when a new lot expires sooner (the warnings find it).
 * `seq` orders equal expiries in the mark's index: the transaction's rowid, which grows with time.
 */
function deferredMark(account: AccountHead, version: number, seq: number, lots: readonly Lot[]): { fromVersion: number; expiresAtMs: number; seq: number } | undefined {
  let soonest = Infinity;
  for (const lot of lots) soonest = Math.min(soonest, lot.expiresAtMs);
  if (soonest === Infinity) return undefined;
  if (account.deferred_from_version == null) return { fromVersion: version, expiresAtMs: soonest, seq };
  if (soonest >= Number(account.deferred_expires_at_ms)) return undefined;
  return { fromVersion: Number(account.deferred_from_version), expiresAtMs: soonest, seq };
}

/** A row's values in the order of `columns` (missing ones NULL), for a prepared INSERT. */
export function values(row: Row, columns: readonly string[]): SQLInputValue[] {
  return columns.map((name) => toSqliteInput(row[name]));
}
