// The credits HTTP surface through inject: member balance and history (CR-20), the agent ledger view, point in time
// (LG-4), adjustments (CR-21) with idempotency (LG-3), policy versions (CR-6), auditor runs (LG-5), and no transfer,
// merge or cash-out route anywhere (CR-19).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { buildApp } from '../../src/app.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { createMemberForSeed, createStaffUser } from '../../src/modules/accounts/index.ts';
import * as credits from '../../src/modules/credits/index.ts';
import { earnForOrder, getBalance, grantBonus } from '../../src/modules/credits/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { DAY_MS, MINUTE_MS } from './../modules/credits-fixtures.ts';

interface Session {
  memberId: string;
  cookie: string;
  csrfToken: string;
}

let addressCounter = 0;
const nextAddress = () => {
  addressCounter++;
  return `10.77.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
};

describeEachDatabase('credits HTTP', (suite) => {
  let app: ZodApp;
  let member: Session;
  let agent: Session;
  let admin: Session;
  const password = 'lantern-harbor-credits-77';

  async function signIn(email: string): Promise<Session> {
    const response = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password }, remoteAddress: nextAddress() });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as { member: { id: string }; csrfToken: string };
    return { memberId: body.member.id, cookie: response.cookies.find((c) => c.name === 'patron_session')!.value, csrfToken: body.csrfToken };
  }

  before(async () => {
    const deps = suite.deps();
    app = await buildApp(deps);
    // The lead engineer wires credits into app.ts; until then the test mounts the module's routes the same way.
    if (!app.hasRoute({ method: 'GET', url: '/api/v1/me/credits' })) {
      await app.register(async (api) => credits.registerRoutes(api.withTypeProvider<ZodTypeProvider>(), deps), { prefix: '/api/v1' });
    }
    await app.ready();
    const signUp = await app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { email: 'credits.member@example.com', password, country: 'US', dateOfBirth: '1990-02-03' },
      remoteAddress: nextAddress(),
    });
    assert.equal(signUp.statusCode, 201, signUp.body);
    member = await signIn('credits.member@example.com');
    await createStaffUser(deps, { email: 'credits.agent@example.com', password, role: 'agent' });
    await createStaffUser(deps, { email: 'credits.admin@example.com', password, role: 'admin' });
    agent = await signIn('credits.agent@example.com');
    admin = await signIn('credits.admin@example.com');
  });
  after(async () => app.close());

  const get = (url: string, who?: Session) => app.inject({ method: 'GET', url, ...(who ? { cookies: { patron_session: who.cookie } } : {}) });
  const post = (url: string, who: Session, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, cookies: { patron_session: who.cookie }, headers: { 'x-csrf-token': who.csrfToken, ...headers }, payload: payload as object });
  const codeOf = (response: LightMyRequestResponse) => (response.json() as { error: { code: string } }).error.code;

  test('CR-20 a member sees their balance (available, pending with unlock date, held, expiring, lifetime) and history', async () => {
    const deps = suite.deps();
    assert.equal((await get('/api/v1/me/credits')).statusCode, 401);
    await grantBonus(deps, { memberId: member.memberId, kind: 'registration' });
    const earned = await earnForOrder(deps, { memberId: member.memberId, orderId: 'ord_http', paidAtMs: deps.clock.nowMs(), plusActive: false, lines: [{ lineId: 'ord_http-1', qualifyingMinor: 4567, plusBonus: false, earnsCredits: true }] });
    const response = await get('/api/v1/me/credits', member);
    assert.equal(response.statusCode, 200, response.body);
    const balance = response.json();
    assert.equal(balance.available, 500);
    assert.equal(balance.pendingTotal, 45);
    assert.deepEqual(balance.pending, [{ credits: 45, unlockAt: new Date(earned.unlockAtMs).toISOString() }]);
    assert.equal(balance.held, 0);
    assert.equal(balance.lifetimeEarned, 545);
    assert.deepEqual(balance.expiringSoon, []);
    const page = await get('/api/v1/me/credits/history?limit=1', member);
    assert.equal(page.statusCode, 200, page.body);
    const first = page.json();
    assert.equal(first.entries.length, 1);
    assert.equal(first.entries[0].kind, 'earn');
    assert.equal(first.entries[0].orderId, 'ord_http');
    assert.equal(first.entries[0].adjustment, undefined, 'members do not see agent notes');
    const next = await get(`/api/v1/me/credits/history?limit=1&cursor=${first.nextCursor}`, member);
    assert.deepEqual(next.json().entries.map((e: { reason: string }) => e.reason), ['registration']);
    assert.equal(next.json().nextCursor, null);
    assert.equal((await get('/api/v1/me/credits/history?limit=1&extra=1', member)).statusCode, 400);
  });

  test('CR-21 LG-3 an agent adjusts with a reason code, a note and an Idempotency-Key; a replay returns the same; a changed body conflicts', async () => {
    const url = `/api/v1/agent/members/${member.memberId}/credits/adjustments`;
    const body = { credits: 75, reasonCode: 'goodwill', note: 'Sorry about the late parcel' };
    assert.equal((await post(url, member, body, { 'idempotency-key': 'm-1' })).statusCode, 403, 'members cannot adjust');
    assert.equal(codeOf(await post(url, agent, body)), 'validation', 'the Idempotency-Key header is required');
    assert.equal(codeOf(await post(url, agent, { ...body, transferTo: 'mem_other' }, { 'idempotency-key': 'a-0' })), 'validation');
    assert.equal(codeOf(await post(url, agent, { ...body, reasonCode: 'because' }, { 'idempotency-key': 'a-0' })), 'validation');
    const created = await post(url, agent, body, { 'idempotency-key': 'ticket-42' });
    assert.equal(created.statusCode, 201, created.body);
    const replay = await post(url, agent, body, { 'idempotency-key': 'ticket-42' });
    assert.deepEqual(replay.json(), created.json());
    const conflict = await post(url, agent, { ...body, credits: 76 }, { 'idempotency-key': 'ticket-42' });
    assert.equal(conflict.statusCode, 409);
    assert.equal(codeOf(conflict), 'idempotency_conflict');
    const history = await get(`/api/v1/agent/members/${member.memberId}/credits/history`, agent);
    assert.equal(history.statusCode, 200, history.body);
    assert.deepEqual(history.json().entries[0].adjustment, { reasonCode: 'goodwill', note: 'Sorry about the late parcel', actorId: agent.memberId, actorRole: 'agent' });
    const balance = await get(`/api/v1/agent/members/${member.memberId}/credits`, agent);
    assert.equal(balance.json().available, 575);
    assert.equal((await get(`/api/v1/agent/members/${member.memberId}/credits`, member)).statusCode, 403);
  });

  test('PL-4 CR-21 two staff members sending the same Idempotency-Key are independent: each adjusts once, each replay answers its own', async () => {
    const deps = suite.deps();
    const { memberId } = await createMemberForSeed(deps, { email: 'credits.keys@example.com', password, country: 'US', dateOfBirth: '1990-02-03', emailVerified: true });
    const url = `/api/v1/agent/members/${memberId}/credits/adjustments`;
    const availableBefore = (await getBalance(deps, memberId)).available;
    const body = { credits: 40, reasonCode: 'goodwill', note: 'Shared ticket key' };
    const byAgent = await post(url, agent, body, { 'idempotency-key': 'shared-ticket-7' });
    const byAdmin = await post(url, admin, body, { 'idempotency-key': 'shared-ticket-7' });
    assert.equal(byAgent.statusCode, 201, byAgent.body);
    assert.equal(byAdmin.statusCode, 201, byAdmin.body);
    assert.notEqual(byAgent.json().transactionId, byAdmin.json().transactionId);
    const agentReplay = await post(url, agent, body, { 'idempotency-key': 'shared-ticket-7' });
    assert.deepEqual(agentReplay.json(), byAgent.json());
    assert.equal(agentReplay.headers['idempotent-replayed'], 'true');
    assert.deepEqual((await post(url, admin, body, { 'idempotency-key': 'shared-ticket-7' })).json(), byAdmin.json());
    assert.equal((await getBalance(deps, memberId)).available, availableBefore + 80);
  });

  test('LG-4 an agent reads the balance at a past moment', async () => {
    const deps = suite.deps();
    const then = await getBalance(deps, member.memberId);
    deps.clock.advanceMs(31 * DAY_MS);
    // Sessions lapse after a month idle (AC-4): sign in again.
    member = await signIn('credits.member@example.com');
    agent = await signIn('credits.agent@example.com');
    admin = await signIn('credits.admin@example.com');
    const response = await get(`/api/v1/agent/members/${member.memberId}/credits/at?time=${encodeURIComponent(new Date(then.asOfMs).toISOString())}`, agent);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().available, then.available);
    assert.equal(response.json().pendingTotal, then.pendingTotal);
    const now = (await get('/api/v1/me/credits', member)).json();
    assert.equal(now.pendingTotal, 0, 'unlocked since');
    const future = await get(`/api/v1/agent/members/${member.memberId}/credits/at?time=${encodeURIComponent(new Date(deps.clock.nowMs() + MINUTE_MS).toISOString())}`, agent);
    assert.equal(future.statusCode, 400);
  });

  test('CR-6 agents list policy versions; only admins publish one', async () => {
    const list = await get('/api/v1/agent/credits/policies', agent);
    assert.equal(list.statusCode, 200, list.body);
    const [current] = list.json().policies;
    assert.equal(current.registrationBonusCredits, 500);
    const { version, publishedAt, publishedBy, ...settings } = current;
    assert.ok(version >= 1 && publishedAt && publishedBy !== undefined);
    const next = { ...settings, profileBonusCredits: 150, note: 'Bigger profile bonus' };
    assert.equal((await post('/api/v1/admin/credits/policies', agent, next)).statusCode, 403);
    const published = await post('/api/v1/admin/credits/policies', admin, next);
    assert.equal(published.statusCode, 201, published.body);
    assert.equal(published.json().version, version + 1);
    assert.equal(published.json().profileBonusCredits, 150);
    assert.equal((await post('/api/v1/admin/credits/policies', admin, { ...next, plusMultiplier: 50 })).statusCode, 400);
  });

  test('PL-13 a policy value outside the service bounds (holdTimeoutMs 2147483648) is refused with 400 naming the field, not a 500', async () => {
    const [current] = (await get('/api/v1/agent/credits/policies', agent)).json().policies;
    const { version, publishedAt, publishedBy, ...settings } = current;
    assert.ok(version >= 1 && publishedAt && publishedBy !== undefined);
    for (const [field, value] of [['holdTimeoutMs', 2_147_483_648], ['lifetimeMs', 10 * 3660 * DAY_MS], ['pendingPeriodMs', 3661 * DAY_MS]] as const) {
      const response = await post('/api/v1/admin/credits/policies', admin, { ...settings, [field]: value, note: null });
      assert.equal(response.statusCode, 400, `${field}: ${response.body}`);
      assert.equal(codeOf(response), 'validation');
      assert.ok((response.json().error.details as { path: string }[]).some((d) => d.path === `body.${field}`), response.body);
    }
    const after = (await get('/api/v1/agent/credits/policies', agent)).json().policies[0];
    assert.equal(after.version, version, 'nothing was published');
  });

  test('LG-5 admins run the auditor; agents see the runs', async () => {
    assert.equal((await post('/api/v1/admin/credits/audit-runs', agent, {})).statusCode, 403);
    const run = await post('/api/v1/admin/credits/audit-runs', admin, {});
    assert.equal(run.statusCode, 201, run.body);
    assert.equal(run.json().ok, true);
    const runs = await get('/api/v1/agent/credits/audit-runs', agent);
    assert.equal(runs.json().runs[0].id, run.json().id);
  });

  test('CR-19 no route transfers, merges or cashes out credits', async () => {
    const spec = (await get('/api/v1/openapi.json')).json() as { paths: Record<string, unknown> };
    const creditPaths = Object.keys(spec.paths).filter((p) => p.includes('credits'));
    assert.ok(creditPaths.length >= 8, creditPaths.join(', '));
    for (const path of Object.keys(spec.paths)) assert.doesNotMatch(path, /transfer|merge|cash|payout/i);
  });
});
