// Sign-in with OpenID Connect end to end (AC-7), against a real oidc-provider on 127.0.0.1: a new person joins
// (eligibility still applies, AC-2), an existing verified email links, and a tampered state is refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { generate } from 'otplib';
import { buildApp } from '../../src/app.ts';
import { transact } from '../../src/deps.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { createMemberForSeed, createStaffUser } from '../../src/modules/accounts/index.ts';
import type { TestDeps } from '../support/deps.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { signInAtProvider, startTestOidcProvider, type TestOidcProvider } from '../support/oidc-provider.ts';

const providerId = 'test-idp';

let addressCounter = 0;
function nextAddress(): string {
  addressCounter++;
  return `10.7.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
}

function errorOf(response: LightMyRequestResponse): { code: string; message: string } {
  return (response.json() as { error: { code: string; message: string } }).error;
}

describeEachDatabase('accounts: OpenID Connect sign-in', (suite) => {
  let provider: TestOidcProvider;
  let app: ZodApp;
  let deps: TestDeps;
  let callbackPrefix: string;

  before(async () => {
    const base = suite.deps();
    callbackPrefix = `${base.config.http.publicUrl}/api/v1/auth/oidc/${providerId}/callback`;
    provider = await startTestOidcProvider({ redirectUri: callbackPrefix });
    deps = {
      ...base,
      config: { ...base.config, oidcProviders: [{ id: providerId, name: 'Test Identity', issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret }] },
    };
    app = await buildApp(deps);
    await transact(deps, (ctx) => createStaffUser(ctx, { email: 'oidc.agent@patron.test', password: 'console-lookup-77', role: 'agent' }));
  });
  after(async () => {
    await app?.close();
    await provider?.close();
  });

  interface Started {
    authorizationUrl: string;
    stateCookie: string;
  }

  async function start(): Promise<Started> {
    const response = await app.inject({ method: 'GET', url: `/api/v1/auth/oidc/${providerId}/start`, remoteAddress: nextAddress() });
    assert.equal(response.statusCode, 302, response.body);
    const cookie = response.cookies.find((c) => c.name === 'patron_oidc_state');
    assert.ok(cookie?.httpOnly, 'the state is bound to this browser by an HttpOnly cookie');
    const authorizationUrl = String(response.headers.location);
    const url = new URL(authorizationUrl);
    assert.equal(url.origin, provider.issuer);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(url.searchParams.get('nonce'));
    assert.equal(url.searchParams.get('state'), cookie.value);
    return { authorizationUrl, stateCookie: cookie.value };
  }

  const callback = (url: URL, stateCookie: string | undefined) =>
    app.inject({ method: 'GET', url: `${url.pathname}${url.search}`, remoteAddress: nextAddress(), ...(stateCookie ? { cookies: { patron_oidc_state: stateCookie } } : {}) });

  async function signInWithProvider(login: string): Promise<LightMyRequestResponse> {
    const started = await start();
    const returned = await signInAtProvider(started.authorizationUrl, login, callbackPrefix);
    return callback(returned, started.stateCookie);
  }

  function sessionCookie(response: LightMyRequestResponse): string {
    const cookie = response.cookies.find((c) => c.name === 'patron_session' && c.value !== '');
    assert.ok(cookie, 'a session cookie is set');
    return cookie.value;
  }

  async function sessionMember(cookie: string): Promise<{ id: string; email: string; emailVerified: boolean; hasPassword: boolean; firstName: string | null; country: string | null }> {
    const response = await app.inject({ method: 'GET', url: '/api/v1/session', cookies: { patron_session: cookie } });
    assert.equal(response.statusCode, 200, response.body);
    return (response.json() as { member: { id: string; email: string; emailVerified: boolean; hasPassword: boolean; firstName: string | null; country: string | null } }).member;
  }

  function completionToken(response: LightMyRequestResponse): string {
    assert.equal(response.statusCode, 302, response.body);
    const location = String(response.headers.location);
    const prefix = `${deps.config.http.publicUrl}/sign-up/complete#token=`;
    assert.ok(location.startsWith(prefix), location);
    return decodeURIComponent(location.slice(prefix.length));
  }

  const complete = (token: string, country: string, dateOfBirth: string) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/oidc/complete', payload: { completionToken: token, country, dateOfBirth }, remoteAddress: nextAddress() });

  test('AC-7: the configured providers are listed with their start URLs', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/auth/oidc/providers' });
    assert.deepEqual(response.json(), { providers: [{ id: providerId, name: 'Test Identity', startUrl: `${deps.config.http.publicUrl}/api/v1/auth/oidc/${providerId}/start` }] });
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/auth/oidc/nope/start' })).statusCode, 404);
  });

  test('AC-7, AC-2: a new person signs in with the provider, gives country and date of birth, and becomes a member', async () => {
    provider.addAccount({ login: 'new-person', email: 'Nora.Fjord@Example.NO', emailVerified: true, givenName: 'Nora', familyName: 'Fjord' });
    const landing = await signInWithProvider('new-person');
    assert.equal(landing.cookies.find((c) => c.name === 'patron_session' && c.value !== ''), undefined, 'no member and no session before eligibility is known');
    const token = completionToken(landing);

    const joined = await complete(token, 'NO', '2000-02-29');
    assert.equal(joined.statusCode, 200, joined.body);
    const cookie = sessionCookie(joined);
    const member = await sessionMember(cookie);
    assert.equal(member.email, 'nora.fjord@example.no');
    assert.equal(member.emailVerified, true, 'the provider vouched for the email');
    assert.equal(member.hasPassword, false);
    assert.equal(member.firstName, 'Nora');
    assert.equal(member.country, 'NO');
    assert.equal((await complete(token, 'NO', '2000-02-29')).statusCode, 400, 'a completion token works once');

    // The identity is now linked: the next provider sign-in goes straight in.
    const again = await signInWithProvider('new-person');
    assert.equal(again.statusCode, 302);
    assert.equal(again.headers.location, `${deps.config.http.publicUrl}/account`);
    assert.equal((await sessionMember(sessionCookie(again))).id, member.id);
  });

  test('AC-7, AC-2: eligibility still applies to a provider sign-up', async () => {
    provider.addAccount({ login: 'young-person', email: 'young.person@example.com', emailVerified: true });
    const token = completionToken(await signInWithProvider('young-person'));
    const refused = await complete(token, 'US', '2012-06-01');
    assert.equal(refused.statusCode, 422);
    assert.equal(errorOf(refused).code, 'not_eligible');
    assert.equal(refused.cookies.length, 0);
    const agent = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'oidc.agent@patron.test', password: 'console-lookup-77' }, remoteAddress: nextAddress() });
    const found = await app.inject({ method: 'GET', url: '/api/v1/agent/members?q=young.person', cookies: { patron_session: sessionCookie(agent) } });
    assert.deepEqual((found.json() as { members: unknown[] }).members, [], 'no member was stored');
  });

  test('AC-7: a provider identity links to the existing member with the same verified email', async () => {
    const { memberId } = await transact(deps, (ctx) =>
      createMemberForSeed(ctx, { email: 'linda.existing@example.com', password: 'stored-password-42', country: 'US', dateOfBirth: '1970-01-01', firstName: 'Linda', emailVerified: true }),
    );
    provider.addAccount({ login: 'linda', email: 'LINDA.existing@example.com', emailVerified: true });
    const landing = await signInWithProvider('linda');
    assert.equal(landing.statusCode, 302, landing.body);
    assert.equal(landing.headers.location, `${deps.config.http.publicUrl}/account`);
    const member = await sessionMember(sessionCookie(landing));
    assert.equal(member.id, memberId, 'signed in as the existing member, not a new one');
    assert.equal(member.hasPassword, true);

    const agent = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'oidc.agent@patron.test', password: 'console-lookup-77' }, remoteAddress: nextAddress() });
    const view = await app.inject({ method: 'GET', url: `/api/v1/agent/members/${memberId}`, cookies: { patron_session: sessionCookie(agent) } });
    assert.deepEqual((view.json() as { signInProviders: string[] }).signInProviders, [providerId]);
  });

  test('AC-7: no link when the member has not confirmed the email, or the provider has not verified it', async () => {
    const signUp = await app.inject({ method: 'POST', url: '/api/v1/accounts', payload: { email: 'unconfirmed@example.com', password: 'kettle-orbit-606', country: 'US', dateOfBirth: '1980-01-01' }, remoteAddress: nextAddress() });
    assert.equal(signUp.statusCode, 201);
    provider.addAccount({ login: 'claims-unconfirmed', email: 'unconfirmed@example.com', emailVerified: true });
    const refused = await signInWithProvider('claims-unconfirmed');
    assert.equal(refused.statusCode, 409);
    assert.equal(errorOf(refused).code, 'already_exists');
    assert.match(errorOf(refused).message, /confirm your email address/);

    await transact(deps, (ctx) => createMemberForSeed(ctx, { email: 'verified.here@example.com', password: 'stored-password-43', country: 'US', dateOfBirth: '1970-01-01', emailVerified: true }));
    provider.addAccount({ login: 'unverified-at-provider', email: 'verified.here@example.com', emailVerified: false });
    assert.equal((await signInWithProvider('unverified-at-provider')).statusCode, 409);
  });

  test('AC-7, AC-5: a linked member with 2-step verification still has to enter a code', async () => {
    const { memberId } = await transact(deps, (ctx) =>
      createMemberForSeed(ctx, { email: 'tfa.linked@example.com', password: 'stored-password-44', country: 'US', dateOfBirth: '1970-01-01', emailVerified: true }),
    );
    const signIn = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'tfa.linked@example.com', password: 'stored-password-44' }, remoteAddress: nextAddress() });
    const cookie = sessionCookie(signIn);
    const csrf = (signIn.json() as { csrfToken: string }).csrfToken;
    const setup = await app.inject({ method: 'POST', url: '/api/v1/me/two-factor/setup', cookies: { patron_session: cookie }, headers: { 'x-csrf-token': csrf } });
    const { secret } = setup.json() as { secret: string };
    const epoch = Math.floor(deps.clock.nowMs() / 1000);
    const enabled = await app.inject({ method: 'POST', url: '/api/v1/me/two-factor/enable', cookies: { patron_session: cookie }, headers: { 'x-csrf-token': csrf }, payload: { code: await generate({ secret, epoch }) } });
    assert.equal(enabled.statusCode, 200, enabled.body);

    provider.addAccount({ login: 'tfa-linked', email: 'tfa.linked@example.com', emailVerified: true });
    const landing = await signInWithProvider('tfa-linked');
    assert.equal(landing.statusCode, 302);
    const prefix = `${deps.config.http.publicUrl}/sign-in#challenge=`;
    const location = String(landing.headers.location);
    assert.ok(location.startsWith(prefix), location);
    assert.equal(landing.cookies.find((c) => c.name === 'patron_session' && c.value !== ''), undefined);
    deps.clock.advanceMs(30_000);
    const code = await generate({ secret, epoch: Math.floor(deps.clock.nowMs() / 1000) });
    const finished = await app.inject({ method: 'POST', url: '/api/v1/session/two-factor', payload: { challengeId: decodeURIComponent(location.slice(prefix.length)), code }, remoteAddress: nextAddress() });
    assert.equal(finished.statusCode, 200, finished.body);
    assert.equal((await sessionMember(sessionCookie(finished))).id, memberId);
  });

  test('AC-7: a tampered state is refused, and so is a callback without the browser’s state cookie', async () => {
    provider.addAccount({ login: 'state-test', email: 'state.test@example.com', emailVerified: true });
    const started = await start();
    const returned = await signInAtProvider(started.authorizationUrl, 'state-test', callbackPrefix);

    const tampered = new URL(returned);
    tampered.searchParams.set('state', `${started.stateCookie.slice(0, -2)}xx`);
    const refused = await callback(tampered, started.stateCookie);
    assert.equal(refused.statusCode, 400);
    assert.match(errorOf(refused).message, /not valid or has expired/);

    const forged = await callback(tampered, tampered.searchParams.get('state')!);
    assert.equal(forged.statusCode, 400, 'a state the server never issued is refused even when the cookie matches it');

    const noCookie = await callback(returned, undefined);
    assert.equal(noCookie.statusCode, 400, 'a callback planted in another browser is refused');

    // A person's browser gets the sign-in page with the reason instead of a JSON body.
    const inBrowser = await app.inject({ method: 'GET', url: `${tampered.pathname}${tampered.search}`, remoteAddress: nextAddress(), headers: { accept: 'text/html,application/xhtml+xml' }, cookies: { patron_oidc_state: started.stateCookie } });
    assert.equal(inBrowser.statusCode, 302);
    const landing = new URL(String(inBrowser.headers.location));
    assert.equal(landing.pathname, '/sign-in');
    assert.equal(new URLSearchParams(landing.hash.slice(1)).get('error'), 'bad_request');

    // The genuine callback still works once, and only once.
    const genuine = await callback(returned, started.stateCookie);
    assert.equal(genuine.statusCode, 302, genuine.body);
    const replay = await callback(returned, started.stateCookie);
    assert.equal(replay.statusCode, 400);
  });

  test('AC-7: a sign-in flow expires after 10 minutes', async () => {
    provider.addAccount({ login: 'slow-person', email: 'slow.person@example.com', emailVerified: true });
    const started = await start();
    const returned = await signInAtProvider(started.authorizationUrl, 'slow-person', callbackPrefix);
    deps.clock.advanceMs(10 * 60_000);
    assert.equal((await callback(returned, started.stateCookie)).statusCode, 400);
  });
});
