// Row types of the payments module's tables (migration 0550 for `payments`; the sandbox gateway's books came with the
// store's 0500 and belong here now), and their personal-data declaration. They never leave the module's repository.
import type { Kysely } from 'kysely';
import { tables, type Executor } from '../../db/database.ts';
import type { PersonalDataMap } from '../../db/personal-data.ts';

/**
 * What a money movement is for; `ownerRef` names the record it belongs to. Store orders and reward redemption fees
 * today; membership renewals (a subscription ID) and after-sales refunds (a case ID) are the next users. There is no
 * database check on it, so a new purpose is a line here, not a migration that rebuilds the table on SQLite.
 */
export const paymentPurposes = ['order', 'redemption_fee', 'membership_fee', 'membership_renewal', 'aftersales_refund'] as const;
export type PaymentPurpose = (typeof paymentPurposes)[number];

export const paymentStatuses = ['pending', 'authorized', 'captured', 'failed', 'voided', 'refunded', 'partially_refunded'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

export interface PaymentRow {
  id: string;
  purpose: PaymentPurpose;
  owner_ref: string;
  /** Null for a guest's order. */
  member_id: string | null;
  currency: string;
  amount_minor: number;
  /** The gateway's name (`deps.ports.payments.name`); rows copied from the store's table may say `pending`. */
  gateway: string;
  gateway_payment_id: string | null;
  status: PaymentStatus;
  captured_minor: number;
  refunded_minor: number;
  failure_code: string | null;
  /** When the gateway confirmed the capture (ST-4). */
  confirmed_at_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface SandboxPaymentRow {
  id: string;
  token: string;
  currency: string;
  amount_minor: number;
  captured_minor: number;
  refunded_minor: number;
  status: 'authorized' | 'captured' | 'voided' | 'declined' | 'failed';
  created_at_ms: number;
  updated_at_ms: number;
}

export interface SandboxRequestRow {
  idempotency_key: string;
  operation: string;
  request_hash: string;
  response: string | null;
  created_at_ms: number;
}

export interface PaymentsTables {
  payments: PaymentRow;
  sandbox_gateway_payments: SandboxPaymentRow;
  sandbox_gateway_requests: SandboxRequestRow;
}

export function paymentsTables(db: Executor): Kysely<PaymentsTables> {
  return tables<PaymentsTables>(db);
}

const paymentRecords = {
  retention: 'transaction_records',
  erase: { kind: 'keep_for_law', legalBasis: 'commercial and tax record keeping of payments (kept for the legal period, then deleted)' },
} as const;

/**
 * The payments table is a commercial record: amounts and gateway references per member. The sandbox's books hold only
 * test tokens, sandbox IDs and amounts (no member, no card data), so they are not personal data; a real gateway keeps
 * its books at the processor.
 */
export const paymentsPersonalData: PersonalDataMap = [
  { table: 'payments', column: 'member_id', category: 'identifier', purpose: 'whose payment this is', ...paymentRecords, recordTimeColumn: 'created_at_ms' },
  { table: 'payments', column: 'owner_ref', category: 'order', purpose: 'the order, redemption, subscription or case the money was for', ...paymentRecords, recordTimeColumn: 'created_at_ms' },
  { table: 'payments', column: 'amount_minor', category: 'financial', purpose: 'what was charged', ...paymentRecords, recordTimeColumn: 'created_at_ms' },
  { table: 'payments', column: 'gateway_payment_id', category: 'financial', purpose: 'the processor’s reference, to capture, void and refund', ...paymentRecords, recordTimeColumn: 'created_at_ms' },
];
