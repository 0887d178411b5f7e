// The agent side of after-sales through inject, on both databases (AS-2, AS-10, AS-12, AS-13): who may call the agent
// routes, the queue's order, filters and cursor, each action legal and illegal, internal notes kept from the
// requester, the serial-reuse flag across members, serial capture at shipment, the support → warranty conversion, the
// expiry sweep to the millisecond, photos for agents, and the email queued at each change.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { transact } from '../../src/deps.ts';
import { checkout } from '../../src/flows/index.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { createMemberForSeed, createStaffUser } from '../../src/modules/accounts/index.ts';
import { listAuditEntries } from '../../src/modules/audit/index.ts';
import * as store from '../../src/modules/store/index.ts';
import { caseExpirySettingsOf, decideEligibility, defaultEligibilitySettings, expireDueCases, gatherOrderFacts, type CaseKind, type EligibilityDecision, type ReasonCode, type Remedy } from '../../src/modules/aftersales/index.ts';
import { findCase, insertCase, insertImage, listTransitions } from '../../src/modules/aftersales/cases.repository.ts';
import { runDueJobs } from '../../src/modules.ts';
import { DAY_MS } from '../../src/platform/clock.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';
import { addressSequence, signInOverHttp } from '../support/http-session.ts';

const password = 'lantern-harbor-cases-77';
const nextAddress = addressSequence(91);
const system = { id: null, role: 'system' as const };

interface Session {
  memberId: string;
  headers: Record<string, string>;
}

/** A decision for cases whose order the test does not need (the queue and action tests). */
const eligible: EligibilityDecision = {
  outcome: 'eligible',
  allowedRemedies: ['refund', 'exchange'],
  moneyMoves: true,
  creditsMove: true,
  requiresProofImage: false,
  trace: [{ rule: 'AS-3', decided: 'Delivered 2026-02-20; inside the 30-day window.', customerText: 'Your request is within 30 days of delivery.' }],
};

interface CaseInput {
  memberId?: string | null;
  guestEmail?: string | null;
  emailConfirmedAtMs?: number | null;
  kind?: CaseKind;
  reason?: ReasonCode;
  remedy?: Remedy;
  orderRef?: string;
  orderLineId?: string | null;
  productSku?: string;
  serial?: string | null;
  priority?: boolean;
  eligibility?: EligibilityDecision;
}

describeEachDatabase('after-sales agent HTTP', (suite) => {
  let app: ZodApp;
  let deps: TestDeps;
  let agent: Session;
  let admin: Session;
  let counter = 0;

  async function signIn(email: string): Promise<Session> {
    const session = await signInOverHttp(app, { email, password, remoteAddress: nextAddress() });
    return { memberId: session.memberId, headers: { cookie: `patron_session=${session.cookie}`, 'x-csrf-token': session.csrfToken } };
  }

  async function newMember(): Promise<Session> {
    const email = `cases.agent.${++counter}@example.com`;
    await transact(deps, (trx) => createMemberForSeed(trx, { email, password, country: 'US', dateOfBirth: '1990-02-03', firstName: 'Ada', emailVerified: true }));
    return signIn(email);
  }

  /** A case as intake writes it (submitted, with its first timeline row), created at the clock's now. */
  async function openCase(input: CaseInput = {}): Promise<string> {
    const id = deps.ids.next('cas');
    const memberId = input.memberId === undefined ? agent.memberId : input.memberId;
    const nowMs = deps.clock.nowMs();
    await transact(deps, (trx) =>
      insertCase(
        trx.db,
        {
          id,
          memberId,
          guestEmail: input.guestEmail ?? null,
          contactName: 'Ada Lovelace',
          kind: input.kind ?? 'return',
          state: 'submitted',
          reason: input.reason ?? 'no_longer_needed',
          remedy: input.remedy ?? 'refund',
          orderRef: input.orderRef ?? 'ord_test',
          orderSource: 'store',
          orderLineId: input.orderLineId ?? null,
          productSku: input.productSku ?? 'SKU-CASE',
          serial: input.serial ?? null,
          details: 'It stopped charging after a week.',
          priority: input.priority ?? false,
          eligibility: input.eligibility ?? eligible,
          createdAtMs: nowMs,
          emailConfirmedAtMs: input.emailConfirmedAtMs ?? null,
        },
        { id: trx.ids.next('cst'), action: 'submit', actorRole: memberId ? 'member' : 'guest', actorId: memberId, atMs: nowMs },
      ),
    );
    return id;
  }

  async function deliveredOrder(memberId: string, quantities: { serialNumbered: number; plain: number }): Promise<store.OrderDetail> {
    const product = (serialNumbered: boolean) =>
      transact(deps, (trx) => store.createProduct(trx, system, { sku: `CASE-${++counter}`, name: `Case product ${counter}`, category: 'chargers', priceMinor: 4900, plusBonus: false, giftCard: false, stock: 100, serialNumbered }));
    const [numbered, plain] = [await product(true), await product(false)];
    const result = await checkout(deps, {
      memberId,
      lines: [
        { productId: numbered.id, quantity: quantities.serialNumbered },
        { productId: plain.id, quantity: quantities.plain },
      ],
      discountCode: null,
      shippingAddress: { name: 'Pat Shopper', line1: '500 Market St', line2: null, city: 'Springfield', region: 'US-CA', postalCode: '94107' },
      credits: 0,
      paymentToken: 'tok_approve',
      fromCart: false,
      guestEmail: null,
    });
    await transact(deps, (trx) => store.shipOrder(trx, { orderId: result.order.id, carrier: 'UPS', trackingNumber: '1Z999AA10123456784' }));
    await transact(deps, (trx) => store.markOrderDelivered(trx, result.order.id));
    return store.getOrderDetail(deps, result.order.id);
  }

  const get = (session: Session | null, url: string) => app.inject({ method: 'GET', url: `/api/v1${url}`, headers: session?.headers ?? {} });
  const post = (session: Session | null, url: string, payload: unknown) => app.inject({ method: 'POST', url: `/api/v1${url}`, headers: session?.headers ?? {}, payload: payload as object });
  const act = (caseId: string, payload: Record<string, unknown>) => post(agent, `/agent/cases/${caseId}/actions`, payload);

  /** The emails queued about after-sales cases to an address, oldest first. */
  async function outboxTo(to: string): Promise<{ template: string; text: string }[]> {
    const result = await sql<{ template: string; text: string }>`select template, text from outbox_messages where to_address = ${to} order by created_at_ms, id`.execute(deps.db);
    return result.rows;
  }

  before(async () => {
    deps = suite.deps();
    app = await buildApp(deps);
    await app.ready();
    await createStaffUser(deps, { email: 'cases.agent@example.com', password, role: 'agent' });
    await createStaffUser(deps, { email: 'cases.admin@example.com', password, role: 'admin' });
    agent = await signIn('cases.agent@example.com');
    admin = await signIn('cases.admin@example.com');
  });

  test('AS-10 the agent routes answer staff only: anonymous 401, a member 403, before any body check', async () => {
    const member = await newMember();
    const caseId = await openCase({ memberId: member.memberId });
    for (const [method, url, payload] of [
      ['GET', '/agent/cases', undefined],
      ['GET', `/agent/cases/${caseId}`, undefined],
      ['POST', `/agent/cases/${caseId}/actions`, { nonsense: true }],
      ['POST', `/agent/cases/${caseId}/notes`, {}],
      ['POST', `/agent/cases/${caseId}/convert`, {}],
      ['GET', `/agent/cases/${caseId}/images/cim_x`, undefined],
      ['POST', '/agent/orders/ord_x/serials', {}],
      ['GET', '/agent/orders/ord_x/serials', undefined],
    ] as const) {
      const anonymous = await app.inject({ method, url: `/api/v1${url}`, ...(payload ? { payload } : {}) });
      assert.equal(anonymous.statusCode, 401, `${method} ${url} anonymous`);
      const asMember = await app.inject({ method, url: `/api/v1${url}`, headers: member.headers, ...(payload ? { payload } : {}) });
      assert.equal(asMember.statusCode, 403, `${method} ${url} as a member`);
    }
    assert.equal((await get(admin, `/agent/cases/${caseId}`)).statusCode, 200, 'admins work the queue too');
  });

  test('AS-10 the queue: priority first, then oldest; filters by kind, state and reason; keyset pages; age from the clock; unconfirmed guests left out', async () => {
    const member = await newMember();
    const ours: string[] = [];
    const open = async (input: CaseInput) => {
      const id = await openCase({ memberId: member.memberId, ...input });
      ours.push(id);
      deps.clock.advanceMs(60_000);
      return id;
    };
    const oldNormal = await open({ kind: 'return' });
    const oldPriority = await open({ priority: true, kind: 'warranty_claim', reason: 'defective', remedy: 'replacement' });
    const unconfirmedGuest = await open({ memberId: null, guestEmail: 'guest.unconfirmed@example.com', priority: true });
    const confirmedGuest = await open({ memberId: null, guestEmail: 'guest.confirmed@example.com', emailConfirmedAtMs: deps.clock.nowMs(), kind: 'damage_report', reason: 'damaged_on_arrival' });
    const newPriority = await open({ priority: true, kind: 'return', reason: 'damaged_on_arrival' });
    const reviewed = await open({ kind: 'exchange', remedy: 'exchange' });
    assert.equal((await act(reviewed, { action: 'review' })).statusCode, 200);
    deps.clock.advanceMs(3 * DAY_MS);
    agent = await signIn('cases.agent@example.com'); // the staff session's idle time ran out with the clock

    // Every page of two, collected: the order across pages and priority bands.
    const seen: { id: string; priority: boolean; ageDays: number; serialFlagged: boolean }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await get(agent, `/agent/cases?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json() as { cases: typeof seen; nextCursor: string | null };
      assert.ok(body.cases.length <= 2);
      seen.push(...body.cases);
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 100);
    assert.equal(new Set(seen.map((c) => c.id)).size, seen.length, 'no case on two pages');
    const mine = seen.filter((c) => ours.includes(c.id));
    assert.deepEqual(mine.map((c) => c.id), [oldPriority, newPriority, oldNormal, confirmedGuest, reviewed]);
    assert.ok(!seen.some((c) => c.id === unconfirmedGuest), 'a guest case waits for its email confirmation (AS-1)');
    const firstNormal = seen.findIndex((c) => !c.priority);
    assert.ok(seen.slice(firstNormal).every((c) => !c.priority), 'every priority case comes before every other');
    assert.equal(mine[0]!.ageDays, 3);

    const ids = async (query: string) => ((await get(agent, `/agent/cases?limit=200&${query}`)).json() as { cases: { id: string }[] }).cases.map((c) => c.id).filter((id) => ours.includes(id));
    assert.deepEqual(await ids('kind=return'), [newPriority, oldNormal]);
    assert.deepEqual(await ids('reason=damaged_on_arrival'), [newPriority, confirmedGuest]);
    assert.deepEqual(await ids('state=under_review'), [reviewed]);
    assert.equal((await get(agent, '/agent/cases?cursor=not-a-cursor')).statusCode, 400);
    assert.equal((await get(agent, '/agent/cases?kind=refund')).statusCode, 400);
  });

  test('AS-10 AS-12 each action is legal only where the state machine has it (409 with a clear message); reason codes and the question are required; the requester is emailed at each change', async () => {
    const member = await newMember();
    const email = `cases.agent.${counter}@example.com`;
    const caseId = await openCase({ memberId: member.memberId });

    const badApprove = await act(caseId, { action: 'mark_received', reasonCode: 'as_described' });
    assert.equal(badApprove.statusCode, 409);
    assert.match(badApprove.json().error.message, /The case is submitted, so it cannot be marked received and inspected\./);

    const reviewed = await act(caseId, { action: 'review' });
    assert.equal(reviewed.statusCode, 200, reviewed.body);
    assert.equal(reviewed.json().state, 'under_review');
    assert.deepEqual(reviewed.json().availableActions, ['ask_for_info', 'approve', 'reject']);

    const noQuestion = await act(caseId, { action: 'ask_for_info' });
    assert.equal(noQuestion.statusCode, 400);
    assert.match(noQuestion.json().error.message, /question/);
    const asked = await act(caseId, { action: 'ask_for_info', note: 'Could you send a photo of the label?' });
    assert.equal(asked.statusCode, 200, asked.body);
    assert.equal(asked.json().state, 'needs_info');
    assert.ok(asked.json().expiresAt, 'a waiting case shows when it expires');

    const approveWhileWaiting = await act(caseId, { action: 'approve' });
    assert.equal(approveWhileWaiting.statusCode, 409);
    assert.match(approveWhileWaiting.json().error.message, /waiting for more information, so it cannot be approved/);

    assert.equal((await act(caseId, { action: 'review' })).json().state, 'under_review');
    const wrongRemedy = await act(caseId, { action: 'approve', remedy: 'credit_restore' });
    assert.equal(wrongRemedy.statusCode, 400);
    assert.match(wrongRemedy.json().error.message, /refund, exchange, not credit_restore/);
    assert.equal((await act(caseId, { action: 'approve', reasonCode: 'as_described' })).statusCode, 400, 'approve takes no reason code');
    const approved = await act(caseId, { action: 'approve', remedy: 'exchange' });
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json().remedy, 'exchange');
    assert.deepEqual(approved.json().availableActions, ['await_return', 'resolve']);

    assert.equal((await act(caseId, { action: 'await_return' })).json().state, 'awaiting_return');
    const noInspection = await act(caseId, { action: 'mark_received' });
    assert.equal(noInspection.statusCode, 400);
    assert.match(noInspection.json().error.message, /as_described, not_as_described, not_received_complete/);
    const received = await act(caseId, { action: 'mark_received', reasonCode: 'as_described' });
    assert.equal(received.statusCode, 200);
    assert.equal(received.json().state, 'received');
    assert.deepEqual(received.json().availableActions, ['resolve'], 'resolving is the resolution flow’s route');
    assert.equal((await act(caseId, { action: 'reject', reasonCode: 'other' })).statusCode, 409);

    const view = received.json() as { timeline: { action: string; actorRole: string; actorId: string | null; reasonCode: string | null; note: string | null }[] };
    assert.deepEqual(
      view.timeline.map((t) => [t.action, t.actorRole, t.reasonCode]),
      [['submit', 'member', null], ['review', 'agent', null], ['ask_for_info', 'agent', null], ['review', 'agent', null], ['approve', 'agent', null], ['await_return', 'agent', null], ['mark_received', 'agent', 'as_described']],
    );
    assert.ok(view.timeline.slice(1).every((t) => t.actorId === agent.memberId));
    assert.equal(view.timeline[2]!.note, 'Could you send a photo of the label?');

    const mails = await outboxTo(email);
    assert.equal(mails.length, 6, 'one email per change of state (AS-12)');
    assert.ok(mails.every((m) => m.template === 'aftersales-case-status-changed'), mails.map((m) => m.template).join());
    assert.ok(mails[1]!.text.includes('Could you send a photo of the label?'), 'the question is emailed');

    const audit = await listAuditEntries(deps, { memberId: member.memberId, limit: 50 });
    assert.deepEqual(audit.filter((e) => e.subject === caseId).map((e) => e.action).reverse(), ['aftersales.case.review', 'aftersales.case.ask_for_info', 'aftersales.case.review', 'aftersales.case.approve', 'aftersales.case.await_return', 'aftersales.case.mark_received']);

    // A rejection needs one of the defined reason codes.
    const other = await openCase({ memberId: member.memberId });
    assert.equal((await act(other, { action: 'reject' })).statusCode, 400);
    const unknownCode = await act(other, { action: 'reject', reasonCode: 'because' });
    assert.equal(unknownCode.statusCode, 400);
    assert.match(unknownCode.json().error.message, /outside_window, not_covered, no_defect_found, missing_information, suspected_fraud, other/);
    const rejected = await act(other, { action: 'reject', reasonCode: 'outside_window', note: 'Delivered more than 30 days ago.' });
    assert.equal(rejected.statusCode, 200);
    assert.equal(rejected.json().state, 'rejected');
    assert.deepEqual(rejected.json().availableActions, []);
    assert.equal((await act(other, { action: 'review' })).statusCode, 409);
    assert.equal((await act('cas_00000000000000000000000000', { action: 'review' })).statusCode, 404);

    // An unconfirmed guest's case cannot be worked on yet.
    const guestCase = await openCase({ memberId: null, guestEmail: 'guest.waiting@example.com' });
    const guestAction = await act(guestCase, { action: 'review' });
    assert.equal(guestAction.statusCode, 409);
    assert.match(guestAction.json().error.message, /not confirmed their email/);
  });

  test('AS-10 AS-12 an internal note is shown to agents and never to the requester (not on the timeline, not in an email)', async () => {
    const member = await newMember();
    const email = `cases.agent.${counter}@example.com`;
    const caseId = await openCase({ memberId: member.memberId });
    const secret = 'Internal: this customer returned three chargers this year.';
    const created = await post(agent, `/agent/cases/${caseId}/notes`, { body: secret });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().authorId, agent.memberId);
    assert.equal((await post(agent, `/agent/cases/${caseId}/notes`, { body: '   ' })).statusCode, 400);
    assert.equal((await post(agent, `/agent/cases/${caseId}/notes`, { body: 'x', extra: 1 })).statusCode, 400);
    await act(caseId, { action: 'review' });

    const view = (await get(agent, `/agent/cases/${caseId}`)).json() as { notes: { body: string }[] };
    assert.deepEqual(view.notes.map((n) => n.body), [secret]);
    // What a customer view is built from: the case, its timeline, its images, and the emails sent.
    const record = await findCase(deps.db, caseId);
    assert.ok(!JSON.stringify(record).includes('three chargers'));
    assert.ok(!JSON.stringify(await listTransitions(deps.db, caseId)).includes('three chargers'));
    assert.ok((await outboxTo(email)).every((m) => !m.text.includes('three chargers')));
    assert.equal((await get(member, `/agent/cases/${caseId}`)).statusCode, 403);
  });

  test('AS-2 a serial already refunded on an approved case is flagged on another member’s case, in the queue and the case view', async () => {
    const first = await newMember();
    const second = await newMember();
    const serial = 'A7REUSE1';
    const granted = await openCase({ memberId: first.memberId, serial, kind: 'warranty_claim', reason: 'defective', remedy: 'replacement', priority: true });
    const later = await openCase({ memberId: second.memberId, serial, priority: true });
    const unrelated = await openCase({ memberId: second.memberId, serial: 'A7OTHER1', priority: true });

    const flags = async () => {
      const body = (await get(agent, '/agent/cases?limit=200')).json() as { cases: { id: string; serialFlagged: boolean }[] };
      return Object.fromEntries(body.cases.filter((c) => [granted, later, unrelated].includes(c.id)).map((c) => [c.id, c.serialFlagged]));
    };
    assert.deepEqual(await flags(), { [granted]: false, [later]: false, [unrelated]: false }, 'nothing granted yet');
    assert.equal((await act(granted, { action: 'approve', remedy: 'refund' })).statusCode, 200);
    assert.deepEqual(await flags(), { [granted]: false, [later]: true, [unrelated]: false });

    const view = (await get(agent, `/agent/cases/${later}`)).json() as { serialReuse: { caseId: string; state: string; remedy: string }[]; serialCheck: string };
    assert.deepEqual(view.serialReuse.map((r) => [r.caseId, r.state, r.remedy]), [[granted, 'approved', 'refund']]);
    assert.equal(view.serialCheck, 'not_recorded');
    assert.deepEqual(((await get(agent, `/agent/cases/${granted}`)).json() as { serialReuse: unknown[] }).serialReuse, []);
  });

  test('AS-2 serials recorded at shipment: serial-numbered lines only, normalized, at most the quantity, duplicates refused; a claim’s serial is checked against them', async () => {
    const member = await newMember();
    const order = await deliveredOrder(member.memberId, { serialNumbered: 2, plain: 1 });
    const [numbered, plain] = order.lines;
    const record = (lines: unknown) => post(agent, `/agent/orders/${order.id}/serials`, { lines });

    const notNumbered = await record([{ orderLineId: plain!.id, serials: ['A1111111'] }]);
    assert.equal(notNumbered.statusCode, 400);
    assert.match(notNumbered.json().error.message, /not a serial-numbered product/);
    const badShape = await record([{ orderLineId: numbered!.id, serials: ['B123'] }]);
    assert.equal(badShape.statusCode, 400);
    assert.match(badShape.json().error.message, /letter A followed by 7 letters or digits/);
    const tooMany = await record([{ orderLineId: numbered!.id, serials: ['A1111111', 'A2222222', 'A3333333'] }]);
    assert.equal(tooMany.statusCode, 400);
    assert.match(tooMany.json().error.message, /shipped 2 items; 3 serials/);
    const twice = await record([{ orderLineId: numbered!.id, serials: ['A1111111', ' a1111111 '] }]);
    assert.equal(twice.statusCode, 400);
    assert.match(twice.json().error.message, /A1111111 is entered twice/);
    assert.equal((await record([{ orderLineId: 'oln_missing', serials: ['A1111111'] }])).statusCode, 400);
    assert.equal((await post(agent, '/agent/orders/ord_missing/serials', { lines: [{ orderLineId: 'x', serials: ['A1111111'] }] })).statusCode, 404);

    const recorded = await record([{ orderLineId: numbered!.id, serials: [' sn: a1b2c3d4 '] }]);
    assert.equal(recorded.statusCode, 200, recorded.body);
    assert.deepEqual(recorded.json().serials.map((s: { serial: string }) => s.serial), ['A1B2C3D4']);
    const again = await record([{ orderLineId: numbered!.id, serials: ['A1B2C3D4'] }]);
    assert.equal(again.statusCode, 409);
    assert.match(again.json().error.message, /A1B2C3D4 is already recorded as shipped on this order/);
    const third = await record([{ orderLineId: numbered!.id, serials: ['A5E6F7G8', 'A9999999'] }]);
    assert.equal(third.statusCode, 400, 'one recorded plus two more is over the quantity');
    assert.equal((await record([{ orderLineId: numbered!.id, serials: ['A5E6F7G8'] }])).statusCode, 200);

    const listed = await get(agent, `/agent/orders/${order.id}/serials`);
    assert.deepEqual(listed.json().serials.map((s: { orderLineId: string; serial: string }) => [s.orderLineId, s.serial]), [[numbered!.id, 'A1B2C3D4'], [numbered!.id, 'A5E6F7G8']]);
    const otherOrder = await deliveredOrder(member.memberId, { serialNumbered: 1, plain: 1 });
    const elsewhere = await post(agent, `/agent/orders/${otherOrder.id}/serials`, { lines: [{ orderLineId: otherOrder.lines[0]!.id, serials: ['A1B2C3D4'] }] });
    assert.equal(elsewhere.statusCode, 409);
    assert.match(elsewhere.json().error.message, new RegExp(`already recorded as shipped on order ${order.id}`));

    const matching = await openCase({ memberId: member.memberId, orderRef: order.id, orderLineId: numbered!.id, serial: 'A5E6F7G8' });
    const mismatching = await openCase({ memberId: member.memberId, orderRef: order.id, orderLineId: numbered!.id, serial: 'A0000000' });
    assert.equal((await get(agent, `/agent/cases/${matching}`)).json().serialCheck, 'matches');
    assert.equal((await get(agent, `/agent/cases/${mismatching}`)).json().serialCheck, 'mismatch');
  });

  test('AS-13 a support case becomes a warranty claim decided anew, with its photos, the customer typing nothing; the support case is resolved and linked', async () => {
    const member = await newMember();
    const email = `cases.agent.${counter}@example.com`;
    const order = await deliveredOrder(member.memberId, { serialNumbered: 1, plain: 1 });
    const line = order.lines[0]!;
    const { order: facts } = await gatherOrderFacts(deps, { kind: 'member', memberId: member.memberId }, { orderRef: order.id, orderLineId: line.id });
    const supportDecision = decideEligibility({ kind: 'support', reason: 'other', remedy: 'none', order: facts, nowMs: deps.clock.nowMs(), settings: defaultEligibilitySettings });
    const supportId = await openCase({ memberId: member.memberId, kind: 'support', reason: 'other', remedy: 'none', orderRef: order.id, orderLineId: line.id, productSku: line.sku, serial: 'A8SUPPRT', eligibility: supportDecision, priority: true });
    const storageKey = `aftersales/${supportId}/0123abcd.jpg`;
    const photo = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
    await deps.ports.files.put(storageKey, { bytes: photo, contentType: 'image/jpeg' });
    await transact(deps, (trx) => insertImage(trx.db, member.memberId, { id: trx.ids.next('cim'), caseId: supportId, storageKey, contentType: 'image/jpeg', sizeBytes: photo.length, width: 4, height: 3, sha256: '0123abcd', createdAtMs: trx.clock.nowMs() }));
    assert.equal((await act(supportId, { action: 'review' })).statusCode, 200);
    const supportView = (await get(agent, `/agent/cases/${supportId}`)).json() as { availableActions: string[] };
    assert.ok(supportView.availableActions.includes('convert'));

    const converted = await post(agent, `/agent/cases/${supportId}/convert`, {});
    assert.equal(converted.statusCode, 201, converted.body);
    const claim = converted.json();
    assert.equal(claim.kind, 'warranty_claim');
    assert.equal(claim.state, 'submitted');
    assert.equal(claim.reason, 'defective');
    assert.equal(claim.remedy, 'replacement');
    assert.equal(claim.convertedFromCaseId, supportId);
    assert.equal(claim.eligibility.outcome, 'eligible');
    assert.deepEqual(claim.eligibility.allowedRemedies, ['replacement', 'exchange', 'refund']);
    assert.ok(claim.eligibility.trace.some((t: { rule: string }) => t.rule === 'AS-4'));
    assert.deepEqual([claim.orderRef, claim.orderLineId, claim.productSku, claim.serial, claim.details, claim.contactName, claim.memberId, claim.priority], [order.id, line.id, line.sku, 'A8SUPPRT', 'It stopped charging after a week.', 'Ada Lovelace', member.memberId, true]);
    assert.equal(claim.images.length, 1);
    assert.equal(claim.timeline[0].note, `Opened from support case ${supportId}.`);

    const image = await get(agent, `/agent/cases/${claim.id}/images/${claim.images[0].id}`);
    assert.equal(image.statusCode, 200);
    assert.deepEqual(new Uint8Array(image.rawPayload), photo);
    assert.equal(image.headers['content-type'], 'image/jpeg');
    assert.equal(image.headers['cache-control'], 'private, no-store');
    assert.equal(image.headers['x-content-type-options'], 'nosniff');
    assert.equal(image.headers['content-disposition'], 'inline');
    const supportImage = ((await get(agent, `/agent/cases/${supportId}`)).json() as { images: { id: string }[] }).images[0]!.id;
    assert.equal((await get(agent, `/agent/cases/${claim.id}/images/${supportImage}`)).statusCode, 404, 'another case’s image is not found');

    const support = (await get(agent, `/agent/cases/${supportId}`)).json();
    assert.equal(support.state, 'resolved');
    assert.equal(support.remedy, 'none');
    assert.equal(support.convertedToCaseId, claim.id);
    assert.deepEqual(support.availableActions, []);
    assert.match(support.timeline.at(-1).note, new RegExp(`Continued as warranty claim ${claim.id}`));
    assert.equal(support.timeline.at(-1).reasonCode, 'converted_to_warranty');

    const mails = await outboxTo(email);
    assert.deepEqual(mails.map((m) => m.template), ['aftersales-case-status-changed', 'aftersales-case-resolved', 'aftersales-case-received'], 'review, then only the closing move and the new claim are emailed');

    const twice = await post(agent, `/agent/cases/${supportId}/convert`, {});
    assert.equal(twice.statusCode, 409);
    const notSupport = await post(agent, `/agent/cases/${claim.id}/convert`, {});
    assert.equal(notSupport.statusCode, 409);
    assert.match(notSupport.json().error.message, /Only a support case/);

    // 19 months after purchase the 18-month warranty has ended: the conversion is refused and nothing changes.
    const late = await openCase({ memberId: member.memberId, kind: 'support', reason: 'other', remedy: 'none', orderRef: order.id, orderLineId: line.id, productSku: line.sku, eligibility: supportDecision });
    deps.clock.advanceMs(19 * 31 * DAY_MS);
    agent = await signIn('cases.agent@example.com'); // the staff session's idle time ran out with the clock
    const refused = await post(agent, `/agent/cases/${late}/convert`, {});
    assert.equal(refused.statusCode, 422, refused.body);
    assert.match(refused.json().error.message, /18-month warranty ended/);
    const after = (await get(agent, `/agent/cases/${late}`)).json();
    assert.deepEqual([after.state, after.convertedToCaseId], ['submitted', null]);
  });

  test('AS-12 needs_info and awaiting_return expire after the configured time and not one millisecond before; the sweep is idempotent and scheduled', async () => {
    assert.deepEqual(caseExpirySettingsOf(loadConfig({ PATRON_CASE_NEEDS_INFO_EXPIRY_DAYS: '3', PATRON_CASE_AWAITING_RETURN_EXPIRY_DAYS: '45' })), { needsInfoExpiryMs: 3 * DAY_MS, awaitingReturnExpiryMs: 45 * DAY_MS });
    assert.deepEqual(caseExpirySettingsOf(deps.config), { needsInfoExpiryMs: 14 * DAY_MS, awaitingReturnExpiryMs: 30 * DAY_MS });

    const member = await newMember();
    const email = `cases.agent.${counter}@example.com`;
    const waiting = await openCase({ memberId: member.memberId });
    await act(waiting, { action: 'review' });
    const asked = (await act(waiting, { action: 'ask_for_info', note: 'Which colour was it?' })).json();
    const askedAtMs = Date.parse(asked.stateEnteredAt);
    assert.equal(Date.parse(asked.expiresAt), askedAtMs + 14 * DAY_MS);

    const returning = await openCase({ memberId: member.memberId });
    await act(returning, { action: 'approve' });
    const awaiting = (await act(returning, { action: 'await_return' })).json();
    const awaitingAtMs = Date.parse(awaiting.stateEnteredAt);

    deps.clock.setMs(askedAtMs + 14 * DAY_MS - 1);
    await expireDueCases(deps);
    assert.equal((await findCase(deps.db, waiting))!.state, 'needs_info', 'one millisecond before: still waiting');
    deps.clock.setMs(askedAtMs + 14 * DAY_MS);
    await runDueJobs(deps);
    assert.equal((await findCase(deps.db, waiting))!.state, 'expired', 'the scheduled sweep expired it at the moment');
    assert.equal((await findCase(deps.db, returning))!.state, 'awaiting_return');

    deps.clock.setMs(awaitingAtMs + 30 * DAY_MS - 1);
    assert.equal((await expireDueCases(deps)).expired, 0);
    deps.clock.setMs(awaitingAtMs + 30 * DAY_MS);
    assert.equal((await expireDueCases(deps)).expired, 1);
    assert.deepEqual(await expireDueCases(deps), { expired: 0, skipped: 0 }, 'running it again changes nothing');

    agent = await signIn('cases.agent@example.com'); // the staff session's idle time ran out with the clock
    const view = (await get(agent, `/agent/cases/${returning}`)).json();
    assert.equal(view.state, 'expired');
    assert.deepEqual([view.timeline.at(-1).action, view.timeline.at(-1).actorRole, view.timeline.at(-1).actorId], ['expire', 'system', null]);
    const mails = await outboxTo(email);
    assert.equal(mails.length, 6, 'review, ask, expire; approve, await, expire');
    assert.ok(mails.at(-1)!.text.includes('did not hear back in time'), mails.at(-1)!.text);
  });

  test('AS-12 the expiry sweep works in bounded batches: a run stops after its batches and the next one finishes', async () => {
    const member = await newMember();
    const waiting: string[] = [];
    for (let i = 0; i < 3; i++) {
      const caseId = await openCase({ memberId: member.memberId });
      await act(caseId, { action: 'review' });
      assert.equal((await act(caseId, { action: 'ask_for_info', note: 'Is the light on the charger red or green?' })).statusCode, 200);
      waiting.push(caseId);
    }
    deps.clock.advanceMs(14 * DAY_MS);
    assert.deepEqual(await expireDueCases(deps, { batchSize: 1, maxBatches: 2 }), { expired: 2, skipped: 0 });
    assert.deepEqual(await Promise.all(waiting.map(async (id) => (await findCase(deps.db, id))!.state)), ['expired', 'expired', 'needs_info'], 'oldest first');
    assert.deepEqual(await expireDueCases(deps, { batchSize: 1, maxBatches: 2 }), { expired: 1, skipped: 0 });
  });
});
