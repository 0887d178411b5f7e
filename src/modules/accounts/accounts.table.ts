// Row types of the accounts module's tables (migration 0100); they never leave this module's repositories.
import type { Role } from '../../http/principal.ts';

export type MemberStatus = 'active' | 'closed';
export type AccountTokenPurpose = 'verify_email' | 'password_reset';

export interface MembersTable {
  id: string;
  /** Trimmed and lower-cased (AC-1), so the unique index makes emails unique ignoring case and spaces. */
  email: string;
  email_verified_at_ms: number | null;
  role: Role;
  status: MemberStatus;
  /** ISO 3166-1 alpha-2; null only for staff users, who are not program members. */
  country: string | null;
  /** YYYY-MM-DD, a calendar date with no time zone. */
  date_of_birth: string | null;
  first_name: string | null;
  last_name: string | null;
  preferred_name: string | null;
  /** E.164. */
  phone: string | null;
  /** A canonical BCP 47 language tag. */
  language: string | null;
  created_at_ms: number;
  updated_at_ms: number;
  /** When the account was closed (AC-10): the start of its data's retention period (PV-30). Migration 0110. */
  closed_at_ms: number | null;
}

export interface MemberCredentialsTable {
  member_id: string;
  /** argon2id PHC string; null for members who only sign in with an OpenID Connect provider. */
  password_hash: string | null;
  password_changed_at_ms: number | null;
  /** TOTP secret once 2-step verification is on (AC-5), AES-256-GCM encrypted (`v1:…`; legacy rows: plain base32). */
  totp_secret: string | null;
  /** A secret handed out by setup, waiting for its first valid code; encrypted like totp_secret. */
  totp_pending_secret: string | null;
  totp_enabled_at_ms: number | null;
  /** The last TOTP time step accepted, so a code cannot be replayed within its window. */
  totp_last_time_step: number | null;
}

export interface MemberRecoveryCodesTable {
  member_id: string;
  code_hash: string;
  created_at_ms: number;
  used_at_ms: number | null;
}

export interface SessionsTable {
  id: string;
  member_id: string;
  /** SHA-256 of the cookie value; the token itself is never stored. */
  token_hash: string;
  csrf_token: string;
  user_agent: string | null;
  created_at_ms: number;
  last_seen_at_ms: number;
  idle_timeout_ms: number;
  expires_at_ms: number;
}

export interface AccountTokensTable {
  id: string;
  member_id: string;
  purpose: AccountTokenPurpose;
  token_hash: string;
  /** The address the link was sent to: verifying it must not verify an address changed since. */
  email: string;
  created_at_ms: number;
  expires_at_ms: number;
  used_at_ms: number | null;
}

export interface SignInThrottlesTable {
  /** `account:<sha256 of the email>` or `address:<sha256 of the IP>`: no raw email or IP is kept. */
  scope_key: string;
  failure_count: number;
  window_started_at_ms: number;
  locked_until_ms: number | null;
}

export interface TwoFactorChallengesTable {
  challenge_hash: string;
  member_id: string;
  created_at_ms: number;
  expires_at_ms: number;
  failed_attempts: number;
}

export interface OidcFlowsTable {
  state_hash: string;
  provider_id: string;
  nonce: string;
  code_verifier: string;
  created_at_ms: number;
  expires_at_ms: number;
}

export interface OidcLinksTable {
  id: string;
  member_id: string;
  provider_id: string;
  subject: string;
  created_at_ms: number;
}

export interface OidcPendingSignUpsTable {
  token_hash: string;
  provider_id: string;
  subject: string;
  email: string;
  email_verified: number;
  first_name: string | null;
  last_name: string | null;
  created_at_ms: number;
  expires_at_ms: number;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  /** JSON array of scope strings. */
  scopes: string;
  created_by_member_id: string;
  created_at_ms: number;
  last_used_at_ms: number | null;
  revoked_at_ms: number | null;
}

export interface MemberAddressesTable {
  member_id: string;
  address_number: number;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postal_code: string | null;
  country: string;
  created_at_ms: number;
  updated_at_ms: number;
}

/** The address a closed account had (migration 0110): storage-only until retention ends (PV-30). */
export interface MemberClosedEmailsTable {
  member_id: string;
  email: string;
  closed_at_ms: number;
}

/** Keyed hashes of closed accounts' addresses, with no member (CR-1: one sign-up bonus per address, ever). */
export interface ClosedEmailDigestsTable {
  email_digest: string;
  first_closed_at_ms: number;
}

export const profileChangeReasons = ['member_update', 'rectification'] as const;
export type ProfileChangeReason = (typeof profileChangeReasons)[number];

/** The value a profile or address field had before a change (PV-21), with who, when and why. */
export interface MemberProfileHistoryTable {
  id: string;
  member_id: string;
  address_number: number | null;
  kind: string;
  previous_value: string | null;
  actor_id: string | null;
  actor_role: string;
  reason_code: ProfileChangeReason;
  request_id: string | null;
  changed_at_ms: number;
}

export interface AccountsTables {
  members: MembersTable;
  member_credentials: MemberCredentialsTable;
  member_recovery_codes: MemberRecoveryCodesTable;
  sessions: SessionsTable;
  account_tokens: AccountTokensTable;
  sign_in_throttles: SignInThrottlesTable;
  two_factor_challenges: TwoFactorChallengesTable;
  oidc_flows: OidcFlowsTable;
  oidc_links: OidcLinksTable;
  oidc_pending_sign_ups: OidcPendingSignUpsTable;
  api_keys: ApiKeysTable;
  member_addresses: MemberAddressesTable;
  member_closed_emails: MemberClosedEmailsTable;
  closed_email_digests: ClosedEmailDigestsTable;
  member_profile_history: MemberProfileHistoryTable;
}
