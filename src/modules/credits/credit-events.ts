// The credits domain events (events.catalogue.ts): what a ledger transaction tells other systems, recorded in the
// same transaction as the ledger write (group-commit.ts writes a group's events in one multi-row insert).
// Data: the transaction, the order when there is one, the lots and the credits each lot gained or lost.
import type { EventType, RecordEventInput } from '../events/index.ts';
import { isBucket, type TransactionDraft, type TransactionKind } from './ledger.rules.ts';

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

/** Events for one transaction (or, from the sweep, one member's transactions of one kind). */
export function creditEvent(type: EventType, memberId: string, subjectId: string, lots: readonly [string, number][], extra: { orderId?: string | null; transactionIds?: string[] } = {}): RecordEventInput[] {
  const events: RecordEventInput[] = [];
  for (let start = 0; start === 0 || start < lots.length; start += lotsPerEvent) {
    const part = lots.slice(start, start + lotsPerEvent);
    const data: Record<string, string | number | null | (string | number)[]> = {
      transactionId: subjectId,
      credits: part.reduce((sum, [, credits]) => sum + credits, 0),
      lotIds: part.map(([id]) => id),
      amounts: part.map(([, credits]) => credits),
    };
    if (extra.orderId) data.orderId = extra.orderId;
    if (extra.transactionIds) data.transactionIds = extra.transactionIds.slice(start, start + lotsPerEvent);
    events.push({ type, subjectId, memberId, data });
  }
  return events;
}

/** Per lot, the credits the transaction moved for the event (gained for earned/unlocked, lost for the others). */
function lotAmounts(tx: TransactionDraft, type: EventType): [string, number][] {
  const perLot = new Map<string, number>();
  for (const p of tx.postings) {
    if (p.lotId === null || !isBucket(p.account)) continue;
    if (type === 'credits.unlocked' && p.account !== 'available') continue;
    perLot.set(p.lotId, (perLot.get(p.lotId) ?? 0) + p.amount);
  }
  const sign = type === 'credits.earned' || type === 'credits.unlocked' ? 1 : -1;
  return [...perLot].map(([lotId, amount]): [string, number] => [lotId, sign * amount]).filter(([, credits]) => credits !== 0);
}

export function creditEventsOf(transactions: readonly TransactionDraft[]): RecordEventInput[] {
  const events: RecordEventInput[] = [];
  for (const tx of transactions) {
    const type = typeOfKind[tx.kind];
    if (!type) continue;
    const lots = lotAmounts(tx, type);
    if (lots.length === 0) continue;
    events.push(...creditEvent(type, tx.memberId, tx.id, lots, { orderId: tx.links.orderId ?? null }));
  }
  return events;
}

/** The sweep's events: one per member and kind (its lots, amounts and the transactions that moved them). */
export function sweepEventsOf(transactions: readonly TransactionDraft[]): RecordEventInput[] {
  const perMemberAndType = new Map<string, { type: EventType; memberId: string; lots: [string, number][]; transactionIds: string[] }>();
  for (const tx of transactions) {
    const type = typeOfKind[tx.kind];
    if (!type) continue;
    const lots = lotAmounts(tx, type);
    if (lots.length === 0) continue;
    const key = `${tx.memberId}|${type}`;
    let entry = perMemberAndType.get(key);
    if (!entry) perMemberAndType.set(key, (entry = { type, memberId: tx.memberId, lots: [], transactionIds: [] }));
    for (const lot of lots) {
      entry.lots.push(lot);
      entry.transactionIds.push(tx.id);
    }
  }
  return [...perMemberAndType.values()].flatMap((e) => creditEvent(e.type, e.memberId, e.transactionIds[0]!, e.lots, { transactionIds: e.transactionIds }));
}
