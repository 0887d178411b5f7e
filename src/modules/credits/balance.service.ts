// Reading credits (CR-20): the balance now, computed from lot times so it is exact before any sweep runs (CR-9);
// the history; and the balance at any past moment, by replaying the postings up to it (LG-4).
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { advanceTo, emptyAccount, newBook, type Account, type Book, type Hold, type HoldState, type Lot } from './ledger.rules.ts';
import { readBalanceHead, selectHistory, selectReplay, toHold, type ReplayRows } from './ledger.repository.ts';
import { selectReplayFromSnapshot } from './snapshot.repository.ts';
import type { CreditTransactionRow } from './ledger.table.ts';
import { getCurrentPolicy, getPolicyVersion } from './policy.service.ts';
import type { Policy } from './policy.rules.ts';

export interface CreditBalance {
  memberId: string;
  asOfMs: number;
  /** Spendable credits minus debt: negative while the member owes credits (CR-17). */
  available: number;
  /** Credits that can be spent or held right now. */
  spendable: number;
  pendingTotal: number;
  pending: { credits: number; unlockAtMs: number }[];
  held: number;
  /** Unheld credits expiring within the policy's warning window. */
  expiringSoon: { credits: number; expiresAtMs: number }[];
  lifetimeEarned: number;
  debt: number;
  closed: boolean;
  policyVersion: number;
}

const noId = () => '';

function grouped<K extends string>(entries: { credits: number; at: number }[], key: K): ({ credits: number } & Record<K, number>)[] {
  const byTime = new Map<number, number>();
  for (const entry of entries) byTime.set(entry.at, (byTime.get(entry.at) ?? 0) + entry.credits);
  return [...byTime.entries()].sort(([a], [b]) => a - b).map(([at, credits]) => ({ credits, [key]: at }) as { credits: number } & Record<K, number>);
}

/** The member-facing view of a book whose time events have been applied up to `atMs`. */
export function balanceView(book: Book, atMs: number, policy: Policy): CreditBalance {
  const pending: { credits: number; at: number }[] = [];
  const expiring: { credits: number; at: number }[] = [];
  for (const lot of book.lots.values()) {
    if (lot.state === 'pending' && lot.remaining > 0) pending.push({ credits: lot.remaining, at: lot.unlockAtMs });
    const unheld = lot.remaining - lot.held;
    if (lot.state === 'available' && unheld > 0 && lot.expiresAtMs > atMs && lot.expiresAtMs <= atMs + policy.expiryWarningMs) {
      expiring.push({ credits: unheld, at: lot.expiresAtMs });
    }
  }
  return accountView(book.account, atMs, policy, pending, expiring);
}

function accountView(a: Account, atMs: number, policy: Policy, pending: { credits: number; at: number }[], expiring: { credits: number; at: number }[]): CreditBalance {
  return {
    memberId: a.memberId,
    asOfMs: atMs,
    available: a.available - a.debt,
    spendable: a.available,
    pendingTotal: a.pending,
    pending: grouped(pending, 'unlockAtMs'),
    held: a.held,
    expiringSoon: grouped(expiring, 'expiresAtMs'),
    lifetimeEarned: a.lifetimeEarned,
    debt: a.debt,
    closed: a.state === 'closed',
    policyVersion: policy.version,
  };
}

/** The balance now: the committed state with every time event due by now applied in memory (CR-9). */
export async function getBalance(ctx: Ctx, memberId: string): Promise<CreditBalance> {
  const nowMs = ctx.clock.nowMs();
  // PF-7: nothing due by now (the common case): the account row and the two short lists, without the book.
  const head = await readBalanceHead(ctx.db, memberId, nowMs, async (version) => (await getPolicyVersion(ctx, version)).expiryWarningMs);
  if (head?.lists) {
    const policy = await getPolicyVersion(ctx, head.currentPolicyVersion);
    const entries = (list: [number, number][]) => list.map(([at, credits]) => ({ at, credits }));
    return accountView(head.account, nowMs, policy, entries(head.lists.pending), entries(head.lists.expiring));
  }
  // Something is due (or no account): the exact computation from the whole book, read in the same call (CR-9).
  const snapshot = head?.book ? { account: head.account, currentPolicyVersion: head.currentPolicyVersion, ...head.book } : undefined;
  if (!snapshot) {
    const book = newBook(emptyAccount(memberId, nowMs), [], [], true);
    const policy = await getCurrentPolicy(ctx);
    return balanceView(book, nowMs, policy);
  }
  const policy = await getPolicyVersion(ctx, snapshot.currentPolicyVersion);
  const book = newBook(snapshot.account, snapshot.lots, snapshot.holds, true);
  advanceTo(book, { nowMs, policyVersion: policy.version, newId: noId }, nowMs);
  return balanceView(book, nowMs, policy);
}

/**
 * LG-4: rebuilds the member's lots, holds and debt from the postings made up to `atMs`, then applies the time events
 * due by then exactly as a live read at that moment did. The result equals what getBalance said at `atMs`.
 */
export async function getBalanceAt(ctx: Ctx, memberId: string, atMs: number): Promise<CreditBalance> {
  if (!Number.isSafeInteger(atMs) || atMs < 0) throw new AppError('validation', 'Give a valid moment.');
  if (atMs > ctx.clock.nowMs()) throw new AppError('validation', 'A point-in-time balance is for a past moment.');
  // PF-7: from the newest snapshot usable at atMs (one statement), which sums the same postings as the full replay.
  return replayBalance(ctx, memberId, atMs, await selectReplayFromSnapshot(ctx.db, memberId, atMs));
}

/** getBalanceAt from every posting, ignoring snapshots: the reference the snapshot tests and the auditor compare with. */
export async function getBalanceAtByFullReplay(ctx: Ctx, memberId: string, atMs: number): Promise<CreditBalance> {
  return replayBalance(ctx, memberId, atMs, await selectReplay(ctx.db, memberId, atMs));
}

async function replayBalance(ctx: Ctx, memberId: string, atMs: number, rows: ReplayRows): Promise<CreditBalance> {
  const policy = await getPolicyVersion(ctx, rows.policyVersion);
  const account: Account = {
    ...emptyAccount(memberId, 0),
    version: rows.last?.version ?? 0,
    lifetimeEarned: rows.last?.lifetime_after ?? 0,
    updatedAtMs: rows.last?.at_ms ?? 0,
  };
  const perLot = new Map<string, { pending: number; available: number; held: number }>();
  const perHoldLot = new Map<string, Map<string, number>>();
  for (const sum of rows.sums) {
    if (sum.account === 'debt') {
      account.debt -= sum.total;
      continue;
    }
    if (sum.lot_id === null) continue;
    const entry = perLot.get(sum.lot_id) ?? { pending: 0, available: 0, held: 0 };
    if (sum.account === 'pending') entry.pending += sum.total;
    else if (sum.account === 'available') entry.available += sum.total;
    else if (sum.account === 'held') {
      entry.held += sum.total;
      if (sum.hold_id !== null) {
        const lots = perHoldLot.get(sum.hold_id) ?? new Map<string, number>();
        lots.set(sum.lot_id, (lots.get(sum.lot_id) ?? 0) + sum.total);
        perHoldLot.set(sum.hold_id, lots);
      }
    }
    perLot.set(sum.lot_id, entry);
  }
  const lots: Lot[] = [];
  for (const meta of rows.lots) {
    const amounts = perLot.get(meta.id) ?? { pending: 0, available: 0, held: 0 };
    const remaining = amounts.pending + amounts.available + amounts.held;
    const state = amounts.pending > 0 ? 'pending' : remaining > 0 ? 'available' : 'depleted';
    lots.push({ ...meta, state, remaining, held: amounts.held, warnedAtMs: null });
    account.pending += amounts.pending;
    account.available += amounts.available;
    account.held += amounts.held;
  }
  const holds: Hold[] = [];
  for (const row of rows.holds) {
    const lotsHeld = perHoldLot.get(row.id) ?? new Map<string, number>();
    const held = [...lotsHeld.values()].reduce((s, n) => s + n, 0);
    const hold = toHold(row, []);
    hold.state = (held > 0 ? 'active' : 'released') satisfies HoldState;
    hold.lots = [...lotsHeld.entries()].map(([lotId, amount]) => ({ lotId, allocated: amount, held: amount, captured: 0 }));
    holds.push(hold);
  }
  const book = newBook(account, lots, holds, true);
  advanceTo(book, { nowMs: atMs, policyVersion: policy.version, newId: noId }, atMs);
  return balanceView(book, atMs, policy);
}

export interface HistoryEntry {
  id: string;
  version: number;
  kind: string;
  reason: string;
  atMs: number;
  /** The change of available + pending + held − debt. */
  credits: number;
  changes: { available: number; pending: number; held: number; debt: number };
  balanceAfter: { available: number; pending: number; held: number; debt: number };
  orderId: string | null;
  orderLineId: string | null;
  caseId: string | null;
  holdId: string | null;
  lotId: string | null;
  adjustment: { reasonCode: string; note: string | null; actorId: string | null; actorRole: string | null } | null;
  policyVersion: number;
}

export interface HistoryPage {
  entries: HistoryEntry[];
  nextCursor: string | null;
}

const historyQuery = z.object({ cursor: z.string().regex(/^\d{1,10}$/).optional(), limit: z.number().int().min(1).max(200).default(50) });

function balancesOf(row: CreditTransactionRow) {
  return { available: Number(row.available_after), pending: Number(row.pending_after), held: Number(row.held_after), debt: Number(row.debt_after) };
}

/** Newest first; the cursor is the version to continue below. */
export async function getHistory(ctx: Ctx, memberId: string, options: { cursor?: string; limit?: number } = {}): Promise<HistoryPage> {
  const { cursor, limit } = historyQuery.parse(options);
  const before = cursor === undefined ? 2_147_483_647 : Number(cursor);
  const rows = await selectHistory(ctx.db, memberId, before, limit + 1);
  const entries = rows.slice(0, limit).map((row, i): HistoryEntry => {
    const after = balancesOf(row);
    // The page reads one row more than it shows, so every entry has the one before it (or is the first, version 1).
    const older = rows[i + 1];
    const prior = older ? balancesOf(older) : { available: 0, pending: 0, held: 0, debt: 0 };
    return {
      id: row.id,
      version: Number(row.version),
      kind: row.kind,
      reason: row.reason,
      atMs: Number(row.at_ms),
      credits: Number(row.credits),
      changes: { available: after.available - prior.available, pending: after.pending - prior.pending, held: after.held - prior.held, debt: after.debt - prior.debt },
      balanceAfter: after,
      orderId: row.order_id,
      orderLineId: row.order_line_id,
      caseId: row.case_id,
      holdId: row.hold_id,
      lotId: row.lot_id,
      adjustment: row.reason_code ? { reasonCode: row.reason_code, note: row.note, actorId: row.actor_id, actorRole: row.actor_role } : null,
      policyVersion: Number(row.policy_version),
    };
  });
  const last = entries.at(-1);
  return { entries, nextCursor: rows.length > limit && last ? String(last.version) : null };
}
