// Idempotency-Key at the route (PL-4): whose key it is and the one helper every retryable write answers through. The
// records, the lease and the replay are idempotency.service.ts.
import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.ts';
import { readIdempotencyKey } from './idempotency-key.ts';
import { runIdempotent, type IdempotentWork } from './idempotency.service.ts';
import type { Principal } from './principal.ts';

export {
  idempotencyKeyLifetimeMs,
  idempotencyLeaseMs,
  pruneIdempotencyKeys,
  requestFingerprint,
  runIdempotent,
  type IdempotencyInput,
  type IdempotentAnswer,
  type IdempotentWork,
} from './idempotency.service.ts';

/**
 * Whose keys these are: the signed-in member or staff member, or the API key. Without a session a guest is known
 * only by the email address the request gives; it is kept as a keyed hash (the server secret), so the table holds no
 * address in the clear and two guests' keys stay apart. Anyone else is `anonymous`.
 */
export function idempotencyCaller(deps: Pick<Deps, 'secret'>, principal: Principal | null, guestEmail?: string | null): string {
  if (principal) return principal.kind === 'session' ? principal.memberId : principal.keyId;
  if (guestEmail) return `guest:${createHmac('sha256', deps.secret).update(`idempotency-guest\n${guestEmail.trim().toLowerCase()}`).digest('base64url').slice(0, 32)}`;
  return 'anonymous';
}

export interface AnswerIdempotentlyOptions {
  /** Whether the route refuses a request without a key. */
  required: boolean;
  /** The request's body after validation; with the URL, it is what a retry must repeat. */
  body: unknown;
  /** For routes without a session: the guest's email address, which tells guests apart. */
  guestEmail?: string | null;
  /** The member the answer is about, when known before the work (a member's own request, an agent's on a member). */
  memberId?: string | null;
}

/**
 * The one way a route answers idempotently: reads the Idempotency-Key header, keys it by caller and route
 * (`METHOD /api/v1/path/:param`), runs or replays the work, and marks a replay with `Idempotent-Replayed: true`.
 * The work receives the key (undefined when none was sent), for a module that records it in its own books too.
 */
export async function answerIdempotently<T>(
  deps: Deps,
  request: FastifyRequest,
  reply: FastifyReply,
  options: AnswerIdempotentlyOptions,
  work: (key: string | undefined) => Promise<IdempotentWork<T>>,
) {
  const key = readIdempotencyKey(request, { required: options.required });
  const principal = request.principal ?? null;
  const memberId = options.memberId !== undefined ? options.memberId : principal?.kind === 'session' && principal.role === 'member' ? principal.memberId : null;
  const answer = await runIdempotent(
    deps,
    {
      caller: idempotencyCaller(deps, principal, options.guestEmail),
      scope: `${request.method} ${request.routeOptions.url ?? request.url}`,
      key,
      request: { url: request.url, body: options.body },
      memberId,
    },
    work,
  );
  if (answer.replayed) reply.header('idempotent-replayed', 'true');
  return reply.status(answer.status).send(answer.body);
}
