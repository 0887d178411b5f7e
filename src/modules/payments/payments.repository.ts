// SQL for the payments table, with its one row ↔ domain mapper.
import type { Executor } from '../../db/database.ts';
import { paymentsTables, type PaymentPurpose, type PaymentRow, type PaymentStatus } from './payments.table.ts';

/** One money movement Patron asked (or is about to ask) a gateway for. */
export interface Payment {
  id: string;
  purpose: PaymentPurpose;
  ownerRef: string;
  memberId: string | null;
  currency: string;
  amountMinor: number;
  gateway: string;
  gatewayPaymentId: string | null;
  status: PaymentStatus;
  capturedMinor: number;
  refundedMinor: number;
  failureCode: string | null;
  confirmedAtMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
}

export function toPayment(row: PaymentRow): Payment {
  return {
    id: row.id,
    purpose: row.purpose,
    ownerRef: row.owner_ref,
    memberId: row.member_id,
    currency: row.currency,
    amountMinor: row.amount_minor,
    gateway: row.gateway,
    gatewayPaymentId: row.gateway_payment_id,
    status: row.status,
    capturedMinor: row.captured_minor,
    refundedMinor: row.refunded_minor,
    failureCode: row.failure_code,
    confirmedAtMs: row.confirmed_at_ms,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
  };
}

export async function insertPayment(db: Executor, row: PaymentRow): Promise<void> {
  await paymentsTables(db).insertInto('payments').values(row).execute();
}

/** Changes a payment that is still in one of `from`; false when it was not (CONVENTIONS 5: guarded updates). */
export async function transitionPayment(db: Executor, id: string, from: readonly PaymentStatus[], changes: Partial<Omit<PaymentRow, 'id'>>): Promise<boolean> {
  const result = await paymentsTables(db).updateTable('payments').set(changes).where('id', '=', id).where('status', 'in', [...from]).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Adds a refund to a captured payment in one statement, never past what was captured. */
export async function addRefunded(db: Executor, id: string, amountMinor: number, nowMs: number): Promise<boolean> {
  const result = await paymentsTables(db)
    .updateTable('payments')
    .set((eb) => ({
      refunded_minor: eb('refunded_minor', '+', amountMinor),
      status: eb.case().when(eb(eb('refunded_minor', '+', amountMinor), '>=', eb.ref('captured_minor'))).then(eb.val<PaymentStatus>('refunded')).else(eb.val<PaymentStatus>('partially_refunded')).end(),
      updated_at_ms: nowMs,
    }))
    .where('id', '=', id)
    .where('status', 'in', ['captured', 'partially_refunded'])
    .where((eb) => eb(eb('refunded_minor', '+', amountMinor), '<=', eb.ref('captured_minor')))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The newest payment for an owner (a checkout has one; a later purpose may retry with a new one). */
export async function findLatestPaymentRow(db: Executor, purpose: PaymentPurpose, ownerRef: string): Promise<Payment | undefined> {
  const row = await paymentsTables(db)
    .selectFrom('payments')
    .selectAll()
    .where('purpose', '=', purpose)
    .where('owner_ref', '=', ownerRef)
    .orderBy('created_at_ms', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row && toPayment(row);
}

export async function findPaymentRow(db: Executor, id: string): Promise<Payment | undefined> {
  const row = await paymentsTables(db).selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toPayment(row);
}
