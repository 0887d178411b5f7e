// Marketing (issue 11 parts 4-6): consent checked again per recipient at sending (PV-26, NT-5), one-click unsubscribe
// (PV-27, NT-3), tracking only with consent (PV-29), SMS STOP/HELP through a signed webhook (PV-28, NT-6), and the
// newsletter's one code per address ever (ST-10). Through the routes, on both databases.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { transact } from '../../src/deps.ts';
import { tables } from '../../src/db/database.ts';
import { runDueJobs } from '../../src/modules.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { queueEmail } from '../../src/modules/notifications/index.ts';
import { consentHistory, recordConsent, setRestriction } from '../../src/modules/privacy/index.ts';
import * as marketing from '../../src/modules/marketing/index.ts';
import { signSmsWebhook, smsWebhookSecret, smsWebhookHeaders } from '../../src/modules/marketing/index.ts';
import type { SandboxSmsProvider } from '../../src/ports/index.ts';
import { buildRouteHarness } from '../support/route-harness.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';
import { emailTemplate } from '../support/templates.ts';

interface OutboxRow {
  id: string;
  member_id: string | null;
  to_address: string;
  template: string;
  subject: string;
  html: string;
  text: string;
  headers: string | null;
  state: string;
}

function outbox(deps: TestDeps) {
  return tables<{ outbox_messages: OutboxRow }>(deps.db).selectFrom('outbox_messages').selectAll();
}

const staff = { 'x-test-role': 'agent', 'x-test-member': 'mem_staff' };
const person = { password: 'a-long-password-for-tests', dateOfBirth: '1990-05-01' };

describeEachDatabase('marketing', (suite) => {
  let deps: TestDeps;
  let app: Awaited<ReturnType<typeof buildRouteHarness>>;

  async function newMember(email: string, country = 'US'): Promise<string> {
    return (await transact(deps, (trx) => createMemberForSeed(trx, { ...person, email, country, emailVerified: true }))).memberId;
  }

  async function subscribeEmail(memberId: string) {
    const response = await app.inject({ method: 'PUT', url: '/api/v1/me/communication-preferences', headers: { 'x-test-role': 'member', 'x-test-member': memberId }, payload: { email: true } });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().email.subscribed, true);
  }

  async function composeAndSend(input: { name: string; channel?: 'email' | 'sms'; body?: string; audience?: object; delayMs?: number; beforeSending?: () => Promise<void> }) {
    const created = await app.inject({ method: 'POST', url: '/api/v1/agent/marketing/campaigns', headers: staff, payload: { name: input.name, channel: input.channel ?? 'email', subject: input.channel === 'sms' ? null : `${input.name}!`, body: input.body ?? 'Our spring sale starts today.\n\nSee https://shop.example/spring', audience: input.audience ?? { kind: 'all' } } });
    assert.equal(created.statusCode, 200, created.body);
    const id = created.json().id as string;
    const at = new Date(deps.clock.nowMs() + (input.delayMs ?? 60_000)).toISOString();
    const scheduled = await app.inject({ method: 'POST', url: `/api/v1/agent/marketing/campaigns/${id}/schedule`, headers: staff, payload: { at } });
    assert.equal(scheduled.statusCode, 200, scheduled.body);
    assert.equal(scheduled.json().state, 'scheduled');
    await input.beforeSending?.();
    deps.clock.advanceMs((input.delayMs ?? 60_000) + 1);
    await runDueJobs(deps);
    const campaign = await app.inject({ method: 'GET', url: `/api/v1/agent/marketing/campaigns/${id}`, headers: staff });
    return campaign.json() as { id: string; state: string; queuedCount: number; skippedCount: number; opens: number; clicks: number };
  }

  async function campaignMailTo(campaignSubject: string, to: string) {
    return outbox(deps).where('template', '=', 'marketing-campaign').where('subject', '=', campaignSubject).where('to_address', '=', to).execute();
  }

  function unsubscribeTokenOf(message: OutboxRow): string {
    const match = /\/api\/v1\/u\/([^>]+)>/.exec(JSON.parse(message.headers!)['List-Unsubscribe']);
    assert.ok(match);
    return match[1]!;
  }

  before(async () => {
    deps = suite.deps();
    app = await buildRouteHarness(deps, marketing.registerRoutes);
  });

  test('PV-26 NT-5 consent withdrawn between scheduling and sending stops that member’s message; restricted members get none', async () => {
    const ada = await newMember('ada.pv26@example.com');
    const bob = await newMember('bob.pv26@example.com');
    const cy = await newMember('cy.pv26@example.com');
    for (const id of [ada, bob, cy]) await subscribeEmail(id);
    const preview = await app.inject({ method: 'POST', url: '/api/v1/agent/marketing/audience-preview', headers: staff, payload: { channel: 'email', audience: { kind: 'all' } } });
    assert.equal(preview.json().estimated >= 3, true);

    const result = await composeAndSend({
      name: 'PV26 sale',
      beforeSending: async () => {
        // Bob withdraws after the campaign was scheduled, in the privacy center (a consent record that does not touch
        // the contact list, so only the check at sending can stop him); Cy's processing is restricted (PV-20).
        await transact(deps, (trx) => recordConsent(trx, { subject: { memberId: bob }, choices: [{ purpose: 'marketing_email', choice: 'denied' }], method: 'settings', region: 'US' }));
        await transact(deps, (trx) => setRestriction(trx, { memberId: cy, restricted: true, reason: 'rights_request', actor: { id: 'mem_staff', role: 'agent' } }));
      },
    });
    assert.equal(result.state, 'sent');
    assert.equal((await campaignMailTo('PV26 sale!', 'ada.pv26@example.com')).length, 1);
    assert.equal((await campaignMailTo('PV26 sale!', 'bob.pv26@example.com')).length, 0, 'the member who withdrew gets nothing');
    assert.equal((await campaignMailTo('PV26 sale!', 'cy.pv26@example.com')).length, 0, 'a restricted member gets nothing');
    const reasons = await tables<{ marketing_deliveries: { member_id: string; skip_reason: string | null; campaign_id: string } }>(deps.db).selectFrom('marketing_deliveries').select(['member_id', 'skip_reason']).where('campaign_id', '=', result.id).execute();
    assert.equal(reasons.find((r) => r.member_id === bob)?.skip_reason, 'no_consent');
    assert.equal(reasons.find((r) => r.member_id === cy)?.skip_reason, 'restricted');
  });

  test('PV-27 the one-click POST twice gives 200 twice and ONE consent record, suppression and confirmation; a GET changes nothing; transactional email keeps flowing', async () => {
    const dee = await newMember('dee.pv27@example.com');
    await subscribeEmail(dee);
    await composeAndSend({ name: 'PV27 news' });
    const [message] = await campaignMailTo('PV27 news!', 'dee.pv27@example.com');
    assert.ok(message);
    const headers = JSON.parse(message.headers!);
    assert.match(headers['List-Unsubscribe'], /^<http:\/\/patron\.test\/api\/v1\/u\/dlv_[0-9a-z]+\.[A-Za-z0-9_-]{22}>$/);
    assert.equal(headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    // The whole address or its parts with their punctuation: the ID and the MAC are random base32, which can spell "dee".
    assert.doesNotMatch(headers['List-Unsubscribe'], /dee\.pv27|example\.com|@|%40/, 'no personal data in the URL');
    assert.match(message.html, /\/unsubscribe\/dlv_/);
    const token = unsubscribeTokenOf(message);

    const looked = await app.inject({ method: 'GET', url: `/api/v1/u/${token}` });
    assert.equal(looked.statusCode, 200);
    assert.deepEqual(looked.json(), { campaignName: 'PV27 news', channel: 'email', maskedAddress: 'd•••@example.com', unsubscribedFromCampaign: false, unsubscribedFromAll: false });
    const historyBefore = await consentHistory(deps, { memberId: dee });

    for (let i = 0; i < 2; i++) {
      const response = await app.inject({ method: 'POST', url: `/api/v1/u/${token}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().unsubscribedFromAll, true);
      assert.equal(response.json().changed, i === 0);
    }
    const history = await consentHistory(deps, { memberId: dee });
    assert.equal(history.length, historyBefore.length + 1, 'one consent record');
    assert.deepEqual([history.at(-1)?.choice, history.at(-1)?.method, history.at(-1)?.source?.startsWith('campaign:cmp_')], ['denied', 'api', true]);
    const suppressions = await tables<{ marketing_suppressions: { address: string; reason: string } }>(deps.db).selectFrom('marketing_suppressions').selectAll().where('address', '=', 'dee.pv27@example.com').execute();
    assert.deepEqual(suppressions.map((s) => s.reason), ['unsubscribed']);
    const confirmations = await outbox(deps).where('template', '=', 'marketing-unsubscribed').where('to_address', '=', 'dee.pv27@example.com').execute();
    assert.equal(confirmations.length, 1, 'NT-3 one unsubscribe confirmation');
    assert.equal(confirmations[0]!.headers, null);

    // A mail client's multipart one-click is the same request.
    const multipart = await app.inject({ method: 'POST', url: `/api/v1/u/${token}`, headers: { 'content-type': 'multipart/form-data; boundary=XyZ' }, payload: '--XyZ\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--XyZ--\r\n' });
    assert.equal(multipart.statusCode, 200);
    assert.equal((await consentHistory(deps, { memberId: dee })).length, history.length);

    // NT-5: transactional email still flows, without the promotional headers.
    await transact(deps, (trx) => queueEmail(trx, { memberId: dee, to: 'dee.pv27@example.com', template: emailTemplate('verify-email'), data: { link: 'https://shop.example/verify?token=t' } }));
    const transactional = await outbox(deps).where('template', '=', 'verify-email').where('to_address', '=', 'dee.pv27@example.com').execute();
    assert.equal(transactional.length, 1);
    assert.equal(transactional[0]!.headers, null);
    await runDueJobs(deps);

    // The next campaign skips Dee.
    await composeAndSend({ name: 'PV27 later' });
    assert.equal((await campaignMailTo('PV27 later!', 'dee.pv27@example.com')).length, 0);

    const bad = await app.inject({ method: 'POST', url: `/api/v1/u/${token.slice(0, -2)}xx`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    assert.equal(bad.statusCode, 404);
  });

  test('PV-27 a GET never unsubscribes; "this campaign only" keeps the other campaigns', async () => {
    const eve = await newMember('eve.pv27@example.com');
    await subscribeEmail(eve);
    const first = await composeAndSend({ name: 'PV27 boots' });
    const [message] = await campaignMailTo('PV27 boots!', 'eve.pv27@example.com');
    const token = unsubscribeTokenOf(message!);
    for (let i = 0; i < 3; i++) assert.equal((await app.inject({ method: 'GET', url: `/api/v1/u/${token}` })).statusCode, 200);
    const prefs = await app.inject({ method: 'GET', url: '/api/v1/me/communication-preferences', headers: { 'x-test-role': 'member', 'x-test-member': eve } });
    assert.equal(prefs.json().email.subscribed, true, 'a GET changed nothing');

    const only = await app.inject({ method: 'POST', url: `/api/v1/u/${token}`, payload: { scope: 'campaign' } });
    assert.equal(only.statusCode, 200);
    assert.deepEqual([only.json().unsubscribedFromCampaign, only.json().unsubscribedFromAll], [true, false]);
    const after = await app.inject({ method: 'GET', url: '/api/v1/me/communication-preferences', headers: { 'x-test-role': 'member', 'x-test-member': eve } });
    assert.equal(after.json().email.subscribed, true);
    assert.deepEqual(after.json().campaignOptOuts.map((o: { campaignId: string }) => o.campaignId), [first.id]);
    await composeAndSend({ name: 'PV27 sandals' });
    assert.equal((await campaignMailTo('PV27 sandals!', 'eve.pv27@example.com')).length, 1, 'another campaign still reaches her');
  });

  test('PV-29 a pixel and tracked links only for a recipient who consented to analytics; opens and clicks recorded only then', async () => {
    const fay = await newMember('fay.pv29@example.com');
    const gus = await newMember('gus.pv29@example.com');
    await subscribeEmail(fay);
    await subscribeEmail(gus);
    await transact(deps, (trx) => recordConsent(trx, { subject: { memberId: fay }, choices: [{ purpose: 'analytics', choice: 'granted' }], method: 'settings', region: 'US' }));
    await composeAndSend({ name: 'PV29 tracked' });
    const [tracked] = await campaignMailTo('PV29 tracked!', 'fay.pv29@example.com');
    const [plain] = await campaignMailTo('PV29 tracked!', 'gus.pv29@example.com');
    assert.match(tracked!.html, /\/api\/v1\/m\/o\/dlv_/);
    assert.match(tracked!.html, /\/api\/v1\/m\/c\/dlv_[^/]+\/0/);
    assert.doesNotMatch(plain!.html, /\/m\/o\/|\/m\/c\//);
    assert.match(plain!.html, /href="https:\/\/shop\.example\/spring"/);

    const pixel = /\/api\/v1\/m\/o\/([^"]+)"/.exec(tracked!.html)![1]!;
    const open = await app.inject({ method: 'GET', url: `/api/v1/m/o/${pixel}` });
    assert.equal(open.statusCode, 200);
    assert.equal(open.headers['content-type'], 'image/gif');
    const click = /\/api\/v1\/m\/c\/([^"]+)"/.exec(tracked!.html)![1]!;
    const redirect = await app.inject({ method: 'GET', url: `/api/v1/m/c/${click}` });
    assert.equal(redirect.statusCode, 302);
    assert.equal(redirect.headers.location, 'https://shop.example/spring');
    const events = await tables<{ marketing_tracking_events: { member_id: string; kind: string } }>(deps.db).selectFrom('marketing_tracking_events').selectAll().execute();
    assert.deepEqual(events.filter((e) => e.member_id === fay).map((e) => e.kind).sort(), ['click', 'open']);
    assert.equal(events.filter((e) => e.member_id === gus).length, 0);
    // An open token forged from Gus's unsubscribe token's delivery is refused by its MAC.
    const gusDelivery = unsubscribeTokenOf(plain!).split('.')[0];
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/m/o/${gusDelivery}.AAAAAAAAAAAAAAAAAAAAAA` })).statusCode, 200);
    assert.equal((await tables<{ marketing_tracking_events: { member_id: string } }>(deps.db).selectFrom('marketing_tracking_events').selectAll().where('member_id', '=', gus).execute()).length, 0);
  });

  async function inboundText(from: string, body: string, messageId: string, options: { secret?: string; ageSeconds?: number } = {}) {
    const payload = Buffer.from(JSON.stringify({ messageId, from, body }));
    const timestamp = Math.floor(deps.clock.nowMs() / 1000) - (options.ageSeconds ?? 0);
    const signature = signSmsWebhook(options.secret ?? smsWebhookSecret(undefined, deps.secret), timestamp, payload);
    return app.inject({ method: 'POST', url: '/api/v1/webhooks/sms', headers: { 'content-type': 'application/json', [smsWebhookHeaders.signature]: signature, [smsWebhookHeaders.timestamp]: String(timestamp) }, payload });
  }

  function textsTo(phone: string) {
    return (deps.ports.sms as SandboxSmsProvider).sent.filter((t) => t.to === phone);
  }

  async function subscribeSms(memberId: string, phone: string) {
    const response = await app.inject({ method: 'PUT', url: '/api/v1/me/communication-preferences', headers: { 'x-test-role': 'member', 'x-test-member': memberId }, payload: { sms: true, phone } });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().sms.subscribed, true);
  }

  test('PV-28 NT-6 every spelling of a stop word stops marketing texts at once, with one confirmation however often repeated', async () => {
    const spellings = ['STOP', 'stop', ' Stop ', 'Stop.', 'QUIT', 'end', 'Revoke', 'OPT OUT', ' opt   out ', 'optout', 'Cancel', 'UNSUBSCRIBE', 'unsubscribe!'];
    for (const [index, word] of spellings.entries()) {
      const phone = `+1555010${String(1000 + index).slice(1)}`;
      const member = await newMember(`sms${index}.pv28@example.com`);
      await subscribeSms(member, phone);
      const response = await inboundText(phone, word, `in-${suite.dialect}-${index}`);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().keyword, 'stop', word);
      // Repeated, in other spellings, and the same provider message redelivered.
      assert.equal((await inboundText(phone, 'STOP', `in-${suite.dialect}-${index}-again`)).json().keyword, 'stop');
      assert.equal((await inboundText(phone, word, `in-${suite.dialect}-${index}`)).json().duplicate, true);
      const prefs = await app.inject({ method: 'GET', url: '/api/v1/me/communication-preferences', headers: { 'x-test-role': 'member', 'x-test-member': member } });
      assert.deepEqual([prefs.json().sms.subscribed, prefs.json().sms.suppressed], [false, 'sms_stop'], word);
      const history = await consentHistory(deps, { phone });
      assert.deepEqual([history.at(-1)?.choice, history.at(-1)?.method, history.at(-1)?.source], ['denied', 'api', 'sms:STOP']);
    }
    await runDueJobs(deps);
    for (const index of spellings.keys()) {
      const phone = `+1555010${String(1000 + index).slice(1)}`;
      assert.deepEqual(textsTo(phone).map((t) => t.body), [marketing.stopConfirmationText], `one confirmation for ${spellings[index]}`);
    }
    // Not keywords: a sentence that mentions stopping is for a person.
    const sentence = await inboundText('+15550109999', 'please stop by the store', `in-${suite.dialect}-sentence`);
    assert.equal(sentence.json().keyword, null);

    // A text campaign afterwards reaches none of the stopped numbers.
    const campaign = await composeAndSend({ name: 'PV28 texts', channel: 'sms', body: 'Flash sale today only.' });
    await runDueJobs(deps);
    assert.equal(campaign.queuedCount, 0);
    for (const index of spellings.keys()) assert.equal(textsTo(`+1555010${String(1000 + index).slice(1)}`).length, 1);
  });

  test('PV-28 HELP answers with the store’s contact details; START undoes a STOP; a bad or stale signature is refused', async () => {
    const phone = '+15550107777';
    const member = await newMember('help.pv28@example.com');
    await subscribeSms(member, phone);
    const help = await inboundText(phone, ' help ', `help-${suite.dialect}`);
    assert.equal(help.json().keyword, 'help');
    await runDueJobs(deps);
    assert.deepEqual(textsTo(phone).map((t) => t.body), [marketing.helpText(deps.config.marketing.storeContact)]);
    assert.match(textsTo(phone)[0]!.body, /support@patron\.localhost/);

    await inboundText(phone, 'stop', `stop-${suite.dialect}`);
    await inboundText(phone, 'START', `start-${suite.dialect}`);
    await runDueJobs(deps);
    const prefs = await app.inject({ method: 'GET', url: '/api/v1/me/communication-preferences', headers: { 'x-test-role': 'member', 'x-test-member': member } });
    assert.equal(prefs.json().sms.subscribed, true);
    await composeAndSend({ name: 'PV28 back', channel: 'sms', body: 'Welcome back.' });
    await runDueJobs(deps);
    assert.equal(textsTo(phone).at(-1)?.body, 'Welcome back.\nReply STOP to opt out.');

    assert.equal((await inboundText(phone, 'STOP', `forged-${suite.dialect}`, { secret: 'smswh_not-the-secret-at-all-0123456789' })).statusCode, 401);
    assert.equal((await inboundText(phone, 'STOP', `old-${suite.dialect}`, { ageSeconds: 600 })).statusCode, 401);
    const still = await app.inject({ method: 'GET', url: '/api/v1/me/communication-preferences', headers: { 'x-test-role': 'member', 'x-test-member': member } });
    assert.equal(still.json().sms.subscribed, true);
  });

  test('ST-10 a newsletter sign-up issues one 15% first-order code per address ever: not again in any case or spacing, nor after unsubscribing', async () => {
    const signUp = (email: string, region: string | null = 'US-CA') => app.inject({ method: 'POST', url: '/api/v1/newsletter', payload: { email, region } });
    const first = await signUp('Hal.Newsletter@Example.com');
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().status, 'subscribed');
    const codes = () => outbox(deps).where('template', '=', 'marketing-newsletter-code').where('to_address', '=', 'hal.newsletter@example.com').execute();
    assert.equal((await codes()).length, 1);
    const code = /WELCOME-[A-Z0-9]{10}/.exec((await codes())[0]!.text)![0];
    const row = await tables<{ store_discount_codes: { code: string; percent_bp: number; max_uses: number; first_order_only: number } }>(deps.db).selectFrom('store_discount_codes').selectAll().where('code', '=', code).executeTakeFirstOrThrow();
    assert.deepEqual([Number(row.percent_bp), Number(row.max_uses), Number(row.first_order_only)], [1500, 1, 1]);
    const history = await consentHistory(deps, { email: 'hal.newsletter@example.com' });
    assert.deepEqual([history.at(-1)?.purpose, history.at(-1)?.method, history.at(-1)?.source], ['marketing_email', 'signup', 'newsletter']);

    assert.equal((await signUp('  HAL.NEWSLETTER@example.COM ')).json().status, 'subscribed');
    assert.equal((await codes()).length, 1, 'no second code in another case or with spaces');

    // Unsubscribe (withdraw) and sign up again: still no second code.
    await transact(deps, (trx) => marketing.changeSubscription(trx, { channel: 'email', address: 'hal.newsletter@example.com', memberId: null, region: 'US-CA', choice: 'denied', method: 'settings', source: 'preferences' }));
    assert.equal((await signUp('hal.newsletter@example.com')).json().status, 'subscribed');
    assert.equal((await codes()).length, 1, 'no second code after unsubscribing and signing up again');
    assert.equal((await consentHistory(deps, { email: 'hal.newsletter@example.com' })).at(-1)?.choice, 'granted');
  });

  test('ST-10 PV-26 double opt-in where the region is opt-in: nothing recorded until the single-use link is followed', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/newsletter', payload: { email: 'ida@example.de', region: 'DE' } });
    assert.equal(response.json().status, 'confirmation_sent');
    assert.equal((await consentHistory(deps, { email: 'ida@example.de' })).length, 0);
    const [confirmation] = await outbox(deps).where('template', '=', 'marketing-confirm-subscription').where('to_address', '=', 'ida@example.de').execute();
    const token = /token=([A-Za-z0-9_-]+)/.exec(confirmation!.text)![1]!;
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/newsletter/confirm', payload: { token } })).statusCode, 200);
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/newsletter/confirm', payload: { token } })).statusCode, 404, 'single use');
    const history = await consentHistory(deps, { email: 'ida@example.de' });
    assert.deepEqual(history.map((h) => [h.choice, h.method, h.source]), [['granted', 'signup', 'newsletter']]);
    assert.equal((await outbox(deps).where('template', '=', 'marketing-newsletter-code').where('to_address', '=', 'ida@example.de').execute()).length, 1);
  });

  test('suppression list: agents add and remove entries, and a suppressed address gets no campaign', async () => {
    const jon = await newMember('jon.supp@example.com');
    await subscribeEmail(jon);
    const added = await app.inject({ method: 'POST', url: '/api/v1/agent/marketing/suppressions', headers: staff, payload: { channel: 'email', address: 'JON.supp@example.com', reason: 'bounced', note: 'hard bounce' } });
    assert.equal(added.statusCode, 200, added.body);
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/agent/marketing/suppressions', headers: staff, payload: { channel: 'email', address: 'jon.supp@example.com', reason: 'manual' } })).statusCode, 409);
    const listed = await app.inject({ method: 'GET', url: '/api/v1/agent/marketing/suppressions?search=jon.supp', headers: staff });
    assert.deepEqual(listed.json().suppressions.map((s: { reason: string }) => s.reason), ['bounced']);
    await composeAndSend({ name: 'Supp one' });
    assert.equal((await campaignMailTo('Supp one!', 'jon.supp@example.com')).length, 0);
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/agent/marketing/suppressions/remove', headers: staff, payload: { channel: 'email', address: 'jon.supp@example.com' } })).statusCode, 200);
    await composeAndSend({ name: 'Supp two' });
    assert.equal((await campaignMailTo('Supp two!', 'jon.supp@example.com')).length, 1);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/agent/marketing/suppressions', headers: { 'x-test-role': 'member', 'x-test-member': jon } })).statusCode, 403);
  });
});
