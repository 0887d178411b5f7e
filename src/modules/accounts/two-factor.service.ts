// 2-step verification (AC-5): TOTP for authenticator apps, with one-time recovery codes, on the injected clock.
import { memoize } from '../../platform/memo.ts';
import { ScureBase32Plugin, generateURI, verify as verifyTotp } from 'otplib';
import type { Ctx } from '../../deps.ts';
import { MINUTE_MS } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { randomToken } from '../../platform/ids.ts';
import { decryptText, deriveKey, encryptText, isEncryptedText } from '../../platform/secret-box.ts';
import { recordAudit } from '../audit/index.ts';
import {
  advanceTotpTimeStep,
  findCredentials,
  findMemberById,
  replaceRecoveryCodes,
  updateCredentials,
  useRecoveryCode,
  type Credentials,
} from './members.repository.ts';
import { insertChallenge } from './two-factor.repository.ts';
import { hashSecret, looksLikeRecoveryCode, newRecoveryCode, newSecretToken, normalizeRecoveryCode, recoveryCodeCount } from './tokens.rules.ts';

export const totpIssuer = 'Patron';
/** One step either side of now (30 s each) absorbs a phone clock that is a little off. */
const totpToleranceSeconds = 30;
export const challengeLifetimeMs = 5 * MINUTE_MS;
export const maxChallengeFailures = 5;

const base32 = new ScureBase32Plugin();

/** What the 2-step functions need: a Ctx plus the key that encrypts TOTP secrets at rest (totpKeyFor). */
export interface TwoFactorCtx extends Ctx {
  totpKey: Uint8Array;
}

/** The TOTP secrets' AES-256-GCM key: HKDF-SHA256 of the server secret, info `patron:totp:v1` (a pure function). */
export const totpKeyFor = memoize((serverSecret: string): Buffer => deriveKey(serverSecret, 'patron:totp:v1'));

/** A TOTP secret as stored: encrypted (`v1:…`), or legacy plain base32 from before encryption at rest. */
export function openTotpSecret(key: Uint8Array, stored: string): string {
  return isEncryptedText(stored) ? decryptText(key, stored) : stored;
}

export function sealTotpSecret(key: Uint8Array, secret: string): string {
  return encryptText(key, secret);
}

/** 160 random bits (RFC 4226's recommendation), drawn from the platform's one source of randomness. */
function newTotpSecret(): string {
  return base32.encode(new Uint8Array(Buffer.from(randomToken(20), 'base64url')), { padding: false });
}

function cleanTotpCode(code: string): string {
  return code.replace(/\s/g, '');
}

/**
 * Checks a 6-digit code against a secret at the clock's now (not the system time, PL-1) and returns the time step
 * it belongs to, or undefined. otplib's functional verify returns a TOTP or HOTP result; ours is always TOTP.
 */
async function matchTotp(ctx: Ctx, secret: string, code: string, afterTimeStep: number | null): Promise<number | undefined> {
  const result = await verifyTotp({
    secret,
    token: cleanTotpCode(code),
    epoch: Math.floor(ctx.clock.nowMs() / 1000),
    epochTolerance: totpToleranceSeconds,
    ...(afterTimeStep !== null ? { afterTimeStep } : {}),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

export type SecondFactorMethod = 'totp' | 'recovery_code';

/**
 * Checks a TOTP code or a recovery code for a member with 2-step verification on. A TOTP code counts once (the
 * accepted time step is stored, and a code from that step or an earlier one is refused); a recovery code is
 * spent by a guarded update, so it works exactly once.
 */
export async function checkSecondFactor(ctx: TwoFactorCtx, credentials: Credentials, code: string): Promise<SecondFactorMethod | undefined> {
  const totp = cleanTotpCode(code);
  if (/^\d{6}$/.test(totp)) {
    if (!credentials.totpSecret) return undefined;
    const secret = openTotpSecret(ctx.totpKey, credentials.totpSecret);
    const timeStep = await matchTotp(ctx, secret, totp, credentials.totpLastTimeStep);
    if (timeStep === undefined) return undefined;
    if (!(await advanceTotpTimeStep(ctx.db, credentials.memberId, timeStep))) return undefined;
    // A legacy plain-text secret is rewritten encrypted the first time it is used.
    if (!isEncryptedText(credentials.totpSecret)) await updateCredentials(ctx.db, credentials.memberId, { totp_secret: sealTotpSecret(ctx.totpKey, secret) });
    return 'totp';
  }
  if (looksLikeRecoveryCode(code)) {
    const spent = await useRecoveryCode(ctx.db, credentials.memberId, hashSecret(normalizeRecoveryCode(code)), ctx.clock.nowMs());
    return spent ? 'recovery_code' : undefined;
  }
  return undefined;
}

async function lockedCredentials(ctx: Ctx, memberId: string): Promise<Credentials> {
  const credentials = await findCredentials(ctx.db, memberId, { lock: true });
  if (!credentials) throw new AppError('not_found', 'Account was not found.');
  return credentials;
}

const wrongCode = () => new AppError('validation', 'That code is not correct. Enter the 6-digit code your authenticator app shows now.', [{ path: 'code', message: 'incorrect code' }]);

/** Step 1: a new secret for the authenticator app, kept as pending until a first valid code proves it was saved. */
export async function beginTwoFactorSetup(ctx: TwoFactorCtx, input: { memberId: string }): Promise<{ secret: string; otpauthUrl: string }> {
  const member = await findMemberById(ctx.db, input.memberId);
  if (!member) throw new AppError('not_found', 'Account was not found.');
  const credentials = await lockedCredentials(ctx, input.memberId);
  if (credentials.totpEnabledAtMs !== null) throw new AppError('invalid_state', '2-step verification is already on. Turn it off first to set up a new authenticator.');
  const secret = newTotpSecret();
  await updateCredentials(ctx.db, input.memberId, { totp_pending_secret: sealTotpSecret(ctx.totpKey, secret) });
  return { secret, otpauthUrl: generateURI({ issuer: totpIssuer, label: member.email, secret }) };
}

async function issueRecoveryCodes(ctx: Ctx, memberId: string): Promise<string[]> {
  const codes = Array.from({ length: recoveryCodeCount }, () => newRecoveryCode());
  await replaceRecoveryCodes(ctx.db, memberId, codes.map((code) => hashSecret(normalizeRecoveryCode(code))), ctx.clock.nowMs());
  return codes;
}

/** Step 2: a valid code from the pending secret turns 2-step verification on and returns the recovery codes, once. */
export async function enableTwoFactor(ctx: TwoFactorCtx, input: { memberId: string; code: string }): Promise<{ recoveryCodes: string[] }> {
  const credentials = await lockedCredentials(ctx, input.memberId);
  if (credentials.totpEnabledAtMs !== null) throw new AppError('invalid_state', '2-step verification is already on.');
  if (!credentials.totpPendingSecret) throw new AppError('invalid_state', 'Start the set-up first: it gives you the secret for your authenticator app.');
  const pendingSecret = openTotpSecret(ctx.totpKey, credentials.totpPendingSecret);
  const timeStep = /^\d{6}$/.test(cleanTotpCode(input.code)) ? await matchTotp(ctx, pendingSecret, input.code, null) : undefined;
  if (timeStep === undefined) throw wrongCode();
  await updateCredentials(ctx.db, input.memberId, {
    totp_secret: sealTotpSecret(ctx.totpKey, pendingSecret),
    totp_pending_secret: null,
    totp_enabled_at_ms: ctx.clock.nowMs(),
    totp_last_time_step: timeStep,
  });
  const recoveryCodes = await issueRecoveryCodes(ctx, input.memberId);
  await recordAudit(ctx, { actor: { id: input.memberId, role: 'member' }, action: 'two_factor.enabled', memberId: input.memberId });
  return { recoveryCodes };
}

async function requireSecondFactor(ctx: TwoFactorCtx, memberId: string, code: string): Promise<Credentials> {
  const credentials = await lockedCredentials(ctx, memberId);
  if (credentials.totpEnabledAtMs === null) throw new AppError('invalid_state', '2-step verification is not on.');
  if (!(await checkSecondFactor(ctx, credentials, code))) throw wrongCode();
  return credentials;
}

/** Turning 2-step verification off takes a current code (or a recovery code), not only a session. */
export async function disableTwoFactor(ctx: TwoFactorCtx, input: { memberId: string; code: string }): Promise<void> {
  await requireSecondFactor(ctx, input.memberId, input.code);
  await updateCredentials(ctx.db, input.memberId, { totp_secret: null, totp_pending_secret: null, totp_enabled_at_ms: null, totp_last_time_step: null });
  await replaceRecoveryCodes(ctx.db, input.memberId, [], ctx.clock.nowMs());
  await recordAudit(ctx, { actor: { id: input.memberId, role: 'member' }, action: 'two_factor.disabled', memberId: input.memberId });
}

/** New recovery codes replace every old one (used or not). */
export async function regenerateRecoveryCodes(ctx: TwoFactorCtx, input: { memberId: string; code: string }): Promise<{ recoveryCodes: string[] }> {
  await requireSecondFactor(ctx, input.memberId, input.code);
  const recoveryCodes = await issueRecoveryCodes(ctx, input.memberId);
  await recordAudit(ctx, { actor: { id: input.memberId, role: 'member' }, action: 'two_factor.recovery_codes_replaced', memberId: input.memberId });
  return { recoveryCodes };
}

/** After a right password, a member with 2-step verification gets a short-lived challenge instead of a session. */
export async function createTwoFactorChallenge(ctx: Ctx, memberId: string): Promise<{ challengeId: string; expiresAtMs: number }> {
  const nowMs = ctx.clock.nowMs();
  const challengeId = newSecretToken();
  const expiresAtMs = nowMs + challengeLifetimeMs;
  await insertChallenge(ctx.db, hashSecret(challengeId), { memberId, createdAtMs: nowMs, expiresAtMs, failedAttempts: 0 });
  return { challengeId, expiresAtMs };
}
