// The agent erasure routes (PV-18) through the app's own guards, on both databases: admins only (agents and members
// refused), unknown keys refused, the answer is the erasure report, GET reads it back, and the erasure is in the
// audit log with the admin as actor (PV-33).
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { transact } from '../../src/deps.ts';
import * as accounts from '../../src/modules/accounts/index.ts';
import { listAuditEntries } from '../../src/modules/audit/index.ts';
import { registerRoutes } from '../../src/flows/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { buildRouteHarness } from '../support/route-harness.ts';

describeEachDatabase('privacy erasure routes', (suite) => {
  let app: Awaited<ReturnType<typeof buildRouteHarness>>;
  let memberId: string;
  before(async () => {
    app = await buildRouteHarness(suite.deps(), registerRoutes);
    ({ memberId } = await transact(suite.deps(), (trx) => accounts.createMemberForSeed(trx, { email: 'route.subject@example.com', password: 'pw-route-subject-1', country: 'US', dateOfBirth: '1985-05-05', firstName: 'Routa', lastName: 'Subjecta', emailVerified: true })));
  });

  const post = (role: string | null, payload: unknown) => app.inject({ method: 'POST', url: '/api/v1/agent/privacy/erasures', headers: role ? { 'x-test-role': role, 'x-test-member': 'mem_admin1' } : {}, payload: payload as object });

  test('PV-18 only an admin erases; agents, members and anonymous callers are refused; unknown keys are refused', async () => {
    assert.equal((await post(null, { memberId, reason: 'agent' })).statusCode, 401);
    assert.equal((await post('member', { memberId, reason: 'agent' })).statusCode, 403);
    assert.equal((await post('agent', { memberId, reason: 'agent' })).statusCode, 403);
    assert.equal((await post('admin', { memberId, reason: 'agent', note: 'x' })).statusCode, 400);
    assert.equal((await post('admin', { memberId: 'mem_unknown', reason: 'agent' })).statusCode, 404);
  });

  test('PV-18 PV-33 an admin erases a member: the report answers, GET reads it back, the audit log names the admin', async () => {
    const erased = await post('admin', { memberId, reason: 'agent' });
    assert.equal(erased.statusCode, 200, erased.body);
    const report = erased.json();
    assert.equal(report.memberId, memberId);
    assert.ok(report.anonymized.some((entry: { table: string }) => entry.table === 'members'));
    assert.ok(report.kept.every((entry: { legalBasis: string; until: string }) => entry.legalBasis.length > 10 && /^\d{4}-\d{2}-\d{2}$/.test(entry.until)));
    const read = await app.inject({ method: 'GET', url: `/api/v1/agent/privacy/erasures/${report.erasureId}`, headers: { 'x-test-role': 'admin' } });
    assert.equal(read.statusCode, 200);
    assert.deepEqual(read.json(), report);
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/agent/privacy/erasures/${report.erasureId}`, headers: { 'x-test-role': 'agent' } })).statusCode, 403);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/agent/privacy/erasures/per_missing', headers: { 'x-test-role': 'admin' } })).statusCode, 404);
    const entry = (await listAuditEntries(suite.deps(), { memberId, limit: 50 })).find((e) => e.action === 'privacy.erasure.completed');
    assert.ok(entry, 'the erasure is audited');
    assert.deepEqual(entry.actor, { id: 'mem_admin1', role: 'admin' });
  });
});
