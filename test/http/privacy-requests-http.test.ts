// Rights requests through inject, on both databases (PV-1..PV-14, PV-33): intake on every channel, opt-outs at once,
// the emailed code with its tries, expiry and resend bound, matching facts and the declaration, a member's recent
// sign-in, authorized agents' documents and the subject's confirmation, the 7-day close of unverified requests, the
// agent queue's flags with the clock moved, extensions, denials with appeal and authority, appeals decided by another
// agent, and who may call the agent routes.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import sharp from 'sharp';
import type { z } from 'zod';
import { buildApp } from '../../src/app.ts';
import { transact } from '../../src/deps.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { DAY_MS, MINUTE_MS } from '../../src/platform/clock.ts';
import { createMemberForSeed, createStaffUser } from '../../src/modules/accounts/index.ts';
import * as membership from '../../src/modules/membership/index.ts';
import * as store from '../../src/modules/store/index.ts';
import { listAuditEntries, verifyAuditChain } from '../../src/modules/audit/index.ts';
import { checkout, erasedOutcome } from '../../src/flows/index.ts';
import { runDueJobs } from '../../src/modules.ts';
import { calendarDateOf, closeUnverifiedRequests, requestToken, subjectChoices } from '../../src/modules/privacy/index.ts';
import type { agentRequestView } from '../../src/modules/privacy/requests.schemas.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';
import { addressSequence, signInOverHttp } from '../support/http-session.ts';

const nextAddress = addressSequence(94);
const password = 'correct horse battery staple';
const system = { id: null, role: 'system' as const };

interface Session {
  memberId: string;
  email: string;
  headers: Record<string, string>;
}

type AgentView = z.infer<typeof agentRequestView>;

interface Accepted {
  requestId: string;
  token: string;
  state: string;
  statusUrl: string;
}

describeEachDatabase('privacy rights requests HTTP', (suite) => {
  let app: ZodApp;
  let deps: TestDeps;
  let agent: Session;
  let secondAgent: Session;
  let product: store.Product;
  let counter = 0;

  const unique = (name: string) => `${name}.${suite.dialect}.${++counter}@example.com`;

  async function signIn(email: string): Promise<Session> {
    const session = await signInOverHttp(app, { email, password, remoteAddress: nextAddress() });
    return { memberId: session.memberId, email, headers: { cookie: `patron_session=${session.cookie}`, 'x-csrf-token': session.csrfToken } };
  }

  async function newMember(options: { plus?: boolean } = {}): Promise<Session> {
    const email = unique('member');
    const created = await transact(deps, (trx) => createMemberForSeed(trx, { email, password, country: 'US', dateOfBirth: '1990-05-05', firstName: 'Ada', emailVerified: true }));
    if (options.plus) {
      const joined = await membership.joinPlus(deps, { memberId: created.memberId, plan: 'monthly', paymentToken: 'tok_approve', actor: { id: created.memberId, role: 'member' } });
      assert.equal(joined.outcome, 'active');
    }
    return signIn(email);
  }

  async function staffAgain(): Promise<void> {
    agent = await signIn(agent.email);
    secondAgent = await signIn(secondAgent.email);
  }

  const get = (url: string, session?: Session) => app.inject({ method: 'GET', url: `/api/v1${url}`, headers: session?.headers ?? {}, remoteAddress: nextAddress() });
  const post = (url: string, payload: unknown, session?: Session) => app.inject({ method: 'POST', url: `/api/v1${url}`, headers: session?.headers ?? {}, payload: payload as object, remoteAddress: nextAddress() });

  const form = (overrides: Record<string, unknown> = {}) => {
    const email = (overrides.requesterEmail as string | undefined) ?? unique('guest');
    return { type: 'know', requesterName: 'Grace Hopper', requesterEmail: email, relationship: 'self', brands: ['Patron'], subjectEmail: email, country: 'US', state: 'CA', zip: '94107', comments: 'Please tell me what you hold.', ...overrides };
  };

  async function file(payload: Record<string, unknown>): Promise<Accepted> {
    const response = await post('/privacy/requests', payload);
    assert.equal(response.statusCode, 202, response.body);
    return response.json() as Accepted;
  }

  async function outbox(to: string): Promise<{ template: string; subject: string; text: string }[]> {
    const result = await sql<{ template: string; subject: string; text: string }>`select template, subject, text from outbox_messages where to_address = ${to} order by created_at_ms, id`.execute(deps.db);
    return result.rows;
  }

  async function latestCode(to: string): Promise<string> {
    const codes = (await outbox(to)).filter((message) => message.template === 'privacy-verification-code');
    assert.ok(codes.length > 0, `a code was emailed to ${to}`);
    const match = /(\d{6})/.exec(codes.at(-1)!.subject);
    assert.ok(match);
    return match[1]!;
  }

  const verify = (accepted: Accepted, parts: Record<string, unknown>) => post(`/privacy/requests/${accepted.requestId}/verify`, { token: accepted.token, ...parts });
  const status = async (accepted: Accepted) => (await get(`/privacy/requests/${accepted.requestId}?t=${accepted.token}`)).json() as { state: string; deadlines: Record<string, unknown>; verification: { missing: string[]; factsMatched: number } };
  const act = (requestId: string, payload: Record<string, unknown>, who: Session = agent) => post(`/agent/privacy/requests/${requestId}/actions`, payload, who);
  const agentView = async (requestId: string) => (await get(`/agent/privacy/requests/${requestId}`, agent)).json() as AgentView;

  async function guestOrder(email: string): Promise<store.OrderDetail> {
    const result = await checkout(deps, {
      memberId: null,
      lines: [{ productId: product.id, quantity: 1 }],
      discountCode: null,
      shippingAddress: { name: 'Grace Hopper', line1: '500 Market St', line2: null, city: 'Springfield', region: 'US-CA', postalCode: '94107' },
      credits: 0,
      paymentToken: 'tok_approve',
      fromCart: false,
      guestEmail: email,
    });
    assert.equal(result.order.status, 'paid');
    return result.order;
  }

  before(async () => {
    deps = suite.deps();
    app = await buildApp(deps);
    await app.ready();
    await createStaffUser(deps, { email: `privacy.agent.${suite.dialect}@example.com`, password, role: 'agent' });
    await createStaffUser(deps, { email: `privacy.agent2.${suite.dialect}@example.com`, password, role: 'agent' });
    agent = await signIn(`privacy.agent.${suite.dialect}@example.com`);
    secondAgent = await signIn(`privacy.agent2.${suite.dialect}@example.com`);
    product = await transact(deps, (trx) => store.createProduct(trx, system, { sku: `PRIVACY-${suite.dialect}`, name: 'Privacy test cable', category: 'chargers', priceMinor: 1900, plusBonus: false, giftCard: false, stock: 500 }));
  });

  test('PV-1 PV-2 PV-6 PV-12 the web form needs no account: 202 with a reference token, the acknowledgement to the requester, the code to the subject; the right code verifies', async () => {
    const payload = form();
    const accepted = await file(payload);
    assert.equal(accepted.state, 'awaiting_verification');
    assert.match(accepted.statusUrl, /\/privacy\/requests\/prq_/);
    const view = await status(accepted);
    const today = calendarDateOf(deps.clock.nowMs());
    assert.equal(view.deadlines.receivedDate, today);
    assert.equal(view.deadlines.dueDate, calendarDateOf(deps.clock.nowMs() + 45 * DAY_MS), 'US: 45 calendar days');
    assert.equal(view.deadlines.timeZone, 'UTC');
    assert.deepEqual(view.verification.missing, ['code']);
    const templates = (await outbox(payload.requesterEmail)).map((message) => message.template);
    assert.deepEqual(templates.sort(), ['privacy-request-acknowledged', 'privacy-verification-code']);
    const wrongToken = await get(`/privacy/requests/${accepted.requestId}?t=${'x'.repeat(32)}`);
    assert.equal(wrongToken.statusCode, 404);
    const verified = await verify(accepted, { code: await latestCode(payload.subjectEmail) });
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal(verified.json().state, 'verified');
    assert.equal(verified.json().verification.method, 'email_code');
    const agentSide = await agentView(accepted.requestId);
    assert.equal(agentSide.regime, 'us_state');
    assert.deepEqual(agentSide.timeline.map((event: { action: string }) => event.action), ['submit', 'request_verification', 'verify']);
    const badForm = await post('/privacy/requests', { ...form(), country: 'US', state: undefined });
    assert.equal(badForm.statusCode, 400, 'a US subject names the state');
    assert.equal((await post('/privacy/requests', { ...form(), surprise: 1 })).statusCode, 400, 'unknown keys are refused');
  });

  test('PV-1 PL-4 a retried submission with the same Idempotency-Key gets the first answer and files one request', async () => {
    const payload = form();
    const send = () => app.inject({ method: 'POST', url: '/api/v1/privacy/requests', headers: { 'idempotency-key': `privacy-retry-${counter}` }, payload, remoteAddress: nextAddress() });
    const first = await send();
    const second = await send();
    assert.equal(first.statusCode, 202, first.body);
    assert.equal(second.statusCode, 202);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal(second.json().requestId, first.json().requestId);
    assert.equal((await outbox(payload.subjectEmail)).filter((message) => message.template === 'privacy-verification-code').length, 1);
  });

  test('PV-1 the regime comes from where the subject lives and is stored: Germany → gdpr (one calendar month), the UK → uk', async () => {
    const german = await file(form({ country: 'DE', state: null, zip: '91522' }));
    const view = await agentView(german.requestId);
    assert.equal(view.regime, 'gdpr');
    assert.equal(view.deadlines.dueDate, '2026-04-02', 'received 2026-03-02 → one calendar month');
    const british = await file(form({ country: 'GB', state: null, zip: 'SW1A 1AA' }));
    assert.equal((await agentView(british.requestId)).regime, 'uk');
  });

  test('PV-4 an opt-out needs no verification and takes effect at once: fulfilled, the choice recorded, no code sent', async () => {
    const payload = form({ type: 'optout_sale_share' });
    const accepted = await file(payload);
    assert.equal(accepted.state, 'fulfilled');
    const templates = (await outbox(payload.subjectEmail)).map((message) => message.template);
    assert.ok(!templates.includes('privacy-verification-code'));
    assert.ok(templates.includes('privacy-request-completed'));
    const choices = await subjectChoices(deps, { email: payload.subjectEmail.toUpperCase() });
    assert.deepEqual(choices.choices, ['optout_sale_share']);
    const view = await agentView(accepted.requestId);
    assert.equal(view.verification.method, 'not_required');
    assert.match(view.outcome ?? '', /no longer sell or share/);
    assert.deepEqual(view.timeline.map((event: { toState: string }) => event.toState), ['received', 'verified', 'in_progress', 'fulfilled']);
  });

  test('PV-4 PV-11 a member’s opt-out from the member center is keyed by the member as well', async () => {
    const member = await newMember();
    const response = await post('/me/privacy/requests', { type: 'optout_targeted_ads', country: 'US', state: 'VA' }, member);
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json().state, 'fulfilled');
    assert.deepEqual((await subjectChoices(deps, { memberId: member.memberId })).choices, ['optout_targeted_ads']);
  });

  test('PV-12 PV-33 three wrong codes, then the right one on the 4th try is refused; each attempt is audit-recorded without the code', async () => {
    const payload = form();
    const accepted = await file(payload);
    const code = await latestCode(payload.subjectEmail);
    const wrong = code === '000000' ? '000001' : '000000';
    for (let i = 1; i <= 3; i++) {
      const response = await verify(accepted, { code: wrong });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().error.details.triesLeft, 3 - i);
    }
    const fourth = await verify(accepted, { code });
    assert.equal(fourth.statusCode, 429, fourth.body);
    assert.equal((await status(accepted)).state, 'awaiting_verification');
    const entries = (await listAuditEntries(deps, { limit: 200 })).filter((entry) => entry.subject === accepted.requestId && entry.action === 'privacy.verification.attempt');
    assert.deepEqual(entries.map((entry) => entry.details.outcome).sort(), ['too_many_tries', 'wrong_code', 'wrong_code', 'wrong_code']);
    assert.ok(!JSON.stringify(entries).includes(code), 'the code never reaches the audit log');
    assert.equal((await verifyAuditChain(deps)).ok, true);
  });

  test('PV-12 a code expires after 10 minutes; a new one is rate-limited (once a minute) and works', async () => {
    const payload = form();
    const accepted = await file(payload);
    const early = await post(`/privacy/requests/${accepted.requestId}/verification-code`, { token: accepted.token });
    assert.equal(early.statusCode, 429, 'a resend within a minute is refused');
    const code = await latestCode(payload.subjectEmail);
    deps.clock.advanceMs(10 * MINUTE_MS);
    const expired = await verify(accepted, { code });
    assert.equal(expired.statusCode, 400);
    assert.equal(expired.json().error.details.reason, 'expired');
    const resend = await post(`/privacy/requests/${accepted.requestId}/verification-code`, { token: accepted.token });
    assert.equal(resend.statusCode, 202, resend.body);
    const fresh = await latestCode(payload.subjectEmail);
    const again = await post(`/privacy/requests/${accepted.requestId}/verification-code`, { token: accepted.token });
    assert.equal(again.statusCode, 429);
    const verified = await verify(accepted, { code: fresh });
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal(verified.json().state, 'verified');
  });

  test('PV-5 duplicates share a group and never block each other’s verification', async () => {
    const payload = form();
    const first = await file(payload);
    deps.clock.advanceMs(MINUTE_MS);
    const second = await file({ ...payload });
    const [firstView, secondView] = [await agentView(first.requestId), await agentView(second.requestId)];
    assert.equal(secondView.groupId, firstView.groupId);
    assert.equal(secondView.groupSize, 2);
    const verified = await verify(second, { code: await latestCode(payload.subjectEmail) });
    assert.equal(verified.json().state, 'verified');
    assert.equal((await status(first)).state, 'awaiting_verification');
  });

  test('PV-13 erase by a non-member: the code and 2 matching facts from the store’s records; 1 is refused', async () => {
    const email = unique('eraser');
    const order = await guestOrder(email);
    const accepted = await file(form({ type: 'erase', requesterEmail: email, subjectEmail: email }));
    const codeOnly = await verify(accepted, { code: await latestCode(email) });
    assert.equal(codeOnly.statusCode, 200);
    assert.equal(codeOnly.json().state, 'awaiting_verification');
    assert.deepEqual(codeOnly.json().verification.missing, ['facts']);
    const one = await verify(accepted, { facts: { orderNumber: order.id, shipToZip: '10001' } });
    assert.equal(one.statusCode, 422, one.body);
    const someoneElses = await verify(accepted, { facts: { orderNumber: (await guestOrder(unique('other'))).id, shipToZip: '94107' } });
    assert.equal(someoneElses.statusCode, 422, 'another person’s order matches nothing');
    const two = await verify(accepted, { facts: { orderNumber: order.id, shipToZip: '94107' } });
    assert.equal(two.statusCode, 200, two.body);
    assert.equal(two.json().state, 'verified');
  });

  test('PV-13 access by a non-member: the code, 3 matching facts and a signed declaration with the typed name', async () => {
    const email = unique('accessor');
    const order = await guestOrder(email);
    const accepted = await file(form({ type: 'access', requesterEmail: email, subjectEmail: email }));
    const facts = { orderNumber: order.id, shipToZip: '94107', orderDate: calendarDateOf(order.placedAtMs) };
    const partial = await verify(accepted, { code: await latestCode(email), facts });
    assert.equal(partial.statusCode, 200, partial.body);
    assert.deepEqual(partial.json().verification.missing, ['declaration']);
    assert.match(partial.json().verification.declarationText, /penalty of perjury/);
    const wrongName = await verify(accepted, { declaration: { accepted: true, typedName: 'Someone Else' } });
    assert.equal(wrongName.statusCode, 400);
    const signed = await verify(accepted, { declaration: { accepted: true, typedName: 'grace  hopper' } });
    assert.equal(signed.statusCode, 200, signed.body);
    assert.equal(signed.json().state, 'verified');
  });

  test('PV-11 a member verifies by a sign-in less than 10 minutes old: at submission, and after 10 minutes only by signing in again', async () => {
    const member = await newMember();
    const fresh = await post('/me/privacy/requests', { type: 'access', country: 'US', state: 'CA', brands: ['Patron'] }, member);
    assert.equal(fresh.statusCode, 201, fresh.body);
    assert.equal(fresh.json().state, 'verified');
    assert.equal(fresh.json().verification.method, 'recent_sign_in');
    deps.clock.advanceMs(10 * MINUTE_MS);
    const stale = await post('/me/privacy/requests', { type: 'erase', country: 'US', state: 'CA' }, member);
    assert.equal(stale.statusCode, 201, stale.body);
    assert.equal(stale.json().state, 'awaiting_verification');
    const refused = await post(`/me/privacy/requests/${stale.json().id}/verify`, {}, member);
    assert.equal(refused.statusCode, 403, refused.body);
    const again = await signIn(member.email);
    const verified = await post(`/me/privacy/requests/${stale.json().id}/verify`, {}, again);
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal(verified.json().state, 'verified');
    const list = (await get('/me/privacy/requests', again)).json() as { requests: { id: string }[] };
    assert.ok(list.requests.some((entry) => entry.id === stale.json().id));
    const stranger = await newMember();
    assert.equal((await get(`/me/privacy/requests/${stale.json().id}`, stranger)).statusCode, 404);
  });

  test('PV-14 an authorized agent with a signed letter: the document, then the subject confirms separately, then the code; a power of attorney needs no confirmation', async () => {
    const subject = unique('subject');
    const agency = unique('agency');
    const accepted = await file(form({ type: 'know', requesterName: 'Privacy Helpers', requesterEmail: agency, relationship: 'authorized_agent', subjectEmail: subject }));
    assert.equal(accepted.state, 'awaiting_verification');
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#ffffff' } }).png().toBuffer();
    const upload = async (target: Accepted, kind: string, bytes: Buffer, filename: string, contentType: string) => {
      const boundary = '----patron-privacy-boundary';
      const payload = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n${kind}\r\n`),
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="document"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return app.inject({ method: 'POST', url: `/api/v1/privacy/requests/${target.requestId}/documents?t=${target.token}`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload, remoteAddress: nextAddress() });
    };
    const notADocument = await upload(accepted, 'signed_letter', Buffer.from('plain text, not a letter'), 'letter.txt', 'text/plain');
    assert.equal(notADocument.statusCode, 400, notADocument.body);
    const uploaded = await upload(accepted, 'signed_letter', png, 'letter.png', 'image/png');
    assert.equal(uploaded.statusCode, 200, uploaded.body);
    assert.deepEqual(uploaded.json().verification.missing, ['subject_confirmation', 'code']);
    const confirmation = (await outbox(subject)).find((message) => message.template === 'privacy-agent-confirmation');
    assert.ok(confirmation, 'the subject is asked to confirm at their own address');
    const link = /confirm-agent\?t=([A-Za-z0-9_-]+)/.exec(confirmation.text);
    assert.ok(link);
    assert.equal((await post(`/privacy/requests/${accepted.requestId}/confirm-agent`, { token: accepted.token })).statusCode, 404, 'the requester’s token does not confirm for the subject');
    const confirmed = await post(`/privacy/requests/${accepted.requestId}/confirm-agent`, { token: link[1] });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.deepEqual(confirmed.json().verification.missing, ['code']);
    const verified = await verify(accepted, { code: await latestCode(subject) });
    assert.equal(verified.json().state, 'verified');

    const poaSubject = unique('poa-subject');
    const poa = await file(form({ type: 'know', requesterName: 'Privacy Helpers', requesterEmail: unique('poa-agency'), relationship: 'authorized_agent', subjectEmail: poaSubject }));
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
    const stored = await upload(poa, 'power_of_attorney', pdf, 'poa.pdf', 'application/pdf');
    assert.equal(stored.statusCode, 200, stored.body);
    assert.deepEqual(stored.json().verification.missing, ['code']);
    const view = await agentView(poa.requestId);
    const [document] = view.documents;
    assert.ok(document);
    assert.equal(document.contentType, 'application/pdf');
    const download = await get(`/agent/privacy/requests/${poa.requestId}/documents/${document.id}`, agent);
    assert.equal(download.statusCode, 200);
    assert.match(String(download.headers['content-disposition']), /^attachment/);
    assert.deepEqual(download.rawPayload, pdf, 'a PDF is stored unchanged');
  });

  test('PV-1 PV-6 PV-7 an emailed request entered by an agent keeps the message’s receipt time for its deadlines', async () => {
    const receivedAtMs = deps.clock.nowMs() - 3 * DAY_MS;
    const response = await post('/agent/privacy/requests', { ...form({ type: 'rectify' }), channel: 'email', receivedAt: new Date(receivedAtMs).toISOString() }, agent);
    assert.equal(response.statusCode, 201, response.body);
    const view = response.json();
    assert.equal(view.channel, 'email');
    assert.equal(view.deadlines.receivedDate, calendarDateOf(receivedAtMs));
    assert.equal(view.deadlines.dueDate, calendarDateOf(receivedAtMs + 45 * DAY_MS));
    assert.equal(view.enteredBy, agent.memberId);
    assert.equal(view.state, 'awaiting_verification');
    const missing = await post('/agent/privacy/requests', { ...form(), channel: 'email' }, agent);
    assert.equal(missing.statusCode, 400, 'an emailed request needs its receipt time');
    const taken = await post('/agent/privacy/requests', { ...form({ type: 'complaint' }), channel: 'agent' }, agent);
    assert.equal(taken.statusCode, 201, taken.body);
    assert.equal(taken.json().state, 'verified', 'a complaint needs no identity verification');
    assert.equal(taken.json().deadlines.dueDate, calendarDateOf(deps.clock.nowMs() + 30 * DAY_MS), 'PV-10 complaints: 30 days');
  });

  test('PV-3 PV-9 an agent works a request: start, hold, resume, one US extension with its notice, a second refused; a denial carries the appeal and the authority; an appeal is decided by another agent', async () => {
    const payload = form({ type: 'know', state: 'VA' });
    const accepted = await file(payload);
    await verify(accepted, { code: await latestCode(payload.subjectEmail) });
    for (const action of ['start', 'hold', 'resume']) {
      const response = await act(accepted.requestId, { action });
      assert.equal(response.statusCode, 200, response.body);
    }
    assert.equal((await act(accepted.requestId, { action: 'extend' })).statusCode, 400, 'an extension needs a reason');
    const before = (await agentView(accepted.requestId)).deadlines.dueDate as string;
    const extended = await act(accepted.requestId, { action: 'extend', reason: 'Your data sits in three systems; collecting it takes longer.' });
    assert.equal(extended.statusCode, 200, extended.body);
    const after = extended.json().deadlines.dueDate as string;
    assert.equal(after, calendarDateOf(Date.parse(`${before}T00:00:00Z`) + 45 * DAY_MS));
    const notice = (await outbox(payload.requesterEmail)).find((message) => message.template === 'privacy-request-extended');
    assert.ok(notice, 'the extension notice is queued with the extension');
    assert.match(notice.text, /collecting it takes longer/);
    const second = await act(accepted.requestId, { action: 'extend', reason: 'Still collecting.' });
    assert.equal(second.statusCode, 409, 'a second US extension is refused');
    assert.equal((await act(accepted.requestId, { action: 'deny', reasonCode: 'made_up', legalBasis: 'x' })).statusCode, 400);
    const denied = await act(accepted.requestId, { action: 'deny', reasonCode: 'no_data_found', legalBasis: 'Va. Code § 59.1-577' });
    assert.equal(denied.statusCode, 200, denied.body);
    assert.equal(denied.json().state, 'denied');
    const answer = (await outbox(payload.requesterEmail)).find((message) => message.template === 'privacy-request-denied');
    assert.ok(answer);
    assert.match(answer.text, /appeal/i);
    assert.match(answer.text, /Virginia Attorney General/);
    assert.match(answer.text, /Va\. Code § 59\.1-577/);
    const appealLink = /\/privacy\/requests\/[^/]+\/appeal\?t=([A-Za-z0-9_-]+)/.exec(answer.text);
    assert.ok(appealLink);
    assert.equal((await act(accepted.requestId, { action: 'start' })).statusCode, 409, 'an answer changes only by an appeal');
    const appealed = await post(`/privacy/requests/${accepted.requestId}/appeal`, { token: appealLink[1], note: 'I bought from you last year.' });
    assert.equal(appealed.statusCode, 200, appealed.body);
    assert.equal(appealed.json().state, 'appealed');
    const sameAgent = await act(accepted.requestId, { action: 'decide_appeal', decision: 'upheld', reasonCode: 'no_data_found' });
    assert.equal(sameAgent.statusCode, 403, 'the agent who denied does not decide the appeal');
    const decided = await act(accepted.requestId, { action: 'decide_appeal', decision: 'upheld', reasonCode: 'no_data_found' }, secondAgent);
    assert.equal(decided.statusCode, 200, decided.body);
    assert.equal(decided.json().state, 'appeal_decided');
    assert.equal(decided.json().appealDecision, 'upheld');
    assert.ok((await outbox(payload.requesterEmail)).some((message) => message.template === 'privacy-appeal-decided'));
    for (const action of ['start', 'withdraw', 'fulfil']) assert.equal((await act(accepted.requestId, { action })).statusCode, 409, `terminal: ${action}`);
  });

  test('PV-3 PV-8 a partial answer under the GDPR names the member state’s authority; fulfilment records the outcome', async () => {
    const payload = form({ type: 'know', country: 'DE', state: null, zip: '91522' });
    const accepted = await file(payload);
    await verify(accepted, { code: await latestCode(payload.subjectEmail) });
    await act(accepted.requestId, { action: 'start' });
    const extended = await act(accepted.requestId, { action: 'extend', reason: 'Complex request.', months: 2 });
    assert.equal(extended.statusCode, 200, extended.body);
    assert.equal(extended.json().deadlines.dueDate, '2026-06-02');
    assert.equal((await act(accepted.requestId, { action: 'extend', reason: 'More.' })).statusCode, 409, 'the GDPR cap of two months holds');
    const partial = await act(accepted.requestId, { action: 'partially_fulfil', reasonCode: 'rights_of_others', legalBasis: 'GDPR Art. 15(4)' });
    assert.equal(partial.statusCode, 200, partial.body);
    const answer = (await outbox(payload.requesterEmail)).find((message) => message.template === 'privacy-request-denied');
    assert.ok(answer);
    assert.match(answer.text, /Bayerisches Landesamt/);

    const other = await file(form({ type: 'rectify' }));
    await verify(other, { code: await latestCode((await agentView(other.requestId)).subjectEmail) });
    await act(other.requestId, { action: 'start' });
    const fulfilled = await act(other.requestId, { action: 'fulfil' });
    assert.equal(fulfilled.statusCode, 200, fulfilled.body);
    assert.equal(fulfilled.json().state, 'fulfilled');
    assert.match(fulfilled.json().outcome, /corrected/);
  });

  test('PV-15 PV-17 fulfilling an access request queues the subject’s export, which the job builds; know answers from the data map', async () => {
    const member = await newMember();
    const filed = await post('/me/privacy/requests', { type: 'access', country: 'US', state: 'CA', brands: ['Patron'] }, member);
    assert.equal(filed.json().state, 'verified', filed.body);
    await staffAgain();
    assert.equal((await act(filed.json().id, { action: 'start' })).statusCode, 200);
    const fulfilled = await act(filed.json().id, { action: 'fulfil' });
    assert.equal(fulfilled.statusCode, 200, fulfilled.body);
    const reference = /reference (pex_[0-9a-z]+)/.exec(fulfilled.json().outcome)?.[1];
    assert.ok(reference, fulfilled.json().outcome);
    const queued = (await sql<{ request_id: string; state: string; member_id: string }>`select request_id, state, member_id from privacy_exports where id = ${reference}`.execute(deps.db)).rows[0];
    assert.deepEqual({ ...queued }, { request_id: filed.json().id, state: 'queued', member_id: member.memberId });
    await runDueJobs(deps);
    const built = (await sql<{ state: string }>`select state from privacy_exports where id = ${reference}`.execute(deps.db)).rows[0];
    assert.equal(built?.state, 'ready', 'the export job built the ZIP');
    // The request's own page links the answer's export (its download page), for a requester without a session too.
    const answer = (await get(`/me/privacy/requests/${filed.json().id}`, await signIn(member.email))).json() as { export: { id: string; state: string; expiresAt: string | null } | null };
    assert.equal(answer.export?.id, reference);
    assert.equal(answer.export?.state, 'ready');
    assert.ok(answer.export?.expiresAt);
    assert.equal((await agentView(filed.json().id)).erasureId, null, 'only an erase request names an erasure');

    const knowRequest = await post('/me/privacy/requests', { type: 'know', country: 'US', state: 'CA' }, await signIn(member.email));
    await staffAgain();
    await act(knowRequest.json().id, { action: 'start' });
    const answered = await act(knowRequest.json().id, { action: 'fulfil' });
    assert.equal(answered.statusCode, 200, answered.body);
    assert.match(answered.json().outcome, /Categories of personal data we hold about you: .*contact/);
  });

  test('PV-18 fulfilling an erase request runs the erasure in the background: the request stays in progress, then is fulfilled and the requester gets the erasure report', async () => {
    const member = await newMember();
    const filed = await post('/me/privacy/requests', { type: 'erase', country: 'US', state: 'CA' }, member);
    assert.equal(filed.json().state, 'verified', filed.body);
    await staffAgain();
    await act(filed.json().id, { action: 'start' });
    const fulfilling = await act(filed.json().id, { action: 'fulfil' });
    assert.equal(fulfilling.statusCode, 200, fulfilling.body);
    assert.equal(fulfilling.json().state, 'in_progress', 'the erasure runs as a job; the request is answered when it is done');
    await runDueJobs(deps);
    const done = await agentView(filed.json().id);
    assert.equal(done.state, 'fulfilled');
    assert.equal(done.outcome, erasedOutcome);
    assert.match(done.erasureId ?? '', /^per_/, 'the agent’s view names the erasure, whose report the console opens');
    const erasure = (await sql<{ member_id: string; request_id: string; reason: string }>`select member_id, request_id, reason from privacy_erasures where member_id = ${member.memberId}`.execute(deps.db)).rows[0];
    assert.deepEqual({ ...erasure }, { member_id: member.memberId, request_id: filed.json().id, reason: 'request' });
    const memberRow = (await sql<{ email: string; status: string }>`select email, status from members where id = ${member.memberId}`.execute(deps.db)).rows[0];
    assert.equal(memberRow?.status, 'closed');
    assert.notEqual(memberRow?.email, member.email);
    const mail = await outbox(member.email);
    assert.ok(mail.some((message) => message.template === 'privacy-erasure-completed'), 'the erasure report went to the requester');
    await runDueJobs(deps);
    assert.equal((await outbox(member.email)).filter((message) => message.template === 'privacy-erasure-completed').length, 1, 'once');
  });

  test('PV-3 the agent routes answer staff only: anonymous 401, a member 403, before any body check', async () => {
    const member = await newMember();
    const routes: [string, string, unknown][] = [
      ['GET', '/agent/privacy/requests', undefined],
      ['GET', '/agent/privacy/requests/prq_x', undefined],
      ['POST', '/agent/privacy/requests', { nonsense: true }],
      ['POST', '/agent/privacy/requests/prq_x/actions', { nonsense: true }],
      ['GET', '/agent/privacy/requests/prq_x/documents/pdc_x', undefined],
    ];
    for (const [method, url, payload] of routes) {
      const anonymous = await app.inject({ method: method as 'GET' | 'POST', url: `/api/v1${url}`, payload: payload as object | undefined, remoteAddress: nextAddress() });
      assert.equal(anonymous.statusCode, 401, `${method} ${url} anonymous`);
      const asMember = await app.inject({ method: method as 'GET' | 'POST', url: `/api/v1${url}`, headers: member.headers, payload: payload as object | undefined, remoteAddress: nextAddress() });
      assert.equal(asMember.statusCode, 403, `${method} ${url} as a member`);
    }
    assert.equal((await post('/me/privacy/requests', { type: 'access', country: 'US', state: 'CA' })).statusCode, 401);
  });

  test('PV-12 unverified requests close after 7 days of waiting, and not a millisecond before', async () => {
    const payload = form();
    const accepted = await file(payload);
    deps.clock.advanceMs(7 * DAY_MS - 1);
    await closeUnverifiedRequests(deps);
    assert.equal((await status(accepted)).state, 'awaiting_verification');
    deps.clock.advanceMs(1);
    const report = await closeUnverifiedRequests(deps);
    assert.ok(report.closed >= 1);
    assert.equal((await status(accepted)).state, 'closed_unverified');
    assert.ok((await outbox(payload.requesterEmail)).some((message) => message.template === 'privacy-request-closed-unverified'));
    assert.equal((await closeUnverifiedRequests(deps)).closed, 0, 'running it again changes nothing');
    const codes = await sql<{ n: number | string }>`select count(*) as n from privacy_verification_codes where expires_at_ms < ${deps.clock.nowMs() - DAY_MS}`.execute(deps.db);
    assert.equal(Number(codes.rows[0]!.n), 0, 'codes are deleted a day after they expired');
  });

  test('PV-10 the queue: Plus members first, then earliest due; days left and due_in_7 / due_in_2 / overdue flags as the clock moves; PV-9 an extension after the due date is refused', async () => {
    await staffAgain();
    const plus = await newMember({ plus: true });
    const regular = form({ type: 'rectify', state: 'TX' });
    const early = await file(regular);
    await verify(early, { code: await latestCode(regular.subjectEmail) });
    deps.clock.advanceMs(DAY_MS);
    const plusRequest = await post('/me/privacy/requests', { type: 'rectify', country: 'US', state: 'TX' }, await signIn(plus.email));
    assert.equal(plusRequest.statusCode, 201, plusRequest.body);
    assert.equal(plusRequest.json().state, 'verified');
    await staffAgain();
    const page = async () => ((await get('/agent/privacy/requests?type=rectify&limit=200', agent)).json() as { requests: { id: string; priority: boolean; daysLeft: number; flag: string | null }[] }).requests;
    const ours = [plusRequest.json().id as string, early.requestId];
    const order = (await page()).map((entry) => entry.id).filter((id) => ours.includes(id));
    assert.deepEqual(order, ours, 'the Plus member’s request first although it is due later');
    const entry = async () => (await page()).find((row) => row.id === early.requestId)!;
    assert.equal((await entry()).daysLeft, 44);
    assert.equal((await entry()).flag, null);
    deps.clock.advanceMs(37 * DAY_MS);
    await staffAgain();
    assert.deepEqual([(await entry()).daysLeft, (await entry()).flag], [7, 'due_in_7']);
    deps.clock.advanceMs(5 * DAY_MS);
    await staffAgain();
    assert.deepEqual([(await entry()).daysLeft, (await entry()).flag], [2, 'due_in_2']);
    deps.clock.advanceMs(3 * DAY_MS);
    await staffAgain();
    assert.deepEqual([(await entry()).daysLeft, (await entry()).flag], [-1, 'overdue']);
    const late = await act(early.requestId, { action: 'extend', reason: 'Too late now.' });
    assert.equal(late.statusCode, 409, late.body);
    assert.match(late.json().error.message, /due date has passed/);
    const filtered = (await get('/agent/privacy/requests?regime=gdpr&limit=200', agent)).json() as { requests: { regime: string }[] };
    assert.ok(filtered.requests.every((row) => row.regime === 'gdpr'));
    const paged = (await get('/agent/privacy/requests?limit=1', agent)).json() as { requests: unknown[]; nextCursor: string | null };
    assert.equal(paged.requests.length, 1);
    assert.ok(paged.nextCursor);
    assert.equal((await get(`/agent/privacy/requests?limit=1&cursor=${paged.nextCursor}`, agent)).statusCode, 200);
    assert.equal((await get('/agent/privacy/requests?cursor=garbage', agent)).statusCode, 400);
    assert.ok(requestToken(deps.secret, early.requestId).length === 32);
  });
});
