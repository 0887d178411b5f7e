// The delivery log the console shows: an endpoint's deliveries with their state and last answer, and one delivery's
// attempts (status code, duration, a short excerpt of the answer; response bodies are not kept).
import type { Ctx } from '../../deps.ts';
import { assert } from '../../platform/assert.ts';
import { notFound } from '../../platform/errors.ts';
import { findDelivery, findEndpoint, selectAttempts, selectDeliveries } from './webhooks.repository.ts';
import type { AttemptKind, DeliveryState, WebhookAttemptRow, WebhookDeliveryRow } from './webhooks.table.ts';

export interface Delivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  subjectId: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAtMs: number | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAtMs: number;
  completedAtMs: number | null;
}

export interface Attempt {
  id: string;
  kind: AttemptKind;
  startedAtMs: number;
  durationMs: number;
  statusCode: number | null;
  status: 'succeeded' | 'failed';
  failureCode: string | null;
  responseExcerpt: string | null;
}

export const maxDeliveryListLimit = 200;
const maxAttemptsShown = 50;

export function toDelivery(row: WebhookDeliveryRow): Delivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.type,
    subjectId: row.subject_id,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAtMs: row.state === 'pending' ? Number(row.next_attempt_at_ms) : null,
    lastStatus: row.last_status,
    lastError: row.last_error,
    createdAtMs: Number(row.created_at_ms),
    completedAtMs: row.completed_at_ms === null ? null : Number(row.completed_at_ms),
  };
}

function toAttempt(row: WebhookAttemptRow): Attempt {
  return {
    id: row.id,
    kind: row.kind,
    startedAtMs: Number(row.started_at_ms),
    durationMs: row.duration_ms,
    statusCode: row.status_code,
    status: row.status,
    failureCode: row.failure_code,
    responseExcerpt: row.response_excerpt,
  };
}

export async function listDeliveries(ctx: Pick<Ctx, 'db'>, input: { endpointId: string; state?: DeliveryState; before?: string; limit: number }): Promise<Delivery[]> {
  assert(Number.isInteger(input.limit) && input.limit >= 1 && input.limit <= maxDeliveryListLimit, `list limit must be 1..${maxDeliveryListLimit}`);
  if (!(await findEndpoint(ctx.db, input.endpointId))) throw notFound('The webhook endpoint');
  return (await selectDeliveries(ctx.db, input)).map(toDelivery);
}

/** A delivery with its attempts (newest first) and the body that was sent. */
export async function getDelivery(ctx: Pick<Ctx, 'db'>, deliveryId: string): Promise<{ delivery: Delivery; payload: string; attempts: Attempt[] }> {
  const row = await findDelivery(ctx.db, deliveryId);
  if (!row) throw notFound('The delivery');
  return { delivery: toDelivery(row), payload: row.payload, attempts: (await selectAttempts(ctx.db, deliveryId, maxAttemptsShown)).map(toAttempt) };
}
