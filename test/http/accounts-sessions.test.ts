// Sessions over HTTP (AC-4, PL-14, PL-16): sign-in, the cookie, CSRF on cookie writes, signing out here and
// everywhere, idle and absolute expiry on the injected clock, and the lockout after repeated failures.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { transact } from '../../src/deps.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { createStaffUser } from '../../src/modules/accounts/index.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/platform/clock.ts';
import { describeEachDatabase } from '../support/each-database.ts';

let addressCounter = 0;
function nextAddress(): string {
  addressCounter++;
  return `10.2.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
}

interface SignedIn {
  memberId: string;
  cookie: string;
  csrfToken: string;
}

function errorOf(response: LightMyRequestResponse): { code: string; message: string } {
  return (response.json() as { error: { code: string; message: string } }).error;
}

/** The error body without its request ID, which differs on every request by design. */
function answerOf(response: LightMyRequestResponse): { status: number; code: string; message: string } {
  const { code, message } = errorOf(response);
  return { status: response.statusCode, code, message };
}

describeEachDatabase('accounts: sessions and sign-in', (suite) => {
  let app: ZodApp;
  let memberCount = 0;
  before(async () => {
    app = await buildApp(suite.deps());
  });
  after(async () => {
    await app.close();
  });

  const password = 'harbor-lantern-31';

  async function newMember(): Promise<{ email: string } & SignedIn> {
    memberCount++;
    const email = `session.member${memberCount}@example.com`;
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { email, password, country: 'GB', dateOfBirth: '1985-05-05' },
      remoteAddress: nextAddress(),
    });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json() as { member: { id: string }; csrfToken: string };
    return { email, memberId: body.member.id, cookie: response.cookies.find((c) => c.name === 'patron_session')!.value, csrfToken: body.csrfToken };
  }

  const signIn = (email: string, secret: string, remoteAddress = nextAddress()) =>
    app.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password: secret }, remoteAddress });

  async function signedIn(email: string, secret = password): Promise<SignedIn> {
    const response = await signIn(email, secret);
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as { status: string; member: { id: string }; csrfToken: string };
    assert.equal(body.status, 'signed_in');
    return { memberId: body.member.id, cookie: response.cookies.find((c) => c.name === 'patron_session')!.value, csrfToken: body.csrfToken };
  }

  const getSession = (cookie: string) => app.inject({ method: 'GET', url: '/api/v1/session', cookies: { patron_session: cookie } });

  test('AC-4: sign-in sets an HttpOnly, SameSite session cookie; GET /session returns the member and a CSRF token', async () => {
    const member = await newMember();
    const response = await signIn(`  ${member.email.toUpperCase()} `, password);
    assert.equal(response.statusCode, 200, response.body);
    const cookie = response.cookies.find((c) => c.name === 'patron_session');
    assert.ok(cookie);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.maxAge, 30 * 24 * 3600);
    const session = await getSession(cookie.value);
    assert.equal(session.statusCode, 200);
    const body = session.json() as { member: { id: string; email: string }; csrfToken: string };
    assert.equal(body.member.id, member.memberId);
    assert.equal(body.csrfToken, (response.json() as { csrfToken: string }).csrfToken);
  });

  test('AC-4: the session cookie is Secure when the public URL is https', async () => {
    const deps = suite.deps();
    const secureApp = await buildApp({ ...deps, config: { ...deps.config, http: { ...deps.config.http, secureCookies: true } } });
    try {
      const member = await newMember();
      const response = await secureApp.inject({ method: 'POST', url: '/api/v1/session', payload: { email: member.email, password }, remoteAddress: nextAddress() });
      assert.equal(response.cookies.find((c) => c.name === 'patron_session')?.secure, true);
    } finally {
      await secureApp.close();
    }
  });

  test('PL-14: a cookie-authenticated write without the CSRF token is refused with 403; with it, it goes through', async () => {
    const member = await newMember();
    const without = await app.inject({ method: 'PATCH', url: '/api/v1/me', cookies: { patron_session: member.cookie }, payload: { firstName: 'Mallory' } });
    assert.equal(without.statusCode, 403);
    assert.equal(errorOf(without).code, 'csrf');
    const wrong = await app.inject({ method: 'PATCH', url: '/api/v1/me', cookies: { patron_session: member.cookie }, headers: { 'x-csrf-token': 'forged' }, payload: { firstName: 'Mallory' } });
    assert.equal(wrong.statusCode, 403);
    const right = await app.inject({ method: 'PATCH', url: '/api/v1/me', cookies: { patron_session: member.cookie }, headers: { 'x-csrf-token': member.csrfToken }, payload: { firstName: 'Alice' } });
    assert.equal(right.statusCode, 200, right.body);
    const signOut = await app.inject({ method: 'DELETE', url: '/api/v1/session', cookies: { patron_session: member.cookie } });
    assert.equal(signOut.statusCode, 403, 'signing out is a write too');
  });

  test('AC-4: sign-out ends this session only', async () => {
    const member = await newMember();
    const other = await signedIn(member.email);
    const response = await app.inject({ method: 'DELETE', url: '/api/v1/session', cookies: { patron_session: member.cookie }, headers: { 'x-csrf-token': member.csrfToken } });
    assert.equal(response.statusCode, 204);
    const cleared = response.cookies.find((c) => c.name === 'patron_session');
    assert.ok(cleared && cleared.value === '', 'the cookie is cleared');
    assert.equal((await getSession(member.cookie)).statusCode, 401);
    assert.equal((await getSession(other.cookie)).statusCode, 200);
  });

  test('AC-4: sign out everywhere ends every session of the member, and no one else’s', async () => {
    const member = await newMember();
    const phone = await signedIn(member.email);
    const bystander = await newMember();
    const response = await app.inject({ method: 'DELETE', url: '/api/v1/sessions', cookies: { patron_session: member.cookie }, headers: { 'x-csrf-token': member.csrfToken } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { sessionsEnded: 2 });
    assert.equal((await getSession(member.cookie)).statusCode, 401);
    assert.equal((await getSession(phone.cookie)).statusCode, 401);
    assert.equal((await getSession(bystander.cookie)).statusCode, 200);
  });

  test('AC-4, PL-15: a member lists their sessions and ends one; another member’s session is not found', async () => {
    const member = await newMember();
    const laptop = await signedIn(member.email);
    const list = await app.inject({ method: 'GET', url: '/api/v1/sessions', cookies: { patron_session: member.cookie } });
    assert.equal(list.statusCode, 200);
    const sessions = (list.json() as { sessions: { id: string; current: boolean }[] }).sessions;
    assert.equal(sessions.length, 2);
    assert.equal(sessions.filter((s) => s.current).length, 1);
    const laptopSession = sessions.find((s) => !s.current)!;

    const stranger = await newMember();
    const foreign = await app.inject({ method: 'DELETE', url: `/api/v1/sessions/${laptopSession.id}`, cookies: { patron_session: stranger.cookie }, headers: { 'x-csrf-token': stranger.csrfToken } });
    assert.equal(foreign.statusCode, 404);
    assert.equal((await getSession(laptop.cookie)).statusCode, 200);

    const own = await app.inject({ method: 'DELETE', url: `/api/v1/sessions/${laptopSession.id}`, cookies: { patron_session: member.cookie }, headers: { 'x-csrf-token': member.csrfToken } });
    assert.equal(own.statusCode, 204);
    assert.equal((await getSession(laptop.cookie)).statusCode, 401);
    assert.equal((await getSession(member.cookie)).statusCode, 200);
  });

  test('AC-4: a member session ends after 14 idle days, on the injected clock', async () => {
    const member = await newMember();
    const clock = suite.deps().clock;
    clock.advanceMs(14 * DAY_MS - MINUTE_MS);
    assert.equal((await getSession(member.cookie)).statusCode, 200, 'activity just before the idle limit keeps it');
    clock.advanceMs(14 * DAY_MS - MINUTE_MS);
    assert.equal((await getSession(member.cookie)).statusCode, 200);
    clock.advanceMs(14 * DAY_MS);
    assert.equal((await getSession(member.cookie)).statusCode, 401, '14 idle days end it');
  });

  test('AC-4: a member session ends 30 days after sign-in however active it is', async () => {
    const member = await newMember();
    const clock = suite.deps().clock;
    for (let day = 1; day < 30; day++) {
      clock.advanceMs(DAY_MS);
      assert.equal((await getSession(member.cookie)).statusCode, 200, `day ${day}`);
    }
    clock.advanceMs(DAY_MS);
    assert.equal((await getSession(member.cookie)).statusCode, 401, 'day 30');
  });

  test('AC-4: a staff session ends after 2 idle hours', async () => {
    const deps = suite.deps();
    await transact(deps, (ctx) => createStaffUser(ctx, { email: 'idle.agent@patron.test', password: 'console-shift-2026', role: 'agent' }));
    const agent = await signedIn('idle.agent@patron.test', 'console-shift-2026');
    deps.clock.advanceMs(2 * HOUR_MS - MINUTE_MS);
    assert.equal((await getSession(agent.cookie)).statusCode, 200);
    deps.clock.advanceMs(2 * HOUR_MS);
    assert.equal((await getSession(agent.cookie)).statusCode, 401);
  });

  test('AC-4: a wrong password and an unknown email get the same status and body', async () => {
    const member = await newMember();
    const wrong = await signIn(member.email, 'not-the-password-1');
    const unknown = await signIn('nobody.here@example.com', 'not-the-password-1');
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(answerOf(wrong), answerOf(unknown));
    assert.equal(answerOf(wrong).code, 'invalid_credentials');
    assert.equal(wrong.cookies.length, 0);
  });

  test('AC-4: an unknown email costs an argon2 verification like a wrong password (same timing class)', async () => {
    const member = await newMember();
    const timeOf = async (email: string) => {
      const startedMs = performance.now();
      await signIn(email, 'not-the-password-2');
      return performance.now() - startedMs;
    };
    // The fastest of five interleaved tries of each: another process's load only ever adds time, so the minimum is
    // the path's own cost (a median of three failed now and then on a busy machine).
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      wrong.push(await timeOf(member.email));
      unknown.push(await timeOf(`ghost${i}@example.com`));
    }
    const [fastestWrong, fastestUnknown] = [Math.min(...wrong), Math.min(...unknown)];
    assert.ok(fastestUnknown >= 0.4 * fastestWrong, `unknown email ${fastestUnknown.toFixed(1)} ms vs wrong password ${fastestWrong.toFixed(1)} ms`);
  });

  test('AC-4: after 5 failures in 15 minutes the 6th try is locked for 15 minutes, the same way for an unknown email', async () => {
    const member = await newMember();
    const clock = suite.deps().clock;
    for (let i = 0; i < 5; i++) {
      if (i > 0) clock.advanceMs(MINUTE_MS);
      assert.equal((await signIn(member.email, `wrong-password-${i}`)).statusCode, 401);
      assert.equal((await signIn('phantom@example.com', `wrong-password-${i}`)).statusCode, 401);
    }
    const locked = await signIn(member.email, password);
    assert.equal(locked.statusCode, 423, 'even the right password is refused while locked');
    assert.equal(locked.cookies.length, 0);
    const lockedUnknown = await signIn('phantom@example.com', password);
    assert.deepEqual(answerOf(locked), answerOf(lockedUnknown));
    assert.equal(answerOf(locked).code, 'locked');
    assert.match(answerOf(locked).message, /15 minutes/);

    clock.advanceMs(14 * MINUTE_MS);
    assert.equal((await signIn(member.email, password)).statusCode, 423, 'still locked just before 15 minutes');
    clock.advanceMs(MINUTE_MS);
    assert.equal((await signIn(member.email, password)).statusCode, 200, 'the lockout ends after 15 minutes');
  });

  test('AC-4 PL-16: failures from one address (a NAT) slow it down with a growing delay and 429 Retry-After; they lock no one behind it', async () => {
    const member = await newMember();
    const clock = suite.deps().clock;
    const address = nextAddress();
    // Ten failures from one address, on ten accounts: no lockout, and no one else's account is touched.
    for (let i = 0; i < 10; i++) assert.equal((await signIn(`spray${i}@example.com`, 'guess-password-1', address)).statusCode, 401, `attempt ${i + 1}`);
    const slowed = await signIn(member.email, password, address);
    assert.equal(slowed.statusCode, 429, 'the address waits a second before its next attempt');
    assert.equal(slowed.headers['retry-after'], '1');
    assert.equal(answerOf(slowed).code, 'rate_limited');
    assert.equal(slowed.cookies.length, 0);
    clock.advanceMs(1000);
    assert.equal((await signIn('spray10@example.com', 'guess-password-1', address)).statusCode, 401);
    const longer = await signIn(member.email, password, address);
    assert.equal(longer.statusCode, 429);
    assert.equal(longer.headers['retry-after'], '2', 'the delay grows with each further failure');
    // Someone else behind the same address signs in once the short delay is over: nobody is locked out.
    clock.advanceMs(2000);
    assert.equal((await signIn(member.email, password, address)).statusCode, 200, 'the member behind the NAT signs in');
    assert.equal((await signIn(member.email, password, nextAddress())).statusCode, 200, 'the account itself was never locked');
  });

  test('AC-4: the per-account lockout still holds whichever addresses the failures come from', async () => {
    const member = await newMember();
    for (let i = 0; i < 5; i++) assert.equal((await signIn(member.email, `wrong-password-${i}`, nextAddress())).statusCode, 401);
    assert.equal((await signIn(member.email, password, nextAddress())).statusCode, 423);
  });

  test('PL-16: 2-step code entry is rate limited per address', async () => {
    const remoteAddress = nextAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await app.inject({ method: 'POST', url: '/api/v1/session/two-factor', payload: { challengeId: 'unknown-challenge', code: '123456' }, remoteAddress })).statusCode);
    }
    assert.deepEqual(statuses.slice(0, 10), Array.from({ length: 10 }, () => 401));
    assert.equal(statuses[10], 429);
  });

  test('AC-4: without a session, GET /session says so with 401', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/session' });
    assert.equal(response.statusCode, 401);
    assert.equal(errorOf(response).code, 'unauthenticated');
    assert.equal((await getSession('made-up-token')).statusCode, 401);
  });
});
