// The customer side of after-sales through inject, on both databases (AS-1, AS-2, AS-3, AS-6, AS-7, AS-8, AS-9,
// AS-12): members open cases from their orders, guests prove the order by email + order ID behind an ALTCHA captcha
// and confirm their address by a single-use link before the case reaches the queue; refusals store nothing (no row,
// no file); photos come back without metadata and only to their owner; answers and cancellations move the case.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import sharp from 'sharp';
import { createHash } from 'node:crypto';
import { buildApp } from '../../src/app.ts';
import { transact } from '../../src/deps.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { DAY_MS } from '../../src/platform/clock.ts';
import { addCalendarMonths } from '../../src/platform/calendar.ts';
import { createMemoryFileStorage } from '../../src/ports/local-file-storage.ts';
import type { FileStorage } from '../../src/ports/file-storage.port.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { adjustCredits } from '../../src/modules/credits/index.ts';
import * as membership from '../../src/modules/membership/index.ts';
import * as store from '../../src/modules/store/index.ts';
import { getMessage, listMessages } from '../../src/modules/notifications/index.ts';
import { checkout, redeemReward, type CheckoutInput } from '../../src/flows/index.ts';
import { caseStatusToken, maxImageBytes, moveCase, type CaseActor } from '../../src/modules/aftersales/index.ts';
import { expireUnconfirmedGuestCases } from '../../src/modules/aftersales/intake.service.ts';
import { insertShipmentSerial, listQueue } from '../../src/modules/aftersales/cases.repository.ts';
import { guestOrderMismatchMessage } from '../../src/modules/aftersales/order-facts.service.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';
import { addressSequence, signInOverHttp } from '../support/http-session.ts';

const nextAddress = addressSequence(93);
const password = 'correct horse battery staple';
const agentActor: CaseActor = { role: 'agent', id: 'mem_agent_test' };
const system = { id: null, role: 'system' as const };

/** The file store, with the keys it holds, so a test can see that a refusal stored nothing. */
const storedKeys = new Set<string>();
const memoryFiles = createMemoryFileStorage();
const files: FileStorage = {
  name: 'memory-recording',
  async put(key, file) {
    storedKeys.add(key);
    await memoryFiles.put(key, file);
  },
  get: (key) => memoryFiles.get(key),
  putStream: (key, source, contentType) => memoryFiles.putStream(key, source, contentType),
  getStream: (key) => memoryFiles.getStream(key),
  async remove(key) {
    storedKeys.delete(key);
    await memoryFiles.remove(key);
  },
};

interface FilePart {
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

/** A multipart/form-data body as a browser sends it. */
function multipart(fields: Record<string, string>, images: FilePart[] = []): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----patron-test-boundary-7MA4YWxkTrZu0gW';
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const image of images) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="images"; filename="${image.filename}"\r\nContent-Type: ${image.contentType}\r\n\r\n`));
    chunks.push(Buffer.from(image.bytes));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function photo(options: { gps?: boolean } = {}): Promise<FilePart> {
  let image = sharp({ create: { width: 64, height: 48, channels: 3, background: '#c0392b' } });
  if (options.gps) image = image.withMetadata({ exif: { IFD0: { Make: 'PatronCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } } });
  return { filename: 'damage.jpg', contentType: 'image/jpeg', bytes: await image.jpeg().toBuffer() };
}

/**
 * What the ALTCHA widget does in the browser (protocol v1): find the number whose SHA-256 after the salt is the
 * challenge. Synchronous hashing here; the library's solver awaits Web Crypto per try, seconds on a busy machine.
 */
function solve(challenge: { challenge: string; salt: string; maxnumber: number }): number {
  for (let n = 0; n <= challenge.maxnumber; n++) {
    if (createHash('sha256').update(`${challenge.salt}${n}`).digest('hex') === challenge.challenge) return n;
  }
  throw new Error('the challenge has no solution within its bound');
}

interface Member {
  memberId: string;
  email: string;
  headers: Record<string, string>;
}

describeEachDatabase(
  'after-sales intake HTTP',
  (suite) => {
    let app: ZodApp;
    let deps: TestDeps;
    let product: store.Product;
    let serialProduct: store.Product;
    let counter = 0;

    async function newMember(plan?: membership.Plan): Promise<Member> {
      const email = `intake.${suite.dialect}.${++counter}@example.com`;
      const created = await transact(deps, (trx) => createMemberForSeed(trx, { email, password, country: 'US', dateOfBirth: '1990-05-05', firstName: 'Ada', emailVerified: true }));
      if (plan) {
        const joined = await membership.joinPlus(deps, { memberId: created.memberId, plan, paymentToken: 'tok_approve', actor: { id: created.memberId, role: 'member' } });
        assert.equal(joined.outcome, 'active');
      }
      const session = await signInOverHttp(app, { email, password, remoteAddress: nextAddress() });
      return { memberId: created.memberId, email, headers: { cookie: `patron_session=${session.cookie}`, 'x-csrf-token': session.csrfToken } };
    }

    /** A new session after the clock moved (sessions expire while tests skip weeks). */
    async function signInAgain(member: Member): Promise<Member> {
      const session = await signInOverHttp(app, { email: member.email, password, remoteAddress: nextAddress() });
      return { ...member, headers: { cookie: `patron_session=${session.cookie}`, 'x-csrf-token': session.csrfToken } };
    }

    /** A paid order, shipped and delivered now. */
    async function deliveredOrder(memberId: string | null, options: { guestEmail?: string; productId?: string } = {}): Promise<store.OrderDetail> {
      const input: CheckoutInput = {
        memberId,
        lines: [{ productId: options.productId ?? product.id, quantity: 1 }],
        discountCode: null,
        shippingAddress: { name: 'Pat Shopper', line1: '500 Market St', line2: null, city: 'Springfield', region: 'US-CA', postalCode: '94107' },
        credits: 0,
        paymentToken: 'tok_approve',
        fromCart: false,
        guestEmail: memberId ? null : (options.guestEmail ?? 'guest@example.com'),
      };
      const order = (await checkout(deps, input)).order;
      assert.equal(order.status, 'paid');
      await transact(deps, (trx) => store.shipOrder(trx, { orderId: order.id, carrier: 'UPS', trackingNumber: '1Z999AA10123456784' }));
      return transact(deps, (trx) => store.markOrderDelivered(trx, order.id));
    }

    const returnForm = (order: store.OrderDetail, extra: Record<string, unknown> = {}) => ({
      kind: 'return',
      remedy: 'refund',
      reason: 'no_longer_needed',
      orderRef: order.id,
      orderLineId: order.lines[0]!.id,
      details: 'It does not fit my desk.',
      ...extra,
    });

    function openMemberCase(member: Member, form: unknown, images: FilePart[] = []) {
      const body = multipart({ case: JSON.stringify(form) }, images);
      return app.inject({ method: 'POST', url: '/api/v1/me/cases', headers: { ...member.headers, ...body.headers }, payload: body.payload, remoteAddress: nextAddress() });
    }

    async function solvedCaptcha(): Promise<string> {
      const response = await app.inject({ method: 'GET', url: '/api/v1/cases/captcha', remoteAddress: nextAddress() });
      assert.equal(response.statusCode, 200, response.body);
      const challenge = response.json() as { algorithm: string; challenge: string; maxnumber: number; salt: string; signature: string };
      const solution = solve(challenge);
      return Buffer.from(JSON.stringify({ algorithm: challenge.algorithm, challenge: challenge.challenge, number: solution, salt: challenge.salt, signature: challenge.signature })).toString('base64');
    }

    function openGuestCase(form: unknown, images: FilePart[] = []) {
      const body = multipart({ case: JSON.stringify(form) }, images);
      return app.inject({ method: 'POST', url: '/api/v1/cases', headers: body.headers, payload: body.payload, remoteAddress: nextAddress() });
    }

    async function imageRows(): Promise<number> {
      const result = await sql<{ n: number | string }>`select count(*) as n from aftersales_images`.execute(deps.db);
      return Number(result.rows[0]!.n);
    }

    async function caseRows(): Promise<number> {
      const result = await sql<{ n: number | string }>`select count(*) as n from aftersales_cases`.execute(deps.db);
      return Number(result.rows[0]!.n);
    }

    async function emailsTo(to: string): Promise<string[]> {
      return (await listMessages(deps, { limit: 200 })).filter((message) => message.to === to).map((message) => message.subject);
    }

    async function confirmationToken(to: string): Promise<string> {
      const summary = (await listMessages(deps, { limit: 200 })).find((message) => message.to === to && message.subject.startsWith('Confirm your email'));
      assert.ok(summary, `a confirmation email was queued for ${to}`);
      const message = await getMessage(deps, summary.id);
      const match = /\/returns\/confirm\?token=([A-Za-z0-9_%-]+)/.exec(message!.text);
      assert.ok(match, 'the email carries the confirmation link');
      return decodeURIComponent(match[1]!);
    }

    before(async () => {
      deps = suite.deps();
      app = await buildApp(deps);
      await app.ready();
      product = await transact(deps, (trx) => store.createProduct(trx, system, { sku: `INTAKE-${suite.dialect}`, name: 'Intake test charger', category: 'chargers', priceMinor: 4900, plusBonus: false, giftCard: false, stock: 500 }));
      serialProduct = await transact(deps, (trx) =>
        store.createProduct(trx, system, { sku: `INTAKE-SN-${suite.dialect}`, name: 'Intake serial power station', category: 'chargers', priceMinor: 19900, plusBonus: false, giftCard: false, stock: 500 }),
      );
    });

    test('AS-1 AS-3 AS-12 a member opens a return on day 30 after delivery (the last day of the window): 201, the submission on the timeline, the received email, listed and readable', async () => {
      let member = await newMember();
      const order = await deliveredOrder(member.memberId);
      deps.clock.advanceMs(30 * DAY_MS);
      member = await signInAgain(member);
      const response = await openMemberCase(member, returnForm(order), [await photo()]);
      assert.equal(response.statusCode, 201, response.body);
      const view = response.json();
      assert.equal(view.state, 'submitted');
      assert.equal(view.orderSource, 'store');
      assert.equal(view.productSku, product.sku);
      assert.equal(view.decision.outcome, 'eligible');
      assert.deepEqual(view.decision.allowedRemedies, ['refund', 'exchange']);
      assert.deepEqual(view.timeline.map((entry: { action: string; actor: string; toState: string }) => [entry.action, entry.actor, entry.toState]), [['submit', 'you', 'submitted']]);
      assert.equal(view.images.length, 1);
      assert.equal(view.canCancel, true);
      assert.equal(view.canAnswer, false);
      assert.ok((await emailsTo(member.email)).some((subject) => subject === `We received your return (${view.id})`));
      const list = await app.inject({ method: 'GET', url: '/api/v1/me/cases', headers: member.headers });
      assert.deepEqual(list.json().cases.map((c: { id: string }) => c.id), [view.id]);
      const one = await app.inject({ method: 'GET', url: `/api/v1/me/cases/${view.id}`, headers: member.headers });
      assert.equal(one.statusCode, 200);
      assert.equal(one.json().details, 'It does not fit my desk.');
      assert.ok((await listQueue(deps.db, { limit: 500 })).some((c) => c.id === view.id), "a member's case is in the queue at once");
    });

    test('AS-3 day 31 after delivery: 422 not_eligible with the reason, and nothing stored (no case, no image row, no file)', async () => {
      let member = await newMember();
      const order = await deliveredOrder(member.memberId);
      deps.clock.advanceMs(31 * DAY_MS);
      member = await signInAgain(member);
      const [casesBefore, imagesBefore, filesBefore] = [await caseRows(), await imageRows(), storedKeys.size];
      const response = await openMemberCase(member, returnForm(order), [await photo()]);
      assert.equal(response.statusCode, 422, response.body);
      assert.equal(response.json().error.code, 'not_eligible');
      assert.match(response.json().error.details.texts.join(' '), /30 days after delivery/);
      assert.equal(await caseRows(), casesBefore);
      assert.equal(await imageRows(), imagesBefore);
      assert.equal(storedKeys.size, filesBefore);
    });

    test('AS-4 AS-5 warranty: month 18 accepted and month 19 refused; bought as annual Plus, claimed after the membership ended: month 30 accepted, then refused; bought as monthly Plus: no extension', async () => {
      let plain = await newMember();
      let monthly = await newMember('monthly');
      let annual = await newMember('annual');
      const plainOrder = await deliveredOrder(plain.memberId);
      const monthlyOrder = await deliveredOrder(monthly.memberId);
      const annualOrder = await deliveredOrder(annual.memberId);
      assert.deepEqual([plainOrder.plusPlan, monthlyOrder.plusPlan, annualOrder.plusPlan], [null, 'monthly', 'annual']);
      // The membership ends right after the purchase: the order's snapshot, not today's status, decides (MB-10).
      await transact(deps, (trx) => membership.cancelMembership(trx, { memberId: annual.memberId, actor: { id: annual.memberId, role: 'member' } }));
      const claim = (order: store.OrderDetail) => ({ kind: 'warranty_claim', remedy: 'replacement', reason: 'defective', orderRef: order.id, orderLineId: order.lines[0]!.id, details: 'It no longer charges.' });
      const claimAt = async (member: Member, order: store.OrderDetail, atMs: number) => {
        deps.clock.setMs(atMs);
        const fresh = await signInAgain(member);
        return { member: fresh, response: await openMemberCase(fresh, claim(order)) };
      };
      const purchased = (order: store.OrderDetail) => order.paidAtMs!;

      let attempt = await claimAt(plain, plainOrder, addCalendarMonths(purchased(plainOrder), 18));
      plain = attempt.member;
      assert.equal(attempt.response.statusCode, 201, `month 18: ${attempt.response.body}`);
      assert.ok(attempt.response.json().decision.texts.some((text: string) => /18 months/.test(text)));
      attempt = await claimAt(monthly, monthlyOrder, addCalendarMonths(purchased(monthlyOrder), 18));
      monthly = attempt.member;
      assert.equal(attempt.response.statusCode, 201, `monthly Plus, month 18: ${attempt.response.body}`);
      attempt = await claimAt(plain, plainOrder, addCalendarMonths(purchased(plainOrder), 18) + DAY_MS);
      assert.equal(attempt.response.statusCode, 422, 'month 19 without Plus: refused');
      assert.match(attempt.response.json().error.details.texts.join(' '), /18-month warranty on this product has ended/);
      attempt = await claimAt(monthly, monthlyOrder, addCalendarMonths(purchased(monthlyOrder), 18) + DAY_MS);
      assert.equal(attempt.response.statusCode, 422, 'month 19 bought as monthly Plus: no extension');

      attempt = await claimAt(annual, annualOrder, addCalendarMonths(purchased(annualOrder), 18) + DAY_MS);
      annual = attempt.member;
      assert.equal(attempt.response.statusCode, 201, `month 19 bought as annual Plus: ${attempt.response.body}`);
      attempt = await claimAt(annual, annualOrder, addCalendarMonths(purchased(annualOrder), 30));
      annual = attempt.member;
      assert.equal(attempt.response.statusCode, 201, `month 30 bought as annual Plus: ${attempt.response.body}`);
      assert.ok(attempt.response.json().decision.texts.some((text: string) => /annual Plus member, so its warranty lasts 30 months/.test(text)));
      attempt = await claimAt(annual, annualOrder, addCalendarMonths(purchased(annualOrder), 30) + DAY_MS);
      assert.equal(attempt.response.statusCode, 422, 'month 31: the extended warranty has ended too');
    });

    test('AS-4 AS-5 AS-11 a replacement is no new purchase: its warranty runs on from the original purchase, with the Plus plan at that purchase', async () => {
      let member = await newMember('annual');
      const original = await deliveredOrder(member.memberId);
      await transact(deps, (trx) => membership.cancelMembership(trx, { memberId: member.memberId, actor: { id: member.memberId, role: 'member' } }));
      deps.clock.setMs(addCalendarMonths(original.paidAtMs!, 20));
      const replacement = await transact(deps, (trx) => store.createReplacementOrder(trx, { source: { kind: 'order', sourceOrderId: original.id, lineId: original.lines[0]!.id }, quantity: 1, caseId: deps.ids.next('cas') }));
      assert.equal(replacement.replacementForOrderId, original.id);
      assert.equal(replacement.plusPlan, null, 'the replacement itself was bought by nobody');
      await transact(deps, (trx) => store.shipOrder(trx, { orderId: replacement.id, carrier: 'UPS', trackingNumber: '1Z999AA10123456785' }));
      await transact(deps, (trx) => store.markOrderDelivered(trx, replacement.id));
      const claim = { kind: 'warranty_claim', remedy: 'replacement', reason: 'defective', orderRef: replacement.id, orderLineId: replacement.lines[0]!.id, details: 'The replacement failed too.' };

      deps.clock.setMs(addCalendarMonths(original.paidAtMs!, 30));
      member = await signInAgain(member);
      const inside = await openMemberCase(member, claim);
      assert.equal(inside.statusCode, 201, `month 30 of the original annual-Plus purchase: ${inside.body}`);
      assert.ok(inside.json().decision.texts.some((text: string) => /annual Plus member, so its warranty lasts 30 months/.test(text)));
      deps.clock.setMs(addCalendarMonths(original.paidAtMs!, 30) + DAY_MS);
      member = await signInAgain(member);
      const after = await openMemberCase(member, claim);
      assert.equal(after.statusCode, 422, 'the warranty ends with the original purchase’s, not 30 months after the replacement');
    });

    test('AS-6 an annual Plus member’s return is approved at once: submitted by the member, approved by the system', async () => {
      const member = await newMember('annual');
      const order = await deliveredOrder(member.memberId);
      assert.equal(order.plusPlan, 'annual');
      deps.clock.advanceMs(3 * DAY_MS);
      const response = await openMemberCase(member, returnForm(order));
      assert.equal(response.statusCode, 201, response.body);
      const view = response.json();
      assert.equal(view.state, 'approved');
      assert.equal(view.decision.outcome, 'auto_approved');
      assert.deepEqual(view.timeline.map((entry: { action: string; actor: string; toState: string }) => [entry.action, entry.actor, entry.toState]), [
        ['submit', 'you', 'submitted'],
        ['approve', 'system', 'approved'],
      ]);
    });

    test('AS-1 a guest needs the captcha, proves the order by email + order ID, and the case reaches the queue only after the single-use confirmation link', async () => {
      const email = `guest.${suite.dialect}@example.com`;
      const order = await deliveredOrder(null, { guestEmail: email });
      deps.clock.advanceMs(2 * DAY_MS);
      const form = { ...returnForm(order), email, contactName: 'Grace Hopper' };
      const { altcha: _none, ...withoutCaptcha } = { ...form, altcha: '' };
      const missing = await openGuestCase(withoutCaptcha);
      assert.equal(missing.statusCode, 400, missing.body);
      const forged = await openGuestCase({ ...form, altcha: Buffer.from(JSON.stringify({ algorithm: 'SHA-256', challenge: 'x', number: 1, salt: 'y?expires=9999999999', signature: 'z' })).toString('base64') });
      assert.equal(forged.statusCode, 400, forged.body);

      const wrongEmail = await openGuestCase({ ...form, email: 'someone.else@example.com', altcha: await solvedCaptcha() });
      assert.equal(wrongEmail.statusCode, 404, wrongEmail.body);
      assert.equal(wrongEmail.json().error.message, guestOrderMismatchMessage);
      const wrongOrder = await openGuestCase({ ...form, orderRef: 'ord_00000000000000000000000000', altcha: await solvedCaptcha() });
      assert.equal(wrongOrder.statusCode, 404);
      assert.equal(wrongOrder.json().error.message, guestOrderMismatchMessage, 'the same words whichever of the two is wrong');

      const captcha = await solvedCaptcha();
      const accepted = await openGuestCase({ ...form, altcha: captcha });
      assert.equal(accepted.statusCode, 202, accepted.body);
      const caseId = accepted.json().caseId as string;
      const replay = await openGuestCase({ ...form, altcha: captcha });
      assert.equal(replay.statusCode, 400, 'a solved captcha is good once');

      assert.ok(!(await listQueue(deps.db, { limit: 500 })).some((c) => c.id === caseId), 'not in the queue before confirmation');
      assert.deepEqual(await emailsTo(email), [`Confirm your email to send your return (${caseId})`], 'only the confirmation link goes to an unconfirmed address');

      const token = await confirmationToken(email);
      const confirmed = await app.inject({ method: 'POST', url: '/api/v1/cases/confirm', payload: { token }, remoteAddress: nextAddress() });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      assert.equal(confirmed.json().caseId, caseId);
      assert.equal(confirmed.json().statusUrl, `http://patron.test/returns/status/${caseId}?t=${caseStatusToken(deps.secret, caseId)}`);
      const again = await app.inject({ method: 'POST', url: '/api/v1/cases/confirm', payload: { token }, remoteAddress: nextAddress() });
      assert.equal(again.statusCode, 409, 'the link works once');
      assert.ok((await listQueue(deps.db, { limit: 500 })).some((c) => c.id === caseId), 'in the queue once confirmed');
      assert.ok((await emailsTo(email)).includes(`We received your return (${caseId})`));

      const status = await app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}?t=${caseStatusToken(deps.secret, caseId)}`, remoteAddress: nextAddress() });
      assert.equal(status.statusCode, 200, status.body);
      assert.equal(status.json().emailConfirmed, true);
      const wrongToken = await app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}?t=${'x'.repeat(32)}`, remoteAddress: nextAddress() });
      assert.equal(wrongToken.statusCode, 404, 'AS-12 a wrong status token is not found');
    });

    test('AS-1 a guest names the product of a several-line order by its code (guests know no line IDs); an unknown code is refused on that field', async () => {
      const email = `guest.lines.${suite.dialect}@example.com`;
      const { order } = await checkout(deps, {
        memberId: null,
        lines: [{ productId: product.id, quantity: 1 }, { productId: serialProduct.id, quantity: 1 }],
        discountCode: null,
        shippingAddress: { name: 'Pat Shopper', line1: '500 Market St', line2: null, city: 'Springfield', region: 'US-CA', postalCode: '94107' },
        credits: 0,
        paymentToken: 'tok_approve',
        fromCart: false,
        guestEmail: email,
      });
      await transact(deps, (trx) => store.shipOrder(trx, { orderId: order.id, carrier: 'UPS', trackingNumber: '1Z999AA10123456784' }));
      await transact(deps, (trx) => store.markOrderDelivered(trx, order.id));
      const form = { kind: 'return', remedy: 'refund', reason: 'no_longer_needed', orderRef: order.id, details: 'Not needed.', email, contactName: 'Grace Hopper' };
      const unnamed = await openGuestCase({ ...form, altcha: await solvedCaptcha() });
      assert.equal(unnamed.statusCode, 400, unnamed.body);
      assert.equal(unnamed.json().error.details.field, 'productSku');
      const unknown = await openGuestCase({ ...form, productSku: 'NOT-ON-ORDER', altcha: await solvedCaptcha() });
      assert.equal(unknown.statusCode, 400, unknown.body);
      assert.match(unknown.json().error.message, /not on the order/);
      const named = await openGuestCase({ ...form, productSku: serialProduct.sku.toLowerCase(), altcha: await solvedCaptcha() });
      assert.equal(named.statusCode, 202, named.body);
      const created = (await sql<{ order_line_id: string; product_sku: string }>`select order_line_id, product_sku from aftersales_cases where id = ${named.json().caseId as string}`.execute(deps.db)).rows[0];
      const serialLine = order.lines.find((line) => line.productId === serialProduct.id)!;
      assert.deepEqual({ ...created }, { order_line_id: serialLine.id, product_sku: serialProduct.sku });
      const confirmed = await app.inject({ method: 'POST', url: '/api/v1/cases/confirm', payload: { token: await confirmationToken(email) }, remoteAddress: nextAddress() });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
    });

    test('AS-2 a serial that does not match the one recorded for the line is refused; the recorded one is accepted', async () => {
      const member = await newMember();
      const order = await deliveredOrder(member.memberId, { productId: serialProduct.id });
      const line = order.lines[0]!;
      await insertShipmentSerial(deps.db, { id: deps.ids.next('csn'), orderId: order.id, orderLineId: line.id, memberId: member.memberId, serial: 'A7K2M9Q4', recordedBy: 'mem_agent_test', recordedAtMs: deps.clock.nowMs() });
      deps.clock.advanceMs(DAY_MS);
      const casesBefore = await caseRows();
      const wrong = await openMemberCase(member, returnForm(order, { serial: 'A0000000' }));
      assert.equal(wrong.statusCode, 400, wrong.body);
      assert.match(wrong.json().error.message, /does not match the one we shipped/);
      assert.equal(await caseRows(), casesBefore);
      const malformed = await openMemberCase(member, returnForm(order, { serial: '12345' }));
      assert.equal(malformed.statusCode, 400);
      const right = await openMemberCase(member, returnForm(order, { serial: ' sn: a7k2m9q4 ' }));
      assert.equal(right.statusCode, 201, right.body);
      assert.equal(right.json().serial, 'A7K2M9Q4');
    });

    test('AS-8 a marketplace warranty claim with a valid Amazon order ID opens with a proof-of-purchase photo and is refused without one', async () => {
      const member = await newMember();
      const amazonId = suite.dialect === 'sqlite' ? '113-1234567-1234567' : '113-7654321-7654321';
      await store.recordExternalOrder(
        deps,
        { source: 'amazon', marketplace: 'US', externalOrderId: amazonId, customerEmail: member.email, purchasedAt: new Date(deps.clock.nowMs() - 200 * DAY_MS).toISOString(), totalMinor: 5999, items: [{ sku: 'A1263', name: 'PowerCore 10000', quantity: 1 }] },
        'mem_agent_test',
      );
      const claim = { kind: 'warranty_claim', remedy: 'replacement', reason: 'defective', orderRef: amazonId, productSku: 'A1263', details: 'It stopped charging.' };
      const withoutPhoto = await openMemberCase(member, claim);
      assert.equal(withoutPhoto.statusCode, 400, withoutPhoto.body);
      assert.match(withoutPhoto.json().error.message, /proof of purchase/);
      const otherStore = await openMemberCase(member, { ...claim, marketplace: 'UK' }, [await photo()]);
      assert.equal(otherStore.statusCode, 404, 'an order ID said to be from another Amazon store is not this order');
      const withPhoto = await openMemberCase(member, { ...claim, marketplace: 'US' }, [await photo()]);
      assert.equal(withPhoto.statusCode, 201, withPhoto.body);
      assert.equal(withPhoto.json().orderSource, 'marketplace');
      assert.equal(withPhoto.json().kind, 'warranty_claim');
      const returnThere = await openMemberCase(member, { ...claim, kind: 'return', remedy: 'refund', reason: 'no_longer_needed' }, [await photo()]);
      assert.equal(returnThere.statusCode, 422, 'AS-8 returns of marketplace orders go through the marketplace');
    });

    test('AS-9 a 10 MB + 1 byte file is 413 and a text file renamed .jpg is 400, and neither leaves a row or a file; a fetched photo carries no EXIF', async () => {
      const member = await newMember();
      const order = await deliveredOrder(member.memberId);
      const [casesBefore, imagesBefore, filesBefore] = [await caseRows(), await imageRows(), storedKeys.size];
      const tooBig = new Uint8Array(maxImageBytes + 1);
      tooBig.set([0xff, 0xd8, 0xff, 0xe0]);
      const big = await openMemberCase(member, returnForm(order), [await photo(), { filename: 'huge.jpg', contentType: 'image/jpeg', bytes: tooBig }]);
      assert.equal(big.statusCode, 413, big.body);
      assert.match(big.json().error.message, /at most 10 MB/);
      const text = await openMemberCase(member, returnForm(order), [await photo(), { filename: 'receipt.jpg', contentType: 'image/jpeg', bytes: Buffer.from('just some text, not a picture\n'.repeat(20)) }]);
      assert.equal(text.statusCode, 400, text.body);
      assert.match(text.json().error.message, /not a JPEG, PNG, WebP or HEIC image/);
      assert.equal(await caseRows(), casesBefore);
      assert.equal(await imageRows(), imagesBefore);
      assert.equal(storedKeys.size, filesBefore, 'the photo accepted before the refused one was removed');

      const opened = await openMemberCase(member, returnForm(order), [await photo({ gps: true })]);
      assert.equal(opened.statusCode, 201, opened.body);
      const view = opened.json();
      const fetched = await app.inject({ method: 'GET', url: `/api/v1/me/cases/${view.id}/images/${view.images[0].id}`, headers: member.headers });
      assert.equal(fetched.statusCode, 200);
      assert.equal(fetched.headers['content-type'], 'image/jpeg');
      assert.equal(fetched.headers['cache-control'], 'private, no-store');
      assert.equal(fetched.headers['content-disposition'], 'inline');
      assert.equal(fetched.headers['x-content-type-options'], 'nosniff');
      const metadata = await sharp(fetched.rawPayload).metadata();
      assert.equal(metadata.format, 'jpeg');
      assert.equal(metadata.exif, undefined, 'no EXIF (and so no GPS) in the bytes served');
      assert.ok(!fetched.rawPayload.includes(Buffer.from('PatronCam')));
    });

    test('AS-9 AS-12 a foreign member’s case and photo are 404, never 403', async () => {
      const owner = await newMember();
      const stranger = await newMember();
      const order = await deliveredOrder(owner.memberId);
      const opened = await openMemberCase(owner, returnForm(order), [await photo()]);
      assert.equal(opened.statusCode, 201, opened.body);
      const view = opened.json();
      assert.equal((await app.inject({ method: 'GET', url: `/api/v1/me/cases/${view.id}`, headers: stranger.headers })).statusCode, 404);
      assert.equal((await app.inject({ method: 'GET', url: `/api/v1/me/cases/${view.id}/images/${view.images[0].id}`, headers: stranger.headers })).statusCode, 404);
      assert.equal((await app.inject({ method: 'POST', url: `/api/v1/me/cases/${view.id}/cancel`, headers: stranger.headers, payload: {} })).statusCode, 404);
      const foreignOrder = await openMemberCase(stranger, returnForm(order));
      assert.equal(foreignOrder.statusCode, 404, "a case on someone else's order is not found");
      const memberCaseByToken = await app.inject({ method: 'GET', url: `/api/v1/cases/${view.id}?t=${caseStatusToken(deps.secret, view.id)}`, remoteAddress: nextAddress() });
      assert.equal(memberCaseByToken.statusCode, 404, "a member's case is not served through the guest pages");
    });

    test('AS-12 the requester answers a question (needs_info → under_review, the message on the timeline, more photos up to 5 in all)', async () => {
      const member = await newMember();
      const order = await deliveredOrder(member.memberId);
      const opened = await openMemberCase(member, returnForm(order), [await photo()]);
      const caseId = opened.json().id as string;
      await transact(deps, (trx) => moveCase(trx, { caseId, action: 'review', actor: agentActor }));
      await transact(deps, (trx) => moveCase(trx, { caseId, action: 'ask_for_info', actor: agentActor, note: 'Could you send a photo of the box?' }));
      const asked = (await app.inject({ method: 'GET', url: `/api/v1/me/cases/${caseId}`, headers: member.headers })).json();
      assert.equal(asked.canAnswer, true);
      assert.ok(asked.expiresAt, 'a question waits for a limited time');
      const tooMany = multipart({ message: 'Here it is.' }, await Promise.all([1, 2, 3, 4, 5].map(() => photo())));
      const refused = await app.inject({ method: 'POST', url: `/api/v1/me/cases/${caseId}/answer`, headers: { ...member.headers, ...tooMany.headers }, payload: tooMany.payload });
      assert.equal(refused.statusCode, 400, 'the case holds one photo: four more at most');
      const body = multipart({ message: 'Here is the box.' }, [{ ...(await photo()), bytes: await sharp({ create: { width: 32, height: 32, channels: 3, background: '#2980b9' } }).png().toBuffer(), filename: 'box.png', contentType: 'image/png' }]);
      const answered = await app.inject({ method: 'POST', url: `/api/v1/me/cases/${caseId}/answer`, headers: { ...member.headers, ...body.headers }, payload: body.payload });
      assert.equal(answered.statusCode, 200, answered.body);
      const view = answered.json();
      assert.equal(view.state, 'under_review');
      assert.equal(view.images.length, 2);
      assert.deepEqual(view.timeline.at(-1), { ...view.timeline.at(-1), action: 'answer', actor: 'you', note: 'Here is the box.', toState: 'under_review' });
      assert.equal(view.timeline.at(-2).note, 'Could you send a photo of the box?');
      const twice = await app.inject({ method: 'POST', url: `/api/v1/me/cases/${caseId}/answer`, headers: { ...member.headers, ...body.headers }, payload: body.payload });
      assert.equal(twice.statusCode, 409, 'no question is open any more');
    });

    test('AS-12 a requester cancels before the item is received; once received, cancelling is refused', async () => {
      const member = await newMember();
      const order = await deliveredOrder(member.memberId);
      const first = (await openMemberCase(member, returnForm(order))).json().id as string;
      const canceled = await app.inject({ method: 'POST', url: `/api/v1/me/cases/${first}/cancel`, headers: member.headers, payload: {} });
      assert.equal(canceled.statusCode, 200, canceled.body);
      assert.equal(canceled.json().state, 'canceled');
      assert.equal(canceled.json().canCancel, false);

      const second = (await openMemberCase(member, returnForm(order))).json().id as string;
      for (const action of ['approve', 'await_return'] as const) await transact(deps, (trx) => moveCase(trx, { caseId: second, action, actor: agentActor }));
      await transact(deps, (trx) => moveCase(trx, { caseId: second, action: 'mark_received', actor: agentActor, reasonCode: 'as_described' }));
      const late = await app.inject({ method: 'POST', url: `/api/v1/me/cases/${second}/cancel`, headers: member.headers, payload: {} });
      assert.equal(late.statusCode, 409, late.body);
      assert.equal(late.json().error.code, 'invalid_state');
    });

    test('AS-7 a redemption is reported from the account only: a guest naming one is told to sign in', async () => {
      const captcha = await solvedCaptcha();
      const response = await openGuestCase({ kind: 'damage_report', remedy: 'replacement', reason: 'damaged_on_arrival', orderRef: 'rdm_00000000000000000000000000', details: 'Broken.', email: 'x@example.com', contactName: 'X', altcha: captcha });
      assert.equal(response.statusCode, 422, response.body);
      assert.match(response.json().error.message, /sign in/);
    });

    test('AS-7 a redeemed reward, shipped and marked delivered: a return is refused; a damage report asking for money is refused; a replacement is accepted on day 7 after delivery and refused on day 8', async () => {
      let member = await newMember();
      await adjustCredits(deps, { memberId: member.memberId, credits: 1000, reasonCode: 'goodwill', note: 'test credits', actor: { id: 'mem_agent_test', role: 'agent' }, idempotencyKey: `intake-redeem-${suite.dialect}` });
      const reward = await transact(deps, (trx) => store.createRewardItem(trx, system, { sku: `RW-INTAKE-${suite.dialect}`, name: 'Intake reward mug', creditsPrice: 400, stock: 10 }));
      const redemption = await redeemReward(deps, { memberId: member.memberId, rewardItemId: reward.id, quantity: 1, paymentToken: null });
      const damage = (remedy: string) => ({ kind: 'damage_report', remedy, reason: 'damaged_on_arrival', orderRef: redemption.id, details: 'The mug arrived in pieces.' });

      await transact(deps, (trx) => store.shipRedemption(trx, redemption.id));
      const inTransit = await openMemberCase(member, damage('replacement'), [await photo()]);
      assert.equal(inTransit.statusCode, 422, 'shipped but not delivered: the window has not started');
      assert.match(inTransit.json().error.details.texts.join(' '), /not been delivered yet/);
      const delivered = await transact(deps, (trx) => store.markRedemptionDelivered(trx, redemption.id));
      const deliveredAtMs = delivered.shipment!.deliveredAtMs!;
      assert.equal(deliveredAtMs, deps.clock.nowMs());

      const returned = await openMemberCase(member, { kind: 'return', remedy: 'refund', reason: 'no_longer_needed', orderRef: redemption.id, details: 'I do not need it.' });
      assert.equal(returned.statusCode, 422, returned.body);
      assert.equal(returned.json().error.code, 'not_eligible');
      assert.match(returned.json().error.details.texts.join(' '), /cannot be returned/);
      const money = await openMemberCase(member, damage('refund'), [await photo()]);
      assert.equal(money.statusCode, 422, 'a redeemed product is never remedied with money');
      assert.equal(money.json().error.code, 'not_eligible');
      assert.match(money.json().error.details.texts.join(' '), /a replacement or your credits back, not a refund/);

      deps.clock.setMs(deliveredAtMs + 7 * DAY_MS);
      member = await signInAgain(member);
      const seventh = await openMemberCase(member, damage('replacement'), [await photo()]);
      assert.equal(seventh.statusCode, 201, `day 7: ${seventh.body}`);
      assert.equal(seventh.json().kind, 'damage_report');
      assert.equal(seventh.json().orderSource, 'store');
      assert.equal(seventh.json().productSku, reward.sku);
      assert.deepEqual(seventh.json().decision.allowedRemedies, ['replacement', 'credit_restore']);

      deps.clock.setMs(deliveredAtMs + 8 * DAY_MS);
      member = await signInAgain(member);
      const casesBefore = await caseRows();
      const eighth = await openMemberCase(member, damage('credit_restore'), [await photo()]);
      assert.equal(eighth.statusCode, 422, `day 8: ${eighth.body}`);
      assert.match(eighth.json().error.details.texts.join(' '), /7 days after delivery/);
      assert.equal(await caseRows(), casesBefore);
    });

    test('AS-1 AS-6 AS-12 a guest proving a Plus member’s order is approved on confirmation; the status link answers and cancels; a wrong token is 404', async () => {
      const member = await newMember('annual');
      const order = await deliveredOrder(member.memberId);
      const form = { ...returnForm(order), email: member.email.toUpperCase(), contactName: 'Ada Lovelace' };
      const accepted = await openGuestCase({ ...form, altcha: await solvedCaptcha() }, [await photo()]);
      assert.equal(accepted.statusCode, 202, accepted.body);
      const caseId = accepted.json().caseId as string;
      const confirmed = await app.inject({ method: 'POST', url: '/api/v1/cases/confirm', payload: { token: await confirmationToken(member.email) }, remoteAddress: nextAddress() });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      const t = caseStatusToken(deps.secret, caseId);
      const view = (await app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}?t=${t}`, remoteAddress: nextAddress() })).json();
      assert.equal(view.state, 'approved', 'AS-6 the order was bought as annual Plus');
      assert.deepEqual(view.timeline.map((entry: { actor: string; action: string }) => `${entry.actor}:${entry.action}`), ['you:submit', 'system:approve']);
      const image = await app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}/images/${view.images[0].id}?t=${t}`, remoteAddress: nextAddress() });
      assert.equal(image.statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}/images/${view.images[0].id}?t=${'y'.repeat(32)}`, remoteAddress: nextAddress() })).statusCode, 404);
      assert.equal((await app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/cancel?t=${'y'.repeat(32)}`, payload: {}, remoteAddress: nextAddress() })).statusCode, 404);
      const canceled = await app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/cancel?t=${t}`, payload: {}, remoteAddress: nextAddress() });
      assert.equal(canceled.statusCode, 200, canceled.body);
      assert.equal(canceled.json().state, 'canceled');
      assert.equal(canceled.json().timeline.at(-1).actor, 'you');
    });

    test('AS-1 a guest case never confirmed is closed after 7 days without an email, and its photos are deleted', async () => {
      const email = `unconfirmed.${suite.dialect}@example.com`;
      const order = await deliveredOrder(null, { guestEmail: email });
      const accepted = await openGuestCase({ ...returnForm(order), email, contactName: 'Nobody Home', altcha: await solvedCaptcha() }, [await photo()]);
      assert.equal(accepted.statusCode, 202, accepted.body);
      const caseId = accepted.json().caseId as string;
      const filesBefore = storedKeys.size;
      deps.clock.advanceMs(6 * DAY_MS);
      assert.equal(await expireUnconfirmedGuestCases(deps), 0, 'six days: still waiting');
      deps.clock.advanceMs(DAY_MS + 1);
      assert.equal(await expireUnconfirmedGuestCases(deps), 1);
      const t = caseStatusToken(deps.secret, caseId);
      const view = (await app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}?t=${t}`, remoteAddress: nextAddress() })).json();
      assert.equal(view.state, 'canceled');
      assert.equal(view.timeline.at(-1).reasonCode, 'email_not_confirmed');
      assert.deepEqual(view.images, []);
      assert.equal(storedKeys.size, filesBefore - 1);
      assert.deepEqual(await emailsTo(email), [`Confirm your email to send your return (${caseId})`], 'nothing but the link went to the unconfirmed address');
      const late = await app.inject({ method: 'POST', url: '/api/v1/cases/confirm', payload: { token: await confirmationToken(email) }, remoteAddress: nextAddress() });
      assert.equal(late.statusCode, 400, 'the link expired after 24 hours');
    });

    test('AS-1 PL-4 a member retrying with the same Idempotency-Key gets the first case back, not a second one', async () => {
      const member = await newMember();
      const order = await deliveredOrder(member.memberId);
      const body = multipart({ case: JSON.stringify(returnForm(order)) }, [await photo()]);
      const send = () => app.inject({ method: 'POST', url: '/api/v1/me/cases', headers: { ...member.headers, ...body.headers, 'idempotency-key': `intake-retry-${suite.dialect}-0001` }, payload: body.payload, remoteAddress: nextAddress() });
      const first = await send();
      assert.equal(first.statusCode, 201, first.body);
      const again = await send();
      assert.equal(again.statusCode, 201);
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.equal(again.json().id, first.json().id);
      const list = await app.inject({ method: 'GET', url: '/api/v1/me/cases', headers: member.headers });
      assert.equal(list.json().cases.length, 1);
    });

    test('AS-1 one guest address opens at most 5 cases an hour (429 after that), whatever the network address', async () => {
      const email = `busy.${suite.dialect}@example.com`;
      const order = await deliveredOrder(null, { guestEmail: email });
      const form = { ...returnForm(order), email, contactName: 'Busy Guest' };
      for (let n = 0; n < 5; n++) assert.equal((await openGuestCase({ ...form, altcha: await solvedCaptcha() })).statusCode, 202);
      const sixth = await openGuestCase({ ...form, altcha: await solvedCaptcha() });
      assert.equal(sixth.statusCode, 429, sixth.body);
      deps.clock.advanceMs(60 * 60_000 + 1);
      assert.equal((await openGuestCase({ ...form, altcha: await solvedCaptcha() })).statusCode, 202, 'an hour later');
    });
  },
  { ports: { files } },
);
