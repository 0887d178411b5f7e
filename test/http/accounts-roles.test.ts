// Roles and API keys over HTTP (AC-9, AC-11, PL-15): members see only themselves, staff reads are audited,
// API keys are shown once, stored hashed, scoped and revocable.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { transact } from '../../src/deps.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { listAuditEntries } from '../../src/modules/audit/index.ts';
import { createStaffUser } from '../../src/modules/accounts/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';

let addressCounter = 0;
function nextAddress(): string {
  addressCounter++;
  return `10.6.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
}

function errorOf(response: LightMyRequestResponse): { code: string; message: string } {
  return (response.json() as { error: { code: string; message: string } }).error;
}

interface Session {
  memberId: string;
  cookie: string;
  csrfToken: string;
}

describeEachDatabase('accounts: roles and API keys', (suite) => {
  let app: ZodApp;
  let agent: Session;
  let admin: Session;
  let memberCount = 0;

  async function signIn(email: string, password: string): Promise<Session> {
    const response = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password }, remoteAddress: nextAddress() });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as { member: { id: string }; csrfToken: string };
    return { memberId: body.member.id, cookie: response.cookies.find((c) => c.name === 'patron_session')!.value, csrfToken: body.csrfToken };
  }

  before(async () => {
    const deps = suite.deps();
    app = await buildApp(deps);
    await transact(deps, async (ctx) => {
      await createStaffUser(ctx, { email: 'agent.smith@patron.test', password: 'support-desk-4411', role: 'agent' });
      await createStaffUser(ctx, { email: 'admin.jones@patron.test', password: 'root-of-trust-9090', role: 'admin' });
    });
    agent = await signIn('agent.smith@patron.test', 'support-desk-4411');
    admin = await signIn('admin.jones@patron.test', 'root-of-trust-9090');
  });
  after(async () => {
    await app.close();
  });

  async function newMember(firstName: string, lastName: string): Promise<Session & { email: string }> {
    memberCount++;
    const email = `${firstName.toLowerCase()}.${lastName.toLowerCase()}${memberCount}@example.com`;
    const response = await app.inject({ method: 'POST', url: '/api/v1/accounts', payload: { email, password: 'tidal-compass-808', country: 'US', dateOfBirth: '1988-08-08' }, remoteAddress: nextAddress() });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json() as { member: { id: string }; csrfToken: string };
    const member = { email, memberId: body.member.id, cookie: response.cookies.find((c) => c.name === 'patron_session')!.value, csrfToken: body.csrfToken };
    const named = await send(member, 'PATCH', '/api/v1/me', { firstName, lastName });
    assert.equal(named.statusCode, 200);
    return member;
  }

  const send = (session: Session, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
    app.inject({ method, url, cookies: { patron_session: session.cookie }, headers: { 'x-csrf-token': session.csrfToken }, ...(payload ? { payload } : {}) });
  const withKey = (key: string, method: 'GET' | 'POST', url: string) => app.inject({ method, url, headers: { authorization: `Bearer ${key}` } });

  async function createKey(scopes: string[]): Promise<{ id: string; key: string }> {
    const response = await send(admin, 'POST', '/api/v1/admin/api-keys', { name: 'Storefront', scopes });
    assert.equal(response.statusCode, 201, response.body);
    return response.json() as { id: string; key: string };
  }

  test('PL-15, AC-9: a member reading another member’s record gets 404; their own record reads fine', async () => {
    const ana = await newMember('Ana', 'Souza');
    const ben = await newMember('Ben', 'Okafor');
    const foreign = await send(ana, 'GET', `/api/v1/members/${ben.memberId}`);
    assert.equal(foreign.statusCode, 404);
    assert.equal(errorOf(foreign).code, 'not_found');
    const missing = await send(ana, 'GET', '/api/v1/members/mem_doesnotexist0000000000');
    assert.deepEqual(errorOf(foreign).message, errorOf(missing).message, 'another member’s record looks exactly like no record');
    const own = await send(ana, 'GET', `/api/v1/members/${ana.memberId}`);
    assert.equal(own.statusCode, 200);
    assert.equal((own.json() as { firstName: string }).firstName, 'Ana');
  });

  test('AC-9: an agent reads a member’s record, and the read is recorded in the audit log', async () => {
    const carla = await newMember('Carla', 'Mendes');
    const read = await send(agent, 'GET', `/api/v1/members/${carla.memberId}`);
    assert.equal(read.statusCode, 200);
    const detail = await send(agent, 'GET', `/api/v1/agent/members/${carla.memberId}`);
    assert.equal(detail.statusCode, 200, detail.body);
    const body = detail.json() as { email: string; status: string; addresses: unknown[]; signInProviders: string[] };
    assert.equal(body.email, carla.email);
    assert.equal(body.status, 'active');
    const views = (await listAuditEntries(suite.deps(), { memberId: carla.memberId, limit: 20 })).filter((e) => e.action === 'member.viewed');
    assert.equal(views.length, 2);
    for (const entry of views) assert.deepEqual(entry.actor, { id: agent.memberId, role: 'agent' });
  });

  test('AC-9: agents find members by email prefix, by name and by member ID; members cannot use the console API', async () => {
    const dora = await newMember('Dorothea', 'Quistgaard');
    const byEmail = await send(agent, 'GET', `/api/v1/agent/members?q=${encodeURIComponent(dora.email.slice(0, 12))}`);
    assert.equal(byEmail.statusCode, 200, byEmail.body);
    assert.ok((byEmail.json() as { members: { id: string }[] }).members.some((m) => m.id === dora.memberId));
    const byName = (await send(agent, 'GET', '/api/v1/agent/members?q=quistg')).json() as { members: { id: string; lastName: string }[] };
    assert.deepEqual(byName.members.map((m) => m.id), [dora.memberId]);
    const byId = (await send(agent, 'GET', `/api/v1/agent/members?q=${dora.memberId}`)).json() as { members: { id: string }[] };
    assert.deepEqual(byId.members.map((m) => m.id), [dora.memberId]);
    const wildcard = (await send(agent, 'GET', '/api/v1/agent/members?q=%25')).json() as { members: unknown[] };
    assert.deepEqual(wildcard.members, [], 'LIKE wildcards are searched for literally');

    assert.equal((await send(dora, 'GET', '/api/v1/agent/members?q=a')).statusCode, 403);
    assert.equal((await send(dora, 'GET', `/api/v1/agent/members/${dora.memberId}`)).statusCode, 403);
    assert.equal((await send(agent, 'GET', '/api/v1/agent/members?q=')).statusCode, 400);
  });

  test('AC-11: an admin creates an API key; it is shown once and stored only as a hash', async () => {
    const response = await send(admin, 'POST', '/api/v1/admin/api-keys', { name: 'Marketplace connector', scopes: ['orders:write', 'members:read'] });
    assert.equal(response.statusCode, 201, response.body);
    const created = response.json() as { id: string; key: string; keyPrefix: string; scopes: string[] };
    assert.match(created.key, /^pk_live_[A-Za-z0-9_-]{43}$/);
    assert.ok(created.key.startsWith(created.keyPrefix));
    assert.deepEqual(created.scopes, ['members:read', 'orders:write']);

    const list = await send(admin, 'GET', '/api/v1/admin/api-keys');
    assert.equal(list.statusCode, 200);
    assert.doesNotMatch(list.body, new RegExp(created.key.slice(12)), 'the list never shows the key');
    assert.ok((list.json() as { apiKeys: { id: string }[] }).apiKeys.some((k) => k.id === created.id));

    const stored = await sql<{ key_hash: string }>`select key_hash from api_keys where id = ${created.id}`.execute(suite.deps().db);
    assert.match(stored.rows[0]!.key_hash, /^[0-9a-f]{64}$/);
    assert.notEqual(stored.rows[0]!.key_hash, created.key);
  });

  test('AC-11: only admins manage API keys', async () => {
    assert.equal((await send(agent, 'POST', '/api/v1/admin/api-keys', { name: 'Sneaky', scopes: ['members:read'] })).statusCode, 403);
    assert.equal((await send(agent, 'GET', '/api/v1/admin/api-keys')).statusCode, 403);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/admin/api-keys' })).statusCode, 401);
    assert.equal((await send(admin, 'POST', '/api/v1/admin/api-keys', { name: 'Bad scope', scopes: ['everything'] })).statusCode, 400);
  });

  test('AC-11: an API key reaches only what its scopes allow, and its reads are audited', async () => {
    const eve = await newMember('Eve', 'Martins');
    const reader = await createKey(['members:read']);
    const writer = await createKey(['orders:write']);
    const allowed = await withKey(reader.key, 'GET', `/api/v1/members/${eve.memberId}`);
    assert.equal(allowed.statusCode, 200, allowed.body);
    const denied = await withKey(writer.key, 'GET', `/api/v1/members/${eve.memberId}`);
    assert.equal(denied.statusCode, 403);
    assert.match(errorOf(denied).message, /members:read/);
    const entries = (await listAuditEntries(suite.deps(), { memberId: eve.memberId, limit: 20 })).filter((e) => e.action === 'member.viewed');
    assert.deepEqual(entries.map((e) => e.actor), [{ id: reader.id, role: 'api_key' }]);
    assert.equal((await withKey(reader.key, 'GET', '/api/v1/me')).statusCode, 401, 'an API key is not a member session');
    assert.equal((await withKey('pk_live_not-a-real-key', 'GET', `/api/v1/members/${eve.memberId}`)).statusCode, 401);
  });

  test('AC-11: a revoked API key stops working at once', async () => {
    const fay = await newMember('Fay', 'Nguyen');
    const key = await createKey(['members:read']);
    assert.equal((await withKey(key.key, 'GET', `/api/v1/members/${fay.memberId}`)).statusCode, 200);
    const revoked = await send(admin, 'DELETE', `/api/v1/admin/api-keys/${key.id}`);
    assert.equal(revoked.statusCode, 200);
    assert.ok((revoked.json() as { revokedAt: string | null }).revokedAt);
    assert.equal((await withKey(key.key, 'GET', `/api/v1/members/${fay.memberId}`)).statusCode, 401);
    assert.equal((await send(admin, 'DELETE', '/api/v1/admin/api-keys/key_unknown000000000000')).statusCode, 404);
  });

  test('PL-14: API-key writes need no CSRF token (no ambient credential), cookie writes do', async () => {
    const key = await createKey(['members:read']);
    const apiWrite = await withKey(key.key, 'POST', '/api/v1/accounts/verify-email');
    assert.notEqual(apiWrite.statusCode, 403, 'the CSRF check does not apply to API keys');
    const cookieWrite = await app.inject({ method: 'POST', url: '/api/v1/admin/api-keys', cookies: { patron_session: admin.cookie }, payload: { name: 'x', scopes: ['members:read'] } });
    assert.equal(cookieWrite.statusCode, 403);
    assert.equal(errorOf(cookieWrite).code, 'csrf');
  });
});
