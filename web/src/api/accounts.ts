// Accounts API (src/modules/accounts/*.routes.ts): sign-up, sessions, email links, passwords, profile, 2FA, OIDC.
import { api } from './client.ts';

export type Role = 'member' | 'agent' | 'admin';

/** The server's shortest password (password.rules.ts): forms check it first for a quicker answer. */
export const minimumPasswordLength = 10;

/** memberView in accounts.schemas.ts: what GET /session, GET /me and PATCH /me answer. */
export interface MemberProfile {
  id: string;
  email: string;
  emailVerified: boolean;
  role: Role;
  country: string | null;
  dateOfBirth: string | null;
  firstName: string | null;
  lastName: string | null;
  preferredName: string | null;
  phone: string | null;
  language: string | null;
  twoFactorEnabled: boolean;
  hasPassword: boolean;
  profileComplete: boolean;
  createdAt: string;
}

export type SessionMember = MemberProfile;

export interface SessionView {
  member: MemberProfile;
  csrfToken: string;
}

export type SignInResult =
  | { status: 'signed_in'; member: MemberProfile; csrfToken: string }
  | { status: 'two_factor_required'; challengeId: string; expiresAt: string };

export interface SignUpInput {
  email: string;
  password: string;
  country: string;
  dateOfBirth: string;
  language?: string;
}

export interface Address {
  id: number;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string | null;
  country: string;
  createdAt: string;
  updatedAt: string;
}

export interface AddressInput {
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string | null;
  country: string;
}

export interface ProfileChanges {
  firstName?: string | null;
  lastName?: string | null;
  preferredName?: string | null;
  phone?: string | null;
  /** Can be changed but not removed once given (AC-2). */
  dateOfBirth?: string;
  language?: string | null;
  country?: string;
}

export interface SessionSummary {
  id: string;
  current: boolean;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export interface TwoFactorSetup {
  secret: string;
  otpauthUrl: string;
}

export interface TwoFactorStatus {
  enabled: boolean;
  recoveryCodesLeft: number;
}

export interface OidcProvider {
  id: string;
  name: string;
  startUrl: string;
}

export const accountsApi = {
  session: () => api.get<SessionView>('/session'),
  signUp: (input: SignUpInput) => api.post<SessionView>('/accounts', input),
  signIn: (email: string, password: string) => api.post<SignInResult>('/session', { email, password }),
  signInTwoFactor: (challengeId: string, code: string) => api.post<SessionView>('/session/two-factor', { challengeId, code }),
  signOut: () => api.delete<null>('/session'),
  sessions: () => api.get<{ sessions: SessionSummary[] }>('/sessions'),
  revokeSession: (id: string) => api.delete<null>(`/sessions/${encodeURIComponent(id)}`),
  /** Signs out every session, this browser's included. */
  revokeAllSessions: () => api.delete<{ sessionsEnded: number }>('/sessions'),
  verifyEmail: (token: string) => api.post<{ status: 'verified'; email: string }>('/accounts/verify-email', { token }),
  resendVerification: () => api.post<{ status: 'accepted'; message: string }>('/accounts/verify-email/resend'),
  requestPasswordReset: (email: string) => api.post<{ status: 'accepted'; message: string }>('/accounts/password-reset', { email }),
  confirmPasswordReset: (token: string, newPassword: string) =>
    api.post<{ status: 'password_changed'; sessionsEnded: number }>('/accounts/password-reset/confirm', { token, newPassword }),
  changePassword: (currentPassword: string, newPassword: string) =>
    api.post<{ status: 'password_changed'; sessionsEnded: number }>('/me/password', { currentPassword, newPassword }),
  me: () => api.get<MemberProfile>('/me'),
  updateMe: (changes: ProfileChanges) => api.patch<MemberProfile>('/me', changes),
  twoFactorStatus: () => api.get<TwoFactorStatus>('/me/two-factor'),
  setupTwoFactor: () => api.post<TwoFactorSetup>('/me/two-factor/setup'),
  enableTwoFactor: (code: string) => api.post<{ recoveryCodes: string[] }>('/me/two-factor/enable', { code }),
  disableTwoFactor: (code: string) => api.post<TwoFactorStatus>('/me/two-factor/disable', { code }),
  regenerateRecoveryCodes: (code: string) => api.post<{ recoveryCodes: string[] }>('/me/two-factor/recovery-codes', { code }),
  addresses: () => api.get<{ addresses: Address[] }>('/me/addresses'),
  addAddress: (input: AddressInput) => api.post<Address>('/me/addresses', input),
  updateAddress: (id: number, input: AddressInput) => api.patch<Address>(`/me/addresses/${id}`, input),
  removeAddress: (id: number) => api.delete<null>(`/me/addresses/${id}`),
  oidcProviders: () => api.get<{ providers: OidcProvider[] }>('/auth/oidc/providers'),
  completeOidcSignUp: (completionToken: string, country: string, dateOfBirth: string) =>
    api.post<SessionView & { status: 'signed_in' }>('/auth/oidc/complete', { completionToken, country, dateOfBirth }),
};
