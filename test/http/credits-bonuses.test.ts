// The sign-up and profile-completion bonuses (CR-1, CR-2), wired into the accounts flows and seen over HTTP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { describeEachDatabase } from '../support/each-database.ts';

interface Member {
  cookie: string;
  csrfToken: string;
}

describeEachDatabase('credits: bonuses through accounts', (suite) => {
  let app: ZodApp;
  let count = 0;
  before(async () => {
    app = await buildApp(suite.deps(), { rateLimits: false });
  });
  after(async () => app.close());

  async function signUp(): Promise<Member> {
    count++;
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { email: `bonus.${count}@example.com`, password: 'pebble-horizon-55', country: 'US', dateOfBirth: '1990-05-05' },
    });
    assert.equal(response.statusCode, 201, response.body);
    return { cookie: response.cookies.find((c) => c.name === 'patron_session')!.value, csrfToken: response.json().csrfToken };
  }

  const send = (member: Member, method: 'GET' | 'PATCH', url: string, payload?: Record<string, unknown>) =>
    app.inject({ method, url, cookies: { patron_session: member.cookie }, headers: { 'x-csrf-token': member.csrfToken }, ...(payload ? { payload } : {}) });

  async function available(member: Member): Promise<number> {
    const response = await send(member, 'GET', '/api/v1/me/credits');
    assert.equal(response.statusCode, 200, response.body);
    return (response.json() as { available: number }).available;
  }

  test('CR-1 sign-up grants 500 credits, available at once', async () => {
    const member = await signUp();
    assert.equal(await available(member), 500);
  });

  test('CR-2 the first completion of name, phone and date of birth grants the bonus once; clearing and refilling earns nothing', async () => {
    const member = await signUp();
    const partial = await send(member, 'PATCH', '/api/v1/me', { firstName: 'Ada', lastName: 'Lovelace' });
    assert.equal(partial.statusCode, 200, partial.body);
    assert.equal(await available(member), 500, 'no bonus until the phone is there too');
    const complete = await send(member, 'PATCH', '/api/v1/me', { phone: '+1 415 555 0100' });
    assert.equal(complete.statusCode, 200, complete.body);
    assert.equal(await available(member), 600);
    assert.equal((await send(member, 'PATCH', '/api/v1/me', { phone: null })).statusCode, 200);
    assert.equal((await send(member, 'PATCH', '/api/v1/me', { phone: '+1 415 555 0101' })).statusCode, 200);
    assert.equal(await available(member), 600, 'refilling the profile earns nothing more');
  });
});
