// Sign-up over HTTP (AC-1, AC-2, AC-3): eligibility, unique emails, the password policy, the session it starts,
// the emails it queues, and the boundary rules every route follows (PL-9, PL-13, PL-16).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { getMessage, listMessages } from '../../src/modules/notifications/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';

let addressCounter = 0;
/** Each request its own client address, so the per-address rate limit only bites where a test wants it to. */
function nextAddress(): string {
  addressCounter++;
  return `10.1.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
}

function errorOf(response: LightMyRequestResponse): { code: string; message: string; details?: unknown } {
  return (response.json() as { error: { code: string; message: string; details?: unknown } }).error;
}

describeEachDatabase('accounts: sign-up', (suite) => {
  let app: ZodApp;
  before(async () => {
    app = await buildApp(suite.deps());
  });
  after(async () => {
    await app.close();
  });

  const signUp = (payload: Record<string, unknown>, remoteAddress = nextAddress()) =>
    app.inject({ method: 'POST', url: '/api/v1/accounts', payload, remoteAddress });

  test('AC-1: sign-up stores the email trimmed and lower-cased, signs the person in and returns the member', async () => {
    const response = await signUp({ email: '  Ines.Moreau@Example.FR ', password: 'lavender-bicycle-42', country: 'fr', dateOfBirth: '1994-07-14' });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json() as { member: { id: string; email: string; country: string; emailVerified: boolean; role: string }; csrfToken: string };
    assert.equal(body.member.email, 'ines.moreau@example.fr');
    assert.equal(body.member.country, 'FR');
    assert.equal(body.member.emailVerified, false);
    assert.equal(body.member.role, 'member');
    assert.ok(body.csrfToken.length >= 20);

    const cookie = response.cookies.find((c) => c.name === 'patron_session');
    assert.ok(cookie, 'a session cookie is set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.path, '/');
    assert.equal(cookie.secure, undefined, 'not Secure when the public URL is plain http (local development)');

    const session = await app.inject({ method: 'GET', url: '/api/v1/session', cookies: { patron_session: cookie.value } });
    assert.equal(session.statusCode, 200);
    assert.equal((session.json() as { member: { id: string } }).member.id, body.member.id);
  });

  test('AC-1: an email already registered, in any case and with spaces, is refused with a clear 409', async () => {
    assert.equal((await signUp({ email: 'paulo.reis@example.pt', password: 'granite-window-88', country: 'PT', dateOfBirth: '1988-02-02' })).statusCode, 201);
    const again = await signUp({ email: ' PAULO.Reis@example.pt', password: 'another-granite-99', country: 'PT', dateOfBirth: '1988-02-02' });
    assert.equal(again.statusCode, 409);
    assert.equal(errorOf(again).code, 'already_exists');
    assert.match(errorOf(again).message, /already exists/);
  });

  test('AC-1, AC-6: sign-up queues a verify-email message with a single-use link, and a welcome message', async () => {
    const deps = suite.deps();
    const response = await signUp({ email: 'lena.berg@example.se', password: 'northern-lights-7', country: 'SE', dateOfBirth: '1999-11-30' });
    assert.equal(response.statusCode, 201);
    const messages = (await listMessages(deps, { limit: 200 })).filter((m) => m.to === 'lena.berg@example.se');
    const subjects = messages.map((m) => m.subject).sort();
    assert.deepEqual(subjects, ['Confirm your email address', 'Welcome to your new account']);
    const verify = await getMessage(deps, messages.find((m) => m.subject === 'Confirm your email address')!.id);
    assert.match(verify!.text, new RegExp(`${deps.config.http.publicUrl}/verify-email\\?token=[A-Za-z0-9_-]{40,}`));
  });

  test('AC-2: a 13-year-old cannot sign up in the US (minimum 14) but can in France (minimum 13)', async () => {
    // The suite clock is 2026-03-02: born 2012-06-01 is 13.
    const us = await signUp({ email: 'teen.us@example.com', password: 'skateboard-sunset-5', country: 'US', dateOfBirth: '2012-06-01' });
    assert.equal(us.statusCode, 422);
    assert.equal(errorOf(us).code, 'not_eligible');
    assert.match(errorOf(us).message, /at least 14 years old/);
    const fr = await signUp({ email: 'teen.fr@example.com', password: 'skateboard-sunset-5', country: 'FR', dateOfBirth: '2012-06-01' });
    assert.equal(fr.statusCode, 201, fr.body);
    const elsewhere = await signUp({ email: 'teen.ca@example.com', password: 'skateboard-sunset-5', country: 'CA', dateOfBirth: '2011-01-01' });
    assert.equal(errorOf(elsewhere).code, 'not_eligible', '15 is under the default minimum of 16');
  });

  test('AC-2: a refused sign-up leaves no member behind', async () => {
    const deps = suite.deps();
    await signUp({ email: 'nobody.young@example.com', password: 'skateboard-sunset-5', country: 'US', dateOfBirth: '2013-01-01' });
    const rows = await sql<{ count: number }>`select count(*) as count from members where email = ${'nobody.young@example.com'}`.execute(deps.db);
    assert.equal(Number(rows.rows[0]!.count), 0);
  });

  test('AC-3: short and common passwords are refused with 422 weak_password; accepted ones are stored as argon2id', async () => {
    const short = await signUp({ email: 'weak.one@example.com', password: 'abc123xyz', country: 'DE', dateOfBirth: '1990-01-01' });
    assert.equal(short.statusCode, 422);
    assert.equal(errorOf(short).code, 'weak_password');
    assert.match(errorOf(short).message, /at least 10 characters/);
    const common = await signUp({ email: 'weak.two@example.com', password: 'Password1234', country: 'DE', dateOfBirth: '1990-01-01' });
    assert.equal(errorOf(common).code, 'weak_password');
    assert.match(errorOf(common).message, /too common/);

    const good = await signUp({ email: 'strong.one@example.com', password: 'copper-meadow-train', country: 'DE', dateOfBirth: '1990-01-01' });
    assert.equal(good.statusCode, 201);
    const memberId = (good.json() as { member: { id: string } }).member.id;
    const stored = await sql<{ password_hash: string }>`select password_hash from member_credentials where member_id = ${memberId}`.execute(suite.deps().db);
    assert.match(stored.rows[0]!.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.doesNotMatch(stored.rows[0]!.password_hash, /copper-meadow-train/);
  });

  test('PL-13: an unknown body field is refused with 400 and names the field', async () => {
    const response = await signUp({ email: 'extra.field@example.com', password: 'copper-meadow-train', country: 'DE', dateOfBirth: '1990-01-01', role: 'admin' });
    assert.equal(response.statusCode, 400);
    const error = errorOf(response);
    assert.equal(error.code, 'validation');
    assert.match(JSON.stringify(error.details), /role/);
  });

  test('PL-13: malformed fields are refused at the boundary with clear messages', async () => {
    const response = await signUp({ email: 'not-an-email', password: 'copper-meadow-train', country: 'ZZ', dateOfBirth: '2023-02-29' });
    assert.equal(response.statusCode, 400);
    const details = JSON.stringify(errorOf(response).details);
    assert.match(details, /body\.email/);
    assert.match(details, /body\.country/);
    assert.match(details, /body\.dateOfBirth/);
  });

  test('PL-16: sign-up is rate limited per address', async () => {
    const remoteAddress = nextAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await signUp({ email: `flood${i}@example.com` }, remoteAddress)).statusCode);
    assert.deepEqual(statuses.slice(0, 20), Array.from({ length: 20 }, () => 400));
    assert.equal(statuses[20], 429);
  });

  test('PL-9: the accounts routes are in the OpenAPI document', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    assert.equal(response.statusCode, 200);
    const paths = Object.keys((response.json() as { paths: Record<string, unknown> }).paths);
    for (const path of ['/api/v1/accounts', '/api/v1/session', '/api/v1/me', '/api/v1/me/addresses/{addressId}', '/api/v1/members/{memberId}', '/api/v1/admin/api-keys', '/api/v1/auth/oidc/{provider}/callback']) {
      assert.ok(paths.includes(path), `${path} is documented`);
    }
  });
});

describeEachDatabase(
  'accounts: sign-up on a leap-day birthday',
  (suite) => {
    let app: ZodApp;
    before(async () => {
      app = await buildApp(suite.deps());
    });
    after(async () => {
      await app.close();
    });

    test('AC-2: born 29 February 2012, a US sign-up is refused on 28 February 2026 and accepted on 1 March 2026', async () => {
      const payload = { email: 'leapling@example.com', password: 'quartz-harbor-ferry', country: 'US', dateOfBirth: '2012-02-29' };
      const early = await app.inject({ method: 'POST', url: '/api/v1/accounts', payload, remoteAddress: nextAddress() });
      assert.equal(early.statusCode, 422);
      assert.equal(errorOf(early).code, 'not_eligible');
      suite.deps().clock.setMs(Date.parse('2026-03-01T00:00:00.000Z'));
      const onBirthday = await app.inject({ method: 'POST', url: '/api/v1/accounts', payload, remoteAddress: nextAddress() });
      assert.equal(onBirthday.statusCode, 201, onBirthday.body);
    });
  },
  { startMs: Date.parse('2026-02-28T23:00:00.000Z') },
);
