// Sign-in with email and password (AC-4), the 2-step code that may follow (AC-5), and the failure throttle.
// These functions open their own transactions: a failed attempt must be recorded even though the answer is an error.
import { transact, type Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { findCredentials, findMemberById, findSignInRecord, type Member } from './members.repository.ts';
import { verifyAgainstDummy, verifyPassword } from './passwords.service.ts';
import { normalizeEmail } from './profile.rules.ts';
import { startSession, type NewSession } from './sessions.service.ts';
import { accountScopeKey, addressScopeKey, addressWaitMs, afterAddressFailure, afterFailure, isLocked, type ThrottleState } from './throttle.rules.ts';
import { clearThrottle, readThrottles, saveThrottle } from './throttles.repository.ts';
import { checkSecondFactor, createTwoFactorChallenge, maxChallengeFailures, type TwoFactorCtx } from './two-factor.service.ts';
import { deleteChallenge, findChallenge, recordChallengeFailure } from './two-factor.repository.ts';
import { hashSecret } from './tokens.rules.ts';

export type SignInOutcome =
  | { status: 'signed_in'; member: Member; session: NewSession }
  | { status: 'two_factor_required'; challengeId: string; expiresAtMs: number };

export interface SignInInput {
  email: string;
  password: string;
  ip: string;
  userAgent?: string | undefined;
  /** The browser's device cookie (PV-23: its cookie choices join the account at sign-in). */
  deviceId?: string | null | undefined;
}

/** One answer for an unknown email, a wrong password, a closed account and a password-less (SSO-only) account. */
export const invalidCredentialsError = () => new AppError('invalid_credentials', 'The email address or password is not correct.');
export const lockedError = () =>
  new AppError('locked', 'Too many failed sign-in attempts. Wait 15 minutes and try again, or reset your password.');

/** Answered to every attempt from an address that must wait (429 with Retry-After, whatever the account). */
export const slowDownError = (waitMs: number) => {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new AppError('rate_limited', `Too many failed sign-ins from your network. Try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`, { retryAfterSeconds: seconds });
};

/** The throttle keys of one attempt: the account (hashed email, known or not) and the caller's address. */
interface ThrottleKeys {
  account: string;
  address: string;
}

function throttleKeysOf(email: string, ip: string): ThrottleKeys {
  return { account: accountScopeKey(email), address: addressScopeKey(ip) };
}

/** The refusal of an attempt while its address must wait or its account is locked, checked before any password. */
function throttledError(states: Map<string, ThrottleState>, keys: ThrottleKeys, nowMs: number): AppError | null {
  const waitMs = addressWaitMs(states.get(keys.address), nowMs);
  if (waitMs > 0) return slowDownError(waitMs);
  return isLocked(states.get(keys.account), nowMs) ? lockedError() : null;
}

/** Counts one failure against the account (towards its lockout) and the address (towards its delay). */
async function saveFailure(db: Ctx['db'], states: Map<string, ThrottleState>, keys: ThrottleKeys, nowMs: number): Promise<void> {
  await saveThrottle(db, keys.account, afterFailure(states.get(keys.account), nowMs));
  await saveThrottle(db, keys.address, afterAddressFailure(states.get(keys.address), nowMs));
}

/** A failure recorded in a transaction of its own: the answer is an error, the count must stay. */
async function recordFailure(ctx: Ctx, keys: ThrottleKeys): Promise<void> {
  await transact(ctx, async (trx) => {
    const states = await readThrottles(trx.db, [keys.account, keys.address], { lock: true });
    await saveFailure(trx.db, states, keys, trx.clock.nowMs());
  });
}

/** Signs a member in whose first factor is proven: a session, or a 2-step challenge when they have it on. */
export async function completeFirstFactor(ctx: Ctx, member: Member, userAgent: string | undefined, deviceId?: string | null): Promise<SignInOutcome> {
  const credentials = await findCredentials(ctx.db, member.id);
  if (credentials?.totpEnabledAtMs != null) {
    const challenge = await createTwoFactorChallenge(ctx, member.id);
    return { status: 'two_factor_required', ...challenge };
  }
  const session = await startSession(ctx, { memberId: member.id, role: member.role, userAgent, deviceId });
  return { status: 'signed_in', member, session };
}

/**
 * Five failures within 15 minutes on one account lock its next attempt out for 15 minutes (423, the same answer
 * whether or not the email exists); failures from one address slow that address down (429 with Retry-After,
 * throttle.rules.ts). An unknown email still costs one argon2id verification against a dummy hash, so it takes as
 * long as a wrong password.
 */
export async function signIn(ctx: Ctx, input: SignInInput): Promise<SignInOutcome> {
  const email = normalizeEmail(input.email);
  const keys = throttleKeysOf(email, input.ip);
  const refusal = throttledError(await readThrottles(ctx.db, [keys.account, keys.address]), keys, ctx.clock.nowMs());
  if (refusal) throw refusal;

  const record = await findSignInRecord(ctx.db, email);
  const passwordHash = record && record.member.status === 'active' ? record.credentials?.passwordHash : undefined;
  const passwordRight = passwordHash ? await verifyPassword(passwordHash, input.password) : await verifyAgainstDummy(input.password);
  if (!record || !passwordRight) {
    await recordFailure(ctx, keys);
    throw invalidCredentialsError();
  }
  return transact(ctx, async (trx) => {
    // The account's count starts again; the address's does not (one good password must not reset a spray).
    await clearThrottle(trx.db, keys.account);
    return completeFirstFactor(trx, record.member, input.userAgent, input.deviceId);
  });
}

type TwoFactorOutcome =
  | { kind: 'signed_in'; member: Member; session: NewSession }
  | { kind: 'expired' }
  | { kind: 'throttled'; error: AppError }
  | { kind: 'wrong' };

/**
 * The second step of a 2-step sign-in: a TOTP code or a recovery code for the challenge. Five wrong codes end the
 * challenge; each wrong code also counts as a failed sign-in for the account and the address.
 */
export async function completeTwoFactorSignIn(ctx: TwoFactorCtx, input: { challengeId: string; code: string; ip: string; userAgent?: string | undefined; deviceId?: string | null | undefined }): Promise<{ member: Member; session: NewSession }> {
  const challengeHash = hashSecret(input.challengeId);
  const outcome = await transact(ctx, async (trx): Promise<TwoFactorOutcome> => {
    const nowMs = trx.clock.nowMs();
    const challenge = await findChallenge(trx.db, challengeHash);
    if (!challenge || nowMs >= challenge.expiresAtMs) return { kind: 'expired' };
    const member = await findMemberById(trx.db, challenge.memberId);
    const credentials = await findCredentials(trx.db, challenge.memberId, { lock: true });
    if (!member || member.status !== 'active' || !credentials || credentials.totpEnabledAtMs === null) return { kind: 'expired' };
    const keys = throttleKeysOf(member.email, input.ip);
    const throttles = await readThrottles(trx.db, [keys.account, keys.address], { lock: true });
    const refusal = throttledError(throttles, keys, nowMs);
    if (refusal) return { kind: 'throttled', error: refusal };
    if (!(await checkSecondFactor({ ...trx, totpKey: ctx.totpKey }, credentials, input.code))) {
      if (challenge.failedAttempts + 1 >= maxChallengeFailures) await deleteChallenge(trx.db, challengeHash);
      else await recordChallengeFailure(trx.db, challengeHash);
      await saveFailure(trx.db, throttles, keys, nowMs);
      return { kind: 'wrong' };
    }
    if (!(await deleteChallenge(trx.db, challengeHash))) return { kind: 'expired' };
    await clearThrottle(trx.db, keys.account);
    const session = await startSession(trx, { memberId: member.id, role: member.role, userAgent: input.userAgent, deviceId: input.deviceId });
    return { kind: 'signed_in', member, session };
  });
  switch (outcome.kind) {
    case 'signed_in':
      return { member: outcome.member, session: outcome.session };
    case 'expired':
      throw new AppError('invalid_credentials', 'This sign-in has expired. Please sign in again with your email and password.');
    case 'throttled':
      throw outcome.error;
    case 'wrong':
      throw new AppError('invalid_credentials', 'That code is not correct. Enter the 6-digit code from your authenticator app, or one of your recovery codes.');
  }
}
