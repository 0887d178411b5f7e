// Row types of the credits tables (migration 0400); they never leave this module's repositories.
import type { Executor } from '../../db/database.ts';
import { tables } from '../../db/database.ts';

export interface CreditPolicyRow {
  version: number;
  earn_credits_per_major_unit: number;
  spend_credits_per_major_unit: number;
  registration_bonus_credits: number;
  profile_bonus_credits: number;
  pending_period_ms: number;
  lifetime_ms: number;
  expiry_warning_ms: number;
  hold_timeout_ms: number;
  plus_multiplier: number;
  adjustment_approval_threshold_credits: number;
  published_at_ms: number;
  published_by: string | null;
  note: string | null;
}

export type AdjustmentRequestStatus = 'pending' | 'approved' | 'rejected';

/** A staff adjustment above the policy's threshold, waiting for (or decided by) a second staff member (CR-21). */
export interface CreditAdjustmentRequestRow {
  id: string;
  member_id: string;
  credits: number;
  reason_code: string;
  note: string;
  idempotency_key: string;
  request_hash: string;
  policy_version: number;
  threshold_credits: number;
  requested_by: string;
  requested_by_role: 'agent' | 'admin';
  requested_at_ms: number;
  status: AdjustmentRequestStatus;
  decided_by: string | null;
  decided_by_role: 'agent' | 'admin' | null;
  decided_at_ms: number | null;
  decision_note: string | null;
  transaction_id: string | null;
}

export type AccountState = 'open' | 'closed';

export interface CreditAccountRow {
  member_id: string;
  state: AccountState;
  version: number;
  available: number;
  pending: number;
  held: number;
  debt: number;
  lifetime_earned: number;
  next_due_at_ms: number | null;
  /** Migration 0427: unlocks due by then have their postings; a stored pending lot unlocking by then is available. */
  unlocked_through_ms: number | null;
  created_at_ms: number;
  updated_at_ms: number;
  /**
   * Migration 0429, SQLite only (absent on PostgreSQL): the version from which the member's transactions hold lots not
   * yet in credit_lots (null: none), the soonest expiry among those lots, and the rowid of the transaction that set
   * it (orders equal expiries in the mark's index).
   */
  deferred_from_version?: number | null;
  deferred_expires_at_ms?: number | null;
  deferred_seq?: number | null;
}

export interface CreditTransactionRow {
  member_id: string;
  version: number;
  id: string;
  kind: string;
  reason: string;
  idem_scope: string;
  /** Null for the sweep's time events (migration 0434). */
  idem_key: string | null;
  request_hash: string;
  policy_version: number;
  at_ms: number;
  recorded_at_ms: number;
  credits: number;
  available_after: number;
  pending_after: number;
  held_after: number;
  debt_after: number;
  lifetime_after: number;
  order_id: string | null;
  order_line_id: string | null;
  case_id: string | null;
  hold_id: string | null;
  lot_id: string | null;
  reason_code: string | null;
  note: string | null;
  actor_id: string | null;
  actor_role: string | null;
  result: string | null;
  /** [account, lot_id, hold_id, amount] per posting, in seq order (migration 0420): JSON text on SQLite, jsonb on PostgreSQL. */
  postings: string | [string, string | null, string | null, number][] | null;
  /**
   * Migration 0429 (null on PostgreSQL): the lots an append group issued and left here (deferred), each as [id, source,
   * state, original, qualifying_minor, unlock_at_ms, expires_at_ms, order_line_id]; the rest is the transaction's.
   */
  lots?: string | null;
}

/** A row of the `credit_postings` view: the legacy table's rows and the postings in the transaction rows. */
export interface CreditPostingRow {
  member_id: string;
  version: number;
  seq: number;
  transaction_id: string;
  account: string;
  lot_id: string | null;
  hold_id: string | null;
  amount: number;
  at_ms: number;
}

export interface CreditLotRow {
  id: string;
  member_id: string;
  source: string;
  state: string;
  original: number;
  remaining: number;
  held: number;
  reversed: number;
  qualifying_minor: number;
  refunded_qualifying_minor: number;
  unlock_at_ms: number;
  expires_at_ms: number;
  order_id: string | null;
  order_line_id: string | null;
  transaction_id: string;
  policy_version: number;
  warned_at_ms: number | null;
  created_at_ms: number;
}

export interface CreditHoldRow {
  id: string;
  member_id: string;
  state: string;
  credits: number;
  captured: number;
  order_id: string | null;
  expires_at_ms: number;
  created_at_ms: number;
  resolved_at_ms: number | null;
}

export interface CreditHoldLotRow {
  hold_id: string;
  lot_id: string;
  member_id: string;
  allocated: number;
  held: number;
  captured: number;
}

export interface CreditAuditRunRow {
  id: string;
  trigger: string;
  actor_id: string | null;
  started_at_ms: number;
  finished_at_ms: number;
  ok: number;
  members_checked: number;
  transactions_checked: number;
  problem_count: number;
  problems: string;
  totals: string;
}

export interface CreditTables {
  credit_policies: CreditPolicyRow;
  credit_accounts: CreditAccountRow;
  credit_transactions: CreditTransactionRow;
  credit_postings: CreditPostingRow;
  credit_lots: CreditLotRow;
  credit_holds: CreditHoldRow;
  credit_hold_lots: CreditHoldLotRow;
  credit_audit_runs: CreditAuditRunRow;
  credit_adjustment_requests: CreditAdjustmentRequestRow;
}

export function creditTables(db: Executor) {
  return tables<CreditTables>(db);
}
