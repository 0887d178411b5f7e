// Row types of the restriction and closure tables (migration 0830); they never leave this slice's repositories.
import type { Kysely } from 'kysely';
import { tables, type Executor } from '../../db/database.ts';

export const restrictionStates = ['restricted', 'lifted'] as const;
export type RestrictionState = (typeof restrictionStates)[number];

/**
 * Why processing is restricted or lifted (PV-20; GDPR art. 18(1) a–d and their end): codes only, never free text.
 */
export const restrictionReasons = [
  'rights_request', // the subject asked (a `restrict` rights request)
  'accuracy_contested', // while the accuracy of the data is checked
  'unlawful_processing', // the subject prefers restriction to erasure
  'legal_claims', // the subject needs the data kept for a claim
  'objection_pending', // while an objection is weighed
  'lifted_on_request', // the subject asked to lift it
  'grounds_ended', // the ground for the restriction no longer applies (the subject is told before, art. 18(3))
] as const;
export type RestrictionReason = (typeof restrictionReasons)[number];

export interface PrivacyRestrictionsTable {
  member_id: string;
  state: RestrictionState;
  reason_code: RestrictionReason;
  since_ms: number;
}

export interface PrivacyRestrictionEventsTable {
  id: string;
  member_id: string;
  state: RestrictionState;
  reason_code: RestrictionReason;
  actor_id: string | null;
  actor_role: string;
  request_id: string | null;
  at_ms: number;
}

export interface PrivacyAccountClosuresTable {
  id: string;
  member_id: string;
  actor_id: string | null;
  actor_role: string;
  request_id: string | null;
  credits_forfeited: number;
  credits_transaction_id: string | null;
  plus_subscription_id: string | null;
  sessions_ended: number;
  closed_at_ms: number;
}

export interface ClosureTables {
  privacy_restrictions: PrivacyRestrictionsTable;
  privacy_restriction_events: PrivacyRestrictionEventsTable;
  privacy_account_closures: PrivacyAccountClosuresTable;
}

export const closureTables = (executor: Executor): Kysely<ClosureTables> => tables<ClosureTables>(executor);
