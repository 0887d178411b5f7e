// HTTP idempotency as platform code (PL-4, src/http/idempotency.ts) on both databases, through a probe route that
// answers with how many times its work ran: replay, conflict, callers kept apart, the lease on a crashed request,
// freed keys after a failure, the lifetime and the prune job, and the migration of the store's old records.
import assert from 'node:assert/strict';
import { before, after, test } from 'node:test';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { tables } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { AppError } from '../../src/platform/errors.ts';
import { DAY_MS } from '../../src/platform/clock.ts';
import { runDueJobs } from '../../src/modules.ts';
import { idempotencyKeyHeaders } from '../../src/http/idempotency-key.ts';
import { answerIdempotently, idempotencyKeyLifetimeMs, idempotencyLeaseMs, requestFingerprint } from '../../src/http/idempotency.ts';
import type { IdempotencyKeyRow } from '../../src/http/idempotency.table.ts';
import { buildRouteHarness } from '../support/route-harness.ts';
import { openTestDatabase, testDialects } from '../support/databases.ts';
import { migrateTestSchema } from '../support/databases.ts';
import { describeEachDatabase } from '../support/each-database.ts';

const probeBody = z.strictObject({ n: z.number().int(), email: z.string().optional(), fail: z.boolean().optional() });

function keyRows(db: Parameters<typeof tables>[0]) {
  return tables<{ idempotency_keys: IdempotencyKeyRow }>(db).selectFrom('idempotency_keys').selectAll();
}

describeEachDatabase('HTTP idempotency', (suite) => {
  let app: FastifyInstance;
  let runs = 0;
  /** When set, the next probe's work waits for it: a request that hangs, as one whose process died would. */
  let gate: Promise<void> | null = null;

  before(async () => {
    app = await buildRouteHarness(suite.deps(), (api, deps) => {
      api.post('/probe/:thing', { schema: { headers: idempotencyKeyHeaders, params: z.strictObject({ thing: z.string() }), body: probeBody }, config: { auth: 'public' } }, async (request, reply) =>
        answerIdempotently(deps, request, reply, { required: true, body: request.body, guestEmail: request.body.email }, async () => {
          const run = ++runs;
          // Only the first request after the gate is set hangs on it.
          const wait = gate;
          gate = null;
          if (wait) await wait;
          if (request.body.fail) throw new AppError('not_eligible', 'The probe refused this one.');
          return { status: 201, body: { run, thing: request.params.thing, n: request.body.n } };
        }),
      );
    });
  });
  after(async () => app.close());

  const probe = (key: string, payload: object, options: { member?: string; thing?: string } = {}) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/probe/${options.thing ?? 'a'}`,
      headers: { 'idempotency-key': key, ...(options.member ? { 'x-test-role': 'member', 'x-test-member': options.member } : {}) },
      payload,
    });

  test('PL-4 a retry with the same key and body gets the first answer, and the work runs once', async () => {
    const first = await probe('replay-key-0001', { n: 1 }, { member: 'mem_a' });
    assert.equal(first.statusCode, 201, first.body);
    const again = await probe('replay-key-0001', { n: 1 }, { member: 'mem_a' });
    assert.equal(again.statusCode, 201);
    assert.deepEqual(again.json(), first.json());
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const [row] = await keyRows(suite.deps().db).where('key', '=', 'replay-key-0001').execute();
    assert.deepEqual([row?.caller, row?.scope, row?.state, row?.member_id], ['mem_a', 'POST /api/v1/probe/:thing', 'done', 'mem_a'], 'keyed by caller and route; the member the answer is about');
  });

  test('PL-4 the same key with a different body or another URL is refused with idempotency_conflict', async () => {
    const first = await probe('conflict-key-01', { n: 1 }, { member: 'mem_a' });
    assert.equal(first.statusCode, 201);
    const otherBody = await probe('conflict-key-01', { n: 2 }, { member: 'mem_a' });
    assert.equal(otherBody.statusCode, 409);
    assert.equal(otherBody.json().error.code, 'idempotency_conflict');
    const otherUrl = await probe('conflict-key-01', { n: 1 }, { member: 'mem_a', thing: 'b' });
    assert.equal(otherUrl.json().error.code, 'idempotency_conflict');
    assert.equal(requestFingerprint({ url: '/x', body: { b: 1, a: 2 } }), requestFingerprint({ body: { a: 2, b: 1 }, url: '/x' }), 'key order is not a different request');
  });

  test('PL-4 two callers sending the same key are independent: members, guests by their email, and anonymous callers', async () => {
    const a = await probe('shared-key-0001', { n: 1 }, { member: 'mem_a' });
    const b = await probe('shared-key-0001', { n: 2 }, { member: 'mem_b' });
    assert.equal(b.statusCode, 201, b.body);
    assert.notEqual(b.json().run, a.json().run, 'the second caller’s work ran');
    const guestOne = await probe('shared-key-0001', { n: 3, email: 'one@example.com' });
    const guestTwo = await probe('shared-key-0001', { n: 4, email: 'Two@Example.com' });
    assert.equal(guestTwo.statusCode, 201, guestTwo.body);
    assert.notEqual(guestTwo.json().run, guestOne.json().run);
    const sameGuest = await probe('shared-key-0001', { n: 4, email: 'two@example.com ' });
    assert.equal(sameGuest.json().error.code, 'idempotency_conflict', 'a guest is the same caller in any letter case (whose key this is), though the body differs');
    const anonymous = await probe('shared-key-0001', { n: 5 });
    assert.equal(anonymous.statusCode, 201);
    const callers = (await keyRows(suite.deps().db).where('key', '=', 'shared-key-0001').execute()).map((row) => row.caller).sort();
    assert.equal(callers.length, 5);
    assert.ok(callers.includes('anonymous') && callers.includes('mem_a') && callers.includes('mem_b'));
    assert.ok(callers.every((caller) => !caller.includes('@')), 'no email address in the clear');
  });

  test('PL-4 a key left in progress by a crashed request answers 409 conflict during its lease and runs again after it', async () => {
    const deps = suite.deps();
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    const runsBefore = runs;
    const hanging = probe('crash-key-00001', { n: 1 }, { member: 'mem_c' });
    // Wait until the hanging request's work has begun: its in-progress record is written by then.
    while (runs === runsBefore) await new Promise((resolve) => setImmediate(resolve));
    const concurrent = await probe('crash-key-00001', { n: 1 }, { member: 'mem_c' });
    assert.equal(concurrent.statusCode, 409);
    assert.equal(concurrent.json().error.code, 'conflict');
    deps.clock.advanceMs(idempotencyLeaseMs - 1);
    assert.equal((await probe('crash-key-00001', { n: 1 }, { member: 'mem_c' })).json().error.code, 'conflict', 'still inside the lease');
    assert.equal((await probe('crash-key-00001', { n: 2 }, { member: 'mem_c' })).json().error.code, 'idempotency_conflict', 'a different request is refused even while in progress');
    deps.clock.advanceMs(1);
    const retried = await probe('crash-key-00001', { n: 1 }, { member: 'mem_c' });
    assert.equal(retried.statusCode, 201, retried.body);
    // The crashed request finishes after all: its late answer does not replace the one the retry gave.
    release();
    assert.equal((await hanging).statusCode, 201);
    const replay = await probe('crash-key-00001', { n: 1 }, { member: 'mem_c' });
    assert.deepEqual(replay.json(), retried.json());
    const [row] = await keyRows(deps.db).where('key', '=', 'crash-key-00001').execute();
    assert.deepEqual([row?.state, row?.attempt], ['done', 2]);
  });

  test('PL-4 a refused request frees its key, so the caller can correct it and retry with the same key', async () => {
    const refused = await probe('refused-key-001', { n: 1, fail: true }, { member: 'mem_d' });
    assert.equal(refused.statusCode, 422);
    const corrected = await probe('refused-key-001', { n: 1 }, { member: 'mem_d' });
    assert.equal(corrected.statusCode, 201, corrected.body);
  });

  test('PL-4 a key counts as new after its lifetime and the daily prune job deletes it', async () => {
    const deps = suite.deps();
    const first = await probe('lifetime-key-01', { n: 1 }, { member: 'mem_e' });
    deps.clock.advanceMs(idempotencyKeyLifetimeMs - 1);
    assert.deepEqual((await probe('lifetime-key-01', { n: 1 }, { member: 'mem_e' })).json(), first.json(), 'replayed within its lifetime');
    await probe('lifetime-key-02', { n: 1 }, { member: 'mem_e' });
    deps.clock.advanceMs(1);
    const reused = await probe('lifetime-key-01', { n: 9 }, { member: 'mem_e' });
    assert.equal(reused.statusCode, 201, 'past its lifetime the key is free for a new request');
    assert.equal(idempotencyKeyLifetimeMs, DAY_MS);
    deps.clock.advanceMs(DAY_MS);
    await runDueJobs(deps);
    assert.deepEqual(await keyRows(deps.db).where('key', 'like', 'lifetime-key-%').execute(), [], 'pruned after their lifetime');
  });
});

for (const dialect of testDialects()) {
  test(`PL-4 PL-6 migration 0551 moves the store's idempotency records to the platform's table, and their first answers still replay [${dialect}]`, async () => {
    const database = await openTestDatabase(dialect, { migrateBefore: '0551' });
    try {
      const createdAtMs = 1_772_470_800_000;
      const url = '/api/v1/store/rewards/rwd_1/redeem';
      const requestHash = requestFingerprint({ url, body: { quantity: 1 } });
      await tables<{ store_idempotency_keys: Record<string, unknown> }>(database.db)
        .insertInto('store_idempotency_keys')
        .values([
          { scope: 'mem_1:redeem', key: 'old-key-00001', request_hash: requestHash, state: 'done', response_status: 201, response_body: '{"id":"ord_9"}', created_at_ms: createdAtMs },
          { scope: 'mem_2:agent-refund', key: 'old-key-00002', request_hash: 'h2', state: 'in_progress', response_status: null, response_body: null, created_at_ms: createdAtMs },
          { scope: 'guest:pat@example.com:place-order', key: 'old-key-00003', request_hash: 'h3', state: 'done', response_status: 201, response_body: '{}', created_at_ms: createdAtMs },
        ])
        .execute();
      await migrateTestSchema(dialect, () => migrateToLatest(database.db));
      const rows = (await keyRows(database.db).orderBy('key').execute()).map((row) => ({ ...row }));
      assert.deepEqual(rows, [
        { caller: 'mem_1', scope: 'POST /api/v1/store/rewards/:rewardId/redeem', key: 'old-key-00001', request_hash: requestHash, state: 'done', attempt: 1, locked_until_ms: null, response_status: 201, response_body: '{"id":"ord_9"}', member_id: 'mem_1', created_at_ms: createdAtMs },
        { caller: 'mem_2', scope: 'POST /api/v1/agent/store/orders/:orderId/refunds', key: 'old-key-00002', request_hash: 'h2', state: 'in_progress', attempt: 1, locked_until_ms: createdAtMs + idempotencyLeaseMs, response_status: null, response_body: null, member_id: null, created_at_ms: createdAtMs },
      ], 'guests’ records, which hold an email address, are not carried over');
      await assert.rejects(sql`select key from store_idempotency_keys`.execute(database.db));
    } finally {
      await database.dispose();
    }
  });
}
