// The credits sweep (CR-8..CR-10): materialises due unlocks, hold timeouts and expiries as postings and enqueues the
// notices (a job in the same transaction, see notices.ts). It never decides anything a read would not (reads apply
// the same events in memory, CR-9); it only writes them down. Members are found through the per-account next-due
// index and the expiry-warning index (never a full scan, PF-8) and done in bounded batches, each batch one short
// transaction that locks its accounts in member order. On SQLite a batch first copies into credit_lots the deferred
// lots (migration 0429) of its members whose mark comes into the expiry warning window, so both paths below read and
// write those lots as rows.
//
// Set-based (PF-8, docs/PERFORMANCE.md "Set-based sweep"): most members due on a given day have no debt, nothing held
// and no active hold. For them each time event touches its own lot only (no debt to settle, no hold to time out), so
// the batch reads just their due lots and those coming into the expiry warning window and the next due time of their
// other lots (one pass over each member's lots on SQLite, two statements on PostgreSQL), runs the same rules
// (advanceTo, then the warnings) on those lots alone and writes every table with one statement per table for the
// whole batch. Everyone else (debt, held credits, active holds, a closed account, or a lot that breaks the expected
// shape) goes through the whole book as before: that path is the reference, and test/modules/credits-sweep-set.test.ts
// checks both write the same rows.
import { z } from 'zod';
import { transact, type Ctx, type Deps } from '../../deps.ts';
import { isPostgres } from '../../db/database.ts';
import { yieldBetweenBatches } from '../../db/batches.ts';
import { MINUTE_MS } from '../../platform/clock.ts';
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { advanceTo, compareIds, newBook, type Account, type Book, type Lot } from './ledger.rules.ts';
import { loadBooks, lockAccounts, materializeDeferredLotsDue, persistBooks } from './ledger.repository.ts';
import { dueMemberIds, membersWithActiveHolds, selectDueWork } from './sweep.repository.ts';
import { getCurrentPolicy } from './policy.service.ts';
import { creditsNoticesJob, creditsNoticesJobType, enqueueNotices, type ExpiryWarning } from './notices.ts';
import { runCreditsAudit } from './auditor.ts';

export interface SweepOptions {
  /** Members per transaction. */
  batchSize?: number;
  /** Upper bound on batches per call; the next run continues. */
  maxBatches?: number;
  /** False: every member through its whole book (the reference path; tests and benchmarks compare the two). */
  setBased?: boolean;
  /**
   * PostgreSQL: batches in flight at once, on disjoint members, each its own transaction (default 2). One batch keeps
   * the process and the server waiting for each other in turn (measured: half the time in each); two overlap them.
   * SQLite has one writer: always 1.
   */
  concurrency?: number;
  /**
   * How many batches' worth of due members are found at once (default 16), then cut into batches in member order: a
   * batch then covers a narrow range of member IDs, where due members share account, lot and index pages instead of
   * each dirtying its own (docs/PERFORMANCE.md, "Sweep batches by key range"). 1 gives each batch the members due
   * first, spread over the whole key space.
   */
  readAhead?: number;
}

export interface SweepReport {
  batches: number;
  members: number;
  transactions: number;
  warnings: number;
  /** True when the sweep stopped at maxBatches with work left. */
  more: boolean;
}

/** A member whose time events touch nothing but their own lots: open, no debt, nothing held, no active hold. */
function isSimple(account: Account, holders: ReadonlySet<string>): boolean {
  return account.state === 'open' && account.debt === 0 && account.held === 0 && !holders.has(account.memberId);
}

/** A due lot as such a member's lots are: nothing held, something left (anything else takes the book path). */
function hasSimpleShape(lot: Lot): boolean {
  return lot.held === 0 && lot.remaining > 0 && lot.expiresAtMs > lot.unlockAtMs;
}

/** Applies one member's due events to its whole book (the reference path); its warnings are marked after. */
function sweepWholeBook(book: Book, env: Parameters<typeof advanceTo>[1], nowMs: number): void {
  const dueBefore = book.account.nextDueAtMs;
  // The account's nextDue is only a shortcut for reads; the sweep found work through the indexes, so it looks.
  book.account.nextDueAtMs = null;
  if (book.account.state === 'open') advanceTo(book, env, nowMs);
  else if (dueBefore !== null) {
    // A closed account has no time events (CR-22 forfeited everything): clear the mark, or the index finds it again.
    book.accountChanged = true;
  }
}

/**
 * CR-10 on a book brought to now: marks every available, unwarned lot expiring by `warnUntilMs` as warned now and
 * answers the warnings to send (the lots with unheld credits), in lot order. A lot all held is marked without one, or
 * it would be found as due again on every run. Both paths: the set-based one reads the lots in the warning window
 * with its due lots.
 */
function markWarnings(book: Book, nowMs: number, warnUntilMs: number): ExpiryWarning[] {
  const warnings: ExpiryWarning[] = [];
  const lots = [...book.lots.values()].sort((a, b) => compareIds(a.id, b.id));
  for (const lot of lots) {
    if (lot.state !== 'available' || lot.warnedAtMs !== null || lot.expiresAtMs > warnUntilMs) continue;
    lot.warnedAtMs = nowMs;
    book.changedLots.add(lot.id);
    const unheld = lot.remaining - lot.held;
    if (unheld > 0 && lot.expiresAtMs > nowMs) warnings.push({ memberId: lot.memberId, lotId: lot.id, credits: unheld, expiresAtMs: lot.expiresAtMs });
  }
  return warnings;
}

/** One batch: lock, apply due events, mark warnings, write, queue notices. Returns what it did. */
async function sweepBatch(ctx: Ctx, memberIds: readonly string[], setBased: boolean): Promise<{ transactions: number; warnings: number }> {
  return transact(ctx, async (trx) => {
    const nowMs = trx.clock.nowMs();
    const policy = await getCurrentPolicy(trx);
    const warnUntilMs = nowMs + policy.expiryWarningMs;
    const accounts = await lockAccounts(trx.db, memberIds);
    materializeDeferredLotsDue(trx.db, accounts, warnUntilMs);
    // Reads first, then the rules in member order, so IDs are drawn in the same order whichever path a member takes.
    const holders = setBased ? await membersWithActiveHolds(trx.db, accounts.map((a) => a.memberId)) : new Set<string>();
    const candidates = accounts.filter((a) => setBased && isSimple(a, holders));
    const { dueLots, laterDue } = await selectDueWork(trx.db, candidates, nowMs, warnUntilMs);
    const simple = new Set(candidates.map((a) => a.memberId).filter((id) => dueLots.get(id)!.every(hasSimpleShape)));
    const loaded = await loadBooks(trx.db, accounts.filter((a) => !simple.has(a.memberId)));
    const env = { nowMs, policyVersion: policy.version, newId: (prefix: 'ltx' | 'lot' | 'hld') => trx.ids.next(prefix) };
    const books: Book[] = [];
    const warnings: ExpiryWarning[] = [];
    for (const account of accounts) {
      if (simple.has(account.memberId)) {
        // Only the due lots and those coming into the warning window: the events are the whole book's (nothing else
        // is touched); nextDue adds the others'.
        const book = newBook(account, dueLots.get(account.memberId)!, [], true);
        book.account.nextDueAtMs = null;
        advanceTo(book, env, nowMs);
        const later = laterDue.get(account.memberId);
        if (later !== undefined && (book.account.nextDueAtMs === null || later < book.account.nextDueAtMs)) book.account.nextDueAtMs = later;
        warnings.push(...markWarnings(book, nowMs, warnUntilMs));
        books.push(book);
        continue;
      }
      const data = loaded.get(account.memberId)!;
      const book = newBook(account, data.lots, data.holds, true);
      sweepWholeBook(book, env, nowMs);
      warnings.push(...markWarnings(book, nowMs, warnUntilMs));
      books.push(book);
    }
    await persistBooks(trx.db, books);
    await enqueueNotices(trx, books.flatMap((b) => b.notices), warnings);
    return { transactions: books.reduce((n, b) => n + b.transactions.length, 0), warnings: warnings.length };
  });
}

export async function runCreditsSweep(ctx: Ctx, options: SweepOptions = {}): Promise<SweepReport> {
  const batchSize = options.batchSize ?? 200;
  const maxBatches = options.maxBatches ?? 100;
  const report: SweepReport = { batches: 0, members: 0, transactions: 0, warnings: 0, more: false };
  const concurrency = isPostgres(ctx.db) ? Math.max(1, options.concurrency ?? 2) : 1;
  const readAhead = Math.max(concurrency, options.readAhead ?? 16);
  const policy = await getCurrentPolicy(ctx);
  for (let round = 0; ; round++) {
    const room = maxBatches - report.batches;
    if (room <= 0) {
      report.more = true;
      return report;
    }
    if (round > 0) await yieldBetweenBatches();
    const nowMs = ctx.clock.nowMs();
    const members = await dueMemberIds(ctx.db, nowMs, nowMs + policy.expiryWarningMs, batchSize * Math.min(readAhead, room));
    if (members.length === 0) return report;
    // Contiguous slices of a list in member order: disjoint, so batches in flight never wait for each other's locks.
    const batches: string[][] = [];
    for (let start = 0; start < members.length; start += batchSize) batches.push(members.slice(start, start + batchSize));
    for (let first = 0; first < batches.length; first += concurrency) {
      if (first > 0) await yieldBetweenBatches();
      const group = batches.slice(first, first + concurrency);
      const done = await Promise.all(group.map((batch) => sweepBatch(ctx, batch, options.setBased ?? true)));
      report.batches += group.length;
      for (const [i, batch] of done.entries()) {
        report.members += group[i]!.length;
        report.transactions += batch.transactions;
        report.warnings += batch.warnings;
      }
    }
  }
}

const sweepPayload = z.object({ batchSize: z.number().int().min(1).max(5000).optional() }).nullable();

/** Idempotent: whatever a crashed run wrote is no longer due, so running a slot again only does what is left. */
export const creditsSweepJob: JobHandler = async (deps: Deps, payload) => {
  const parsed = sweepPayload.parse(payload ?? null);
  await runCreditsSweep(deps, { batchSize: parsed?.batchSize });
};

export const creditsAuditJob: JobHandler = async (deps: Deps) => {
  await runCreditsAudit(deps, { trigger: 'schedule', actorId: null });
};

export const creditsSweepJobType = 'credits-sweep';
export const creditsAuditJobType = 'credits-audit';

export const creditsJobHandlers: Record<string, JobHandler> = {
  [creditsSweepJobType]: creditsSweepJob,
  [creditsAuditJobType]: creditsAuditJob,
  [creditsNoticesJobType]: creditsNoticesJob,
};

export const creditsSchedules: Schedule[] = [
  { type: creditsSweepJobType, everyMs: MINUTE_MS },
  { type: creditsAuditJobType, everyMs: 24 * 60 * MINUTE_MS },
];
