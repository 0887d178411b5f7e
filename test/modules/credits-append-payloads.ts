// Append-group payloads as the repository's prepareAppend packs them, for the PostgreSQL append-group tests (not a
// test file itself).
import type { Lot, TransactionDraft } from '../../src/modules/credits/ledger.rules.ts';
import { DAY_MS } from '../../src/platform/clock.ts';

export const nowMs = Date.parse('2026-06-01T12:00:00.000Z');

/** An earn as prepareAppend packs it: the rules' own transaction (on a stand-in account) and lots. */
export function earn(memberId: string, key: string, credits: readonly number[], options: { policyVersion?: number; warned?: boolean } = {}): Record<string, unknown> {
  const txId = `ltx_${key}`;
  const unlockAtMs = nowMs + 30 * DAY_MS;
  const lots: Lot[] = credits.map((amount, i) => ({
    id: `lot_${key}_${i}`, memberId, source: 'order', state: 'pending', original: amount, remaining: amount, held: 0, reversed: 0, qualifyingMinor: amount * 100,
    refundedQualifyingMinor: 0, unlockAtMs, expiresAtMs: unlockAtMs + 365 * DAY_MS, orderId: `ord_${key}`, orderLineId: i === 0 ? null : `oln_${key}_${i}`,
    transactionId: txId, policyVersion: 1, warnedAtMs: options.warned ? nowMs : null, createdAtMs: nowMs,
  }));
  const total = credits.reduce((a, b) => a + b, 0);
  const transaction: TransactionDraft = {
    id: txId, memberId, version: 1, kind: 'earn', reason: 'order', idemScope: 'earn', idemKey: key, requestHash: `hash_${key}`, policyVersion: 1,
    atMs: nowMs, recordedAtMs: nowMs, links: { orderId: `ord_${key}` }, credits: total, result: JSON.stringify({ earned: total }),
    postings: lots.flatMap((l) => [{ account: 'pending' as const, lotId: l.id, holdId: null, amount: l.original }, { account: 'program:issued' as const, lotId: l.id, holdId: null, amount: -l.original }]),
    after: { available: 0, pending: total, held: 0, debt: 0, lifetimeEarned: total },
  };
  return {
    memberId, nowMs, idemScope: 'earn', idemKey: key, requestHash: `hash_${key}`, policyVersion: options.policyVersion ?? 1, requireNoDebt: true,
    availableDelta: 0, pendingDelta: total, lifetimeDelta: total, nextDueAtMs: unlockAtMs, transaction, lots,
  };
}
