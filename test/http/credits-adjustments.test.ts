// Staff adjustments over HTTP (CR-21): only for members that exist, never of one's own credits, and above the
// policy's threshold only with a second staff member's approval, both recorded (request row and audit log).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { createStaffUser } from '../../src/modules/accounts/index.ts';
import { listAuditEntries } from '../../src/modules/audit/index.ts';
import { getBalance, runCreditsAudit } from '../../src/modules/credits/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { addressSequence, signInOverHttp, type HttpSession } from '../support/http-session.ts';

const nextAddress = addressSequence(91);

describeEachDatabase('credits adjustments: four eyes', (suite) => {
  let app: ZodApp;
  let member: HttpSession;
  let agent: HttpSession;
  let admin: HttpSession;
  let keyCounter = 0;
  const password = 'four-eyes-adjustments-52';

  const signIn = (email: string) => signInOverHttp(app, { email, password, remoteAddress: nextAddress() });

  before(async () => {
    const deps = suite.deps();
    app = await buildApp(deps);
    await app.ready();
    const signUp = await app.inject({ method: 'POST', url: '/api/v1/accounts', payload: { email: 'four.eyes@example.com', password, country: 'US', dateOfBirth: '1990-02-03' }, remoteAddress: nextAddress() });
    assert.equal(signUp.statusCode, 201, signUp.body);
    member = await signIn('four.eyes@example.com');
    await createStaffUser(deps, { email: 'eyes.agent@example.com', password, role: 'agent' });
    await createStaffUser(deps, { email: 'eyes.admin@example.com', password, role: 'admin' });
    agent = await signIn('eyes.agent@example.com');
    admin = await signIn('eyes.admin@example.com');
  });
  after(async () => app.close());

  const call = (who: HttpSession, method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}) =>
    app.inject({ method, url: `/api/v1${url}`, cookies: { patron_session: who.cookie }, headers: { ...(method === 'GET' ? {} : { 'x-csrf-token': who.csrfToken }), ...headers }, ...(payload ? { payload } : {}) });
  const adjust = (who: HttpSession, memberId: string, credits: number, key = `eyes-key-${++keyCounter}`) =>
    call(who, 'POST', `/agent/members/${memberId}/credits/adjustments`, { credits, reasonCode: 'goodwill', note: 'Sorry about the parcel' }, { 'idempotency-key': key });
  const codeOf = (response: LightMyRequestResponse) => (response.json() as { error: { code: string } }).error.code;
  const available = async (memberId: string) => (await getBalance(suite.deps(), memberId)).available;

  test('CR-21 LG-2 an adjustment for a member ID that names nobody, or a staff user, is 404 and the ledger gets no account for it', async () => {
    const before = await runCreditsAudit(suite.deps());
    for (const memberId of ['mem_doesnotexist000000000000', admin.memberId]) {
      const response = await adjust(agent, memberId, 50);
      assert.equal(response.statusCode, 404, response.body);
      assert.equal(codeOf(response), 'not_found');
      const big = await adjust(agent, memberId, 50_000);
      assert.equal(big.statusCode, 404, 'above the threshold too: no request is recorded for nobody');
    }
    const afterRun = await runCreditsAudit(suite.deps());
    assert.equal(afterRun.membersChecked, before.membersChecked, 'the auditor counts no new member');
    assert.equal(afterRun.ok, true, JSON.stringify(afterRun.problems));
  });

  test('CR-21 an external order recorded by staff for a member ID that names nobody is 404', async () => {
    const response = await call(agent, 'POST', '/store/external-orders', {
      source: 'amazon', marketplace: 'US', externalOrderId: '111-2223334-4445556', memberId: 'mem_doesnotexist000000000000', purchasedAt: '2026-02-01T10:00:00Z', totalMinor: 1999, items: [{ name: 'Power bank', quantity: 1 }],
    });
    assert.equal(response.statusCode, 404, response.body);
    const ok = await call(agent, 'POST', '/store/external-orders', {
      source: 'amazon', marketplace: 'US', externalOrderId: '111-2223334-4445557', memberId: member.memberId, purchasedAt: '2026-02-01T10:00:00Z', totalMinor: 1999, items: [{ name: 'Power bank', quantity: 1 }],
    });
    assert.equal(ok.statusCode, 201, ok.body);
  });

  test('CR-21 staff cannot adjust their own account, by any amount', async () => {
    for (const who of [agent, admin]) {
      for (const credits of [10, -10, 1_000_000]) {
        const response = await adjust(who, who.memberId, credits);
        assert.equal(response.statusCode, 403, response.body);
        assert.equal(codeOf(response), 'forbidden');
      }
    }
  });

  test('CR-21 an adjustment above the policy threshold waits for a second staff member; the requester cannot approve it; the approval posts it, both recorded', async () => {
    const deps = suite.deps();
    const start = await available(member.memberId);
    const within = await adjust(agent, member.memberId, 1000);
    assert.equal(within.statusCode, 201, 'at the threshold (1,000 by default) it posts at once');
    const key = 'eyes-big-key-1';
    const requested = await adjust(agent, member.memberId, 5000, key);
    assert.equal(requested.statusCode, 202, requested.body);
    const pending = requested.json();
    assert.equal(pending.status, 'pending');
    assert.equal(pending.requestedBy, agent.memberId);
    assert.equal(pending.thresholdCredits, 1000);
    assert.match(pending.id, /^adr_/);
    assert.equal(await available(member.memberId), start + 1000, 'nothing is posted yet');
    const replay = await adjust(agent, member.memberId, 5000, key);
    assert.equal(replay.statusCode, 202);
    assert.equal(replay.json().id, pending.id, 'a retried request finds the first one');
    assert.equal((await adjust(agent, member.memberId, 5001, key)).statusCode, 409, 'the same key with another amount conflicts');

    const queue = await call(admin, 'GET', '/agent/credits/adjustment-requests?status=pending');
    assert.equal(queue.statusCode, 200, queue.body);
    assert.deepEqual(queue.json().requests.map((r: { id: string }) => r.id), [pending.id]);

    const own = await call(agent, 'POST', `/agent/credits/adjustment-requests/${pending.id}/approve`, {});
    assert.equal(own.statusCode, 403, own.body);
    assert.equal((await call(member, 'POST', `/agent/credits/adjustment-requests/${pending.id}/approve`, {})).statusCode, 403, 'members decide nothing');

    const approved = await call(admin, 'POST', `/agent/credits/adjustment-requests/${pending.id}/approve`, { note: 'Checked the ticket' });
    assert.equal(approved.statusCode, 200, approved.body);
    const decided = approved.json();
    assert.equal(decided.status, 'approved');
    assert.equal(decided.decidedBy, admin.memberId);
    assert.ok(decided.transactionId);
    assert.equal(await available(member.memberId), start + 6000);
    assert.equal((await call(admin, 'POST', `/agent/credits/adjustment-requests/${pending.id}/approve`, {})).statusCode, 409, 'approved once only');
    assert.equal(await available(member.memberId), start + 6000);

    const history = (await call(agent, 'GET', `/agent/members/${member.memberId}/credits/history`)).json();
    assert.deepEqual(history.entries[0].adjustment, { reasonCode: 'goodwill', note: 'Sorry about the parcel', actorId: agent.memberId, actorRole: 'agent' });
    const audit = await listAuditEntries(deps, { memberId: member.memberId, limit: 50 });
    const about = audit.filter((e) => e.subject === `credit-adjustment-request:${pending.id}`);
    assert.deepEqual(about.map((e) => [e.action, e.actor.id]).sort(), [['credits.adjustment_approved', admin.memberId], ['credits.adjustment_requested', agent.memberId]].sort());
    assert.ok(audit.some((e) => e.action === 'credits.adjusted' && e.details.transactionId === decided.transactionId && e.details.approvedBy === admin.memberId));
    for (const entry of about) assert.equal(entry.details.note, undefined, 'audit entries carry IDs and codes, not the notes');
  });

  test('CR-21 a rejected request posts nothing, and a rejection says why', async () => {
    const start = await available(member.memberId);
    const requested = await adjust(admin, member.memberId, -2000);
    assert.equal(requested.statusCode, 202, requested.body);
    const id = requested.json().id;
    assert.equal((await call(agent, 'POST', `/agent/credits/adjustment-requests/${id}/reject`, {})).statusCode, 400);
    const rejected = await call(agent, 'POST', `/agent/credits/adjustment-requests/${id}/reject`, { note: 'Not backed by the ticket' });
    assert.equal(rejected.statusCode, 200, rejected.body);
    assert.equal(rejected.json().status, 'rejected');
    assert.equal(rejected.json().decisionNote, 'Not backed by the ticket');
    assert.equal(rejected.json().transactionId, null);
    assert.equal(await available(member.memberId), start);
    assert.equal((await call(admin, 'POST', `/agent/credits/adjustment-requests/${id}/approve`, {})).statusCode, 409, 'a rejected request cannot be approved later');
    assert.equal((await call(agent, 'POST', '/agent/credits/adjustment-requests/adr_doesnotexist/approve', {})).statusCode, 404);
  });

  test('CR-6 CR-21 the approval threshold is a bounded policy setting; a publish that leaves it out keeps the current value', async () => {
    const [current] = (await call(agent, 'GET', '/agent/credits/policies')).json().policies;
    const { version, publishedAt, publishedBy, adjustmentApprovalThresholdCredits, ...settings } = current;
    assert.ok(version >= 1 && publishedAt && publishedBy !== undefined);
    assert.equal(adjustmentApprovalThresholdCredits, 1000);
    assert.equal((await call(admin, 'POST', '/admin/credits/policies', { ...settings, adjustmentApprovalThresholdCredits: 100_001, note: null })).statusCode, 400, 'four-eyes cannot be switched off');
    const stricter = await call(admin, 'POST', '/admin/credits/policies', { ...settings, adjustmentApprovalThresholdCredits: 100, note: 'Stricter four-eyes' });
    assert.equal(stricter.statusCode, 201, stricter.body);
    assert.equal((await adjust(agent, member.memberId, 150)).statusCode, 202);
    const kept = await call(admin, 'POST', '/admin/credits/policies', { ...settings, note: 'Other settings only' });
    assert.equal(kept.statusCode, 201, kept.body);
    assert.equal(kept.json().adjustmentApprovalThresholdCredits, 100);
    assert.equal((await call(admin, 'POST', '/admin/credits/policies', { ...settings, adjustmentApprovalThresholdCredits: 1000, note: 'Back to the default' })).statusCode, 201);
  });

  test('LG-2 the ledger auditor finds no difference after the four-eyes suite', async () => {
    const report = await runCreditsAudit(suite.deps());
    assert.equal(report.ok, true, JSON.stringify(report.problems));
  });
});
