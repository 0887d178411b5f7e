// The operator API of the flows (issue 7 point 5) on both databases: staff list the runs whose compensation failed,
// with the reason, and retry one now; each retry is in the audit log; members and anonymous callers are refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { transact } from '../../src/deps.ts';
import { MINUTE_MS } from '../../src/platform/clock.ts';
import { listAuditEntries } from '../../src/modules/audit/index.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { adjustCredits } from '../../src/modules/credits/index.ts';
import * as store from '../../src/modules/store/index.ts';
import * as flows from '../../src/flows/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';
import { buildRouteHarness } from '../support/route-harness.ts';
import { checkoutOf, hangAt, refusingRefunds, stopBefore } from '../support/flow-faults.ts';

describeEachDatabase('flows HTTP', (suite) => {
  let deps: TestDeps;
  let app: Awaited<ReturnType<typeof buildRouteHarness>>;
  before(async () => {
    deps = suite.deps();
    app = await buildRouteHarness(deps, flows.registerRoutes);
  });
  after(async () => {
    await app.close();
  });

  test('ST-3 CR-12 staff see a stale checkout whose refund was refused, with the reason, and retry it now until it finishes; each retry is audited', async () => {
    const { memberId } = await createMemberForSeed(deps, { email: 'flows.http@example.com', password: 'a long password for tests', country: 'US', dateOfBirth: '1990-01-01', emailVerified: true });
    await adjustCredits(deps, { memberId, credits: 300, reasonCode: 'goodwill', note: 'test', actor: { id: 'mem_agent', role: 'agent' }, idempotencyKey: 'flows-http-gift' });
    const product = await transact(deps, (trx) => store.createProduct(trx, { id: null, role: 'system' }, { sku: 'FH-1', name: 'Flows charger', category: 'chargers', priceMinor: 2000, stock: 5 }));
    const crash = hangAt();
    void flows.checkout(
      deps,
      checkoutOf(memberId, product.id, 300),
      stopBefore(flows.checkoutFlow, 'finalize', 'run', crash.stop),
    );
    await crash.reached;
    const sandbox = deps.ports.payments;
    const flaky = refusingRefunds(sandbox);
    deps.ports.payments = flaky.gateway;
    try {
      deps.clock.advanceMs(36 * MINUTE_MS);
      await flows.resumeDueRuns(deps, flows.flowDefinitions);

      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/agent/flows/attention' })).statusCode, 401);
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/agent/flows/attention', headers: { 'x-test-role': 'member' } })).statusCode, 403);
      const listed = await app.inject({ method: 'GET', url: '/api/v1/agent/flows/attention', headers: { 'x-test-role': 'agent' } });
      assert.equal(listed.statusCode, 200);
      const runs = listed.json().runs as Array<{ id: string; type: string; key: string; state: string; failedStep: string; lastErrorCode: string; causeCode: string; reason: string; memberId: string }>;
      assert.equal(runs.length, 1);
      const run = runs[0]!;
      assert.equal(run.type, 'checkout');
      assert.equal(run.state, 'needs_attention');
      assert.equal(run.failedStep, 'capture');
      assert.equal(run.lastErrorCode, 'processing_error');
      assert.equal(run.causeCode, 'abandoned');
      assert.equal(run.memberId, memberId);
      assert.match(run.reason, /capture.*processing_error.*abandoned/);
      const orderId = run.key.slice('checkout:'.length);

      assert.equal((await app.inject({ method: 'POST', url: `/api/v1/agent/flows/runs/${run.id}/retry`, headers: { 'x-test-role': 'member' }, payload: {} })).statusCode, 403);
      assert.equal((await app.inject({ method: 'POST', url: `/api/v1/agent/flows/runs/${run.id}/retry`, headers: { 'x-test-role': 'agent' }, payload: { force: true } })).statusCode, 400);
      const stillRefused = await app.inject({ method: 'POST', url: `/api/v1/agent/flows/runs/${run.id}/retry`, headers: { 'x-test-role': 'agent' }, payload: {} });
      assert.equal(stillRefused.statusCode, 200);
      assert.equal(stillRefused.json().state, 'needs_attention');
      assert.equal((await store.getOrderDetail(deps, orderId)).status, 'pending_payment');

      flaky.recover();
      const retried = await app.inject({ method: 'POST', url: `/api/v1/agent/flows/runs/${run.id}/retry`, headers: { 'x-test-role': 'admin' }, payload: {} });
      assert.equal(retried.statusCode, 200);
      assert.deepEqual(retried.json(), { id: run.id, state: 'compensated', lastErrorCode: 'processing_error' });
      assert.equal((await store.getOrderDetail(deps, orderId)).status, 'abandoned');

      const again = await app.inject({ method: 'POST', url: `/api/v1/agent/flows/runs/${run.id}/retry`, headers: { 'x-test-role': 'agent' }, payload: {} });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().error.code, 'invalid_state');
      assert.equal((await app.inject({ method: 'POST', url: '/api/v1/agent/flows/runs/flw_missing/retry', headers: { 'x-test-role': 'agent' }, payload: {} })).statusCode, 404);
      const empty = await app.inject({ method: 'GET', url: '/api/v1/agent/flows/attention', headers: { 'x-test-role': 'agent' } });
      assert.deepEqual(empty.json().runs, []);

      const audit = (await listAuditEntries(deps, { memberId, limit: 20 })).filter((entry) => entry.action === 'flows.run.retried');
      assert.equal(audit.length, 2);
      assert.deepEqual(
        audit.map((entry) => [entry.actor.role, entry.subject, entry.details.state]),
        [
          ['admin', run.id, 'compensated'],
          ['agent', run.id, 'needs_attention'],
        ],
      );
    } finally {
      deps.ports.payments = sandbox;
    }
  });
});
