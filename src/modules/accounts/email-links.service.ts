// Single-use email links (AC-6): confirming an email address, and resetting a forgotten password.
import type { Ctx } from '../../deps.ts';
import { DAY_MS, HOUR_MS } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { queueEmail } from '../notifications/index.ts';
import { findAccountToken, insertAccountToken, retireAccountTokens, useAccountToken, countRecentAccountTokens } from './account-tokens.repository.ts';
import { findMemberByEmail, findMemberById, updateCredentials, updateMember, type Member } from './members.repository.ts';
import { hashNewPassword } from './passwords.service.ts';
import { normalizeEmail } from './profile.rules.ts';
import { endAllSessions } from './sessions.service.ts';
import { accountScopeKey } from './throttle.rules.ts';
import { clearThrottle } from './throttles.repository.ts';
import { hashSecret, newSecretToken } from './tokens.rules.ts';
import { verificationEmail } from './emails/verify-email.ts';
import { passwordResetEmail } from './emails/password-reset.ts';

export const verifyEmailLinkLifetimeMs = 7 * DAY_MS;
export const passwordResetLinkLifetimeMs = HOUR_MS;
/** Bounds the mail one address can be made to receive: a link request beyond this in an hour sends nothing. */
export const maxLinksPerHour = 5;

const invalidVerificationLink = 'This confirmation link is not valid any more: it was used, it expired, or your email address changed. Ask for a new one.';
const invalidResetLink = 'This password reset link is not valid any more: it was used or it expired. Ask for a new one.';

function greetingName(member: Member): { firstName?: string } {
  const name = member.preferredName ?? member.firstName;
  return name ? { firstName: name } : {};
}

async function issueToken(ctx: Ctx, member: Member, purpose: 'verify_email' | 'password_reset', lifetimeMs: number): Promise<string> {
  const nowMs = ctx.clock.nowMs();
  const token = newSecretToken();
  await insertAccountToken(ctx.db, {
    id: ctx.ids.next(purpose === 'verify_email' ? 'ver' : 'rst'),
    memberId: member.id,
    purpose,
    email: member.email,
    createdAtMs: nowMs,
    expiresAtMs: nowMs + lifetimeMs,
    usedAtMs: null,
    tokenHash: hashSecret(token),
  });
  return token;
}

/** Queues the verify-email message with a fresh single-use link, in the caller's transaction. */
export async function sendVerificationEmail(ctx: Ctx, input: { member: Member; publicUrl: string }): Promise<void> {
  const token = await issueToken(ctx, input.member, 'verify_email', verifyEmailLinkLifetimeMs);
  await queueEmail(ctx, {
    memberId: input.member.id,
    to: input.member.email,
    template: verificationEmail,
    data: { link: `${input.publicUrl}/verify-email?token=${encodeURIComponent(token)}`, ...greetingName(input.member) },
  });
}

export async function resendVerificationEmail(ctx: Ctx, input: { memberId: string; publicUrl: string }): Promise<void> {
  const member = await findMemberById(ctx.db, input.memberId);
  if (!member) throw new AppError('not_found', 'Account was not found.');
  if (member.emailVerifiedAtMs !== null) throw new AppError('invalid_state', 'Your email address is already confirmed.');
  const recent = await countRecentAccountTokens(ctx.db, member.id, 'verify_email', ctx.clock.nowMs() - HOUR_MS);
  if (recent >= maxLinksPerHour) throw new AppError('rate_limited', 'We have sent several confirmation emails in the last hour. Check your inbox and spam folder, or try again later.');
  await sendVerificationEmail(ctx, { member, publicUrl: input.publicUrl });
}

/** Confirms the address the link was sent to, once (AC-6). */
export async function verifyEmail(ctx: Ctx, input: { token: string }): Promise<Member> {
  const nowMs = ctx.clock.nowMs();
  const token = await findAccountToken(ctx.db, 'verify_email', hashSecret(input.token));
  if (!token || token.usedAtMs !== null || nowMs >= token.expiresAtMs) throw new AppError('bad_request', invalidVerificationLink);
  const member = await findMemberById(ctx.db, token.memberId, { lock: true });
  if (!member || member.status !== 'active' || member.email !== token.email) throw new AppError('bad_request', invalidVerificationLink);
  if (!(await useAccountToken(ctx.db, token.id, nowMs))) throw new AppError('bad_request', invalidVerificationLink);
  if (member.emailVerifiedAtMs === null) await updateMember(ctx.db, member.id, { email_verified_at_ms: nowMs }, nowMs);
  return { ...member, emailVerifiedAtMs: member.emailVerifiedAtMs ?? nowMs, updatedAtMs: nowMs };
}

/**
 * Sends a reset link when the email belongs to an active account, and nothing otherwise: the caller answers
 * 202 either way, so the answer does not tell whether an account exists (AC-4, AC-6).
 */
export async function requestPasswordReset(ctx: Ctx, input: { email: string; publicUrl: string }): Promise<void> {
  const member = await findMemberByEmail(ctx.db, normalizeEmail(input.email));
  if (!member || member.status !== 'active') return;
  const recent = await countRecentAccountTokens(ctx.db, member.id, 'password_reset', ctx.clock.nowMs() - HOUR_MS);
  if (recent >= maxLinksPerHour) return;
  const token = await issueToken(ctx, member, 'password_reset', passwordResetLinkLifetimeMs);
  await queueEmail(ctx, {
    memberId: member.id,
    to: member.email,
    template: passwordResetEmail,
    data: { link: `${input.publicUrl}/reset-password?token=${encodeURIComponent(token)}`, ...greetingName(member) },
  });
}

/**
 * Sets a new password with a reset link (AC-6): the link works once and for an hour; every other session of the
 * member ends, other reset links stop working, a sign-in lockout on the account is lifted, and since the link
 * proved control of the mailbox, the email address counts as confirmed.
 */
export async function confirmPasswordReset(ctx: Ctx, input: { token: string; newPassword: string; currentSessionId?: string }): Promise<{ memberId: string; sessionsEnded: number }> {
  const nowMs = ctx.clock.nowMs();
  const token = await findAccountToken(ctx.db, 'password_reset', hashSecret(input.token));
  if (!token || token.usedAtMs !== null || nowMs >= token.expiresAtMs) throw new AppError('bad_request', invalidResetLink);
  const member = await findMemberById(ctx.db, token.memberId, { lock: true });
  if (!member || member.status !== 'active') throw new AppError('bad_request', invalidResetLink);
  const passwordHash = await hashNewPassword(input.newPassword, { email: member.email });
  if (!(await useAccountToken(ctx.db, token.id, nowMs))) throw new AppError('bad_request', invalidResetLink);
  await retireAccountTokens(ctx.db, member.id, 'password_reset', nowMs);
  await updateCredentials(ctx.db, member.id, { password_hash: passwordHash, password_changed_at_ms: nowMs });
  if (member.emailVerifiedAtMs === null && token.email === member.email) await updateMember(ctx.db, member.id, { email_verified_at_ms: nowMs }, nowMs);
  await clearThrottle(ctx.db, accountScopeKey(member.email));
  const sessionsEnded = await endAllSessions(ctx, { memberId: member.id, ...(input.currentSessionId ? { exceptSessionId: input.currentSessionId } : {}) });
  return { memberId: member.id, sessionsEnded };
}
