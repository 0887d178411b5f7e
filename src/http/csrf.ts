// CSRF protection for cookie-authenticated writes (PL-14): a per-session token sent back in a header.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../platform/errors.ts';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
export const csrfHeaderName = 'x-csrf-token';

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * A browser attaches the session cookie to cross-site requests, but a foreign page cannot read the token the
 * session was issued with (GET /api/v1/session returns it), so requiring it in a header defeats forged writes.
 * API-key callers carry no ambient credential and need no token.
 */
export function checkCsrf(request: FastifyRequest): void {
  if (safeMethods.has(request.method)) return;
  const principal = request.principal;
  if (!principal || principal.kind !== 'session') return;
  const sent = request.headers[csrfHeaderName];
  if (typeof sent !== 'string' || !sameText(sent, principal.csrfToken)) {
    throw new AppError('csrf', 'This request is missing its security token. Reload the page and try again.');
  }
}
