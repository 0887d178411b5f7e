// What the outgoing-webhook routes accept and return (OpenAPI through the zod provider).
import { z } from 'zod';
import { eventTypes } from '../events/index.ts';
import type { Attempt, Delivery } from './delivery-log.service.ts';
import { maxDeliveryListLimit } from './delivery-log.service.ts';
import type { Endpoint } from './endpoints.service.ts';
import type { PostResult } from './http.transport.ts';
import { deliveryStates, endpointStates } from './webhooks.table.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export const endpointParams = z.strictObject({ endpointId: z.string().regex(/^whe_[0-9a-z]+$/) });
export const deliveryParams = z.strictObject({ deliveryId: z.string().regex(/^whd_[0-9a-z]+$/) });

const url = z.string().trim().min(1).max(2000).describe('https://…, or http://localhost… for development');
const description = z.string().trim().max(300);
const types = z.array(z.enum(eventTypes)).min(1).max(eventTypes.length);

export const createEndpointBody = z.strictObject({ url, description: description.default(''), eventTypes: types });
export const patchEndpointBody = z.strictObject({ url: url.optional(), description: description.optional(), eventTypes: types.optional(), enabled: z.boolean().optional() });

export const endpointView = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  eventTypes: z.array(z.enum(eventTypes)),
  state: z.enum(endpointStates).describe('auto_disabled: disabled after failing for days; its events keep collecting until it is enabled'),
  failingSince: z.iso.datetime().nullable(),
  previousSecretUntil: z.iso.datetime().nullable().describe('While a rotation’s grace period runs, the previous secret signs as well until then'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export const endpointList = z.object({ endpoints: z.array(endpointView) });
export const endpointWithSecret = z.object({ endpoint: endpointView, secret: z.string().describe('whsec_… (Standard Webhooks); keep it in the receiver') });
export const secretView = z.object({ secret: z.string() });

export const eventTypeList = z.object({ eventTypes: z.array(z.enum(eventTypes)) });

export const deliveryListQuery = z.strictObject({
  state: z.enum(deliveryStates).optional(),
  limit: z.coerce.number().int().min(1).max(maxDeliveryListLimit).default(50),
  before: z.string().regex(/^whd_[0-9a-z]+$/).optional(),
});

export const deliveryView = z.object({
  id: z.string(),
  endpointId: z.string(),
  eventId: z.string().describe('Sent as webhook-id'),
  eventType: z.string(),
  subjectId: z.string(),
  state: z.enum(deliveryStates),
  attempts: z.number().int(),
  nextAttemptAt: z.iso.datetime().nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable().describe('The last failure code'),
  createdAt: z.iso.datetime(),
  completedAt: z.iso.datetime().nullable(),
});
export const deliveryList = z.object({ deliveries: z.array(deliveryView), nextBefore: z.string().nullable() });

export const attemptView = z.object({
  id: z.string(),
  kind: z.enum(['automatic', 'manual']),
  startedAt: z.iso.datetime(),
  durationMs: z.number().int(),
  statusCode: z.number().int().nullable(),
  status: z.enum(['succeeded', 'failed']),
  failureCode: z.string().nullable().describe('http_503, timeout, connection_refused, …'),
  responseExcerpt: z.string().nullable(),
});
export const deliveryDetailView = z.object({ delivery: deliveryView, payload: z.string(), attempts: z.array(attemptView) });

export const attemptResultView = z.object({
  deliveryId: z.string(),
  ok: z.boolean(),
  statusCode: z.number().int().nullable(),
  durationMs: z.number().int(),
  failureCode: z.string().nullable(),
});

export function toEndpointView(endpoint: Endpoint): z.infer<typeof endpointView> {
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    state: endpoint.state,
    failingSince: isoOrNull(endpoint.failingSinceMs),
    previousSecretUntil: isoOrNull(endpoint.previousSecretUntilMs),
    createdAt: iso(endpoint.createdAtMs),
    updatedAt: iso(endpoint.updatedAtMs),
  };
}

export function toDeliveryView(delivery: Delivery): z.infer<typeof deliveryView> {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    subjectId: delivery.subjectId,
    state: delivery.state,
    attempts: delivery.attempts,
    nextAttemptAt: isoOrNull(delivery.nextAttemptAtMs),
    lastStatus: delivery.lastStatus,
    lastError: delivery.lastError,
    createdAt: iso(delivery.createdAtMs),
    completedAt: isoOrNull(delivery.completedAtMs),
  };
}

export function toAttemptView(attempt: Attempt): z.infer<typeof attemptView> {
  return {
    id: attempt.id,
    kind: attempt.kind,
    startedAt: iso(attempt.startedAtMs),
    durationMs: attempt.durationMs,
    statusCode: attempt.statusCode,
    status: attempt.status,
    failureCode: attempt.failureCode,
    responseExcerpt: attempt.responseExcerpt,
  };
}

export function toAttemptResultView(deliveryId: string, result: PostResult): z.infer<typeof attemptResultView> {
  return { deliveryId, ok: result.ok, statusCode: result.statusCode, durationMs: result.durationMs, failureCode: result.failureCode };
}
