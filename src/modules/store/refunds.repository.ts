// SQL for refunds and their per-line parts.
import type { Executor } from '../../db/database.ts';
import { storeTables, type RefundKind, type RefundLineRow, type RefundRow, type RefundSource, type RefundStatus } from './store.table.ts';

export interface RefundLine {
  orderLineId: string;
  quantity: number;
  amountMinor: number;
  qualifyingMinor: number;
  creditsRestored: number;
  /** Earned credits this refund reversed on the line (CR-15..CR-17); 0 until the refund completes. */
  creditsReversed: number;
}

export interface Refund {
  id: string;
  orderId: string;
  memberId: string | null;
  kind: RefundKind;
  source: RefundSource;
  reason: string;
  note: string | null;
  amountMinor: number;
  creditsRestored: number;
  /** Earned credits this refund reversed, all lines together; 0 until the refund completes. */
  creditsReversed: number;
  status: RefundStatus;
  failureCode: string | null;
  externalRef: string | null;
  requestedBy: string | null;
  createdAtMs: number;
  completedAtMs: number | null;
  lines: RefundLine[];
}

function toRefundLine(row: RefundLineRow): RefundLine {
  return {
    orderLineId: row.order_line_id,
    quantity: row.quantity,
    amountMinor: row.amount_minor,
    qualifyingMinor: row.qualifying_minor,
    creditsRestored: row.credits_restored,
    creditsReversed: row.credits_reversed,
  };
}

export function toRefund(row: RefundRow, lines: RefundLineRow[]): Refund {
  return {
    id: row.id,
    orderId: row.order_id,
    memberId: row.member_id,
    kind: row.kind,
    source: row.source,
    reason: row.reason,
    note: row.note,
    amountMinor: row.amount_minor,
    creditsRestored: row.credits_restored,
    creditsReversed: row.credits_reversed,
    status: row.status,
    failureCode: row.failure_code,
    externalRef: row.external_ref,
    requestedBy: row.requested_by,
    createdAtMs: row.created_at_ms,
    completedAtMs: row.completed_at_ms,
    lines: lines.map(toRefundLine),
  };
}

export async function insertRefund(db: Executor, row: RefundRow, lines: RefundLineRow[]): Promise<void> {
  await storeTables(db).insertInto('store_refunds').values(row).execute();
  if (lines.length > 0) await storeTables(db).insertInto('store_refund_lines').values(lines).execute();
}

export async function findRefund(db: Executor, id: string): Promise<Refund | undefined> {
  const row = await storeTables(db).selectFrom('store_refunds').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const lines = await storeTables(db).selectFrom('store_refund_lines').selectAll().where('refund_id', '=', id).execute();
  return toRefund(row, lines);
}

/** The order's refund with this reference that did not fail (a failed one may be followed by a retry's). */
export async function findRefundByExternalRef(db: Executor, orderId: string, externalRef: string): Promise<Refund | undefined> {
  const row = await storeTables(db).selectFrom('store_refunds').select('id').where('order_id', '=', orderId).where('external_ref', '=', externalRef).where('status', '!=', 'failed').executeTakeFirst();
  return row ? findRefund(db, row.id) : undefined;
}

export async function transitionRefund(db: Executor, id: string, from: RefundStatus, changes: Partial<Omit<RefundRow, 'id'>>): Promise<boolean> {
  const result = await storeTables(db).updateTable('store_refunds').set(changes).where('id', '=', id).where('status', '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records what the ledger reversed for a completing refund: per line, and the refund's total. */
export async function recordCreditsReversed(db: Executor, refundId: string, byLine: ReadonlyMap<string, number>): Promise<void> {
  let total = 0;
  for (const [orderLineId, credits] of byLine) {
    total += credits;
    await storeTables(db).updateTable('store_refund_lines').set({ credits_reversed: credits }).where('refund_id', '=', refundId).where('order_line_id', '=', orderLineId).execute();
  }
  await storeTables(db).updateTable('store_refunds').set({ credits_reversed: total }).where('id', '=', refundId).execute();
}

export async function hasPendingRefund(db: Executor, orderId: string, kind?: RefundKind): Promise<boolean> {
  let query = storeTables(db).selectFrom('store_refunds').select('id').where('order_id', '=', orderId).where('status', '=', 'pending');
  if (kind) query = query.where('kind', '=', kind);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function selectRefundsForOrders(db: Executor, orderIds: readonly string[]): Promise<Map<string, Refund[]>> {
  const result = new Map<string, Refund[]>();
  if (orderIds.length === 0) return result;
  const rows = await storeTables(db).selectFrom('store_refunds').selectAll().where('order_id', 'in', [...orderIds]).orderBy('created_at_ms').orderBy('id').execute();
  if (rows.length === 0) return result;
  const lines = await storeTables(db).selectFrom('store_refund_lines').selectAll().where('refund_id', 'in', rows.map((r) => r.id)).execute();
  for (const row of rows) {
    result.set(row.order_id, [...(result.get(row.order_id) ?? []), toRefund(row, lines.filter((line) => line.refund_id === row.id))]);
  }
  return result;
}

/** The member's refunds still waiting for the gateway (an account closure waits for them, AC-10). */
export async function selectPendingRefundIdsOfMember(db: Executor, memberId: string): Promise<string[]> {
  const rows = await storeTables(db)
    .selectFrom('store_refunds')
    .innerJoin('store_orders', 'store_orders.id', 'store_refunds.order_id')
    .select('store_refunds.id')
    .where('store_orders.member_id', '=', memberId)
    .where('store_refunds.status', '=', 'pending')
    .orderBy('store_refunds.id')
    .limit(20)
    .execute();
  return rows.map((row) => row.id);
}
