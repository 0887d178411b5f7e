// The checks every API route gets (PL-13, PL-14, AC-9): each write declares its body, every route declares who may
// call it, and authentication, CSRF and the role are checked before the body is validated. The routes are walked
// through the OpenAPI document, so a route added later is covered without touching this file.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Fastify, { type LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { installRouteGuards } from '../../src/http/route-guards.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { createStaffUser } from '../../src/modules/accounts/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { addressSequence, signInOverHttp, type HttpSession } from '../support/http-session.ts';

const nextAddress = addressSequence(88);

type Session = HttpSession;

interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

interface JsonSchema {
  additionalProperties?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  type?: string;
}

const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Routes anyone may call: signing up and in, the email links, the public catalog, the Plus plans and checkout (guests buy
 * too), the provider sign-in, and the webhook (its signature is its authentication). Everything else is 401 to a stranger.
 */
const publicRoutes = new Set([
  'GET /api/v1/version',
  'POST /api/v1/accounts',
  'POST /api/v1/session',
  'DELETE /api/v1/session',
  'POST /api/v1/session/two-factor',
  'POST /api/v1/accounts/verify-email',
  'POST /api/v1/accounts/password-reset',
  'POST /api/v1/accounts/password-reset/confirm',
  'GET /api/v1/auth/oidc/providers',
  'GET /api/v1/auth/oidc/{provider}/start',
  'GET /api/v1/auth/oidc/{provider}/callback',
  'POST /api/v1/auth/oidc/complete',
  'GET /api/v1/store/categories',
  'GET /api/v1/store/products',
  'GET /api/v1/store/products/{productId}',
  'GET /api/v1/store/regions',
  'GET /api/v1/store/rewards',
  'GET /api/v1/membership/plans',
  'POST /api/v1/store/checkout/quote',
  'POST /api/v1/store/orders',
  'POST /api/v1/webhooks/storefront',
  // After-sales guests (AS-1, AS-12): the form with its captcha, the email confirmation, and the status link's pages
  // (the link's token is checked by the handler: a wrong one is 404).
  'GET /api/v1/cases/captcha',
  'POST /api/v1/cases',
  'POST /api/v1/cases/confirm',
  'GET /api/v1/cases/{caseId}',
  'POST /api/v1/cases/{caseId}/answer',
  'POST /api/v1/cases/{caseId}/cancel',
  'GET /api/v1/cases/{caseId}/images/{imageId}',
  // Privacy rights requests without an account (PV-1, PV-2, PV-12, PV-14, PV-3): the form, and the request's pages
  // and steps, each proven by the request's reference token (a wrong one is 404).
  'POST /api/v1/privacy/requests',
  'GET /api/v1/privacy/requests/{requestId}',
  'POST /api/v1/privacy/requests/{requestId}/verify',
  'POST /api/v1/privacy/requests/{requestId}/verification-code',
  'POST /api/v1/privacy/requests/{requestId}/confirm-agent',
  'POST /api/v1/privacy/requests/{requestId}/appeal',
  'POST /api/v1/privacy/requests/{requestId}/documents',
  // Privacy exports (PV-15, PV-16): the published schema of data.json, and the download by an emailed code (the code
  // is checked by the handler; asking for one answers the same for any ID).
  'GET /api/v1/privacy/export-schema.json',
  'POST /api/v1/privacy/exports/{exportId}/download-code',
  'GET /api/v1/privacy/exports/{exportId}/download',
  // The cookie banner (PV-23, PV-24): a visitor reads and saves their own choices, signed in or not, keyed by their
  // device ID (the cookie, or a storefront's own first-party ID).
  'GET /api/v1/privacy/consent',
  'POST /api/v1/privacy/consent',
  // Marketing (PV-27, PV-29, ST-10, NT-6): the newsletter form and its double opt-in link, the unsubscribe link
  // (GET describes, the one-click POST needs no sign-in; the signed token is checked by the handler, a wrong one is
  // 404), the tracking pixel and links, and the signed inbound SMS webhook.
  'POST /api/v1/newsletter',
  'POST /api/v1/newsletter/confirm',
  'GET /api/v1/u/{token}',
  'POST /api/v1/u/{token}',
  'GET /api/v1/m/o/{token}',
  'GET /api/v1/m/c/{token}/{index}',
  'POST /api/v1/webhooks/sms',
]);

/** The webhook forwards the platform's full payload, so its envelope ignores unknown fields (docs/WEBHOOKS.md). */
const openBodies = new Set(['POST /api/v1/webhooks/storefront', 'POST /api/v1/webhooks/sms']);

function isClosed(schema: JsonSchema | undefined): boolean {
  if (!schema) return false;
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.every((alternative) => alternative.type === 'null' || isClosed(alternative));
  return schema.additionalProperties === false;
}

/** A body no route accepts: an unknown key at the top, and deep nesting inside. */
const probeBody = JSON.stringify({ probe: { nested: [1, 2, 3] }, email: 'x', credits: 'many' });

function deepJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describeEachDatabase('HTTP route guards', (suite) => {
  let app: ZodApp;
  let operations: Operation[];
  let member: Session;
  let admin: Session;
  const password = 'guarded-routes-password-31';

  const signIn = (email: string) => signInOverHttp(app, { email, password, remoteAddress: nextAddress() });

  before(async () => {
    const deps = suite.deps();
    app = await buildApp(deps);
    await app.ready();
    const signUp = await app.inject({ method: 'POST', url: '/api/v1/accounts', payload: { email: 'guarded.member@example.com', password, country: 'US', dateOfBirth: '1990-02-03' }, remoteAddress: nextAddress() });
    assert.equal(signUp.statusCode, 201, signUp.body);
    member = await signIn('guarded.member@example.com');
    await createStaffUser(deps, { email: 'guarded.admin@example.com', password, role: 'admin' });
    admin = await signIn('guarded.admin@example.com');
    const spec = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>> };
    operations = Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ ...operation, method: method.toUpperCase() as Operation['method'], path })));
    assert.ok(operations.length > 60, `the OpenAPI document lists ${operations.length} operations`);
  });
  after(async () => app.close());

  const urlOf = (path: string) => path.replace(/\{[^}]+\}/g, 'x');
  const send = (operation: Operation, options: { who?: Session; csrf?: boolean; body?: string; query?: string }) =>
    app.inject({
      method: operation.method,
      url: `${urlOf(operation.path)}${operation.method === 'GET' ? (options.query ?? '?probe=1') : ''}`,
      remoteAddress: nextAddress(),
      ...(options.who ? { cookies: { patron_session: options.who.cookie } } : {}),
      headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(options.who && options.csrf !== false ? { 'x-csrf-token': options.who.csrfToken } : {}) },
      ...(options.body !== undefined && operation.method !== 'GET' ? { payload: options.body } : {}),
    });
  const codeOf = (response: LightMyRequestResponse) => (response.json() as { error?: { code?: string } }).error?.code;

  test('PL-13 every write route declares a body schema that refuses unknown keys (walked through the OpenAPI document)', () => {
    const writes = operations.filter((operation) => writeMethods.has(operation.method));
    assert.ok(writes.length > 30, `${writes.length} writes`);
    // A JSON body, or a multipart form (after-sales photos, http/multipart.ts) whose fields are declared the same way.
    const bodyOf = (operation: Operation) => operation.requestBody?.content?.['application/json'] ?? operation.requestBody?.content?.['multipart/form-data'];
    const missing = writes.filter((operation) => !bodyOf(operation)).map((o) => `${o.method} ${o.path}`);
    assert.deepEqual(missing, [], 'writes without a body schema');
    const open = writes
      .filter((operation) => !openBodies.has(`${operation.method} ${operation.path}`))
      .filter((operation) => !isClosed(bodyOf(operation)?.schema))
      .map((o) => `${o.method} ${o.path}`);
    assert.deepEqual(open, [], 'write bodies that accept unknown keys');
  });

  test('PL-13 a route under /api/v1 without config.auth, or a write without a body schema, is refused when it is registered', async () => {
    const probe = async (declare: (instance: ReturnType<typeof Fastify>) => void) => {
      const instance = Fastify();
      installRouteGuards(instance, { apiPrefix: '/api/v1', principalOf: async () => null });
      try {
        declare(instance);
        await instance.ready();
        return 'registered';
      } catch (error) {
        return (error as Error).message;
      } finally {
        await instance.close();
      }
    };
    assert.match(await probe((i) => i.post('/api/v1/things', { config: { auth: 'admin' } }, async () => ({}))), /POST \/api\/v1\/things is a write without a body schema/);
    assert.match(await probe((i) => i.get('/api/v1/things', async () => ({}))), /GET \/api\/v1\/things declares no config.auth/);
    assert.equal(await probe((i) => i.get('/healthz', async () => ({}))), 'registered', 'routes outside the API prefix are not ours to declare');
    assert.match(
      await probe((i) => i.post('/api/v1/things', { schema: { body: {}, consumes: ['multipart/form-data'] }, config: { auth: 'admin' } }, async () => ({}))),
      /POST \/api\/v1\/things consumes multipart\/form-data without config.multipart limits/,
    );
  });

  test('PL-13 a 5,000-deep nested JSON body on a write that takes no body is refused with 400, and nothing runs', async () => {
    const before = (await app.inject({ method: 'GET', url: '/api/v1/agent/credits/audit-runs', cookies: { patron_session: admin.cookie } })).json().runs.length;
    const deep = await app.inject({ method: 'POST', url: '/api/v1/admin/credits/audit-runs', cookies: { patron_session: admin.cookie }, headers: { 'x-csrf-token': admin.csrfToken, 'content-type': 'application/json' }, payload: deepJson(5000) });
    assert.equal(deep.statusCode, 400, deep.body);
    assert.equal(codeOf(deep), 'validation');
    const after = (await app.inject({ method: 'GET', url: '/api/v1/agent/credits/audit-runs', cookies: { patron_session: admin.cookie } })).json().runs.length;
    assert.equal(after, before, 'no audit run was started');
    const resend = await app.inject({ method: 'POST', url: '/api/v1/accounts/verify-email/resend', cookies: { patron_session: member.cookie }, headers: { 'x-csrf-token': member.csrfToken, 'content-type': 'application/json' }, payload: deepJson(5000) });
    assert.equal(resend.statusCode, 400, resend.body);
    // No body, or an empty object, is what a write without a body takes.
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/admin/credits/audit-runs', cookies: { patron_session: admin.cookie }, headers: { 'x-csrf-token': admin.csrfToken } })).statusCode, 201);
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/admin/credits/audit-runs', cookies: { patron_session: admin.cookie }, headers: { 'x-csrf-token': admin.csrfToken }, payload: {} })).statusCode, 201);
  });

  test('PL-14 AC-9 an anonymous caller with an invalid body gets 401 on every route that is not public, never 400 listing the fields', async () => {
    const wrong: string[] = [];
    for (const operation of operations) {
      const name = `${operation.method} ${operation.path}`;
      if (publicRoutes.has(name)) continue;
      const response = await send(operation, { body: probeBody });
      if (response.statusCode !== 401) wrong.push(`${name} → ${response.statusCode} ${codeOf(response)}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('AC-9 a member with an invalid body gets 403 on every staff and server-to-server route, before validation', async () => {
    const wrong: string[] = [];
    const staffOnly = operations.filter((o) => /^\/api\/v1\/(agent|admin)\//.test(o.path) || o.path === '/api/v1/store/external-orders');
    assert.ok(staffOnly.length > 25, `${staffOnly.length} staff routes`);
    for (const operation of staffOnly) {
      const response = await send(operation, { who: member, body: probeBody });
      if (response.statusCode !== 403 || codeOf(response) !== 'forbidden') wrong.push(`${operation.method} ${operation.path} → ${response.statusCode} ${codeOf(response)}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('PL-14 a cookie-authenticated write without its CSRF token is refused with 403 before the body is validated', async () => {
    const wrong: string[] = [];
    for (const operation of operations.filter((o) => writeMethods.has(o.method) && !publicRoutes.has(`${o.method} ${o.path}`))) {
      const response = await send(operation, { who: admin, csrf: false, body: probeBody });
      if (response.statusCode !== 403 || codeOf(response) !== 'csrf') wrong.push(`${operation.method} ${operation.path} → ${response.statusCode} ${codeOf(response)}`);
    }
    assert.deepEqual(wrong, []);
  });
});
