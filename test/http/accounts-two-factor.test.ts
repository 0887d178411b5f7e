// 2-step verification over HTTP (AC-5): set-up with an authenticator secret, sign-in with a TOTP code or a
// one-time recovery code, all on the injected clock.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { generate } from 'otplib';
import { buildApp } from '../../src/app.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { listAuditEntries } from '../../src/modules/audit/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';

let addressCounter = 0;
function nextAddress(): string {
  addressCounter++;
  return `10.4.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
}

function errorOf(response: LightMyRequestResponse): { code: string; message: string } {
  return (response.json() as { error: { code: string; message: string } }).error;
}

interface TwoFactorMember {
  email: string;
  memberId: string;
  cookie: string;
  csrfToken: string;
  secret: string;
  recoveryCodes: string[];
}

describeEachDatabase('accounts: 2-step verification', (suite) => {
  let app: ZodApp;
  let memberCount = 0;
  before(async () => {
    app = await buildApp(suite.deps());
  });
  after(async () => {
    await app.close();
  });

  const password = 'orchid-meridian-27';
  /** What an authenticator app shows at the server's (simulated) time. */
  const codeAt = (secret: string) => generate({ secret, epoch: Math.floor(suite.deps().clock.nowMs() / 1000) });
  /** Authenticator codes change every 30 seconds; a code once accepted is not accepted again. */
  const nextTimeStep = () => suite.deps().clock.advanceMs(30_000);

  const post = (url: string, member: { cookie: string; csrfToken: string }, payload?: Record<string, unknown>) =>
    app.inject({ method: 'POST', url, cookies: { patron_session: member.cookie }, headers: { 'x-csrf-token': member.csrfToken }, remoteAddress: nextAddress(), ...(payload ? { payload } : {}) });

  async function memberWithTwoFactor(): Promise<TwoFactorMember> {
    memberCount++;
    const email = `tfa.member${memberCount}@example.com`;
    const signUp = await app.inject({ method: 'POST', url: '/api/v1/accounts', payload: { email, password, country: 'NL', dateOfBirth: '1991-03-03' }, remoteAddress: nextAddress() });
    assert.equal(signUp.statusCode, 201, signUp.body);
    const body = signUp.json() as { member: { id: string }; csrfToken: string };
    const member = { cookie: signUp.cookies.find((c) => c.name === 'patron_session')!.value, csrfToken: body.csrfToken };
    const setup = await post('/api/v1/me/two-factor/setup', member);
    assert.equal(setup.statusCode, 200, setup.body);
    const { secret, otpauthUrl } = setup.json() as { secret: string; otpauthUrl: string };
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.ok(otpauthUrl.startsWith('otpauth://totp/Patron:'), otpauthUrl);
    assert.ok(otpauthUrl.includes(`secret=${secret}`));
    const enable = await post('/api/v1/me/two-factor/enable', member, { code: await codeAt(secret) });
    assert.equal(enable.statusCode, 200, enable.body);
    const { recoveryCodes } = enable.json() as { recoveryCodes: string[] };
    nextTimeStep();
    return { email, memberId: body.member.id, ...member, secret, recoveryCodes };
  }

  async function passwordStep(email: string): Promise<string> {
    const response = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password }, remoteAddress: nextAddress() });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as { status: string; challengeId: string };
    assert.equal(body.status, 'two_factor_required');
    assert.equal(response.cookies.length, 0, 'no session until the second step');
    return body.challengeId;
  }

  const codeStep = (challengeId: string, code: string) =>
    app.inject({ method: 'POST', url: '/api/v1/session/two-factor', payload: { challengeId, code }, remoteAddress: nextAddress() });

  test('AC-5: enabling needs a valid first code, returns 10 recovery codes once, and is audited', async () => {
    const member = await memberWithTwoFactor();
    assert.equal(member.recoveryCodes.length, 10);
    assert.equal(new Set(member.recoveryCodes).size, 10);
    const status = await app.inject({ method: 'GET', url: '/api/v1/me/two-factor', cookies: { patron_session: member.cookie } });
    assert.deepEqual(status.json(), { enabled: true, recoveryCodesLeft: 10 });
    const me = (await app.inject({ method: 'GET', url: '/api/v1/me', cookies: { patron_session: member.cookie } })).json() as { twoFactorEnabled: boolean };
    assert.equal(me.twoFactorEnabled, true);
    const entries = await listAuditEntries(suite.deps(), { memberId: member.memberId, limit: 10 });
    assert.ok(entries.some((e) => e.action === 'two_factor.enabled'));
  });

  test('AC-5: a wrong first code does not turn 2-step verification on', async () => {
    memberCount++;
    const signUp = await app.inject({ method: 'POST', url: '/api/v1/accounts', payload: { email: `tfa.wrong${memberCount}@example.com`, password, country: 'NL', dateOfBirth: '1991-03-03' }, remoteAddress: nextAddress() });
    const member = { cookie: signUp.cookies.find((c) => c.name === 'patron_session')!.value, csrfToken: (signUp.json() as { csrfToken: string }).csrfToken };
    const enableEarly = await post('/api/v1/me/two-factor/enable', member, { code: '123456' });
    assert.equal(enableEarly.statusCode, 409, 'set-up comes first');
    await post('/api/v1/me/two-factor/setup', member);
    const wrong = await post('/api/v1/me/two-factor/enable', member, { code: '000000' });
    assert.equal(wrong.statusCode, 400);
    assert.match(errorOf(wrong).message, /not correct/);
    const status = await app.inject({ method: 'GET', url: '/api/v1/me/two-factor', cookies: { patron_session: member.cookie } });
    assert.deepEqual(status.json(), { enabled: false, recoveryCodesLeft: 0 });
  });

  test('AC-5: sign-in with 2-step verification needs the password, then a TOTP code', async () => {
    const member = await memberWithTwoFactor();
    const challengeId = await passwordStep(member.email);
    const wrong = await codeStep(challengeId, '000000');
    assert.equal(wrong.statusCode, 401);
    const right = await codeStep(challengeId, await codeAt(member.secret));
    assert.equal(right.statusCode, 200, right.body);
    const cookie = right.cookies.find((c) => c.name === 'patron_session');
    assert.ok(cookie?.httpOnly);
    const session = await app.inject({ method: 'GET', url: '/api/v1/session', cookies: { patron_session: cookie.value } });
    assert.equal((session.json() as { member: { id: string } }).member.id, member.memberId);
    assert.equal((await codeStep(challengeId, await codeAt(member.secret))).statusCode, 401, 'a challenge is spent by its sign-in');
  });

  test('AC-5: a TOTP code is accepted once; the next time step’s code works', async () => {
    const member = await memberWithTwoFactor();
    const code = await codeAt(member.secret);
    assert.equal((await codeStep(await passwordStep(member.email), code)).statusCode, 200);
    const replay = await codeStep(await passwordStep(member.email), code);
    assert.equal(replay.statusCode, 401, 'the same code cannot sign in twice');
    nextTimeStep();
    assert.equal((await codeStep(await passwordStep(member.email), await codeAt(member.secret))).statusCode, 200);
  });

  test('AC-5: a recovery code signs in once only', async () => {
    const member = await memberWithTwoFactor();
    const recoveryCode = member.recoveryCodes[3]!;
    const first = await codeStep(await passwordStep(member.email), recoveryCode.toUpperCase());
    assert.equal(first.statusCode, 200, first.body);
    const again = await codeStep(await passwordStep(member.email), recoveryCode);
    assert.equal(again.statusCode, 401, 'a recovery code works once');
    const status = await app.inject({ method: 'GET', url: '/api/v1/me/two-factor', cookies: { patron_session: member.cookie } });
    assert.deepEqual(status.json(), { enabled: true, recoveryCodesLeft: 9 });
    assert.equal((await codeStep(await passwordStep(member.email), member.recoveryCodes[4]!.replaceAll('-', ''))).statusCode, 200, 'another code still works, typed without dashes');
  });

  test('AC-5: five wrong codes end the challenge', async () => {
    const member = await memberWithTwoFactor();
    const challengeId = await passwordStep(member.email);
    for (let i = 0; i < 5; i++) assert.equal((await codeStep(challengeId, String(100000 + i))).statusCode, 401);
    const late = await codeStep(challengeId, await codeAt(member.secret));
    assert.equal(late.statusCode, 401);
    assert.match(errorOf(late).message, /expired/);
  });

  test('AC-5: a challenge expires after 5 minutes', async () => {
    const member = await memberWithTwoFactor();
    const challengeId = await passwordStep(member.email);
    suite.deps().clock.advanceMs(5 * 60_000);
    const late = await codeStep(challengeId, await codeAt(member.secret));
    assert.equal(late.statusCode, 401);
    assert.match(errorOf(late).message, /expired/);
  });

  test('AC-5: turning 2-step verification off needs a code; afterwards the password alone signs in', async () => {
    const member = await memberWithTwoFactor();
    assert.equal((await post('/api/v1/me/two-factor/disable', member, { code: '999999' })).statusCode, 400);
    const off = await post('/api/v1/me/two-factor/disable', member, { code: await codeAt(member.secret) });
    assert.equal(off.statusCode, 200, off.body);
    assert.deepEqual(off.json(), { enabled: false, recoveryCodesLeft: 0 });
    const signIn = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: member.email, password }, remoteAddress: nextAddress() });
    assert.equal((signIn.json() as { status: string }).status, 'signed_in');
  });

  test('AC-5: new recovery codes replace the old ones', async () => {
    const member = await memberWithTwoFactor();
    const replaced = await post('/api/v1/me/two-factor/recovery-codes', member, { code: await codeAt(member.secret) });
    assert.equal(replaced.statusCode, 200, replaced.body);
    const fresh = (replaced.json() as { recoveryCodes: string[] }).recoveryCodes;
    assert.equal(fresh.length, 10);
    assert.equal((await codeStep(await passwordStep(member.email), member.recoveryCodes[0]!)).statusCode, 401, 'old codes no longer work');
    assert.equal((await codeStep(await passwordStep(member.email), fresh[0]!)).statusCode, 200);
  });
});
