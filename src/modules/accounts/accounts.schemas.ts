// The accounts API's boundary (PL-13): zod schemas for bodies, params, queries and responses, and the one mapper
// from each domain object to its response shape.
import { z } from 'zod';
import { roles } from '../../http/principal.ts';
import type { Address } from './addresses.repository.ts';
import type { ApiKey } from './api-keys.repository.ts';
import { isCountryCode, parseCalendarDate } from './eligibility.rules.ts';
import type { Member, MemberWithSecurity } from './members.repository.ts';
import { maximumPasswordLength } from './password.rules.ts';
import { isProfileComplete } from './profile.rules.ts';
import type { Session } from './sessions.repository.ts';
import type { StaffMemberView } from './staff.service.ts';

export const tags = ['accounts'];

// ---- fields ----

/** Trimmed and lower-cased before it is checked, so " Ana@Example.COM " and "ana@example.com" are one email (AC-1). */
export const emailField = z.string().trim().toLowerCase().max(254).pipe(z.email('Enter a valid email address.'));
/** The length rule and the common-password check run in password.rules.ts, which answers 422 weak_password. */
export const passwordField = z.string().min(1, 'Enter a password.').max(maximumPasswordLength);
export const countryField = z
  .string()
  .trim()
  .toUpperCase()
  .length(2, 'Use a two-letter ISO country code such as US or FR.')
  .refine(isCountryCode, 'Use a two-letter ISO country code such as US or FR.');
export const dateOfBirthField = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Write the date as YYYY-MM-DD.')
  .refine((text) => parseCalendarDate(text) !== undefined, 'This is not a real calendar date.');
const noControlCharacters = /^[^\p{Cc}]*$/u;
const nameField = z.string().trim().max(100).regex(noControlCharacters, 'Names cannot contain control characters.');
const languageField = z.string().trim().max(35);
const tokenField = z.string().min(1).max(200);
const codeField = z.string().trim().min(1).max(32);

export const memberIdParam = z.strictObject({ memberId: z.string().regex(/^mem_[0-9a-z]{1,60}$/, 'Not a member ID.') });
export const sessionIdParam = z.strictObject({ sessionId: z.string().regex(/^ses_[0-9a-z]{1,60}$/, 'Not a session ID.') });
export const apiKeyIdParam = z.strictObject({ keyId: z.string().regex(/^key_[0-9a-z]{1,60}$/, 'Not an API key ID.') });
export const addressParam = z.strictObject({ addressId: z.coerce.number().int().min(1).max(1_000_000) });
export const providerParam = z.strictObject({ provider: z.string().regex(/^[a-z0-9-]{1,32}$/, 'Not a provider ID.') });

// ---- bodies ----

export const signUpBody = z.strictObject({
  email: emailField,
  password: passwordField,
  country: countryField,
  dateOfBirth: dateOfBirthField,
  language: languageField.optional(),
});

export const signInBody = z.strictObject({ email: emailField, password: passwordField });
export const twoFactorSignInBody = z.strictObject({ challengeId: tokenField, code: codeField });
export const tokenBody = z.strictObject({ token: tokenField });
export const emailBody = z.strictObject({ email: emailField });
export const passwordResetConfirmBody = z.strictObject({ token: tokenField, newPassword: passwordField });
export const changePasswordBody = z.strictObject({ currentPassword: passwordField, newPassword: passwordField });
export const codeBody = z.strictObject({ code: codeField });
export const oidcCompleteBody = z.strictObject({ completionToken: tokenField, country: countryField, dateOfBirth: dateOfBirthField });

export const profilePatchBody = z.strictObject({
  firstName: nameField.nullable().optional(),
  lastName: nameField.nullable().optional(),
  preferredName: nameField.nullable().optional(),
  phone: z.string().trim().max(32).nullable().optional(),
  dateOfBirth: dateOfBirthField.optional(),
  language: languageField.nullable().optional(),
  country: countryField.optional(),
});

/** A field of a postal address as a label prints it: trimmed, bounded, no control characters; `missing` makes it required. */
export function addressText(maxLength: number, missing?: string) {
  const text = z.string().trim();
  return (missing === undefined ? text : text.min(1, missing)).max(maxLength, `at most ${maxLength} characters`).regex(noControlCharacters, 'no control characters');
}

/** The text fields of a postal address (AC-8). The store's shipping address (ST-2) checks its own with these. */
export const addressTextFields = {
  line1: addressText(200, 'Enter the street address.'),
  line2: addressText(200),
  city: addressText(100, 'Enter the city.'),
  region: addressText(100),
};
const addressFields = {
  line1: addressTextFields.line1,
  line2: addressTextFields.line2.nullable().optional(),
  city: addressTextFields.city,
  region: addressTextFields.region.nullable().optional(),
  postalCode: addressText(20).nullable().optional(),
  country: countryField,
};
export const addressBody = z.strictObject(addressFields);
export const addressPatchBody = z.strictObject({
  line1: addressFields.line1.optional(),
  line2: addressFields.line2,
  city: addressFields.city.optional(),
  region: addressFields.region,
  postalCode: addressFields.postalCode,
  country: countryField.optional(),
});

export const apiKeyBody = z.strictObject({
  name: z.string().trim().min(1, 'Name the key after who uses it.').max(100).regex(noControlCharacters),
  scopes: z.array(z.string().trim().min(1).max(64)).min(1, 'Give the key at least one scope.').max(32),
});

export const memberSearchQuery = z.strictObject({ q: z.string().trim().min(1, 'Type part of an email, a name or a member ID.').max(254) });
/**
 * The one schema that is not strict: the provider, not our client, writes this query, and providers add
 * parameters of their own (session_state, scope, authuser…). Only the named ones are read; all are bounded.
 */
export const oidcCallbackQuery = z.object({
  code: z.string().max(2000).optional(),
  state: z.string().max(200).optional(),
  iss: z.string().max(500).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
  session_state: z.string().max(500).optional(),
});

// ---- responses ----

const timestamp = z.iso.datetime();
const nullableTimestamp = timestamp.nullable();

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

function isoTimeOrNull(ms: number | null): string | null {
  return ms === null ? null : isoTime(ms);
}

export const memberView = z.object({
  id: z.string(),
  email: z.string(),
  emailVerified: z.boolean(),
  role: z.enum(roles),
  country: z.string().nullable(),
  dateOfBirth: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  preferredName: z.string().nullable(),
  phone: z.string().nullable(),
  language: z.string().nullable(),
  twoFactorEnabled: z.boolean(),
  hasPassword: z.boolean(),
  profileComplete: z.boolean(),
  createdAt: timestamp,
});
export type MemberView = z.infer<typeof memberView>;

export function toMemberView({ member, twoFactorEnabled, hasPassword }: MemberWithSecurity): MemberView {
  return {
    id: member.id,
    email: member.email,
    emailVerified: member.emailVerifiedAtMs !== null,
    role: member.role,
    country: member.country,
    dateOfBirth: member.dateOfBirth,
    firstName: member.firstName,
    lastName: member.lastName,
    preferredName: member.preferredName,
    phone: member.phone,
    language: member.language,
    twoFactorEnabled,
    hasPassword,
    profileComplete: isProfileComplete(member),
    createdAt: isoTime(member.createdAtMs),
  };
}

export const sessionView = z.object({ member: memberView, csrfToken: z.string() });

export const signInResponse = z.discriminatedUnion('status', [
  z.object({ status: z.literal('signed_in'), member: memberView, csrfToken: z.string() }),
  z.object({ status: z.literal('two_factor_required'), challengeId: z.string(), expiresAt: timestamp }),
]);

export const sessionListView = z.object({
  sessions: z.array(
    z.object({ id: z.string(), current: z.boolean(), userAgent: z.string().nullable(), createdAt: timestamp, lastSeenAt: timestamp, expiresAt: timestamp }),
  ),
});

export function toSessionListView(sessions: readonly Session[], currentSessionId: string): z.infer<typeof sessionListView> {
  return {
    sessions: sessions.map((session) => ({
      id: session.id,
      current: session.id === currentSessionId,
      userAgent: session.userAgent,
      createdAt: isoTime(session.createdAtMs),
      lastSeenAt: isoTime(session.lastSeenAtMs),
      expiresAt: isoTime(Math.min(session.expiresAtMs, session.lastSeenAtMs + session.idleTimeoutMs)),
    })),
  };
}

export const endedSessionsView = z.object({ sessionsEnded: z.number().int() });
export const acceptedView = z.object({ status: z.literal('accepted'), message: z.string() });
export const emailVerifiedView = z.object({ status: z.literal('verified'), email: z.string() });
export const passwordChangedView = z.object({ status: z.literal('password_changed'), sessionsEnded: z.number().int() });

export const twoFactorStatusView = z.object({ enabled: z.boolean(), recoveryCodesLeft: z.number().int() });
export const twoFactorSetupView = z.object({ secret: z.string(), otpauthUrl: z.string() });
export const recoveryCodesView = z.object({ recoveryCodes: z.array(z.string()) });

export const addressView = z.object({
  id: z.number().int(),
  line1: z.string(),
  line2: z.string().nullable(),
  city: z.string(),
  region: z.string().nullable(),
  postalCode: z.string().nullable(),
  country: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export const addressListView = z.object({ addresses: z.array(addressView) });

export function toAddressView(address: Address): z.infer<typeof addressView> {
  return {
    id: address.addressNumber,
    line1: address.line1,
    line2: address.line2,
    city: address.city,
    region: address.region,
    postalCode: address.postalCode,
    country: address.country,
    createdAt: isoTime(address.createdAtMs),
    updatedAt: isoTime(address.updatedAtMs),
  };
}

export const memberSummaryView = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(roles),
  status: z.enum(['active', 'closed']),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  preferredName: z.string().nullable(),
  country: z.string().nullable(),
  createdAt: timestamp,
});
export const memberSearchView = z.object({ members: z.array(memberSummaryView) });

export function toMemberSummaryView(member: Member): z.infer<typeof memberSummaryView> {
  return {
    id: member.id,
    email: member.email,
    role: member.role,
    status: member.status,
    firstName: member.firstName,
    lastName: member.lastName,
    preferredName: member.preferredName,
    country: member.country,
    createdAt: isoTime(member.createdAtMs),
  };
}

export const staffMemberView = memberView.extend({
  status: z.enum(['active', 'closed']),
  emailVerifiedAt: nullableTimestamp,
  updatedAt: timestamp,
  recoveryCodesLeft: z.number().int(),
  signInProviders: z.array(z.string()),
  addresses: z.array(addressView),
});

export function toStaffMemberView(view: StaffMemberView): z.infer<typeof staffMemberView> {
  return {
    ...toMemberView(view),
    status: view.member.status,
    emailVerifiedAt: isoTimeOrNull(view.member.emailVerifiedAtMs),
    updatedAt: isoTime(view.member.updatedAtMs),
    recoveryCodesLeft: view.recoveryCodesLeft,
    signInProviders: view.signInProviders,
    addresses: view.addresses.map(toAddressView),
  };
}

export const apiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  keyPrefix: z.string(),
  scopes: z.array(z.string()),
  createdAt: timestamp,
  lastUsedAt: nullableTimestamp,
  revokedAt: nullableTimestamp,
});
export const apiKeyListView = z.object({ apiKeys: z.array(apiKeyView) });
export const apiKeyCreatedView = apiKeyView.extend({ key: z.string() });

export function toApiKeyView(apiKey: ApiKey): z.infer<typeof apiKeyView> {
  return {
    id: apiKey.id,
    name: apiKey.name,
    keyPrefix: apiKey.keyPrefix,
    scopes: apiKey.scopes,
    createdAt: isoTime(apiKey.createdAtMs),
    lastUsedAt: isoTimeOrNull(apiKey.lastUsedAtMs),
    revokedAt: isoTimeOrNull(apiKey.revokedAtMs),
  };
}

export const providerListView = z.object({ providers: z.array(z.object({ id: z.string(), name: z.string(), startUrl: z.string() })) });
export const oidcCompletedView = z.object({ status: z.literal('signed_in'), member: memberView, csrfToken: z.string() });
