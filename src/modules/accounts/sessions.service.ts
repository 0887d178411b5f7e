// Starting, listing and ending server-side sessions (AC-4).
import type { Ctx } from '../../deps.ts';
import type { Role } from '../../http/principal.ts';
import { randomToken } from '../../platform/ids.ts';
import { deleteMemberSessions, deleteSession, findSession, insertSession, listMemberSessions, type Session } from './sessions.repository.ts';
import { sessionLifetimes, trimUserAgent } from './sessions.rules.ts';
import { hashSecret, newSecretToken } from './tokens.rules.ts';

export interface NewSession {
  sessionId: string;
  /** The cookie value: shown to the browser once, stored only as a hash. */
  token: string;
  csrfToken: string;
  expiresAtMs: number;
}

/** `deviceId`: the browser's device cookie, handed to the lifecycle port so its cookie choices join the account. */
export async function startSession(ctx: Ctx, input: { memberId: string; role: Role; userAgent?: string | undefined; deviceId?: string | null | undefined }): Promise<NewSession> {
  const nowMs = ctx.clock.nowMs();
  const lifetime = sessionLifetimes[input.role];
  const token = newSecretToken();
  const session: Session = {
    id: ctx.ids.next('ses'),
    memberId: input.memberId,
    csrfToken: randomToken(24),
    userAgent: trimUserAgent(input.userAgent),
    createdAtMs: nowMs,
    lastSeenAtMs: nowMs,
    idleTimeoutMs: lifetime.idleTimeoutMs,
    expiresAtMs: nowMs + lifetime.absoluteMs,
  };
  await insertSession(ctx.db, { ...session, tokenHash: hashSecret(token) });
  await ctx.ports.memberLifecycle.signedIn(ctx, input.memberId, { deviceId: input.deviceId ?? null });
  return { sessionId: session.id, token, csrfToken: session.csrfToken, expiresAtMs: session.expiresAtMs };
}

export async function listSessions(ctx: Ctx, memberId: string): Promise<Session[]> {
  const nowMs = ctx.clock.nowMs();
  const sessions = await listMemberSessions(ctx.db, memberId, nowMs);
  return sessions.filter((session) => nowMs < session.lastSeenAtMs + session.idleTimeoutMs);
}

/** Ends one of the member's own sessions; another member's session ID is simply not found (PL-15). */
export async function endSession(ctx: Ctx, input: { memberId: string; sessionId: string }): Promise<boolean> {
  return deleteSession(ctx.db, input.memberId, input.sessionId);
}

/** "Sign out everywhere" (AC-4), or everywhere else when a session to keep is given. */
export async function endAllSessions(ctx: Ctx, input: { memberId: string; exceptSessionId?: string }): Promise<number> {
  return deleteMemberSessions(ctx.db, input.memberId, input.exceptSessionId ? { exceptSessionId: input.exceptSessionId } : {});
}

/** How long ago a sensitive action counts as re-authenticated: the session's sign-in (PV-11, PV-15, AC-10). */
export const recentSignInMs = 10 * 60_000;

/**
 * Whether the session was signed in within `withinMs` (a fresh sign-in is the re-authentication privacy requests,
 * export downloads and account closure ask for). False for an unknown session or another member's.
 */
export async function signedInRecently(ctx: Pick<Ctx, 'db' | 'clock'>, input: { memberId: string; sessionId: string; withinMs?: number }): Promise<boolean> {
  const session = await findSession(ctx.db, input.sessionId);
  if (!session || session.memberId !== input.memberId) return false;
  return ctx.clock.nowMs() - session.createdAtMs < (input.withinMs ?? recentSignInMs);
}
