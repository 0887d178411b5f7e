// The credits domain events (events.catalogue.ts), built from a ledger transaction row: nothing is written for them
// (event-feed.ts reads the committed rows; migration 0425). Data: the transaction, the order when there is one, the
// lots and the credits each lot gained or lost. One transaction makes one event (a transaction moving more than 100
// lots, at most a few per ledger, makes one per 100), and its ID is derived from the transaction's, so reading a row
// twice gives the same event and a receiver drops the repeat by `webhook-id`.
import type { DomainEvent, EventType } from '../events/index.ts';
import { isBucket, type TransactionKind } from './ledger.rules.ts';

const typeOfKind: Partial<Record<TransactionKind, EventType>> = {
  earn: 'credits.earned',
  bonus: 'credits.earned',
  unlock: 'credits.unlocked',
  expire: 'credits.expired',
  reversal: 'credits.reversed',
  spend: 'credits.spent',
  capture: 'credits.spent',
};

/** Event data arrays hold at most 100 entries: a transaction with more lots is told in several events. */
const lotsPerEvent = 100;

/** A posting as stored in its transaction's row (migration 0420): [account, lot ID, hold ID, credits]. */
export type StoredPosting = readonly [string, string | null, string | null, number];

/** What an event needs of a committed transaction row. */
export interface CommittedTransaction {
  id: string;
  memberId: string;
  kind: string;
  orderId: string | null;
  recordedAtMs: number;
  postings: readonly StoredPosting[];
}

/** `ltx_<body>` → `evt_<body>`, and `evt_<body>_2`, `_3` … for a transaction's further events. */
export function creditEventId(transactionId: string, part: number): string {
  const body = transactionId.slice(transactionId.indexOf('_') + 1);
  return part === 0 ? `evt_${body}` : `evt_${body}_${part + 1}`;
}

/** Per lot, the credits the transaction moved for the event (gained for earned/unlocked, lost for the others). */
function lotAmounts(postings: readonly StoredPosting[], type: EventType): [string, number][] {
  const perLot = new Map<string, number>();
  for (const [account, lotId, , amount] of postings) {
    if (lotId === null || !isBucket(account)) continue;
    if (type === 'credits.unlocked' && account !== 'available') continue;
    perLot.set(lotId, (perLot.get(lotId) ?? 0) + amount);
  }
  const sign = type === 'credits.earned' || type === 'credits.unlocked' ? 1 : -1;
  return [...perLot].map(([lotId, amount]): [string, number] => [lotId, sign * amount]).filter(([, credits]) => credits !== 0);
}

/** The events of one committed transaction: none for kinds outside the catalogue (adjustments, holds, releases …). */
export function creditEventsOf(tx: CommittedTransaction): DomainEvent[] {
  const type = typeOfKind[tx.kind as TransactionKind];
  if (!type) return [];
  const lots = lotAmounts(tx.postings, type);
  if (lots.length === 0) return [];
  const events: DomainEvent[] = [];
  for (let start = 0; start < lots.length; start += lotsPerEvent) {
    const part = lots.slice(start, start + lotsPerEvent);
    const data: Record<string, unknown> = {
      transactionId: tx.id,
      credits: part.reduce((sum, [, credits]) => sum + credits, 0),
      lotIds: part.map(([id]) => id),
      amounts: part.map(([, credits]) => credits),
    };
    if (tx.orderId) data.orderId = tx.orderId;
    events.push({ id: creditEventId(tx.id, start / lotsPerEvent), type, subjectId: tx.id, memberId: tx.memberId, occurredAtMs: tx.recordedAtMs, data });
  }
  return events;
}
