// Drill (b), issue 13: an error that means the database cannot be reached now is told apart from a bug, and the one
// error handler answers it with 503, the problem body and Retry-After (PL-9) instead of a masked 500.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { isDatabaseUnavailable } from '../../src/db/unavailable.ts';
import { installErrorHandler } from '../../src/http/error-handler.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

test('PL-9 connection failures, PostgreSQL shutdown states and node-postgres lost-connection messages mean "database unavailable"; other errors do not', () => {
  assert.equal(isDatabaseUnavailable(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')), true);
  assert.equal(isDatabaseUnavailable(withCode('terminating connection due to administrator command', '57P01')), true);
  assert.equal(isDatabaseUnavailable(withCode('the database system is starting up', '57P03')), true);
  assert.equal(isDatabaseUnavailable(withCode('connection failure', '08006')), true);
  assert.equal(isDatabaseUnavailable(new Error('Connection terminated unexpectedly')), true);
  assert.equal(isDatabaseUnavailable(new Error('wrapped', { cause: withCode('read ECONNRESET', 'ECONNRESET') })), true);
  assert.equal(isDatabaseUnavailable(new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')])), true);
  assert.equal(isDatabaseUnavailable(withCode('duplicate key value violates unique constraint', '23505')), false);
  assert.equal(isDatabaseUnavailable(withCode('SQLITE_BUSY: database is locked', 'SQLITE_BUSY')), false);
  assert.equal(isDatabaseUnavailable(new TypeError('x is undefined')), false);
  assert.equal(isDatabaseUnavailable(undefined), false);
});

test('PL-9 the error handler answers "database unavailable" with 503, the problem body and Retry-After; other errors stay a masked 500', async () => {
  const app = Fastify();
  installErrorHandler(app);
  app.get('/down', async () => {
    throw withCode('terminating connection due to administrator command', '57P01');
  });
  app.get('/bug', async () => {
    throw new TypeError('x is undefined');
  });
  const down = await app.inject({ method: 'GET', url: '/down' });
  assert.equal(down.statusCode, 503);
  assert.equal(down.headers['retry-after'], '5');
  const body = down.json() as { error: { code: string; message: string; requestId: string } };
  assert.equal(body.error.code, 'unavailable');
  assert.match(body.error.message, /database cannot be reached/);
  assert.ok(body.error.requestId);
  assert.doesNotMatch(down.body, /administrator command/, 'no internal detail');
  const bug = await app.inject({ method: 'GET', url: '/bug' });
  assert.equal(bug.statusCode, 500);
  assert.equal(bug.headers['retry-after'], undefined);
  await app.close();
});
