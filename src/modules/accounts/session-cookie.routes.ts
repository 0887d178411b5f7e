// The session cookie (AC-4): HttpOnly, SameSite=Lax, Path=/, Secure whenever the public URL is https.
import type { FastifyReply } from 'fastify';
import type { Deps } from '../../deps.ts';
import { sessionCookieName } from '../../http/principal.ts';
import type { NewSession } from './sessions.service.ts';

/**
 * Max-Age rather than Expires: the browser's clock and the server's (possibly simulated, PL-1) clock need not
 * agree, but both agree on how long the session lasts.
 */
export function setSessionCookie(reply: FastifyReply, deps: Pick<Deps, 'config' | 'clock'>, session: NewSession): void {
  reply.setCookie(sessionCookieName, session.token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: deps.config.http.secureCookies,
    maxAge: Math.max(0, Math.floor((session.expiresAtMs - deps.clock.nowMs()) / 1000)),
  });
}

export function clearSessionCookie(reply: FastifyReply, deps: Pick<Deps, 'config'>): void {
  reply.clearCookie(sessionCookieName, { httpOnly: true, sameSite: 'lax', path: '/', secure: deps.config.http.secureCookies });
}

/** Binds an OpenID Connect sign-in to the browser that started it, so a callback link cannot be planted in another. */
export const oidcStateCookieName = 'patron_oidc_state';
export const oidcStateCookiePath = '/api/v1/auth/oidc';

export function setOidcStateCookie(reply: FastifyReply, deps: Pick<Deps, 'config'>, state: string, maxAgeSeconds: number): void {
  reply.setCookie(oidcStateCookieName, state, { httpOnly: true, sameSite: 'lax', path: oidcStateCookiePath, secure: deps.config.http.secureCookies, maxAge: maxAgeSeconds });
}

export function clearOidcStateCookie(reply: FastifyReply, deps: Pick<Deps, 'config'>): void {
  reply.clearCookie(oidcStateCookieName, { httpOnly: true, sameSite: 'lax', path: oidcStateCookiePath, secure: deps.config.http.secureCookies });
}
