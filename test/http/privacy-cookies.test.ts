// The cookie banner's API, Global Privacy Control, the sign-in merge, changed notices and the advertising audience
// (PV-22..PV-25), through the whole app on both databases. The region comes from a CF-IPCountry header here.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { transact } from '../../src/deps.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { createMemberForSeed, createStaffUser } from '../../src/modules/accounts/index.ts';
import { advertisingAudience, consentHistory, currentConsents, mayUseForAdvertising, recordConsent, setRestriction } from '../../src/modules/privacy/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';
import { addressSequence, signInOverHttp, type HttpSession } from '../support/http-session.ts';

const password = 'cookie-jar-lantern-88';

interface ConsentAnswer {
  deviceId: string | null;
  region: string | null;
  regime: string;
  gpc: boolean;
  ask: boolean;
  categories: { necessary: true; analytics: boolean; advertising: boolean; personalization: boolean };
  advertisingBlock: string | null;
  purposes: Record<'analytics' | 'advertising' | 'personalization', { choice: string; recorded: boolean; stale: boolean; method: string | null }>;
}

describeEachDatabase('privacy: cookie banner, GPC, audiences', (suite) => {
  let app: ZodApp;
  let deps: TestDeps;
  let admin: HttpSession;
  let count = 0;
  const nextAddress = addressSequence(71);

  before(async () => {
    const base = suite.deps();
    deps = { ...base, config: { ...base.config, consent: { regionHeader: 'cf-ipcountry', defaultRegion: undefined } } };
    app = await buildApp(deps, { rateLimits: false });
    await createStaffUser(deps, { email: 'consent.admin@example.com', password, role: 'admin' });
    admin = await signInOverHttp(app, { email: 'consent.admin@example.com', password, remoteAddress: nextAddress() });
  });
  after(async () => app.close());

  async function newMember(input: { country?: string; dateOfBirth?: string } = {}): Promise<{ memberId: string; email: string }> {
    count++;
    const email = `cookies.${count}@example.com`;
    const { memberId } = await createMemberForSeed(deps, { email, password, country: input.country ?? 'US', dateOfBirth: input.dateOfBirth ?? '1988-04-04', emailVerified: true });
    return { memberId, email };
  }

  function cookiesOf(input: { session?: HttpSession; device?: string }): Record<string, string> {
    return { ...(input.session ? { patron_session: input.session.cookie } : {}), ...(input.device ? { patron_device: input.device } : {}) };
  }

  async function readConsent(input: { session?: HttpSession; device?: string; region?: string; gpc?: boolean; query?: string } = {}): Promise<ConsentAnswer> {
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/privacy/consent${input.query ?? ''}`,
      cookies: cookiesOf(input),
      headers: { ...(input.region ? { 'cf-ipcountry': input.region } : {}), ...(input.gpc ? { 'sec-gpc': '1' } : {}) },
    });
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as ConsentAnswer;
  }

  async function choose(choices: Record<string, boolean>, input: { session?: HttpSession; device?: string; region?: string; deviceId?: string } = {}) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/privacy/consent',
      cookies: cookiesOf(input),
      headers: { ...(input.region ? { 'cf-ipcountry': input.region } : {}), ...(input.session ? { 'x-csrf-token': input.session.csrfToken } : {}) },
      payload: { choices, method: 'banner', ...(input.deviceId ? { deviceId: input.deviceId } : {}) },
    });
    assert.equal(response.statusCode, 200, response.body);
    const device = response.cookies.find((c) => c.name === 'patron_device')?.value;
    return { answer: response.json() as ConsentAnswer, device };
  }

  test('PV-23 in an opt-in region nothing optional runs and nothing is stored before a choice; the banner asks; elsewhere it does not', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/privacy/consent', headers: { 'cf-ipcountry': 'DE', origin: 'https://shop.example' } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['set-cookie'], undefined, 'no cookie before a choice');
    assert.equal(response.headers['access-control-allow-origin'], '*');
    assert.equal(response.headers['cross-origin-resource-policy'], 'cross-origin');
    const germany = response.json() as ConsentAnswer;
    assert.deepEqual(germany.categories, { necessary: true, analytics: false, advertising: false, personalization: false });
    assert.equal(germany.ask, true);
    assert.equal(germany.regime, 'opt_in');
    const california = await readConsent({ region: 'US-CA' });
    assert.equal(california.ask, false);
    assert.deepEqual(california.categories, { necessary: true, analytics: true, advertising: true, personalization: true });
    const unknown = await readConsent({ region: 'XX' });
    assert.equal(unknown.region, null);
    assert.equal(unknown.regime, 'opt_in', 'an unknown region is treated as opt-in');
  });

  test('PV-23 "Reject all" stores the device cookie and the refusals; the answer and a later read agree; a storefront may pass its own device ID', async () => {
    const { answer, device } = await choose({ analytics: false, advertising: false, personalization: false }, { region: 'FR' });
    assert.ok(device, 'the choice sets the device cookie');
    assert.equal(answer.ask, false);
    assert.deepEqual(answer.categories, { necessary: true, analytics: false, advertising: false, personalization: false });
    assert.equal((await readConsent({ device, region: 'FR' })).purposes.analytics.recorded, true);
    const storefront = 'storefront-device-0123456789';
    const saved = await choose({ analytics: true, advertising: false, personalization: true }, { region: 'FR', deviceId: storefront });
    assert.equal(saved.device, undefined, 'a storefront keeps its own first-party cookie');
    const read = await readConsent({ region: 'FR', query: `?deviceId=${storefront}` });
    assert.deepEqual(read.categories, { necessary: true, analytics: true, advertising: false, personalization: true });
  });

  test('PV-24 a request with Sec-GPC: 1 records one opt-out; a later request without it changes nothing; a second GPC request records nothing new', async () => {
    const member = await newMember({ country: 'US' });
    const session = await signInOverHttp(app, { email: member.email, password, remoteAddress: nextAddress() });
    const { device } = await choose({ analytics: true, advertising: true, personalization: true }, { session, region: 'US-CA' });
    assert.ok(device);
    const before = await consentHistory(deps, { memberId: member.memberId });
    assert.equal(before.at(-1)?.choice, 'granted');

    // Any request: the member's own session read.
    const withSignal = await app.inject({ method: 'GET', url: '/api/v1/session', cookies: cookiesOf({ session, device }), headers: { 'sec-gpc': '1' } });
    assert.equal(withSignal.statusCode, 200);
    const afterSignal = await consentHistory(deps, { memberId: member.memberId });
    const gpcRecords = afterSignal.filter((record) => record.method === 'gpc');
    assert.equal(gpcRecords.length, 1, 'one opt-out recorded');
    assert.equal(gpcRecords[0]?.purpose, 'advertising');
    assert.equal(gpcRecords[0]?.choice, 'denied');
    assert.equal(gpcRecords[0]?.subject.deviceId, device, 'for the browser and the account at once');

    const without = await readConsent({ session, device, region: 'US-CA' });
    assert.equal(without.gpc, false);
    assert.equal(without.categories.advertising, false, 'a later request without the signal never opts back in');
    assert.equal(without.categories.analytics, true);
    await app.inject({ method: 'GET', url: '/api/v1/session', cookies: cookiesOf({ session, device }), headers: { 'sec-gpc': '1' } });
    const withAgain = await readConsent({ session, device, region: 'US-CA', gpc: true });
    assert.equal(withAgain.gpc, true);
    assert.equal(withAgain.advertisingBlock, 'gpc');
    assert.equal((await consentHistory(deps, { memberId: member.memberId })).length, afterSignal.length, 'nothing new');
    // The account is opted out in another browser too.
    assert.equal((await currentConsents(deps, { memberId: member.memberId }, { region: 'US-CA' })).advertising.choice, 'denied');
  });

  test('PV-24 a page’s parallel requests all carrying Sec-GPC record the opt-out once', async () => {
    const { device } = await choose({ advertising: true }, { region: 'US-CA' });
    assert.ok(device);
    const responses = await Promise.all(Array.from({ length: 6 }, () => app.inject({ method: 'GET', url: '/healthz', cookies: { patron_device: device }, headers: { 'sec-gpc': '1' } })));
    assert.ok(responses.every((r) => r.statusCode === 200));
    assert.equal((await consentHistory(deps, { deviceId: device })).filter((record) => record.method === 'gpc').length, 1);
  });

  test('PV-24 the page’s navigator.globalPrivacyControl counts like the header; /.well-known/gpc.json is served', async () => {
    const storefront = 'storefront-gpc-device-000001';
    await choose({ advertising: true }, { region: 'US-CA', deviceId: storefront });
    const read = await readConsent({ region: 'US-CA', query: `?deviceId=${storefront}&gpc=1` });
    assert.equal(read.gpc, true);
    assert.equal(read.categories.advertising, false);
    assert.equal(read.purposes.advertising.method, 'gpc');
    const wellKnown = await app.inject({ method: 'GET', url: '/.well-known/gpc.json' });
    assert.equal(wellKnown.statusCode, 200);
    const body = wellKnown.json() as { gpc: boolean; lastUpdate: string };
    assert.equal(body.gpc, true);
    assert.match(body.lastUpdate, /^\d{4}-\d{2}-\d{2}$/);
    const script = await app.inject({ method: 'GET', url: '/privacy/consent.js' });
    assert.equal(script.statusCode, 200);
    assert.match(String(script.headers['content-type']), /javascript/);
    assert.equal(script.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.match(script.body, /globalPrivacyControl/);
    assert.ok(script.body.length < 16_000, `the banner script stays small (${script.body.length} bytes)`);
  });

  test('PV-23 signing in merges a browser’s stricter choice into the account: advertising refused in the browser is refused for the account', async () => {
    const member = await newMember({ country: 'DE' });
    await transact(deps, (ctx) => recordConsent(ctx, { subject: { memberId: member.memberId }, choices: [{ purpose: 'advertising', choice: 'granted' }, { purpose: 'analytics', choice: 'granted' }], method: 'settings', region: 'DE' }));
    deps.clock.advanceMs(60_000);
    const { device } = await choose({ analytics: false, advertising: false, personalization: true }, { region: 'DE' });
    assert.ok(device);
    // An older browser grant never loosens a stricter account choice either: checked below with a second browser.
    const signIn = await app.inject({ method: 'POST', url: '/api/v1/session', cookies: { patron_device: device }, payload: { email: member.email, password }, remoteAddress: nextAddress() });
    assert.equal(signIn.statusCode, 200, signIn.body);
    const account = await currentConsents(deps, { memberId: member.memberId }, { region: 'DE' });
    assert.equal(account.advertising.choice, 'denied', 'the stricter choice wins for sale/share');
    assert.equal(account.analytics.choice, 'denied', 'the newer choice wins for the rest');
    assert.equal(account.personalization.choice, 'granted');

    deps.clock.advanceMs(60_000);
    const second = await choose({ analytics: true, advertising: true, personalization: true }, { region: 'DE' });
    const again = await app.inject({ method: 'POST', url: '/api/v1/session', cookies: { patron_device: second.device! }, payload: { email: member.email, password }, remoteAddress: nextAddress() });
    assert.equal(again.statusCode, 200);
    assert.equal((await currentConsents(deps, { memberId: member.memberId }, { region: 'DE' })).advertising.choice, 'denied', 'a newer grant in another browser does not undo the refusal');
    assert.equal((await currentConsents(deps, { deviceId: second.device! }, { region: 'DE' })).advertising.choice, 'denied', 'that browser now follows the account');
  });

  test('PV-22 a changed notice re-asks only its purpose: the banner shows again for a subject whose choice is stale', async () => {
    const { device } = await choose({ analytics: true, advertising: false, personalization: true }, { region: 'IT' });
    assert.equal((await readConsent({ device, region: 'IT' })).ask, false);
    const refused = await app.inject({ method: 'POST', url: '/api/v1/privacy/consent/notices', payload: { purpose: 'analytics', text: 'We now also measure scroll depth on product pages.' } });
    assert.equal(refused.statusCode, 401);
    const published = await app.inject({ method: 'POST', url: '/api/v1/privacy/consent/notices', cookies: { patron_session: admin.cookie }, headers: { 'x-csrf-token': admin.csrfToken }, payload: { purpose: 'analytics', text: 'We now also measure scroll depth on product pages.' } });
    assert.equal(published.statusCode, 201, published.body);
    assert.equal((published.json() as { version: number }).version, 2);
    const stale = await readConsent({ device, region: 'IT' });
    assert.equal(stale.ask, true);
    assert.equal(stale.purposes.analytics.stale, true);
    assert.equal(stale.categories.analytics, false, 'nothing runs on a stale consent in an opt-in region');
    assert.equal(stale.purposes.personalization.stale, false);
    assert.equal(stale.categories.personalization, true);
    const answered = await choose({ analytics: true, advertising: false, personalization: true }, { device, region: 'IT' });
    assert.equal(answered.answer.ask, false);
  });

  test('PV-25 a member under 16 never appears in an advertising audience, whatever they consented to; the agent endpoint shows the counts', async () => {
    const adult = await newMember({ country: 'US', dateOfBirth: '1990-01-01' });
    const young = await newMember({ country: 'US', dateOfBirth: '2012-01-15' });
    const european = await newMember({ country: 'DE', dateOfBirth: '1990-01-01' });
    const restricted = await newMember({ country: 'US', dateOfBirth: '1990-01-01' });
    await transact(deps, (ctx) => recordConsent(ctx, { subject: { memberId: young.memberId }, choices: [{ purpose: 'advertising', choice: 'granted' }], method: 'settings', region: 'US' }));
    await transact(deps, (ctx) => setRestriction(ctx, { memberId: restricted.memberId, restricted: true, reason: 'rights_request', actor: { id: null, role: 'system' } }));

    const audience = await advertisingAudience(deps, [adult.memberId, young.memberId, european.memberId, restricted.memberId, 'mem_unknown']);
    assert.deepEqual(audience.memberIds, [adult.memberId]);
    assert.equal(audience.counts.excluded.under_16, 1);
    assert.equal(audience.counts.excluded.consent, 1, 'no consent in an opt-in country');
    assert.equal(audience.counts.excluded.restricted, 1);
    assert.equal(audience.counts.excluded.unknown, 1);
    assert.equal(await mayUseForAdvertising(deps, young.memberId), false);
    assert.equal(await mayUseForAdvertising(deps, young.memberId, 'US-CA'), false);
    assert.equal(await mayUseForAdvertising(deps, adult.memberId), true);

    const pages: string[] = [];
    let after: string | null = null;
    let underSixteen = 0;
    do {
      const response: { statusCode: number; body: string; json(): unknown } = await app.inject({ method: 'GET', url: `/api/v1/privacy/advertising-audience?limit=2${after ? `&after=${after}` : ''}`, cookies: { patron_session: admin.cookie } });
      assert.equal(response.statusCode, 200, response.body);
      const page = response.json() as { memberIds: string[]; counts: { excluded: { under_16: number } }; nextAfter: string | null };
      pages.push(...page.memberIds);
      underSixteen += page.counts.excluded.under_16;
      after = page.nextAfter;
    } while (after);
    assert.ok(pages.includes(adult.memberId));
    assert.ok(!pages.includes(young.memberId), 'the under-16 member is in no page');
    assert.ok(underSixteen >= 1);
    const stranger = await app.inject({ method: 'GET', url: '/api/v1/privacy/advertising-audience' });
    assert.equal(stranger.statusCode, 401);
  });

  test('PV-22 the console reads a member’s consent history (agent only)', async () => {
    const member = await newMember();
    await transact(deps, (ctx) => recordConsent(ctx, { subject: { memberId: member.memberId }, choices: [{ purpose: 'analytics', choice: 'granted' }], method: 'settings', region: 'US' }));
    const response = await app.inject({ method: 'GET', url: `/api/v1/privacy/members/${member.memberId}/consents`, cookies: { patron_session: admin.cookie } });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as { records: { purpose: string; method: string }[] };
    assert.deepEqual(body.records.map((r) => [r.purpose, r.method]), [['analytics', 'settings']]);
  });
});
