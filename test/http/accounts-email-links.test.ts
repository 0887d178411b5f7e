// Single-use email links over HTTP (AC-6): email confirmation, and password reset, which expires in an hour and
// ends the member's other sessions.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { getMessage, listMessages } from '../../src/modules/notifications/index.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/platform/clock.ts';
import { describeEachDatabase } from '../support/each-database.ts';

let addressCounter = 0;
function nextAddress(): string {
  addressCounter++;
  return `10.3.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
}

function errorOf(response: LightMyRequestResponse): { code: string; message: string } {
  return (response.json() as { error: { code: string; message: string } }).error;
}

describeEachDatabase('accounts: email links', (suite) => {
  let app: ZodApp;
  let memberCount = 0;
  before(async () => {
    app = await buildApp(suite.deps());
  });
  after(async () => {
    await app.close();
  });

  const password = 'saffron-canyon-64';

  async function newMember(): Promise<{ email: string; memberId: string; cookie: string; csrfToken: string }> {
    memberCount++;
    const email = `links.member${memberCount}@example.com`;
    const response = await app.inject({ method: 'POST', url: '/api/v1/accounts', payload: { email, password, country: 'IT', dateOfBirth: '1979-09-09' }, remoteAddress: nextAddress() });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json() as { member: { id: string }; csrfToken: string };
    return { email, memberId: body.member.id, cookie: response.cookies.find((c) => c.name === 'patron_session')!.value, csrfToken: body.csrfToken };
  }

  /** The token of the newest email with this subject to this address, read from the outbox like a mail client would. */
  async function linkToken(to: string, subject: string, path: string): Promise<string> {
    const deps = suite.deps();
    const summary = (await listMessages(deps, { limit: 200 })).find((m) => m.to === to && m.subject === subject);
    assert.ok(summary, `an email "${subject}" was queued for ${to}`);
    const message = await getMessage(deps, summary.id);
    const match = new RegExp(`${deps.config.http.publicUrl}${path}\\?token=([A-Za-z0-9_%-]+)`).exec(message!.text);
    assert.ok(match, `the email carries a ${path} link`);
    return decodeURIComponent(match[1]!);
  }

  const getSession = (cookie: string) => app.inject({ method: 'GET', url: '/api/v1/session', cookies: { patron_session: cookie } });
  const signIn = (email: string, secret: string) => app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password: secret }, remoteAddress: nextAddress() });
  const verify = (token: string) => app.inject({ method: 'POST', url: '/api/v1/accounts/verify-email', payload: { token }, remoteAddress: nextAddress() });

  test('AC-6: the emailed link confirms the address once', async () => {
    const member = await newMember();
    const token = await linkToken(member.email, 'Confirm your email address', '/verify-email');
    const first = await verify(token);
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json(), { status: 'verified', email: member.email });
    const session = (await getSession(member.cookie)).json() as { member: { emailVerified: boolean } };
    assert.equal(session.member.emailVerified, true);
    const second = await verify(token);
    assert.equal(second.statusCode, 400);
    assert.match(errorOf(second).message, /not valid any more/);
    assert.equal((await verify('made-up-token')).statusCode, 400);
  });

  test('AC-6: a confirmation link expires after 7 days; a new one can be requested while signed in', async () => {
    const member = await newMember();
    const token = await linkToken(member.email, 'Confirm your email address', '/verify-email');
    suite.deps().clock.advanceMs(7 * DAY_MS);
    assert.equal((await verify(token)).statusCode, 400);

    const resend = await app.inject({ method: 'POST', url: '/api/v1/accounts/verify-email/resend', cookies: { patron_session: member.cookie }, headers: { 'x-csrf-token': member.csrfToken }, remoteAddress: nextAddress() });
    assert.equal(resend.statusCode, 202, resend.body);
    const fresh = await linkToken(member.email, 'Confirm your email address', '/verify-email');
    assert.notEqual(fresh, token);
    assert.equal((await verify(fresh)).statusCode, 200);

    const again = await app.inject({ method: 'POST', url: '/api/v1/accounts/verify-email/resend', cookies: { patron_session: member.cookie }, headers: { 'x-csrf-token': member.csrfToken }, remoteAddress: nextAddress() });
    assert.equal(again.statusCode, 409, 'an address already confirmed needs no link');
  });

  test('AC-6: a password reset request answers 202 the same way whether or not the account exists', async () => {
    const member = await newMember();
    const known = await app.inject({ method: 'POST', url: '/api/v1/accounts/password-reset', payload: { email: member.email }, remoteAddress: nextAddress() });
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/accounts/password-reset', payload: { email: 'no.such.person@example.com' }, remoteAddress: nextAddress() });
    assert.equal(known.statusCode, 202);
    assert.equal(unknown.statusCode, 202);
    assert.deepEqual(known.json(), unknown.json());
    const sent = (await listMessages(suite.deps(), { limit: 200 })).filter((m) => m.subject === 'Reset your password');
    assert.ok(sent.some((m) => m.to === member.email));
    assert.ok(!sent.some((m) => m.to === 'no.such.person@example.com'), 'nothing is sent to an address without an account');
  });

  test('AC-6: a password reset sets the new password, works once and ends every other session', async () => {
    const member = await newMember();
    const laptop = (await signIn(member.email, password)).cookies.find((c) => c.name === 'patron_session')!.value;
    assert.equal((await getSession(laptop)).statusCode, 200);
    await app.inject({ method: 'POST', url: '/api/v1/accounts/password-reset', payload: { email: member.email }, remoteAddress: nextAddress() });
    const token = await linkToken(member.email, 'Reset your password', '/reset-password');

    const weak = await app.inject({ method: 'POST', url: '/api/v1/accounts/password-reset/confirm', payload: { token, newPassword: 'password12345' }, remoteAddress: nextAddress() });
    assert.equal(weak.statusCode, 422, 'the password policy applies');
    assert.equal((await getSession(laptop)).statusCode, 200, 'a refused reset changes nothing');

    const reset = await app.inject({ method: 'POST', url: '/api/v1/accounts/password-reset/confirm', payload: { token, newPassword: 'emerald-tundra-909' }, remoteAddress: nextAddress() });
    assert.equal(reset.statusCode, 200, reset.body);
    assert.deepEqual(reset.json(), { status: 'password_changed', sessionsEnded: 2 });
    assert.equal((await getSession(member.cookie)).statusCode, 401, 'the sign-up session ended');
    assert.equal((await getSession(laptop)).statusCode, 401, 'the laptop session ended');
    assert.equal((await signIn(member.email, password)).statusCode, 401, 'the old password no longer works');
    assert.equal((await signIn(member.email, 'emerald-tundra-909')).statusCode, 200, 'the new one does');

    const reuse = await app.inject({ method: 'POST', url: '/api/v1/accounts/password-reset/confirm', payload: { token, newPassword: 'another-tundra-910' }, remoteAddress: nextAddress() });
    assert.equal(reuse.statusCode, 400, 'the link works once');
    assert.match(errorOf(reuse).message, /not valid any more/);
  });

  test('AC-6: a reset started while signed in keeps that browser’s session and ends the others', async () => {
    const member = await newMember();
    const other = (await signIn(member.email, password)).cookies.find((c) => c.name === 'patron_session')!.value;
    await app.inject({ method: 'POST', url: '/api/v1/accounts/password-reset', payload: { email: member.email }, cookies: { patron_session: member.cookie }, headers: { 'x-csrf-token': member.csrfToken }, remoteAddress: nextAddress() });
    const token = await linkToken(member.email, 'Reset your password', '/reset-password');
    const reset = await app.inject({
      method: 'POST',
      url: '/api/v1/accounts/password-reset/confirm',
      payload: { token, newPassword: 'violet-estuary-512' },
      cookies: { patron_session: member.cookie },
      headers: { 'x-csrf-token': member.csrfToken },
      remoteAddress: nextAddress(),
    });
    assert.equal(reset.statusCode, 200, reset.body);
    assert.equal((reset.json() as { sessionsEnded: number }).sessionsEnded, 1);
    assert.equal((await getSession(member.cookie)).statusCode, 200);
    assert.equal((await getSession(other)).statusCode, 401);
  });

  test('AC-6: a reset link expires after one hour', async () => {
    const member = await newMember();
    await app.inject({ method: 'POST', url: '/api/v1/accounts/password-reset', payload: { email: member.email }, remoteAddress: nextAddress() });
    const token = await linkToken(member.email, 'Reset your password', '/reset-password');
    suite.deps().clock.advanceMs(HOUR_MS + MINUTE_MS);
    const late = await app.inject({ method: 'POST', url: '/api/v1/accounts/password-reset/confirm', payload: { token, newPassword: 'amber-glacier-77' }, remoteAddress: nextAddress() });
    assert.equal(late.statusCode, 400);
    assert.equal((await signIn(member.email, password)).statusCode, 200, 'the password is unchanged');
  });

  test('AC-6: a reset lifts a sign-in lockout on the account', async () => {
    const member = await newMember();
    for (let i = 0; i < 5; i++) await signIn(member.email, `wrong-guess-${i}`);
    assert.equal((await signIn(member.email, password)).statusCode, 423);
    await app.inject({ method: 'POST', url: '/api/v1/accounts/password-reset', payload: { email: member.email }, remoteAddress: nextAddress() });
    const token = await linkToken(member.email, 'Reset your password', '/reset-password');
    const reset = await app.inject({ method: 'POST', url: '/api/v1/accounts/password-reset/confirm', payload: { token, newPassword: 'cobalt-prairie-303' }, remoteAddress: nextAddress() });
    assert.equal(reset.statusCode, 200);
    assert.equal((await signIn(member.email, 'cobalt-prairie-303')).statusCode, 200);
  });

  test('AC-3: changing the password needs the current one and ends the other sessions', async () => {
    const member = await newMember();
    const other = (await signIn(member.email, password)).cookies.find((c) => c.name === 'patron_session')!.value;
    const change = (currentPassword: string) =>
      app.inject({ method: 'POST', url: '/api/v1/me/password', payload: { currentPassword, newPassword: 'juniper-atlas-818' }, cookies: { patron_session: member.cookie }, headers: { 'x-csrf-token': member.csrfToken }, remoteAddress: nextAddress() });
    const wrong = await change('not-my-password-1');
    assert.equal(wrong.statusCode, 401);
    const right = await change(password);
    assert.equal(right.statusCode, 200, right.body);
    assert.equal((await getSession(member.cookie)).statusCode, 200);
    assert.equal((await getSession(other)).statusCode, 401);
    assert.equal((await signIn(member.email, 'juniper-atlas-818')).statusCode, 200);
  });
});
