// The console's outgoing-webhook API (issue 13): endpoints (create, change, enable/disable, delete, rotate or show the
// secret), a test message, the delivery log and manual redelivery. Staff sessions only (agents and admins); every
// endpoint change is audit-recorded.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { transact, type Deps } from '../../deps.ts';
import { requireRole } from '../../http/principal.ts';
import { noBody } from '../../http/route-guards.ts';
import type { ZodApp } from '../../http/types.ts';
import { eventTypes } from '../events/index.ts';
import { getDelivery, listDeliveries } from './delivery-log.service.ts';
import { redeliver, sendTestEvent } from './delivery.service.ts';
import { changeEndpoint, createEndpoint, getEndpoint, listEndpoints, removeEndpoint, revealEndpointSecret, rotateEndpointSecret, type StaffActor } from './endpoints.service.ts';
import {
  attemptResultView, createEndpointBody, deliveryDetailView, deliveryList, deliveryListQuery, deliveryParams, endpointList, endpointParams, endpointView, endpointWithSecret, eventTypeList, patchEndpointBody,
  secretView, toAttemptResultView, toAttemptView, toDeliveryView, toEndpointView,
} from './webhooks.schemas.ts';

const tags = ['webhooks'];
const noContent = z.null().describe('No content');

function staffOf(request: FastifyRequest): StaffActor {
  const staff = requireRole(request, 'agent');
  return { id: staff.memberId, role: staff.role === 'admin' ? 'admin' : 'agent' };
}

export function registerWebhookRoutes(app: ZodApp, deps: Deps): void {
  app.get('/agent/webhooks/event-types', { schema: { tags, summary: 'The event types an endpoint can subscribe to (the catalogue in docs/WEBHOOKS.md)', response: { 200: eventTypeList } }, config: { auth: 'agent' } }, async (request) => {
    staffOf(request);
    return { eventTypes: [...eventTypes] };
  });

  app.get('/agent/webhooks/endpoints', { schema: { tags, summary: 'The registered outgoing webhook endpoints', response: { 200: endpointList } }, config: { auth: 'agent' } }, async (request) => {
    staffOf(request);
    return { endpoints: (await listEndpoints(deps)).map(toEndpointView) };
  });

  app.post(
    '/agent/webhooks/endpoints',
    { schema: { tags, summary: 'Register an endpoint for some event types; the answer carries its signing secret (whsec_…)', body: createEndpointBody, response: { 201: endpointWithSecret } }, config: { auth: 'agent' } },
    async (request, reply) => {
      const actor = staffOf(request);
      const created = await transact(deps, (trx) => createEndpoint(trx, { ...request.body, actor }));
      return reply.status(201).send({ endpoint: toEndpointView(created.endpoint), secret: created.secret });
    },
  );

  app.get('/agent/webhooks/endpoints/:endpointId', { schema: { tags, summary: 'One endpoint', params: endpointParams, response: { 200: endpointView } }, config: { auth: 'agent' } }, async (request) => {
    staffOf(request);
    return toEndpointView(await getEndpoint(deps, request.params.endpointId));
  });

  app.patch(
    '/agent/webhooks/endpoints/:endpointId',
    {
      schema: { tags, summary: 'Change the URL, description or event types; enable or disable (enabling restarts the failure count)', params: endpointParams, body: patchEndpointBody, response: { 200: endpointView } },
      config: { auth: 'agent' },
    },
    async (request) => {
      const actor = staffOf(request);
      return toEndpointView(await transact(deps, (trx) => changeEndpoint(trx, { endpointId: request.params.endpointId, patch: request.body, actor })));
    },
  );

  app.delete(
    '/agent/webhooks/endpoints/:endpointId',
    { schema: { tags, summary: 'Remove an endpoint with its delivery log', params: endpointParams, body: noBody, response: { 204: noContent } }, config: { auth: 'agent' } },
    async (request, reply) => {
      const actor = staffOf(request);
      await transact(deps, (trx) => removeEndpoint(trx, { endpointId: request.params.endpointId, actor }));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/agent/webhooks/endpoints/:endpointId/rotate-secret',
    {
      schema: { tags, summary: 'A new signing secret now; the previous one keeps signing (a second v1 signature) for 24 hours', params: endpointParams, body: noBody, response: { 200: endpointWithSecret } },
      config: { auth: 'agent' },
    },
    async (request) => {
      const actor = staffOf(request);
      const rotated = await transact(deps, (trx) => rotateEndpointSecret(trx, { endpointId: request.params.endpointId, actor }));
      return { endpoint: toEndpointView(rotated.endpoint), secret: rotated.secret };
    },
  );

  app.get(
    '/agent/webhooks/endpoints/:endpointId/secret',
    { schema: { tags, summary: 'The current signing secret (the read is audit-recorded)', params: endpointParams, response: { 200: secretView } }, config: { auth: 'agent' } },
    async (request) => {
      const actor = staffOf(request);
      return { secret: await transact(deps, (trx) => revealEndpointSecret(trx, { endpointId: request.params.endpointId, actor })) };
    },
  );

  app.post(
    '/agent/webhooks/endpoints/:endpointId/test',
    { schema: { tags, summary: 'Send a webhook.test message now and answer with the outcome (logged, not retried)', params: endpointParams, body: noBody, response: { 200: attemptResultView } }, config: { auth: 'agent' } },
    async (request) => {
      staffOf(request);
      const sent = await sendTestEvent(deps, { endpointId: request.params.endpointId });
      return toAttemptResultView(sent.deliveryId, sent.result);
    },
  );

  app.get(
    '/agent/webhooks/endpoints/:endpointId/deliveries',
    { schema: { tags, summary: 'The delivery log of an endpoint, newest first', params: endpointParams, querystring: deliveryListQuery, response: { 200: deliveryList } }, config: { auth: 'agent' } },
    async (request) => {
      staffOf(request);
      const deliveries = await listDeliveries(deps, { endpointId: request.params.endpointId, ...request.query });
      const last = deliveries.at(-1);
      return { deliveries: deliveries.map(toDeliveryView), nextBefore: deliveries.length === request.query.limit && last ? last.id : null };
    },
  );

  app.get(
    '/agent/webhooks/deliveries/:deliveryId',
    { schema: { tags, summary: 'One delivery: the body sent and its attempts (status, duration, a short excerpt of the answer)', params: deliveryParams, response: { 200: deliveryDetailView } }, config: { auth: 'agent' } },
    async (request) => {
      staffOf(request);
      const found = await getDelivery(deps, request.params.deliveryId);
      return { delivery: toDeliveryView(found.delivery), payload: found.payload, attempts: found.attempts.map(toAttemptView) };
    },
  );

  app.post(
    '/agent/webhooks/deliveries/:deliveryId/redeliver',
    {
      schema: { tags, summary: 'Send a delivery again now (same webhook-id); success marks it delivered, a failure leaves it as it was', params: deliveryParams, body: noBody, response: { 200: attemptResultView } },
      config: { auth: 'agent' },
    },
    async (request) => {
      staffOf(request);
      const result = await redeliver(deps, { deliveryId: request.params.deliveryId });
      return toAttemptResultView(request.params.deliveryId, result);
    },
  );
}

