// Signing in over HTTP for tests that call routes as a member or staff: the session cookie and its CSRF token.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';

export interface HttpSession {
  memberId: string;
  cookie: string;
  csrfToken: string;
}

/** Signs in with email and password from `remoteAddress` (tests vary it to stay clear of the per-address throttle). */
export async function signInOverHttp(app: FastifyInstance, input: { email: string; password: string; remoteAddress: string }): Promise<HttpSession> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: input.email, password: input.password }, remoteAddress: input.remoteAddress });
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json() as { member: { id: string }; csrfToken: string };
  const cookie = response.cookies.find((c) => c.name === 'patron_session');
  assert.ok(cookie, 'sign-in sets the session cookie');
  return { memberId: body.member.id, cookie: cookie.value, csrfToken: body.csrfToken };
}

/** Distinct client addresses `10.<subnet>.x.y`, one per call, so per-address sign-in throttles never interfere. */
export function addressSequence(subnet: number): () => string {
  let counter = 0;
  return () => {
    counter++;
    return `10.${subnet}.${Math.floor(counter / 250)}.${(counter % 250) + 1}`;
  };
}
