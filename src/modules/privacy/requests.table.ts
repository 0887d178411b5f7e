// Row types of the rights-request tables (migration 0800); they never leave this module's repository.
import type { Kysely } from 'kysely';
import { tables, type Executor } from '../../db/database.ts';
import type { DocumentKind, OptOutType, Regime, Relationship, RequestChannel, RequestState, RequestType, VerificationLevel } from './requests.rules.ts';

export interface RequestRow {
  id: string;
  type: RequestType;
  channel: RequestChannel;
  state: RequestState;
  regime: Regime;
  requester_name: string;
  requester_email: string;
  relationship: Relationship;
  /** JSON array of brand names. */
  brands: string;
  subject_email: string;
  member_id: string | null;
  subject_country: string;
  subject_state: string | null;
  subject_zip: string | null;
  comments: string | null;
  group_id: string;
  priority: 0 | 1;
  verification_level: VerificationLevel;
  verification_method: VerificationMethod | null;
  code_verified_at_ms: number | null;
  facts_matched: number;
  facts_attempts: number;
  declaration_signed_at_ms: number | null;
  agent_confirmation_required: 0 | 1;
  agent_confirmed_at_ms: number | null;
  verified_at_ms: number | null;
  received_at_ms: number;
  received_date: string;
  acknowledge_due_date: string;
  acknowledged_at_ms: number | null;
  original_due_date: string;
  due_date: string;
  extension_count: number;
  extended_months: number;
  decision_reason_code: string | null;
  decision_legal_basis: string | null;
  decided_by: string | null;
  outcome: string | null;
  appealed_at_ms: number | null;
  appeal_decision: string | null;
  entered_by: string | null;
  state_entered_at_ms: number;
  created_at_ms: number;
  updated_at_ms: number;
  closed_at_ms: number | null;
  /** Set by the retention job (PV-31) in the transaction that deletes the request: lets its events be deleted. */
  retention_ended_at_ms: number | null;
}

export const verificationMethods = ['not_required', 'recent_sign_in', 'email_code'] as const;
export type VerificationMethod = (typeof verificationMethods)[number];

export const eventActorRoles = ['member', 'requester', 'subject', 'agent', 'admin', 'system'] as const;
export type EventActorRole = (typeof eventActorRoles)[number];

export interface EventRow {
  id: string;
  request_id: string;
  member_id: string | null;
  seq: number;
  from_state: RequestState | null;
  to_state: RequestState;
  /** A state action, or `submit`, `extend`, `acknowledge`, `upload_document`, `confirm_agent`, `record_optout`. */
  action: string;
  actor_role: EventActorRole;
  actor_id: string | null;
  reason_code: string | null;
  legal_basis: string | null;
  note: string | null;
  at_ms: number;
}

export interface CodeRow {
  id: string;
  request_id: string;
  code_hash: string;
  attempts: number;
  created_at_ms: number;
  expires_at_ms: number;
  used_at_ms: number | null;
}

export interface DocumentRow {
  id: string;
  request_id: string;
  member_id: string | null;
  kind: DocumentKind;
  storage_key: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  created_at_ms: number;
}

export interface ChoiceRow {
  id: string;
  member_id: string | null;
  subject_email: string | null;
  choice: OptOutType;
  request_id: string;
  recorded_at_ms: number;
}

export interface PrivacyRequestTables {
  privacy_requests: RequestRow;
  privacy_request_events: EventRow;
  privacy_verification_codes: CodeRow;
  privacy_request_documents: DocumentRow;
  privacy_subject_choices: ChoiceRow;
}

export function requestTables(db: Executor): Kysely<PrivacyRequestTables> {
  return tables<PrivacyRequestTables>(db);
}
