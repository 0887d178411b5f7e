// The credits sweep (CR-8..CR-10): materialises due unlocks, hold timeouts and expiries as postings and enqueues the
// notices (a job in the same transaction, see notices.ts). It never decides anything a read would not (reads apply the same events in memory, CR-9); it only writes
// them down. Work is found through partial indexes (never a full scan, PF-8) and done in bounded batches of members,
// each batch one short transaction that locks its accounts in member order.
import { z } from 'zod';
import { transact, type Ctx, type Deps } from '../../deps.ts';
import { MINUTE_MS } from '../../platform/clock.ts';
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { advanceTo, newBook, type Book } from './ledger.rules.ts';
import { loadBooks, lockAccounts, persistBooks, rawQuery } from './ledger.repository.ts';
import { getCurrentPolicy } from './policy.service.ts';
import { creditsNoticesJob, creditsNoticesJobType, enqueueNotices, type ExpiryWarning } from './notices.ts';
import { runCreditsAudit } from './auditor.ts';
import { sweepEventsOf } from './credit-events.ts';
import { recordEvents } from '../events/index.ts';

export interface SweepOptions {
  /** Members per transaction. */
  batchSize?: number;
  /** Upper bound on batches per call; the next run continues. */
  maxBatches?: number;
}

export interface SweepReport {
  batches: number;
  members: number;
  transactions: number;
  warnings: number;
  /** True when the sweep stopped at maxBatches with work left. */
  more: boolean;
}

/** Members with anything due by `nowMs` (or an expiry warning due), at most `limit`, from the sweep indexes. */
async function dueMembers(ctx: Ctx, nowMs: number, warnUntilMs: number, limit: number): Promise<string[]> {
  const rows = await rawQuery<{ member_id: string }>(
    ctx.db,
    `select member_id from (select member_id from credit_lots where state = 'pending' and unlock_at_ms <= ? order by unlock_at_ms limit ?) u
     union select member_id from (select member_id from credit_lots where state = 'available' and expires_at_ms <= ? order by expires_at_ms limit ?) e
     union select member_id from (select member_id from credit_holds where state = 'active' and expires_at_ms <= ? order by expires_at_ms limit ?) h
     union select member_id from (select member_id from credit_lots where state = 'available' and warned_at_ms is null and expires_at_ms <= ? order by expires_at_ms limit ?) w`,
    [nowMs, limit, nowMs, limit, nowMs, limit, warnUntilMs, limit],
  );
  return rows.map((r) => r.member_id).sort().slice(0, limit);
}

/** One batch: lock, apply due events, mark warnings, write, queue notices. Returns what it did. */
async function sweepBatch(ctx: Ctx, memberIds: readonly string[]): Promise<{ transactions: number; warnings: number }> {
  return transact(ctx, async (trx) => {
    const nowMs = trx.clock.nowMs();
    const policy = await getCurrentPolicy(trx);
    const accounts = await lockAccounts(trx.db, memberIds);
    const loaded = await loadBooks(trx.db, accounts.map((a) => a.memberId));
    const books: Book[] = [];
    const warnings: ExpiryWarning[] = [];
    const env = { nowMs, policyVersion: policy.version, newId: (prefix: 'ltx' | 'lot' | 'hld') => trx.ids.next(prefix) };
    for (const account of accounts) {
      const data = loaded.get(account.memberId)!;
      const book = newBook(account, data.lots, data.holds, true);
      // The account's nextDue is only a shortcut for reads; the sweep found work through the indexes, so it looks.
      book.account.nextDueAtMs = null;
      if (account.state === 'open') advanceTo(book, env, nowMs);
      for (const lot of book.lots.values()) {
        const unheld = lot.remaining - lot.held;
        if (lot.state === 'available' && lot.warnedAtMs === null && unheld > 0 && lot.expiresAtMs > nowMs && lot.expiresAtMs <= nowMs + policy.expiryWarningMs) {
          lot.warnedAtMs = nowMs;
          book.changedLots.add(lot.id);
          warnings.push({ memberId: lot.memberId, lotId: lot.id, credits: unheld, expiresAtMs: lot.expiresAtMs });
        } else if (lot.state === 'available' && lot.warnedAtMs === null && lot.expiresAtMs <= nowMs + policy.expiryWarningMs) {
          // Nothing left to warn about (all held): mark it, or it would be found as due again on every run.
          lot.warnedAtMs = nowMs;
          book.changedLots.add(lot.id);
        }
      }
      books.push(book);
    }
    await persistBooks(trx.db, books);
    await enqueueNotices(trx, books.flatMap((b) => b.notices), warnings);
    await recordEvents(trx, sweepEventsOf(books.flatMap((b) => b.transactions)));
    return { transactions: books.reduce((n, b) => n + b.transactions.length, 0), warnings: warnings.length };
  });
}

export async function runCreditsSweep(ctx: Ctx, options: SweepOptions = {}): Promise<SweepReport> {
  const batchSize = options.batchSize ?? 200;
  const maxBatches = options.maxBatches ?? 100;
  const report: SweepReport = { batches: 0, members: 0, transactions: 0, warnings: 0, more: false };
  const policy = await getCurrentPolicy(ctx);
  for (;;) {
    if (report.batches >= maxBatches) {
      report.more = true;
      return report;
    }
    const nowMs = ctx.clock.nowMs();
    const members = await dueMembers(ctx, nowMs, nowMs + policy.expiryWarningMs, batchSize);
    if (members.length === 0) return report;
    const done = await sweepBatch(ctx, members);
    report.batches += 1;
    report.members += members.length;
    report.transactions += done.transactions;
    report.warnings += done.warnings;
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
