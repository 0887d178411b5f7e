// Answering a retryable write through its Idempotency-Key (PL-4), for the store's routes and the flows' routes that
// took over checkout, refunds and redemptions: the first answer to a key is replayed to a retry.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import type { Principal } from '../../http/principal.ts';
import { readIdempotencyKey } from '../../http/idempotency-key.ts';
import { runIdempotent } from './idempotency.ts';

/** The member behind a session, or the API key itself. */
export function callerIdOf(principal: Principal): string {
  return principal.kind === 'session' ? principal.memberId : principal.keyId;
}

/** Keys are scoped to the caller and the route, so two callers' keys never meet. */
export function scopeOf(principal: Principal | null, route: string, guestEmail?: string): string {
  return principal ? `${callerIdOf(principal)}:${route}` : `guest:${guestEmail ?? ''}:${route}`;
}

export async function answerIdempotently<T>(
  deps: Deps,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { scope: string; required: boolean; body: unknown },
  work: () => Promise<{ status: number; body: T }>,
) {
  const key = readIdempotencyKey(request, { required: options.required });
  const answer = await runIdempotent(deps, { scope: options.scope, key, request: { url: request.url, body: options.body } }, work);
  if (answer.replayed) reply.header('idempotent-replayed', 'true');
  return reply.status(answer.status).send(answer.body);
}
