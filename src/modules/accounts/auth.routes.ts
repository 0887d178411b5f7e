// Sign-up, sign-in (with the 2-step code), sessions, email confirmation and password reset (AC-1..AC-6).
import { z } from 'zod';
import { transact, type Deps } from '../../deps.ts';
import { readDeviceId } from '../../http/device-id.ts';
import { requireSession } from '../../http/principal.ts';
import { noBody } from '../../http/route-guards.ts';
import type { ZodApp } from '../../http/types.ts';
import { AppError } from '../../platform/errors.ts';
import {
  acceptedView,
  changePasswordBody,
  emailBody,
  emailVerifiedView,
  endedSessionsView,
  isoTime,
  passwordChangedView,
  passwordResetConfirmBody,
  sessionIdParam,
  sessionListView,
  sessionView,
  signInBody,
  signInResponse,
  signUpBody,
  tags,
  toMemberView,
  toSessionListView,
  tokenBody,
  twoFactorSignInBody,
} from './accounts.schemas.ts';
import { confirmPasswordReset, requestPasswordReset, resendVerificationEmail, verifyEmail } from './email-links.service.ts';
import { assertEligible } from './eligibility.rules.ts';
import { getMemberWithSecurity } from './members.service.ts';
import { changePassword } from './password-change.service.ts';
import { hashNewPassword } from './passwords.service.ts';
import { normalizeLanguage } from './profile.rules.ts';
import { rateLimits } from './rate-limits.rules.ts';
import { clearSessionCookie, setSessionCookie } from './session-cookie.routes.ts';
import { endAllSessions, endSession, listSessions } from './sessions.service.ts';
import { completeTwoFactorSignIn, signIn } from './sign-in.service.ts';
import { signUp } from './sign-up.service.ts';
import { totpKeyFor } from './two-factor.service.ts';

const noContent = z.null().describe('No content');

/** The member as GET /session shows them; a vanished member (closed between two queries) reads as signed out. */
export async function loadMemberView(deps: Deps, memberId: string) {
  const found = await getMemberWithSecurity(deps, memberId);
  if (!found) throw new AppError('unauthenticated', 'Please sign in.');
  return toMemberView(found);
}

export function registerAuthRoutes(app: ZodApp, deps: Deps): void {
  const publicUrl = deps.config.http.publicUrl;

  app.post(
    '/accounts',
    {
      schema: { tags, summary: 'Sign up: create an account and sign in (AC-1, AC-2, AC-3)', body: signUpBody, response: { 201: sessionView } },
      config: { auth: 'public', rateLimit: rateLimits.signUp },
    },
    async (request, reply) => {
      const body = request.body;
      const language = body.language ? normalizeLanguage(body.language) : null;
      // The cheap checks run before the slow hash, so a refused sign-up costs no argon2 time.
      assertEligible({ country: body.country, dateOfBirth: body.dateOfBirth, nowMs: deps.clock.nowMs() });
      const passwordHash = await hashNewPassword(body.password, { email: body.email });
      const result = await transact(deps, (ctx) =>
        signUp(ctx, { email: body.email, passwordHash, country: body.country, dateOfBirth: body.dateOfBirth, language, userAgent: request.headers['user-agent'], deviceId: readDeviceId(request), publicUrl }),
      );
      setSessionCookie(reply, deps, result.session);
      return reply.status(201).send({ member: toMemberView({ member: result.member, twoFactorEnabled: false, hasPassword: true }), csrfToken: result.session.csrfToken });
    },
  );

  app.post(
    '/session',
    {
      schema: { tags, summary: 'Sign in with email and password (AC-4); may ask for a 2-step code (AC-5)', body: signInBody, response: { 200: signInResponse } },
      config: { auth: 'public', rateLimit: rateLimits.signIn },
    },
    async (request, reply) => {
      const outcome = await signIn(deps, { email: request.body.email, password: request.body.password, ip: request.ip, userAgent: request.headers['user-agent'], deviceId: readDeviceId(request) });
      if (outcome.status === 'two_factor_required') {
        return { status: 'two_factor_required' as const, challengeId: outcome.challengeId, expiresAt: isoTime(outcome.expiresAtMs) };
      }
      const previous = request.principal;
      if (previous?.kind === 'session') await endSession(deps, { memberId: previous.memberId, sessionId: previous.sessionId });
      setSessionCookie(reply, deps, outcome.session);
      return { status: 'signed_in' as const, member: await loadMemberView(deps, outcome.member.id), csrfToken: outcome.session.csrfToken };
    },
  );

  app.post(
    '/session/two-factor',
    {
      schema: { tags, summary: 'Finish a 2-step sign-in with a TOTP code or a recovery code (AC-5)', body: twoFactorSignInBody, response: { 200: sessionView } },
      config: { auth: 'public', rateLimit: rateLimits.codeEntry },
    },
    async (request, reply) => {
      const { member, session } = await completeTwoFactorSignIn({ ...deps, totpKey: totpKeyFor(deps.secret) }, { ...request.body, ip: request.ip, userAgent: request.headers['user-agent'], deviceId: readDeviceId(request) });
      setSessionCookie(reply, deps, session);
      return { member: await loadMemberView(deps, member.id), csrfToken: session.csrfToken };
    },
  );

  app.get('/session', { schema: { tags, summary: 'The signed-in member and the CSRF token for writes (AC-4, PL-14)', response: { 200: sessionView } }, config: { auth: 'session' } }, async (request) => {
    const principal = requireSession(request);
    return { member: await loadMemberView(deps, principal.memberId), csrfToken: principal.csrfToken };
  });

  app.delete('/session', { schema: { tags, summary: 'Sign out of this browser (AC-4)', body: noBody, response: { 204: noContent } }, config: { auth: 'public' } }, async (request, reply) => {
    const principal = request.principal;
    if (principal?.kind === 'session') await endSession(deps, { memberId: principal.memberId, sessionId: principal.sessionId });
    clearSessionCookie(reply, deps);
    return reply.status(204).send(null);
  });

  app.get('/sessions', { schema: { tags, summary: 'The signed-in member’s sessions', response: { 200: sessionListView } }, config: { auth: 'session' } }, async (request) => {
    const principal = requireSession(request);
    return toSessionListView(await listSessions(deps, principal.memberId), principal.sessionId);
  });

  app.delete('/sessions', { schema: { tags, summary: 'Sign out everywhere, this browser included (AC-4)', body: noBody, response: { 200: endedSessionsView } }, config: { auth: 'session' } }, async (request, reply) => {
    const principal = requireSession(request);
    const sessionsEnded = await endAllSessions(deps, { memberId: principal.memberId });
    clearSessionCookie(reply, deps);
    return { sessionsEnded };
  });

  app.delete(
    '/sessions/:sessionId',
    { schema: { tags, summary: 'End one of your sessions', params: sessionIdParam, body: noBody, response: { 204: noContent } }, config: { auth: 'session' } },
    async (request, reply) => {
      const principal = requireSession(request);
      if (!(await endSession(deps, { memberId: principal.memberId, sessionId: request.params.sessionId }))) throw new AppError('not_found', 'Session was not found.');
      if (request.params.sessionId === principal.sessionId) clearSessionCookie(reply, deps);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/accounts/verify-email',
    { schema: { tags, summary: 'Confirm an email address with the link’s token (AC-6)', body: tokenBody, response: { 200: emailVerifiedView } }, config: { auth: 'public', rateLimit: rateLimits.emailLink } },
    async (request) => {
      const member = await transact(deps, (ctx) => verifyEmail(ctx, { token: request.body.token }));
      return { status: 'verified' as const, email: member.email };
    },
  );

  app.post(
    '/accounts/verify-email/resend',
    { schema: { tags, summary: 'Send a new confirmation link to the signed-in member (AC-6)', body: noBody, response: { 202: acceptedView } }, config: { auth: 'session', rateLimit: rateLimits.passwordReset } },
    async (request, reply) => {
      const principal = requireSession(request);
      await transact(deps, (ctx) => resendVerificationEmail(ctx, { memberId: principal.memberId, publicUrl }));
      return reply.status(202).send({ status: 'accepted' as const, message: 'We sent a new confirmation link. It works once.' });
    },
  );

  app.post(
    '/accounts/password-reset',
    {
      schema: { tags, summary: 'Email a password reset link; the same answer whether or not the account exists (AC-6)', body: emailBody, response: { 202: acceptedView } },
      config: { auth: 'public', rateLimit: rateLimits.passwordReset },
    },
    async (request, reply) => {
      await transact(deps, (ctx) => requestPasswordReset(ctx, { email: request.body.email, publicUrl }));
      return reply.status(202).send({ status: 'accepted' as const, message: 'If an account uses this email address, we sent it a link to choose a new password. The link works once, for one hour.' });
    },
  );

  app.post(
    '/accounts/password-reset/confirm',
    {
      schema: { tags, summary: 'Set a new password with a reset link; ends every other session (AC-6)', body: passwordResetConfirmBody, response: { 200: passwordChangedView } },
      config: { auth: 'public', rateLimit: rateLimits.passwordReset },
    },
    async (request) => {
      const principal = request.principal;
      const currentSessionId = principal?.kind === 'session' ? principal.sessionId : undefined;
      const result = await transact(deps, (ctx) =>
        confirmPasswordReset(ctx, { token: request.body.token, newPassword: request.body.newPassword, ...(currentSessionId ? { currentSessionId } : {}) }),
      );
      return { status: 'password_changed' as const, sessionsEnded: result.sessionsEnded };
    },
  );

  app.post(
    '/me/password',
    {
      schema: { tags, summary: 'Change your password; ends your other sessions (AC-3)', body: changePasswordBody, response: { 200: passwordChangedView } },
      config: { auth: 'session', rateLimit: rateLimits.codeEntry },
    },
    async (request) => {
      const principal = requireSession(request);
      const result = await changePassword(deps, { memberId: principal.memberId, currentPassword: request.body.currentPassword, newPassword: request.body.newPassword, keepSessionId: principal.sessionId });
      return { status: 'password_changed' as const, sessionsEnded: result.sessionsEnded };
    },
  );
}
