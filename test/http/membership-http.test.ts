// The membership HTTP surface through inject (MB-1, MB-2, MB-6, MB-10, MB-11, PL-4, PL-13, PL-15): plans, joining
// with an Idempotency-Key, a declined card, the membership page's data, cancel with its confirmation, the agent's
// view with the status at a moment, and the admin's policy bounds.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { createStaffUser } from '../../src/modules/accounts/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';

interface Session {
  memberId: string;
  headers: Record<string, string>;
}

let addressCounter = 0;
const nextAddress = () => `10.88.${Math.floor(++addressCounter / 250)}.${(addressCounter % 250) + 1}`;
const password = 'lantern-harbor-plus-77';

describeEachDatabase('membership HTTP', (suite) => {
  let app: ZodApp;
  let agent: Session;
  let admin: Session;

  async function signIn(email: string): Promise<Session> {
    const response = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password }, remoteAddress: nextAddress() });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as { member: { id: string }; csrfToken: string };
    const cookie = response.cookies.find((c) => c.name === 'patron_session')!.value;
    return { memberId: body.member.id, headers: { cookie: `patron_session=${cookie}`, 'x-csrf-token': body.csrfToken } };
  }

  let counter = 0;
  async function newMember(): Promise<Session> {
    const email = `plus.http.${++counter}@example.com`;
    const created = await app.inject({ method: 'POST', url: '/api/v1/accounts', payload: { email, password, country: 'US', dateOfBirth: '1990-02-03' }, remoteAddress: nextAddress() });
    assert.equal(created.statusCode, 201, created.body);
    return signIn(email);
  }

  before(async () => {
    const deps = suite.deps();
    app = await buildApp(deps);
    await app.ready();
    await createStaffUser(deps, { email: 'plus.agent@example.com', password, role: 'agent' });
    await createStaffUser(deps, { email: 'plus.admin@example.com', password, role: 'admin' });
    agent = await signIn('plus.agent@example.com');
    admin = await signIn('plus.admin@example.com');
  });

  test('MB-1 the plans and prices are public', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/membership/plans' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json().monthly, { priceMinor: 999, listPriceMinor: 1500, currency: 'USD' });
    assert.deepEqual(response.json().annual, { priceMinor: 9999, listPriceMinor: 13500, currency: 'USD' });
  });

  test('MB-2 PL-4 joining needs an Idempotency-Key; a retry with the same key gets the first answer and is charged once', async () => {
    const member = await newMember();
    const join = (key?: string) =>
      app.inject({ method: 'POST', url: '/api/v1/me/membership', headers: { ...member.headers, ...(key ? { 'idempotency-key': key } : {}) }, payload: { plan: 'annual', paymentToken: 'tok_approve' } });
    assert.equal((await join()).statusCode, 400);
    const first = await join('join-plus-key-0001');
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.json().subscription.state, 'active');
    const again = await join('join-plus-key-0001');
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.json().subscription.id, first.json().subscription.id);
    const other = await join('join-plus-key-0002');
    assert.equal(other.statusCode, 409, 'a second membership is refused');
    const page = await app.inject({ method: 'GET', url: '/api/v1/me/membership', headers: member.headers });
    assert.equal(page.statusCode, 200);
    const view = page.json();
    assert.equal(view.plusActive, true);
    assert.equal(view.plan, 'annual');
    assert.equal(view.periods.length, 1, 'charged once');
    assert.equal(view.nextRenewal.priceMinor, 9999);
    assert.equal(view.nextRenewal.at, view.subscription.currentPeriodEndsAt);
  });

  test('MB-2 a declined card answers 402 with the gateway’s reason and no membership', async () => {
    const member = await newMember();
    const response = await app.inject({ method: 'POST', url: '/api/v1/me/membership', headers: { ...member.headers, 'idempotency-key': 'join-declined-0001' }, payload: { plan: 'monthly', paymentToken: 'tok_decline' } });
    assert.equal(response.statusCode, 402);
    assert.equal(response.json().outcome, 'declined');
    assert.equal(response.json().payment.code, 'card_declined');
    const page = await app.inject({ method: 'GET', url: '/api/v1/me/membership', headers: member.headers });
    assert.equal(page.json().subscription, null);
  });

  test('MB-6 cancel needs the explicit confirmation that benefits end now and nothing is refunded', async () => {
    const member = await newMember();
    await app.inject({ method: 'POST', url: '/api/v1/me/membership', headers: { ...member.headers, 'idempotency-key': 'join-cancel-0001' }, payload: { plan: 'monthly', paymentToken: 'tok_approve' } });
    const unconfirmed = await app.inject({ method: 'POST', url: '/api/v1/me/membership/cancel', headers: member.headers, payload: {} });
    assert.equal(unconfirmed.statusCode, 400);
    const canceled = await app.inject({ method: 'POST', url: '/api/v1/me/membership/cancel', headers: member.headers, payload: { confirm: true } });
    assert.equal(canceled.statusCode, 200, canceled.body);
    assert.equal(canceled.json().state, 'canceled');
    const page = await app.inject({ method: 'GET', url: '/api/v1/me/membership', headers: member.headers });
    assert.equal(page.json().plusActive, false);
    assert.equal(page.json().nextRenewal, null);
  });

  test('MB-10 MB-11 PL-15 agents see a member’s membership and its status at a moment; members and unknown IDs do not', async () => {
    const member = await newMember();
    const joined = await app.inject({ method: 'POST', url: '/api/v1/me/membership', headers: { ...member.headers, 'idempotency-key': 'join-agent-0001' }, payload: { plan: 'annual', paymentToken: 'tok_approve' } });
    const at = joined.json().subscription.createdAt as string;
    const view = await app.inject({ method: 'GET', url: `/api/v1/agent/members/${member.memberId}/membership`, headers: agent.headers });
    assert.equal(view.statusCode, 200);
    assert.equal(view.json().history[0].event, 'joined');
    const later = new Date(Date.parse(at) + 60_000).toISOString();
    const status = await app.inject({ method: 'GET', url: `/api/v1/agent/members/${member.memberId}/membership/status-at?time=${encodeURIComponent(later)}`, headers: agent.headers });
    assert.equal(status.statusCode, 200);
    assert.equal(status.json().plan, 'annual');
    assert.equal(status.json().priority, true);
    const before = new Date(Date.parse(at) - 60_000).toISOString();
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/agent/members/${member.memberId}/membership/status-at?time=${encodeURIComponent(before)}`, headers: agent.headers })).json().plan, null);
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/agent/members/${member.memberId}/membership`, headers: member.headers })).statusCode, 403);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/agent/members/mem_nobody/membership', headers: agent.headers })).statusCode, 404);
  });

  test('PL-13 a membership policy out of bounds is a 400 naming the field, not a 500', async () => {
    const current = (await app.inject({ method: 'GET', url: '/api/v1/agent/membership/policies', headers: admin.headers })).json().policies[0].settings;
    const bad = await app.inject({ method: 'POST', url: '/api/v1/admin/membership/policies', headers: admin.headers, payload: { settings: { ...current, annualReminderLeadMs: 5 * 86_400_000 }, note: 'too short a notice' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /annualReminderLeadMs/);
    const good = await app.inject({ method: 'POST', url: '/api/v1/admin/membership/policies', headers: admin.headers, payload: { settings: { ...current, monthly: { priceMinor: 1099, listPriceMinor: 1500 } }, note: 'new monthly price' } });
    assert.equal(good.statusCode, 201, good.body);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/membership/plans' })).json().monthly.priceMinor, 1099);
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/admin/membership/policies', headers: agent.headers, payload: { settings: current, note: null } })).statusCode, 403);
  });
});
