// The ledger's rules as pure functions over one member's in-memory "book": every change to a balance, a lot or a
// hold goes through a primitive here that writes the matching postings at the same time, so the cached state and the
// postings cannot drift apart (LG-2). The same code materialises time events in a transaction, computes a balance
// lazily for a read (CR-9) and replays the postings for a point-in-time balance (LG-4).
import { AppError } from '../../platform/errors.ts';
import { assert, assertNever } from '../../platform/assert.ts';

export const memberBuckets = ['pending', 'available', 'held', 'debt'] as const;
export type Bucket = (typeof memberBuckets)[number];
export const programAccounts = ['program:issued', 'program:spent', 'program:expired', 'program:reversed', 'program:forfeited', 'program:adjusted'] as const;
export type ProgramAccount = (typeof programAccounts)[number];
export type PostingAccount = Bucket | ProgramAccount;

export const lotStates = ['pending', 'available', 'depleted', 'expired', 'voided', 'forfeited'] as const;
export type LotState = (typeof lotStates)[number];
export const lotSources = ['registration', 'profile', 'order', 'adjustment'] as const;
export type LotSource = (typeof lotSources)[number];
export const holdStates = ['active', 'captured', 'released', 'expired', 'cancelled'] as const;
export type HoldState = (typeof holdStates)[number];
export const transactionKinds = [
  'bonus', 'earn', 'unlock', 'expire', 'hold', 'capture', 'release', 'hold_expired', 'spend', 'reversal', 'restore', 'adjustment', 'forfeit',
] as const;
export type TransactionKind = (typeof transactionKinds)[number];

export interface Account {
  memberId: string;
  state: 'open' | 'closed';
  version: number;
  available: number;
  pending: number;
  held: number;
  /** Credits owed (CR-17), shown as a negative balance; the `debt` bucket of the postings holds −debt. */
  debt: number;
  lifetimeEarned: number;
  /** No time event (unlock, expiry, hold timeout) of this member is due before this moment; null: none at all. */
  nextDueAtMs: number | null;
  /**
   * Every unlock due at or before this moment has its posting written (the last moment advanceTo brought the whole
   * book to); null: none yet. An unlock does not rewrite its lot (PF-8): a lot stored as pending whose unlock time is
   * at or before this moment is available (effectiveLotState).
   */
  unlockedThroughMs: number | null;
  createdAtMs: number;
  /** The latest `at` among the member's transactions: time events are never dated before it. */
  updatedAtMs: number;
}

export interface Lot {
  id: string;
  memberId: string;
  source: LotSource;
  state: LotState;
  original: number;
  /** Credits of the lot the member still owns (pending, available or held). */
  remaining: number;
  held: number;
  /** Credits of the lot reversed so far (order lots, CR-16). */
  reversed: number;
  qualifyingMinor: number;
  refundedQualifyingMinor: number;
  unlockAtMs: number;
  expiresAtMs: number;
  orderId: string | null;
  orderLineId: string | null;
  transactionId: string;
  policyVersion: number;
  warnedAtMs: number | null;
  createdAtMs: number;
}

export interface HoldLot {
  lotId: string;
  allocated: number;
  held: number;
  captured: number;
}

export interface Hold {
  id: string;
  memberId: string;
  state: HoldState;
  credits: number;
  captured: number;
  orderId: string | null;
  expiresAtMs: number;
  createdAtMs: number;
  resolvedAtMs: number | null;
  lots: HoldLot[];
}

export interface PostingDraft {
  account: PostingAccount;
  lotId: string | null;
  holdId: string | null;
  amount: number;
}

export interface TransactionLinks {
  orderId?: string | null;
  orderLineId?: string | null;
  caseId?: string | null;
  holdId?: string | null;
  lotId?: string | null;
  reasonCode?: string | null;
  note?: string | null;
  actorId?: string | null;
  actorRole?: string | null;
}

export interface TransactionDraft {
  id: string;
  memberId: string;
  version: number;
  kind: TransactionKind;
  reason: string;
  idemScope: string;
  /** Null for the sweep's own events (scope `system`): see advanceTo. */
  idemKey: string | null;
  requestHash: string;
  policyVersion: number;
  atMs: number;
  recordedAtMs: number;
  links: TransactionLinks;
  postings: PostingDraft[];
  /** Filled by closeTransaction. */
  credits: number;
  after: { available: number; pending: number; held: number; debt: number; lifetimeEarned: number };
  /** The first result, returned again to a replay of the same idempotency key (LG-3). */
  result: string | null;
}

export interface Notice {
  kind: 'unlocked' | 'expired';
  memberId: string;
  lotId: string;
  credits: number;
  atMs: number;
}

/** One member's slice of the ledger, loaded (and locked) for one operation or read. */
export interface Book {
  account: Account;
  lots: Map<string, Lot>;
  holds: Map<string, Hold>;
  /** Every live lot and active hold of the member is loaded (required for time events and FIFO). */
  complete: boolean;
  transactions: TransactionDraft[];
  newLots: Set<string>;
  changedLots: Set<string>;
  newHolds: Set<string>;
  changedHolds: Set<string>;
  newHoldLots: Set<string>;
  changedHoldLots: Set<string>;
  notices: Notice[];
  accountChanged: boolean;
}

export interface Env {
  nowMs: number;
  policyVersion: number;
  newId: (prefix: 'ltx' | 'lot' | 'hld') => string;
}

export function newBook(account: Account, lots: Iterable<Lot>, holds: Iterable<Hold>, complete: boolean): Book {
  return {
    account,
    lots: new Map([...lots].map((lot) => [lot.id, lot])),
    holds: new Map([...holds].map((hold) => [hold.id, hold])),
    complete,
    transactions: [],
    newLots: new Set(),
    changedLots: new Set(),
    newHolds: new Set(),
    changedHolds: new Set(),
    newHoldLots: new Set(),
    changedHoldLots: new Set(),
    notices: [],
    accountChanged: false,
  };
}

export function emptyAccount(memberId: string, nowMs: number): Account {
  return { memberId, state: 'open', version: 0, available: 0, pending: 0, held: 0, debt: 0, lifetimeEarned: 0, nextDueAtMs: null, unlockedThroughMs: null, createdAtMs: nowMs, updatedAtMs: 0 };
}

/**
 * A lot's state from its stored row: a lot stays stored as pending when it unlocks (its unlock posting and the
 * account's balances say so; not rewriting the lot halves the pages a day's sweep writes, PF-8), so a stored pending
 * lot whose unlock time is at or before the account's unlockedThroughMs is available. Every lot that is truly still
 * pending unlocks after that moment: advanceTo unlocks everything due when it moves the moment, and a lot issued
 * already due is unlocked by the operation that issues it (finishOperation).
 */
export function effectiveLotState(stored: LotState, unlockAtMs: number, unlockedThroughMs: number | null): LotState {
  return stored === 'pending' && unlockedThroughMs !== null && unlockAtMs <= unlockedThroughMs ? 'available' : stored;
}

// ---------------------------------------------------------------------------------------------------------------
// Transactions and postings

export interface OpenTransaction {
  kind: TransactionKind;
  reason: string;
  idemScope: string;
  idemKey: string | null;
  requestHash: string;
  atMs: number;
  links?: TransactionLinks;
}

export function openTransaction(book: Book, env: Env, spec: OpenTransaction): TransactionDraft {
  const account = book.account;
  const draft: TransactionDraft = {
    id: env.newId('ltx'),
    memberId: account.memberId,
    version: account.version + 1,
    kind: spec.kind,
    reason: spec.reason,
    idemScope: spec.idemScope,
    idemKey: spec.idemKey,
    requestHash: spec.requestHash,
    policyVersion: env.policyVersion,
    atMs: spec.atMs,
    recordedAtMs: env.nowMs,
    links: spec.links ?? {},
    postings: [],
    credits: 0,
    after: { available: 0, pending: 0, held: 0, debt: 0, lifetimeEarned: 0 },
    result: null,
  };
  account.version = draft.version;
  book.transactions.push(draft);
  book.accountChanged = true;
  return draft;
}

/** Seals a transaction: double entry holds, the balances after it are recorded; an empty one is dropped. */
export function closeTransaction(book: Book, tx: TransactionDraft, options: { keepEmpty?: boolean } = {}): boolean {
  assert(book.transactions.at(-1) === tx, 'transactions close in the order they were opened');
  let sum = 0;
  let memberSide = 0;
  for (const posting of tx.postings) {
    sum += posting.amount;
    if (isBucket(posting.account)) memberSide += posting.amount;
  }
  assert(sum === 0, `transaction ${tx.kind} postings sum to ${sum}, not zero`);
  if (tx.postings.length === 0 && !options.keepEmpty) {
    book.transactions.pop();
    book.account.version -= 1;
    return false;
  }
  const a = book.account;
  tx.credits = memberSide;
  tx.after = { available: a.available, pending: a.pending, held: a.held, debt: a.debt, lifetimeEarned: a.lifetimeEarned };
  if (tx.atMs > a.updatedAtMs) a.updatedAtMs = tx.atMs;
  checkAccount(a);
  return true;
}

export function isBucket(account: string): account is Bucket {
  return account === 'pending' || account === 'available' || account === 'held' || account === 'debt';
}

function post(tx: TransactionDraft, account: PostingAccount, amount: number, lotId: string | null, holdId: string | null = null): void {
  assert(Number.isSafeInteger(amount), 'posting amounts are whole credits');
  if (amount === 0) return;
  tx.postings.push({ account, lotId, holdId, amount });
}

function checkAccount(a: Account): void {
  assert(a.available >= 0 && a.pending >= 0 && a.held >= 0 && a.debt >= 0, `member ${a.memberId}: a bucket went negative`);
}

function checkLot(lot: Lot): void {
  assert(lot.held >= 0 && lot.held <= lot.remaining && lot.remaining <= lot.original, `lot ${lot.id}: 0 ≤ held ≤ remaining ≤ original broken`);
}

function touchLot(book: Book, lot: Lot): void {
  // A lot's state follows its amounts; "expired", "voided" and "forfeited" are final.
  if (lot.state === 'pending' && lot.remaining === 0) lot.state = 'voided';
  else if (lot.state === 'available' && lot.remaining === 0) lot.state = 'depleted';
  else if (lot.state === 'depleted' && lot.remaining > 0) lot.state = 'available';
  checkLot(lot);
  if (!book.newLots.has(lot.id)) book.changedLots.add(lot.id);
}

function touchHold(book: Book, hold: Hold, holdLot?: HoldLot): void {
  if (!book.newHolds.has(hold.id)) book.changedHolds.add(hold.id);
  if (holdLot) {
    const key = `${hold.id}|${holdLot.lotId}`;
    if (!book.newHoldLots.has(key)) book.changedHoldLots.add(key);
  }
}

export function lotIsExpiredAt(lot: Lot, atMs: number): boolean {
  return lot.expiresAtMs <= atMs;
}

/** What a lot contributes to each bucket. */
export function lotBuckets(lot: Pick<Lot, 'state' | 'remaining' | 'held'>): { pending: number; available: number; held: number } {
  if (lot.state === 'pending') return { pending: lot.remaining, available: 0, held: 0 };
  return { pending: 0, available: lot.remaining - lot.held, held: lot.held };
}

// ---------------------------------------------------------------------------------------------------------------
// Primitives: each moves credits and writes the postings for it.

export interface NewLot {
  source: LotSource;
  credits: number;
  unlockAtMs: number;
  expiresAtMs: number;
  orderId?: string | null;
  orderLineId?: string | null;
  qualifyingMinor?: number;
}

/** Issues a new lot from a program account: pending until it unlocks, then available (CR-7). */
export function issueLot(book: Book, env: Env, tx: TransactionDraft, spec: NewLot, from: ProgramAccount): Lot {
  assert(spec.credits > 0, 'a lot holds at least one credit');
  assert(spec.expiresAtMs > spec.unlockAtMs, 'a lot expires after it unlocks');
  const pending = spec.unlockAtMs > tx.atMs;
  const lot: Lot = {
    id: env.newId('lot'),
    memberId: book.account.memberId,
    source: spec.source,
    state: pending ? 'pending' : 'available',
    original: spec.credits,
    remaining: spec.credits,
    held: 0,
    reversed: 0,
    qualifyingMinor: spec.qualifyingMinor ?? 0,
    refundedQualifyingMinor: 0,
    unlockAtMs: spec.unlockAtMs,
    expiresAtMs: spec.expiresAtMs,
    orderId: spec.orderId ?? null,
    orderLineId: spec.orderLineId ?? null,
    transactionId: tx.id,
    policyVersion: env.policyVersion,
    warnedAtMs: null,
    createdAtMs: tx.atMs,
  };
  book.lots.set(lot.id, lot);
  book.newLots.add(lot.id);
  post(tx, pending ? 'pending' : 'available', spec.credits, lot.id);
  post(tx, from, -spec.credits, lot.id);
  if (pending) book.account.pending += spec.credits;
  else book.account.available += spec.credits;
  return lot;
}

/** Takes unheld available credits of a lot to a program account (spend, claw-back, expiry, adjustment, forfeit). */
function takeAvailable(book: Book, tx: TransactionDraft, lot: Lot, amount: number, to: ProgramAccount): void {
  if (amount === 0) return;
  assert(lot.state !== 'pending' && amount <= lot.remaining - lot.held, `lot ${lot.id}: not enough unheld credits`);
  post(tx, 'available', -amount, lot.id);
  post(tx, to, amount, lot.id);
  lot.remaining -= amount;
  book.account.available -= amount;
  touchLot(book, lot);
}

function takePending(book: Book, tx: TransactionDraft, lot: Lot, amount: number, to: ProgramAccount): void {
  if (amount === 0) return;
  assert(lot.state === 'pending' && amount <= lot.remaining, `lot ${lot.id}: not enough pending credits`);
  post(tx, 'pending', -amount, lot.id);
  post(tx, to, amount, lot.id);
  lot.remaining -= amount;
  book.account.pending -= amount;
  touchLot(book, lot);
}

/** Lots that can be spent at `atMs`, in the order they are spent: soonest expiry first, ties oldest first (CR-11). */
export function spendableLots(book: Book, atMs: number): Lot[] {
  const lots: Lot[] = [];
  for (const lot of book.lots.values()) {
    if (lot.state === 'available' && lot.remaining > lot.held && lot.expiresAtMs > atMs) lots.push(lot);
  }
  return lots.sort(fifoOrder);
}

export function fifoOrder(a: Lot, b: Lot): number {
  if (a.expiresAtMs !== b.expiresAtMs) return a.expiresAtMs - b.expiresAtMs;
  if (a.createdAtMs !== b.createdAtMs) return a.createdAtMs - b.createdAtMs;
  return compareIds(a.id, b.id);
}

/** The order of two IDs as the databases' keys order them (code units, not the locale's collation). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function spendableCredits(book: Book, atMs: number): number {
  let total = 0;
  for (const lot of spendableLots(book, atMs)) total += lot.remaining - lot.held;
  return total;
}

/** Consumes `amount` unheld credits FIFO into a program account; the caller has checked there are enough. */
function consumeFifo(book: Book, tx: TransactionDraft, amount: number, to: ProgramAccount): number {
  let left = amount;
  for (const lot of spendableLots(book, tx.atMs)) {
    if (left === 0) break;
    const take = Math.min(left, lot.remaining - lot.held);
    takeAvailable(book, tx, lot, take, to);
    left -= take;
  }
  return amount - left;
}

/** CR-17: credits that become available pay the member's debt first, FIFO. */
function settleDebt(book: Book, tx: TransactionDraft): void {
  for (const lot of spendableLots(book, tx.atMs)) {
    if (book.account.debt === 0) return;
    const take = Math.min(book.account.debt, lot.remaining - lot.held);
    post(tx, 'available', -take, lot.id);
    post(tx, 'debt', take, null);
    lot.remaining -= take;
    book.account.available -= take;
    book.account.debt -= take;
    touchLot(book, lot);
  }
}

function addDebt(book: Book, tx: TransactionDraft, amount: number): void {
  if (amount === 0) return;
  post(tx, 'debt', -amount, null);
  book.account.debt += amount;
}

function lotOf(book: Book, lotId: string): Lot {
  const lot = book.lots.get(lotId);
  assert(lot, `lot ${lotId} is not loaded`);
  return lot;
}

/** Returns held credits of a hold to their lot; credits of a lot that has expired by then expire at once (CR-8). */
function releaseHoldLot(book: Book, tx: TransactionDraft, hold: Hold, holdLot: HoldLot, amount: number): number {
  if (amount === 0) return 0;
  const lot = lotOf(book, holdLot.lotId);
  assert(amount <= holdLot.held && amount <= lot.held, `hold ${hold.id}: releasing more than it holds`);
  post(tx, 'held', -amount, lot.id, hold.id);
  holdLot.held -= amount;
  lot.held -= amount;
  book.account.held -= amount;
  let expired = 0;
  if (lotIsExpiredAt(lot, tx.atMs)) {
    post(tx, 'program:expired', amount, lot.id);
    lot.remaining -= amount;
    expired = amount;
  } else {
    post(tx, 'available', amount, lot.id, null);
    book.account.available += amount;
  }
  touchLot(book, lot);
  touchHold(book, hold, holdLot);
  return expired;
}

function captureHoldLot(book: Book, tx: TransactionDraft, hold: Hold, holdLot: HoldLot, amount: number): void {
  if (amount === 0) return;
  const lot = lotOf(book, holdLot.lotId);
  assert(amount <= holdLot.held && amount <= lot.held, `hold ${hold.id}: capturing more than it holds`);
  post(tx, 'held', -amount, lot.id, hold.id);
  post(tx, 'program:spent', amount, lot.id);
  holdLot.held -= amount;
  holdLot.captured += amount;
  lot.held -= amount;
  lot.remaining -= amount;
  book.account.held -= amount;
  touchLot(book, lot);
  touchHold(book, hold, holdLot);
}

// ---------------------------------------------------------------------------------------------------------------
// Time (CR-7..CR-9, CR-12): unlocks, hold timeouts and expiries due by `nowMs`, in time order.

interface DueEvent {
  atMs: number;
  rank: number;
  id: string;
  kind: 'unlock' | 'hold' | 'expire';
}

function dueEvents(book: Book, nowMs: number): DueEvent[] {
  const events: DueEvent[] = [];
  for (const lot of book.lots.values()) {
    if (lot.state === 'pending' && lot.unlockAtMs <= nowMs) events.push({ atMs: lot.unlockAtMs, rank: 0, id: lot.id, kind: 'unlock' });
    if ((lot.state === 'pending' || lot.state === 'available') && lot.expiresAtMs <= nowMs) {
      events.push({ atMs: lot.expiresAtMs, rank: 2, id: lot.id, kind: 'expire' });
    }
  }
  for (const hold of book.holds.values()) {
    if (hold.state === 'active' && hold.expiresAtMs <= nowMs) events.push({ atMs: hold.expiresAtMs, rank: 1, id: hold.id, kind: 'hold' });
  }
  // At one instant: unlocks first, then hold timeouts, then expiries (so credits released at the expiry instant expire).
  return events.sort((a, b) => a.atMs - b.atMs || a.rank - b.rank || compareIds(a.id, b.id));
}

/**
 * Materialises (in memory) every time event due by `nowMs`. Each event is its own transaction, dated at the event
 * (never before the member's latest transaction). It happens once because it moves its lot or hold out of the state
 * it starts from, under the member's lock; it carries no idempotency key (scope `system`, key null, migration 0434):
 * no outside caller can repeat it (LG-3 keys outside events), and a key would only add an index entry per event.
 */
export function advanceTo(book: Book, env: Env, nowMs: number): void {
  assert(book.complete, 'time events need every live lot and hold of the member');
  if (book.account.nextDueAtMs !== null && book.account.nextDueAtMs > nowMs) return;
  for (const event of dueEvents(book, nowMs)) {
    const atMs = Math.max(event.atMs, book.account.updatedAtMs);
    switch (event.kind) {
      case 'unlock': {
        const lot = lotOf(book, event.id);
        if (lot.state !== 'pending') break;
        const tx = openTransaction(book, env, { kind: 'unlock', reason: 'unlocked', idemScope: 'system', idemKey: null, requestHash: '', atMs, links: { lotId: lot.id, orderId: lot.orderId, orderLineId: lot.orderLineId } });
        const credits = lot.remaining;
        post(tx, 'pending', -credits, lot.id);
        post(tx, 'available', credits, lot.id);
        lot.state = 'available';
        book.account.pending -= credits;
        book.account.available += credits;
        touchLot(book, lot);
        const debtBefore = book.account.debt;
        settleDebt(book, tx);
        closeTransaction(book, tx);
        const freed = credits - Math.min(credits, debtBefore);
        if (freed > 0 && !lotIsExpiredAt(lot, nowMs)) book.notices.push({ kind: 'unlocked', memberId: lot.memberId, lotId: lot.id, credits: freed, atMs });
        break;
      }
      case 'hold': {
        const hold = book.holds.get(event.id);
        assert(hold, `hold ${event.id} is not loaded`);
        if (hold.state !== 'active') break;
        const tx = openTransaction(book, env, { kind: 'hold_expired', reason: 'hold_timeout', idemScope: 'system', idemKey: null, requestHash: '', atMs, links: { holdId: hold.id, orderId: hold.orderId } });
        for (const holdLot of hold.lots) releaseHoldLot(book, tx, hold, holdLot, holdLot.held);
        hold.state = 'expired';
        hold.resolvedAtMs = atMs;
        touchHold(book, hold);
        settleDebt(book, tx);
        closeTransaction(book, tx, { keepEmpty: true });
        break;
      }
      case 'expire': {
        const lot = lotOf(book, event.id);
        if (lot.state !== 'available') break;
        const credits = lot.remaining - lot.held;
        const tx = openTransaction(book, env, { kind: 'expire', reason: 'expired', idemScope: 'system', idemKey: null, requestHash: '', atMs, links: { lotId: lot.id, orderId: lot.orderId, orderLineId: lot.orderLineId } });
        takeAvailable(book, tx, lot, credits, 'program:expired');
        lot.state = 'expired';
        touchLot(book, lot);
        closeTransaction(book, tx);
        if (credits > 0) book.notices.push({ kind: 'expired', memberId: lot.memberId, lotId: lot.id, credits, atMs });
        break;
      }
      default:
        assertNever(event.kind, 'time event');
    }
  }
  book.account.nextDueAtMs = computeNextDue(book);
  if (book.account.unlockedThroughMs === null || book.account.unlockedThroughMs < nowMs) book.account.unlockedThroughMs = nowMs;
  book.accountChanged = true;
}

/** The earliest time event still ahead (exact when the book is complete). */
export function computeNextDue(book: Book): number | null {
  let next: number | null = null;
  const consider = (t: number) => {
    if (next === null || t < next) next = t;
  };
  if (!book.complete) {
    if (book.account.nextDueAtMs !== null) consider(book.account.nextDueAtMs);
    for (const id of book.newLots) {
      const lot = book.lots.get(id)!;
      consider(lot.state === 'pending' ? lot.unlockAtMs : lot.expiresAtMs);
    }
    for (const id of book.newHolds) consider(book.holds.get(id)!.expiresAtMs);
    return next;
  }
  for (const lot of book.lots.values()) {
    if (lot.state === 'pending') consider(lot.unlockAtMs);
    else if (lot.state === 'available') consider(lot.expiresAtMs);
  }
  for (const hold of book.holds.values()) if (hold.state === 'active') consider(hold.expiresAtMs);
  return next;
}

/** Call at the end of an operation: newly issued lots that are already due unlock now, and nextDue is refreshed. */
export function finishOperation(book: Book, env: Env): void {
  if (book.complete) advanceTo(book, env, env.nowMs);
  book.account.nextDueAtMs = computeNextDue(book);
  book.accountChanged = true;
}

// ---------------------------------------------------------------------------------------------------------------
// Operations on a book whose time events are already materialised up to env.nowMs.

export function grantLot(book: Book, env: Env, tx: TransactionDraft, spec: NewLot, from: ProgramAccount, countsAsEarned: boolean): Lot {
  const lot = issueLot(book, env, tx, spec, from);
  if (countsAsEarned) book.account.lifetimeEarned += spec.credits;
  if (lot.state === 'available' && book.account.debt > 0) settleDebt(book, tx);
  return lot;
}

export function requireSpendable(book: Book, credits: number, atMs: number): void {
  const spendable = spendableCredits(book, atMs);
  if (spendable < credits) {
    throw new AppError('insufficient_credits', `Only ${spendable} credits are available.`, { available: spendable, requested: credits });
  }
}

/** CR-13 single-phase spend, FIFO (CR-11). */
export function spendFifo(book: Book, tx: TransactionDraft, credits: number, to: ProgramAccount = 'program:spent'): void {
  requireSpendable(book, credits, tx.atMs);
  const taken = consumeFifo(book, tx, credits, to);
  assert(taken === credits, 'FIFO consumption fell short after the availability check');
}

/** CR-12: puts credits on hold, FIFO. */
export function placeHoldOnBook(book: Book, env: Env, tx: TransactionDraft, credits: number, expiresAtMs: number, orderId: string | null): Hold {
  requireSpendable(book, credits, tx.atMs);
  const hold: Hold = { id: env.newId('hld'), memberId: book.account.memberId, state: 'active', credits, captured: 0, orderId, expiresAtMs, createdAtMs: tx.atMs, resolvedAtMs: null, lots: [] };
  book.holds.set(hold.id, hold);
  book.newHolds.add(hold.id);
  let left = credits;
  for (const lot of spendableLots(book, tx.atMs)) {
    if (left === 0) break;
    const take = Math.min(left, lot.remaining - lot.held);
    post(tx, 'available', -take, lot.id);
    post(tx, 'held', take, lot.id, hold.id);
    lot.held += take;
    book.account.available -= take;
    book.account.held += take;
    touchLot(book, lot);
    const holdLot: HoldLot = { lotId: lot.id, allocated: take, held: take, captured: 0 };
    hold.lots.push(holdLot);
    book.newHoldLots.add(`${hold.id}|${lot.id}`);
    left -= take;
  }
  assert(left === 0, 'hold allocation fell short after the availability check');
  tx.links.holdId = hold.id;
  return hold;
}

/** Captures `credits` (≤ held) of a hold, soonest-expiring lots first, and releases the rest (CR-12). */
export function captureHoldOnBook(book: Book, tx: TransactionDraft, hold: Hold, credits: number): { captured: number; released: number } {
  assert(hold.state === 'active', 'only an active hold can be captured');
  const order = [...hold.lots].sort((a, b) => fifoOrder(lotOf(book, a.lotId), lotOf(book, b.lotId)));
  let left = credits;
  for (const holdLot of order) {
    const take = Math.min(left, holdLot.held);
    captureHoldLot(book, tx, hold, holdLot, take);
    left -= take;
  }
  assert(left === 0, 'capture exceeds the hold');
  let released = 0;
  for (const holdLot of order) {
    released += holdLot.held;
    releaseHoldLot(book, tx, hold, holdLot, holdLot.held);
  }
  hold.state = 'captured';
  hold.captured = credits;
  hold.resolvedAtMs = tx.atMs;
  touchHold(book, hold);
  settleDebt(book, tx);
  return { captured: credits, released };
}

export function releaseHoldOnBook(book: Book, tx: TransactionDraft, hold: Hold, state: 'released' | 'cancelled'): number {
  assert(hold.state === 'active', 'only an active hold can be released');
  let released = 0;
  for (const holdLot of hold.lots) {
    released += holdLot.held;
    releaseHoldLot(book, tx, hold, holdLot, holdLot.held);
  }
  hold.state = state;
  hold.resolvedAtMs = tx.atMs;
  touchHold(book, hold);
  settleDebt(book, tx);
  return released;
}

/**
 * CR-15..CR-17: takes `credits` back for a line: the pending part of its lot is voided, the unlocked unheld part
 * clawed back, the shortfall comes from other available credits FIFO, and what is still missing becomes debt.
 */
export function reverseOnBook(book: Book, tx: TransactionDraft, lot: Lot, credits: number): { voided: number; clawedBack: number; fromOtherLots: number; debt: number } {
  let left = credits;
  let voided = 0;
  let clawedBack = 0;
  if (lot.state === 'pending') {
    voided = Math.min(left, lot.remaining);
    takePending(book, tx, lot, voided, 'program:reversed');
    left -= voided;
  } else if (lot.state === 'available' && !lotIsExpiredAt(lot, tx.atMs)) {
    clawedBack = Math.min(left, lot.remaining - lot.held);
    takeAvailable(book, tx, lot, clawedBack, 'program:reversed');
    left -= clawedBack;
  }
  const fromOtherLots = consumeFifo(book, tx, left, 'program:reversed');
  left -= fromOtherLots;
  if (left > 0) {
    addDebt(book, tx, left);
    post(tx, 'program:reversed', left, null);
  }
  lot.reversed += credits;
  book.account.lifetimeEarned = Math.max(0, book.account.lifetimeEarned - credits);
  touchLot(book, lot);
  return { voided, clawedBack, fromOtherLots, debt: left };
}

/**
 * CR-18: returns spent credits to the lots they came from, with the lots' own expiry. Credits of a lot that has
 * expired meanwhile are recorded as expired instead (a program-side move; the member's balance does not change).
 */
export function restoreToLot(book: Book, tx: TransactionDraft, lot: Lot, credits: number): { restored: number; expired: number } {
  if (credits === 0) return { restored: 0, expired: 0 };
  if (lotIsExpiredAt(lot, tx.atMs) || lot.state === 'voided' || lot.state === 'forfeited') {
    post(tx, 'program:spent', -credits, lot.id);
    post(tx, 'program:expired', credits, lot.id);
    return { restored: 0, expired: credits };
  }
  assert(lot.state === 'available' || lot.state === 'depleted' || lot.state === 'expired', `lot ${lot.id} cannot take restored credits`);
  post(tx, 'program:spent', -credits, lot.id);
  post(tx, 'available', credits, lot.id);
  lot.remaining += credits;
  if (lot.state === 'expired') lot.state = 'available';
  book.account.available += credits;
  touchLot(book, lot);
  return { restored: credits, expired: 0 };
}

export function settleDebtAfter(book: Book, tx: TransactionDraft): void {
  settleDebt(book, tx);
}

/** CR-21 downward adjustment: available credits only, FIFO. */
export function deductOnBook(book: Book, tx: TransactionDraft, credits: number): void {
  spendFifo(book, tx, credits, 'program:adjusted');
}

/** CR-22: everything the member holds goes to the forfeited account; debt is written off; the account closes. */
export function forfeitOnBook(book: Book, tx: TransactionDraft): number {
  let forfeited = 0;
  // In an order of their own, not the order they were read in (PostgreSQL answers rows in no set order): the
  // posting order of a closing is the same for the same book.
  for (const hold of [...book.holds.values()].sort((a, b) => compareIds(a.id, b.id))) {
    if (hold.state !== 'active') continue;
    for (const holdLot of [...hold.lots].sort((a, b) => fifoOrder(lotOf(book, a.lotId), lotOf(book, b.lotId)))) {
      if (holdLot.held === 0) continue;
      const lot = lotOf(book, holdLot.lotId);
      const amount = holdLot.held;
      post(tx, 'held', -amount, lot.id, hold.id);
      post(tx, 'program:forfeited', amount, lot.id);
      holdLot.held = 0;
      lot.held -= amount;
      lot.remaining -= amount;
      book.account.held -= amount;
      forfeited += amount;
      touchLot(book, lot);
      touchHold(book, hold, holdLot);
    }
    hold.state = 'cancelled';
    hold.resolvedAtMs = tx.atMs;
    touchHold(book, hold);
  }
  for (const lot of [...book.lots.values()].sort(fifoOrder)) {
    if (lot.state === 'pending') {
      forfeited += lot.remaining;
      takePending(book, tx, lot, lot.remaining, 'program:forfeited');
    } else if (lot.state === 'available' || lot.state === 'expired') {
      const amount = lot.remaining - lot.held;
      forfeited += amount;
      if (amount > 0) takeAvailable(book, tx, lot, amount, 'program:forfeited');
    } else {
      continue;
    }
    lot.state = 'forfeited';
    touchLot(book, lot);
  }
  const debt = book.account.debt;
  if (debt > 0) {
    post(tx, 'debt', debt, null);
    post(tx, 'program:forfeited', -debt, null);
    book.account.debt = 0;
  }
  book.account.state = 'closed';
  book.accountChanged = true;
  return forfeited;
}
