import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { buildApp } from '../../src/app.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { AppError } from '../../src/platform/errors.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { describeEachDatabase } from '../support/each-database.ts';

describeEachDatabase('HTTP platform', (suite) => {
  let app: ZodApp;
  before(async () => {
    app = await buildApp(suite.deps());
    app.get('/test/boom', async () => {
      throw new Error('relation "secret_table" does not exist at /srv/patron/src/x.ts:12');
    });
    app.get('/test/app-error', async () => {
      throw new AppError('conflict', 'That is already taken.', { field: 'email' });
    });
    app.post('/test/echo', { schema: { body: z.strictObject({ name: z.string().max(5) }), response: { 200: z.object({ name: z.string() }) } } }, async (request) => ({
      name: request.body.name,
      internal: 'must not leak',
    }));
    await app.ready();
  });
  after(async () => app.close());

  test('PL-9 an unexpected exception is a masked 500 with the request ID and no internals', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/boom' });
    assert.equal(response.statusCode, 500);
    const body = response.json() as { error: { code: string; message: string; requestId: string } };
    assert.equal(body.error.code, 'internal');
    assert.match(body.error.requestId, /^req_/);
    assert.equal(response.headers['x-request-id'], body.error.requestId);
    assert.doesNotMatch(response.body, /secret_table|\/srv\/|stack|\.ts:/);
  });

  test('PL-9 an AppError keeps its code, message and details with a fitting status', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/app-error' });
    assert.equal(response.statusCode, 409);
    assert.deepEqual(response.json().error.details, { field: 'email' });
    assert.equal(response.json().error.message, 'That is already taken.');
  });

  test('PL-13 unknown fields and oversize values are refused with field details; responses pass through their schema', async () => {
    const unknown = await app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'ann', admin: true } });
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().error.code, 'validation');
    const long = await app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'abcdefgh' } });
    assert.equal(long.statusCode, 400);
    assert.equal(long.json().error.details[0].path, 'body.name');
    const ok = await app.inject({ method: 'POST', url: '/test/echo', payload: { name: 'ann' } });
    assert.deepEqual(ok.json(), { name: 'ann' });
    const badJson = await app.inject({ method: 'POST', url: '/test/echo', payload: '{"name":', headers: { 'content-type': 'application/json' } });
    assert.equal(badJson.statusCode, 400);
    assert.equal(badJson.json().error.code, 'bad_request');
  });

  test('PL-9 unknown routes answer 404 in the one error shape', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error.code, 'not_found');
  });

  test('PL-9 the OpenAPI document is served and describes the API', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    assert.equal(response.statusCode, 200);
    const document = response.json() as { openapi: string; paths: Record<string, unknown> };
    assert.equal(document.openapi, '3.1.0');
    assert.ok(Object.keys(document.paths).some((path) => path.startsWith('/api/v1/')));
    const reference = await app.inject({ method: 'GET', url: '/api/v1/docs/' });
    assert.equal(reference.statusCode, 200);
  });

  test('PL-12 health, readiness and metrics answer', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).json().status, 'ready');
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /patron_http_request_duration_seconds/);
  });

  test('PL-12 each answered request is one info line with its path only (no query), and none when the level is above info', async () => {
    for (const level of ['info', 'warn']) {
      const lines: Array<{ msg: string; method?: string; url?: string; status?: number; ms?: number }> = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString('utf8')));
          done();
        },
      });
      const logged = await buildApp({ ...suite.deps(), logger: createLogger(level, sink) });
      try {
        const response = await logged.inject({ method: 'GET', url: '/healthz?token=secret-in-query' });
        assert.equal(response.statusCode, 200);
        const requestLines = lines.filter((line) => line.msg === 'request');
        if (level === 'warn') {
          assert.deepEqual(requestLines, []);
          continue;
        }
        assert.equal(requestLines.length, 1);
        assert.equal(requestLines[0]!.method, 'GET');
        assert.equal(requestLines[0]!.url, '/healthz');
        assert.equal(requestLines[0]!.status, 200);
        assert.equal(typeof requestLines[0]!.ms, 'number');
        assert.doesNotMatch(JSON.stringify(lines), /secret-in-query/);
      } finally {
        await logged.close();
      }
    }
  });

  test('PL-14 security headers are set', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    assert.match(String(response.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(response.headers['x-frame-options'], 'DENY');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    // The same on an error answer and on a second request (the headers are built once, at startup).
    const missing = await app.inject({ method: 'GET', url: '/api/v1/no-such-route' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.headers['content-security-policy'], response.headers['content-security-policy']);
    assert.equal(missing.headers['x-frame-options'], 'DENY');
    assert.equal(missing.headers['x-powered-by'], undefined);
  });

  test('PL-1 the clock API exists only in simulated mode and only for admins', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/admin/clock/advance', payload: { duration: '1d' } });
    assert.equal(response.statusCode, 401);
  });
});

test('PL-1 in system-clock mode the clock API does not exist', async () => {
  const { createTestDeps } = await import('../support/deps.ts');
  const { createSystemClock } = await import('../../src/platform/clock.ts');
  const deps = await createTestDeps('sqlite');
  const app = await buildApp({ ...deps, clock: createSystemClock() });
  try {
    const response = await app.inject({ method: 'POST', url: '/api/v1/admin/clock/advance', payload: { duration: '1d' } });
    assert.equal(response.statusCode, 404);
  } finally {
    await app.close();
    await deps.database.dispose();
  }
});
