// Row types of the after-sales module's tables (migration 0700); they never leave this module's repositories.
import type { Kysely } from 'kysely';
import { tables, type Executor } from '../../db/database.ts';
import type { CaseAction, CaseKind, CaseState, ReasonCode, Remedy } from './cases.rules.ts';
import type { OrderSource } from './eligibility.rules.ts';

export interface CaseRow {
  id: string;
  /** Null for a guest's case (then guest_email names the requester). */
  member_id: string | null;
  guest_email: string | null;
  contact_name: string;
  kind: CaseKind;
  state: CaseState;
  reason: ReasonCode;
  remedy: Remedy;
  /** The store order ID or the marketplace's order ID, by order_source. */
  order_ref: string;
  order_source: OrderSource;
  order_line_id: string | null;
  product_sku: string;
  serial: string | null;
  details: string;
  priority: 0 | 1;
  /** The eligibility decision with its trace (JSON of EligibilityDecision), as decided at submission. */
  eligibility: string;
  state_entered_at_ms: number;
  created_at_ms: number;
  updated_at_ms: number;
  resolved_at_ms: number | null;
  email_confirmed_at_ms: number | null;
  /** What the case was resolved with (AS-11; migration 0701): the refund, the replacement order or redemption. */
  resolution_refund_id: string | null;
  resolution_order_id: string | null;
  resolution_amount_minor: number | null;
  resolution_credits_reversed: number | null;
  resolution_credits_restored: number | null;
  /** Customer-worded (written by Patron, not typed by a person): "$49.00 refunded; 49 credits reversed". */
  resolution_detail: string | null;
  /** AS-13 (migration 0720): the support case this warranty claim was turned from, and the claim a support case became. */
  converted_from_case_id: string | null;
  converted_to_case_id: string | null;
  /** Set while a refund resolution's money is on its way (migration 0730): no other move is allowed meanwhile. */
  resolving_since_ms: number | null;
}

export const caseActorRoles = ['member', 'guest', 'agent', 'admin', 'system', 'api_key'] as const;
export type CaseActorRole = (typeof caseActorRoles)[number];

/** One state change (AS-12: each transition recorded with actor, time and reason); append-only. */
export interface TransitionRow {
  id: string;
  case_id: string;
  member_id: string | null;
  /** 1 for the submission, then one more per change: the case's timeline order. */
  seq: number;
  from_state: CaseState | null;
  to_state: CaseState;
  /** The action that moved the case, or 'submit' for its first row. */
  action: CaseAction | 'submit';
  actor_role: CaseActorRole;
  actor_id: string | null;
  reason_code: string | null;
  note: string | null;
  at_ms: number;
}

export interface ImageRow {
  id: string;
  case_id: string;
  member_id: string | null;
  storage_key: string;
  content_type: string;
  size_bytes: number;
  width: number;
  height: number;
  sha256: string;
  created_at_ms: number;
}

export interface NoteRow {
  id: string;
  case_id: string;
  member_id: string | null;
  author_id: string;
  body: string;
  created_at_ms: number;
}

export interface ShipmentSerialRow {
  id: string;
  order_id: string;
  order_line_id: string;
  member_id: string | null;
  serial: string;
  recorded_by: string;
  recorded_at_ms: number;
}

export interface AftersalesTables {
  aftersales_cases: CaseRow;
  aftersales_transitions: TransitionRow;
  aftersales_images: ImageRow;
  aftersales_notes: NoteRow;
  aftersales_shipment_serials: ShipmentSerialRow;
}

export function aftersalesTables(db: Executor): Kysely<AftersalesTables> {
  return tables<AftersalesTables>(db);
}
