// Sign-in with an OpenID Connect provider (AC-7): authorization code flow with PKCE, state and nonce kept
// server-side; the provider identity links to the member with the same verified email, or makes a new member.
import type { KeyedCtx } from './closure.service.ts';
import * as oidcClient from 'openid-client';
import { z } from 'zod';
import { transact, type Ctx } from '../../deps.ts';
import type { OidcProviderConfig } from '../../config.ts';
import { MINUTE_MS } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { findMemberByEmail, findMemberById, type Member } from './members.repository.ts';
import { isCountryCode, parseCalendarDate } from './eligibility.rules.ts';
import { deletePendingSignUp, findOidcLink, findPendingSignUp, insertOidcFlow, insertOidcLink, insertPendingSignUp, takeOidcFlow } from './oidc.repository.ts';
import { normalizeEmail } from './profile.rules.ts';
import { completeFirstFactor, type SignInOutcome } from './sign-in.service.ts';
import { signUp } from './sign-up.service.ts';
import type { NewSession } from './sessions.service.ts';
import { hashSecret, newSecretToken } from './tokens.rules.ts';

export const oidcFlowLifetimeMs = 10 * MINUTE_MS;
export const pendingSignUpLifetimeMs = 30 * MINUTE_MS;
const scope = 'openid email profile';

// eslint-disable-next-line no-restricted-syntax -- the providers' published discovery documents, keyed by issuer and client: the same for every installation, and a failure is forgotten
const configurations = new Map<string, Promise<oidcClient.Configuration>>();

/**
 * openid-client refuses plain-http issuers, as it should. A loopback issuer (127.0.0.1, ::1, localhost) is the
 * one exception, for a provider running on the same machine in development and in the end-to-end tests: its
 * traffic never leaves the host.
 */
function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
}

/** Discovery runs once per provider and is cached; a failed discovery is forgotten so the next sign-in retries. */
function providerConfiguration(provider: OidcProviderConfig): Promise<oidcClient.Configuration> {
  const key = `${provider.issuer}\n${provider.clientId}`;
  let pending = configurations.get(key);
  if (!pending) {
    const issuer = new URL(provider.issuer);
    pending = oidcClient.discovery(issuer, provider.clientId, provider.clientSecret, undefined, isLoopbackHttp(issuer) ? { execute: [oidcClient.allowInsecureRequests] } : {});
    configurations.set(key, pending);
    pending.catch(() => configurations.delete(key));
  }
  return pending;
}

export function findProvider(providers: readonly OidcProviderConfig[], providerId: string): OidcProviderConfig {
  const provider = providers.find((p) => p.id === providerId);
  if (!provider) throw new AppError('not_found', `There is no sign-in provider called "${providerId}".`);
  return provider;
}

export function callbackUrlFor(publicUrl: string, providerId: string): string {
  return `${publicUrl}/api/v1/auth/oidc/${providerId}/callback`;
}

const unavailable = (provider: OidcProviderConfig) => new AppError('unavailable', `Sign-in with ${provider.name} is not reachable right now. Please try again in a moment.`);
const invalidFlow = () => new AppError('bad_request', 'This sign-in attempt is not valid or has expired. Please start again.');

/** Starts a sign-in: the state, nonce and PKCE verifier stay in the database; the browser goes to the provider. */
export async function startOidcSignIn(ctx: Ctx, input: { provider: OidcProviderConfig; publicUrl: string; onProviderError?: (error: unknown) => void }): Promise<{ authorizationUrl: string; state: string }> {
  let configuration: oidcClient.Configuration;
  try {
    configuration = await providerConfiguration(input.provider);
  } catch (error) {
    input.onProviderError?.(error);
    throw unavailable(input.provider);
  }
  const nowMs = ctx.clock.nowMs();
  const state = newSecretToken();
  const nonce = newSecretToken();
  const codeVerifier = newSecretToken();
  await insertOidcFlow(ctx.db, hashSecret(state), { providerId: input.provider.id, nonce, codeVerifier, createdAtMs: nowMs, expiresAtMs: nowMs + oidcFlowLifetimeMs });
  const url = oidcClient.buildAuthorizationUrl(configuration, {
    redirect_uri: callbackUrlFor(input.publicUrl, input.provider.id),
    scope,
    state,
    nonce,
    code_challenge: await oidcClient.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  });
  return { authorizationUrl: url.href, state };
}

const booleanClaim = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const identityClaims = z.object({
  sub: z.string().min(1).max(255),
  email: z.string().max(254).optional(),
  email_verified: booleanClaim.optional(),
  given_name: z.string().max(100).optional(),
  family_name: z.string().max(100).optional(),
  birthdate: z.string().max(10).optional(),
  address: z.object({ country: z.string().optional() }).optional(),
});
type IdentityClaims = z.infer<typeof identityClaims>;

export interface ProviderIdentity {
  providerId: string;
  providerName: string;
  subject: string;
  email: string;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  /** Only when the provider gave a full date and a two-letter country code; most do not. */
  dateOfBirth: string | null;
  country: string | null;
}

function toIdentity(provider: OidcProviderConfig, claims: IdentityClaims, email: string): ProviderIdentity {
  const country = claims.address?.country?.toUpperCase();
  return {
    providerId: provider.id,
    providerName: provider.name,
    subject: claims.sub,
    email: normalizeEmail(email),
    emailVerified: claims.email_verified === true,
    firstName: claims.given_name?.trim() || null,
    lastName: claims.family_name?.trim() || null,
    dateOfBirth: claims.birthdate && parseCalendarDate(claims.birthdate) ? claims.birthdate : null,
    country: country && isCountryCode(country) ? country : null,
  };
}

/**
 * The provider's answer: the state must match the one this browser started with (cookie) and the one stored;
 * openid-client then checks the code exchange, PKCE, the ID token's signature, issuer, audience and nonce.
 * Network calls happen here, outside any transaction.
 */
export async function receiveOidcCallback(
  ctx: Ctx,
  input: { provider: OidcProviderConfig; callbackUrl: URL; browserState: string | undefined; onProviderError?: (error: unknown) => void },
): Promise<ProviderIdentity> {
  const { provider } = input;
  const state = input.callbackUrl.searchParams.get('state');
  if (!state || !input.browserState || hashSecret(state) !== hashSecret(input.browserState)) throw invalidFlow();
  const flow = await transact(ctx, (trx) => takeOidcFlow(trx.db, hashSecret(state)));
  if (!flow || flow.providerId !== provider.id || ctx.clock.nowMs() >= flow.expiresAtMs) throw invalidFlow();
  const providerError = input.callbackUrl.searchParams.get('error');
  if (providerError) {
    const reason = /^[a-z_]{1,64}$/.test(providerError) ? ` (${providerError})` : '';
    throw new AppError('bad_request', `${provider.name} did not sign you in${reason}. Please try again.`);
  }
  let claims: IdentityClaims;
  let email: string | undefined;
  try {
    const configuration = await providerConfiguration(provider);
    const tokens = await oidcClient.authorizationCodeGrant(configuration, input.callbackUrl, {
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const idTokenClaims: Record<string, unknown> = { ...tokens.claims() };
    // Many providers keep email and names out of the ID token and answer them at the userinfo endpoint.
    const fromUserInfo = typeof idTokenClaims.email === 'string' ? {} : await oidcClient.fetchUserInfo(configuration, tokens.access_token, String(idTokenClaims.sub));
    claims = identityClaims.parse({ ...fromUserInfo, ...idTokenClaims });
    email = claims.email;
  } catch (error) {
    input.onProviderError?.(error);
    throw new AppError('bad_request', `The sign-in with ${provider.name} could not be completed. Please start again.`);
  }
  if (!email || !z.email().safeParse(normalizeEmail(email)).success) {
    throw new AppError('bad_request', `${provider.name} did not share an email address, which your account needs. Allow access to your email and try again.`);
  }
  return toIdentity(provider, claims, email);
}

export type OidcOutcome =
  | SignInOutcome
  | { status: 'profile_required'; completionToken: string; expiresAtMs: number; email: string };

/**
 * Decides who the identity is, in the caller's transaction:
 * - an identity linked before signs that member in (2-step verification still applies);
 * - otherwise a member whose email matches is linked, when both sides have verified that email; if either has
 *   not, linking could hand an account to whoever registered the address first, so we refuse and say why;
 * - otherwise a new person: with a date of birth and country from the provider they join at once (eligibility
 *   still applies); without them (the usual case) the identity waits, for 30 minutes, for the sign-up form to
 *   supply them. No member exists until then, so nobody under the minimum age is ever stored as a member.
 */
export async function resolveOidcIdentity(ctx: KeyedCtx, input: { identity: ProviderIdentity; publicUrl: string; userAgent?: string | undefined; deviceId?: string | null | undefined }): Promise<OidcOutcome> {
  const { identity } = input;
  const nowMs = ctx.clock.nowMs();
  const link = await findOidcLink(ctx.db, identity.providerId, identity.subject);
  if (link) {
    const member = await findMemberById(ctx.db, link.memberId);
    if (!member || member.status !== 'active') throw new AppError('invalid_credentials', 'This account is closed and cannot sign in.');
    return completeFirstFactor(ctx, member, input.userAgent, input.deviceId);
  }
  const existing = await findMemberByEmail(ctx.db, identity.email);
  if (existing) {
    if (existing.status !== 'active') throw new AppError('invalid_credentials', 'This account is closed and cannot sign in.');
    if (!identity.emailVerified || existing.emailVerifiedAtMs === null) {
      throw new AppError(
        'already_exists',
        `An account with this email address already exists. Sign in with your password and confirm your email address; after that you can sign in with ${identity.providerName}.`,
      );
    }
    await insertOidcLink(ctx.db, { id: ctx.ids.next('oid'), memberId: existing.id, providerId: identity.providerId, subject: identity.subject, createdAtMs: nowMs });
    return completeFirstFactor(ctx, existing, input.userAgent, input.deviceId);
  }
  if (identity.dateOfBirth && identity.country) {
    const { member, session } = await joinWithIdentity(ctx, identity, { country: identity.country, dateOfBirth: identity.dateOfBirth }, input);
    return { status: 'signed_in', member, session };
  }
  const completionToken = newSecretToken();
  const expiresAtMs = nowMs + pendingSignUpLifetimeMs;
  await insertPendingSignUp(ctx.db, hashSecret(completionToken), {
    providerId: identity.providerId,
    subject: identity.subject,
    email: identity.email,
    emailVerified: identity.emailVerified,
    firstName: identity.firstName,
    lastName: identity.lastName,
    createdAtMs: nowMs,
    expiresAtMs,
  });
  return { status: 'profile_required', completionToken, expiresAtMs, email: identity.email };
}

async function joinWithIdentity(
  ctx: KeyedCtx,
  identity: Pick<ProviderIdentity, 'providerId' | 'subject' | 'email' | 'emailVerified' | 'firstName' | 'lastName'>,
  eligibility: { country: string; dateOfBirth: string },
  input: { publicUrl: string; userAgent?: string | undefined; deviceId?: string | null | undefined },
): Promise<{ member: Member; session: NewSession }> {
  const result = await signUp(ctx, {
    email: identity.email,
    passwordHash: null,
    country: eligibility.country,
    dateOfBirth: eligibility.dateOfBirth,
    firstName: identity.firstName,
    lastName: identity.lastName,
    emailVerified: identity.emailVerified,
    userAgent: input.userAgent,
    deviceId: input.deviceId,
    publicUrl: input.publicUrl,
  });
  await insertOidcLink(ctx.db, { id: ctx.ids.next('oid'), memberId: result.member.id, providerId: identity.providerId, subject: identity.subject, createdAtMs: ctx.clock.nowMs() });
  return result;
}

/** Finishes a provider sign-up with the country and date of birth the provider did not give (AC-2 applies). */
export async function completeOidcSignUp(
  ctx: KeyedCtx,
  input: { completionToken: string; country: string; dateOfBirth: string; publicUrl: string; userAgent?: string | undefined; deviceId?: string | null | undefined },
): Promise<{ member: Member; session: NewSession }> {
  const tokenHash = hashSecret(input.completionToken);
  const pending = await findPendingSignUp(ctx.db, tokenHash);
  if (!pending || ctx.clock.nowMs() >= pending.expiresAtMs) throw new AppError('bad_request', 'This sign-up has expired. Please start again with your sign-in provider.');
  const alreadyLinked = await findOidcLink(ctx.db, pending.providerId, pending.subject);
  if (alreadyLinked || !(await deletePendingSignUp(ctx.db, tokenHash))) throw new AppError('bad_request', 'This sign-up was already completed. Sign in with your provider.');
  return joinWithIdentity(ctx, pending, { country: input.country, dateOfBirth: input.dateOfBirth }, input);
}
