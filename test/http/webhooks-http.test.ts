// The console's outgoing-webhook API through inject, on both databases (issue 13): only staff may call it; an
// endpoint is registered with its secret, disabled and enabled, sent a test message, its delivery log read, a
// delivery redelivered, the secret rotated and shown, and the endpoint removed; every route is in OpenAPI.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { transact } from '../../src/deps.ts';
import { recordEvents } from '../../src/modules/events/index.ts';
import { registerRoutes, runWebhookDispatch } from '../../src/modules/webhooks/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { buildRouteHarness } from '../support/route-harness.ts';
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from '../support/webhook-receiver.ts';

describeEachDatabase('webhooks HTTP', (suite) => {
  let app: FastifyInstance;
  let receiver: WebhookReceiver;
  before(async () => {
    app = await buildRouteHarness(suite.deps(), registerRoutes);
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await app.close();
    await receiver.close();
  });
  const call = (role: string | null, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({ method, url: `/api/v1${url}`, headers: role ? { 'x-test-role': role } : {}, ...(payload === undefined ? {} : { payload: payload as object }) });

  test('issue 13 AC-9: the webhook routes answer 401 to strangers and 403 to members', async () => {
    for (const [method, url] of [['GET', '/agent/webhooks/endpoints'], ['POST', '/agent/webhooks/endpoints'], ['GET', '/agent/webhooks/event-types']] as const) {
      assert.equal((await call(null, method, url, method === 'POST' ? {} : undefined)).statusCode, 401, `${method} ${url}`);
      assert.equal((await call('member', method, url, method === 'POST' ? {} : undefined)).statusCode, 403, `${method} ${url}`);
    }
  });

  test('issue 13: register, test, log, redeliver, rotate, disable and remove an endpoint over the API', async () => {
    const types = await call('agent', 'GET', '/agent/webhooks/event-types');
    assert.ok(types.json().eventTypes.includes('order.paid'));

    assert.equal((await call('agent', 'POST', '/agent/webhooks/endpoints', { url: 'http://hooks.example.com/x', eventTypes: ['order.paid'] })).statusCode, 400);
    assert.equal((await call('agent', 'POST', '/agent/webhooks/endpoints', { url: receiver.url, eventTypes: ['order.invented'] })).statusCode, 400);
    const created = await call('agent', 'POST', '/agent/webhooks/endpoints', { url: receiver.url, description: 'ERP', eventTypes: ['order.paid'] });
    assert.equal(created.statusCode, 201);
    const { endpoint, secret } = created.json();
    assert.match(secret, /^whsec_/);
    assert.equal(endpoint.state, 'enabled');
    assert.deepEqual((await call('admin', 'GET', '/agent/webhooks/endpoints')).json().endpoints.map((e: { id: string }) => e.id), [endpoint.id]);

    const tested = await call('agent', 'POST', `/agent/webhooks/endpoints/${endpoint.id}/test`);
    assert.equal(tested.statusCode, 200);
    assert.equal(tested.json().ok, true);
    assert.ok(verifyStandardWebhook(secret, receiver.received.at(-1)!, Math.floor(suite.deps().clock.nowMs() / 1000)));

    const deps = suite.deps();
    await transact(deps, (trx) => recordEvents(trx, [{ type: 'order.paid', subjectId: 'ord_http1', memberId: null, data: { totalMinor: 100 } }]));
    await runWebhookDispatch(deps);
    const log = await call('agent', 'GET', `/agent/webhooks/endpoints/${endpoint.id}/deliveries?limit=10`);
    assert.equal(log.statusCode, 200);
    const deliveries = log.json().deliveries as { id: string; eventType: string; state: string }[];
    assert.deepEqual(deliveries.map((d) => [d.eventType, d.state]), [['order.paid', 'succeeded'], ['webhook.test', 'succeeded']]);
    const detail = await call('agent', 'GET', `/agent/webhooks/deliveries/${deliveries[0]!.id}`);
    assert.equal(detail.json().attempts[0].statusCode, 204);
    assert.equal(JSON.parse(detail.json().payload).data.subjectId, 'ord_http1');
    const again = await call('agent', 'POST', `/agent/webhooks/deliveries/${deliveries[0]!.id}/redeliver`);
    assert.equal(again.json().ok, true);
    assert.equal(receiver.received.filter((r) => r.id === receiver.received.at(-1)!.id).length, 2, 'the same webhook-id again');

    const rotated = await call('admin', 'POST', `/agent/webhooks/endpoints/${endpoint.id}/rotate-secret`);
    assert.notEqual(rotated.json().secret, secret);
    assert.ok(rotated.json().endpoint.previousSecretUntil);
    assert.equal((await call('agent', 'GET', `/agent/webhooks/endpoints/${endpoint.id}/secret`)).json().secret, rotated.json().secret);

    const disabled = await call('agent', 'PATCH', `/agent/webhooks/endpoints/${endpoint.id}`, { enabled: false, eventTypes: ['order.paid', 'case.resolved'] });
    assert.equal(disabled.statusCode, 200, disabled.body);
    assert.equal(disabled.json().state, 'disabled');
    assert.deepEqual(disabled.json().eventTypes, ['case.resolved', 'order.paid']);
    assert.equal((await call('agent', 'DELETE', `/agent/webhooks/endpoints/${endpoint.id}`)).statusCode, 204);
    assert.equal((await call('agent', 'GET', `/agent/webhooks/endpoints/${endpoint.id}`)).statusCode, 404);
    assert.equal((await call('agent', 'GET', `/agent/webhooks/deliveries/${deliveries[0]!.id}`)).statusCode, 404);
  });
});
