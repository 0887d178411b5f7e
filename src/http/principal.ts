// Who is calling: resolved once per request from the session cookie or an API key, then checked per route.
import type { FastifyRequest } from 'fastify';
import { AppError } from '../platform/errors.ts';

export const roles = ['member', 'agent', 'admin'] as const;
export type Role = (typeof roles)[number];

export type Principal =
  | { kind: 'session'; memberId: string; role: Role; sessionId: string; csrfToken: string }
  | { kind: 'api_key'; keyId: string; scopes: readonly string[] };

/** Supplied by the accounts module: turns the raw credentials of a request into a principal, or null. */
export type Authenticate = (credentials: { sessionToken?: string; apiKey?: string }) => Promise<Principal | null>;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export const sessionCookieName = 'patron_session';

export function requireSession(request: FastifyRequest): Extract<Principal, { kind: 'session' }> {
  const principal = request.principal;
  if (!principal || principal.kind !== 'session') throw new AppError('unauthenticated', 'Please sign in.');
  return principal;
}

const roleRank: Record<Role, number> = { member: 0, agent: 1, admin: 2 };

/** Staff routes: an agent or admin session (AC-9). */
export function requireRole(request: FastifyRequest, minimum: Exclude<Role, 'member'>): Extract<Principal, { kind: 'session' }> {
  const principal = requireSession(request);
  if (roleRank[principal.role] < roleRank[minimum]) throw new AppError('forbidden', 'You do not have access to this.');
  return principal;
}

/** Server-to-server routes: an API key carrying the scope (AC-11). Staff sessions may call them too. */
export function requireScope(request: FastifyRequest, scope: string): Principal {
  const principal = request.principal;
  if (!principal) throw new AppError('unauthenticated', 'Send an API key or sign in.');
  if (principal.kind === 'api_key') {
    if (!principal.scopes.includes(scope)) throw new AppError('forbidden', `This API key lacks the scope ${scope}.`);
    return principal;
  }
  return requireRole(request, 'agent');
}

/**
 * Who may call a route, declared with it as `config: { auth }` and checked by one hook before the body is parsed or
 * validated (route-guards.ts), so an anonymous caller learns nothing about a route's fields. `public`: anyone (the
 * handler may still look at an optional principal); `session`: a signed-in person; `signed_in`: a session or an API
 * key (the handler decides per object, PL-15); `agent`/`admin`: staff sessions (AC-9); `{ scope }`: an API key with
 * that scope, or a staff session (AC-11). The handler's own require… call then only narrows the type.
 */
export type RouteAuth = 'public' | 'session' | 'signed_in' | 'agent' | 'admin' | { scope: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
}

export function authorizeRoute(request: FastifyRequest, auth: RouteAuth): void {
  if (typeof auth === 'object') {
    requireScope(request, auth.scope);
    return;
  }
  switch (auth) {
    case 'public':
      return;
    case 'session':
      requireSession(request);
      return;
    case 'signed_in':
      if (!request.principal) throw new AppError('unauthenticated', 'Send an API key or sign in.');
      return;
    case 'agent':
    case 'admin':
      requireRole(request, auth);
      return;
  }
}
