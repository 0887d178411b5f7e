// Account closure (AC-10, PV-32, CR-22), no second sign-up bonus (CR-1), restriction (PV-20), rectification with
// history (PV-21) and rights that change no price or credit (PV-34), through the whole app on both databases.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { buildApp } from '../../src/app.ts';
import { transact } from '../../src/deps.ts';
import { MINUTE_MS } from '../../src/platform/clock.ts';
import type { ZodApp } from '../../src/http/types.ts';
import { listAuditEntries } from '../../src/modules/audit/index.ts';
import { createStaffUser, getMember } from '../../src/modules/accounts/index.ts';
import { adjustCredits, auditCreditsLedger, getBalance, placeHold } from '../../src/modules/credits/index.ts';
import { getMembershipOverview, joinPlus } from '../../src/modules/membership/index.ts';
import { listMessages } from '../../src/modules/notifications/index.ts';
import { isRestricted, excludeRestricted } from '../../src/modules/privacy/index.ts';
import * as store from '../../src/modules/store/index.ts';
import * as flows from '../../src/flows/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';
import { addressSequence, signInOverHttp, type HttpSession } from '../support/http-session.ts';
import { checkoutOf, hangAt, stopBefore } from '../support/flow-faults.ts';

const password = 'pebble-horizon-55';

describeEachDatabase('privacy: closure, restriction, rectification', (suite) => {
  let app: ZodApp;
  let deps: TestDeps;
  let agent: HttpSession;
  let count = 0;
  const nextAddress = addressSequence(61);

  before(async () => {
    deps = suite.deps();
    app = await buildApp(deps, { rateLimits: false });
    await createStaffUser(deps, { email: 'privacy.agent@example.com', password, role: 'agent' });
    agent = await signInOverHttp(app, { email: 'privacy.agent@example.com', password, remoteAddress: nextAddress() });
  });
  after(async () => app.close());

  async function signUp(email?: string): Promise<HttpSession & { email: string }> {
    count++;
    const address = email ?? `closure.${count}@example.com`;
    const response = await app.inject({ method: 'POST', url: '/api/v1/accounts', payload: { email: address, password, country: 'US', dateOfBirth: '1990-05-05' }, remoteAddress: nextAddress() });
    assert.equal(response.statusCode, 201, response.body);
    const body = response.json() as { member: { id: string }; csrfToken: string };
    return { memberId: body.member.id, cookie: response.cookies.find((c) => c.name === 'patron_session')!.value, csrfToken: body.csrfToken, email: address };
  }

  const send = (who: HttpSession, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Record<string, unknown>) =>
    app.inject({ method, url, cookies: { patron_session: who.cookie }, headers: { 'x-csrf-token': who.csrfToken }, ...(payload ? { payload } : {}) });

  async function paymentsOf(memberId: string): Promise<unknown[]> {
    const result = await sql<Record<string, unknown>>`select id, purpose, status, amount_minor from payments where member_id = ${memberId} order by id`.execute(deps.db);
    return result.rows.map((row) => ({ ...row, amount_minor: Number(row.amount_minor) }));
  }

  test('AC-10 PV-32 a sign-in older than 10 minutes is refused with reauthentication_required; a fresh one closes the account', async () => {
    const member = await signUp();
    deps.clock.advanceMs(11 * MINUTE_MS);
    const preview = await send(member, 'GET', '/api/v1/me/close-account');
    assert.equal(preview.statusCode, 200, preview.body);
    assert.equal(preview.json().reauthenticated, false);
    const stale = await send(member, 'POST', '/api/v1/me/close-account', { confirm: true });
    assert.equal(stale.statusCode, 403, stale.body);
    assert.equal(stale.json().error.code, 'reauthentication_required');
    assert.match(stale.json().error.message, /sign in again to close your account/i);
    assert.equal((await getMember(deps, member.memberId))?.status, 'active', 'nothing was closed');

    const unconfirmed = await send(member, 'POST', '/api/v1/me/close-account', { confirm: false });
    assert.equal(unconfirmed.statusCode, 400, 'the explicit confirmation is required');

    const fresh = await signInOverHttp(app, { email: member.email, password, remoteAddress: nextAddress() });
    assert.equal((await send(fresh, 'GET', '/api/v1/me/close-account')).json().reauthenticated, true);
    const closed = await send(fresh, 'POST', '/api/v1/me/close-account', { confirm: true });
    assert.equal(closed.statusCode, 200, closed.body);
    assert.equal((await getMember(deps, member.memberId))?.status, 'closed');
  });

  test('AC-10 CR-22 PV-32 closing ends Plus without a refund, forfeits exactly the balance with one posting (auditor clean), ends every session, starts retention and queues the confirmation', async () => {
    const member = await signUp();
    await adjustCredits(deps, { memberId: member.memberId, credits: 300, reasonCode: 'goodwill', note: 'closure test', actor: { id: 'mem_agent', role: 'agent' }, idempotencyKey: `closure-gift-${member.memberId}` });
    const joined = await joinPlus(deps, { memberId: member.memberId, plan: 'monthly', paymentToken: 'tok_approve', actor: { id: member.memberId, role: 'member' } });
    assert.equal(joined.outcome, 'active');
    const second = await signInOverHttp(app, { email: member.email, password, remoteAddress: nextAddress() });
    const balanceBefore = await getBalance(deps, member.memberId);
    assert.equal(balanceBefore.available, 800);
    const paymentsBefore = await paymentsOf(member.memberId);

    const preview = (await send(member, 'GET', '/api/v1/me/close-account')).json();
    assert.deepEqual(preview, { reauthenticated: true, recentSignInMinutes: 10, creditsToForfeit: 800, plusEnds: true, blockers: [] });

    const response = await send(member, 'POST', '/api/v1/me/close-account', { confirm: true });
    assert.equal(response.statusCode, 200, response.body);
    const record = response.json();
    assert.equal(record.creditsForfeited, 800);
    assert.equal(record.sessionsEnded, 2);
    assert.equal(record.retentionStartedAt, new Date(deps.clock.nowMs()).toISOString());
    assert.ok(response.cookies.some((c) => c.name === 'patron_session' && c.value === ''), 'the cookie is cleared');

    // Plus ended now, no money back: the payments are the same rows as before.
    const overview = await getMembershipOverview(deps, member.memberId);
    assert.equal(overview.subscription?.state, 'canceled');
    assert.equal(overview.subscription?.endReason, 'canceled');
    assert.equal(overview.status.plan, null);
    assert.deepEqual(await paymentsOf(member.memberId), paymentsBefore, 'no refund payment');

    const balance = await getBalance(deps, member.memberId);
    assert.equal(balance.closed, true);
    assert.equal(balance.available, 0);
    const audit = await auditCreditsLedger(deps, { trigger: 'test', actorId: null });
    assert.equal(audit.ok, true, JSON.stringify(audit));

    for (const who of [member, second]) assert.equal((await send(who, 'GET', '/api/v1/me')).statusCode, 401, 'every session ended');
    const signIn = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: member.email, password }, remoteAddress: nextAddress() });
    assert.equal(signIn.statusCode, 401, 'a closed account cannot sign in');

    const closedMember = await getMember(deps, member.memberId);
    assert.equal(closedMember?.status, 'closed');
    assert.equal(closedMember?.closedAtMs, deps.clock.nowMs(), 'closed_at_ms is the start of retention');
    assert.notEqual(closedMember?.email, member.email, 'the address is freed on the members row');

    const mail = (await listMessages(deps, { limit: 100 })).filter((message) => message.memberId === member.memberId && message.subject === 'Your account is closed');
    assert.equal(mail.length, 1);
    assert.equal(mail[0]!.to, member.email);
    const canceledMail = (await listMessages(deps, { limit: 100 })).filter((message) => message.memberId === member.memberId && /membership has ended/.test(message.subject));
    assert.equal(canceledMail.length, 0, 'one confirmation, not a separate "join Plus again" email');

    const entries = await listAuditEntries(deps, { memberId: member.memberId, limit: 50 });
    const closure = entries.find((entry) => entry.action === 'privacy.account.closed');
    assert.ok(closure);
    assert.equal(closure.details.creditsForfeited, 800);
    assert.equal(closure.actor.role, 'member');
  });

  test('CR-1 AC-10 a later sign-up with the closed address (other case and spacing) gets the account but no sign-up bonus; a new address gets it', async () => {
    const member = await signUp(`Returning.${suite.dialect}@Example.com`);
    assert.equal((await getBalance(deps, member.memberId)).available, 500);
    const closed = await send(member, 'POST', '/api/v1/me/close-account', { confirm: true });
    assert.equal(closed.statusCode, 200, closed.body);

    const again = await signUp(`  RETURNING.${suite.dialect}@example.COM `);
    assert.notEqual(again.memberId, member.memberId);
    const credits = await send(again, 'GET', '/api/v1/me/credits');
    assert.equal(credits.json().available, 0, 'no second sign-up bonus');
    const newcomer = await signUp();
    assert.equal((await send(newcomer, 'GET', '/api/v1/me/credits')).json().available, 500);
    const digests = await sql<{ email_digest: string }>`select email_digest from closed_email_digests`.execute(deps.db);
    assert.ok(digests.rows.every((row) => !row.email_digest.includes('@') && !row.email_digest.toLowerCase().includes('returning')), 'only a keyed hash is kept');
  });

  test('AC-10 closure is refused while an order is still being paid for, and goes through once it settled', async () => {
    const member = await signUp();
    const product = await transact(deps, (trx) => store.createProduct(trx, { id: null, role: 'system' }, { sku: `CL-${suite.dialect}-${count}`, name: 'Closure charger', category: 'chargers', priceMinor: 2000, stock: 5 }));
    const crash = hangAt();
    void flows.checkout(deps, checkoutOf(member.memberId, product.id, 0), stopBefore(flows.checkoutFlow, 'finalize', 'run', crash.stop));
    await crash.reached;
    const preview = (await send(member, 'GET', '/api/v1/me/close-account')).json();
    assert.deepEqual(preview.blockers, ['checkout_in_progress']);
    const refused = await send(member, 'POST', '/api/v1/me/close-account', { confirm: true });
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().error.details.reason, 'checkout_in_progress');
    assert.equal((await getMember(deps, member.memberId))?.status, 'active');

    // The stale checkout is undone by the resume job (abandoned), after which the account closes.
    deps.clock.advanceMs(36 * MINUTE_MS);
    await flows.resumeDueRuns(deps, flows.flowDefinitions);
    const fresh = await signInOverHttp(app, { email: member.email, password, remoteAddress: nextAddress() });
    const closed = await send(fresh, 'POST', '/api/v1/me/close-account', { confirm: true });
    assert.equal(closed.statusCode, 200, closed.body);
  });

  test('AC-10 CR-22 held credits are released into the one closing forfeit; a refund still on its way refuses the closure', async () => {
    const holder = await signUp();
    await placeHold(deps, { memberId: holder.memberId, credits: 200, idempotencyKey: `closure-hold-${holder.memberId}` });
    const held = await getBalance(deps, holder.memberId);
    assert.deepEqual([held.spendable, held.held], [300, 200]);
    assert.equal((await send(holder, 'GET', '/api/v1/me/close-account')).json().creditsToForfeit, 500);
    const closed = await send(holder, 'POST', '/api/v1/me/close-account', { confirm: true });
    assert.equal(closed.statusCode, 200, closed.body);
    assert.equal(closed.json().creditsForfeited, 500);
    const after = await getBalance(deps, holder.memberId);
    assert.deepEqual([after.spendable, after.held, after.pendingTotal, after.closed], [0, 0, 0, true]);
    assert.equal((await auditCreditsLedger(deps, { trigger: 'test', actorId: null })).ok, true);

    const buyer = await signUp();
    const product = await transact(deps, (trx) => store.createProduct(trx, { id: null, role: 'system' }, { sku: `CLR-${suite.dialect}`, name: 'Refund charger', category: 'chargers', priceMinor: 3000, stock: 5 }));
    const paid = await flows.checkout(deps, checkoutOf(buyer.memberId, product.id, 0));
    assert.equal(paid.order.status, 'paid');
    // The gateway does not answer the refund yet: the refund stays pending.
    const sandbox = deps.ports.payments;
    const crash = hangAt();
    deps.ports.payments = { ...sandbox, name: sandbox.name, authorize: (i) => sandbox.authorize(i), capture: (i) => sandbox.capture(i), void: (i) => sandbox.void(i), refund: () => crash.stop() };
    void flows.refundOrder(deps, { orderId: paid.order.id, memberId: buyer.memberId, request: { kind: 'cancellation' }, reason: 'cancelled_by_member', source: 'member', requestedBy: buyer.memberId });
    await crash.reached;
    deps.ports.payments = sandbox;
    assert.deepEqual((await send(buyer, 'GET', '/api/v1/me/close-account')).json().blockers, ['refund_pending']);
    const refused = await send(buyer, 'POST', '/api/v1/me/close-account', { confirm: true });
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().error.details.reason, 'refund_pending');
    assert.equal((await getMember(deps, buyer.memberId))?.status, 'active');
  });

  test('AC-10 PV-33 an agent closes an account on request (audited with the request ID); members and strangers are refused on agent routes', async () => {
    const member = await signUp();
    const routes: Array<['POST' | 'GET' | 'PATCH', string, Record<string, unknown> | undefined]> = [
      ['POST', `/api/v1/agent/privacy/members/${member.memberId}/close`, { confirm: true }],
      ['POST', `/api/v1/agent/privacy/members/${member.memberId}/restriction`, { restricted: true, reason: 'rights_request' }],
      ['GET', `/api/v1/agent/privacy/members/${member.memberId}/restriction`, undefined],
      ['PATCH', `/api/v1/agent/privacy/members/${member.memberId}/profile`, { firstName: 'X' }],
      ['PATCH', `/api/v1/agent/privacy/members/${member.memberId}/addresses/1`, { city: 'X' }],
      ['GET', `/api/v1/agent/privacy/members/${member.memberId}/profile-history`, undefined],
    ];
    for (const [method, url, payload] of routes) {
      assert.equal((await app.inject({ method, url, ...(payload ? { payload } : {}) })).statusCode, 401, `${method} ${url} anonymous`);
      assert.equal((await send(member, method, url, payload)).statusCode, 403, `${method} ${url} as a member`);
    }
    const response = await send(agent, 'POST', `/api/v1/agent/privacy/members/${member.memberId}/close`, { confirm: true, requestId: 'prq_0001' });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().requestId, 'prq_0001');
    const again = await send(agent, 'POST', `/api/v1/agent/privacy/members/${member.memberId}/close`, { confirm: true });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().id, response.json().id, 'closing again answers the same closure');
    const entry = (await listAuditEntries(deps, { memberId: member.memberId, limit: 50 })).find((e) => e.action === 'privacy.account.closed');
    assert.equal(entry?.actor.id, agent.memberId);
    assert.equal(entry?.details.requestId, 'prq_0001');
  });

  test('PV-20 an agent sets and lifts a restriction with a reason; the history is kept, the member sees it, and the predicate answers', async () => {
    const member = await signUp();
    const other = await signUp();
    assert.equal((await send(member, 'GET', '/api/v1/me/privacy/restriction')).json().restricted, false);
    const set = await send(agent, 'POST', `/api/v1/agent/privacy/members/${member.memberId}/restriction`, { restricted: true, reason: 'accuracy_contested', requestId: 'prq_0002' });
    assert.equal(set.statusCode, 200, set.body);
    assert.equal(set.json().restricted, true);
    const mine = (await send(member, 'GET', '/api/v1/me/privacy/restriction')).json();
    assert.equal(mine.restricted, true);
    assert.equal(mine.reason, 'accuracy_contested');
    assert.equal(await isRestricted(deps, member.memberId), true);
    assert.deepEqual(await excludeRestricted(deps, [other.memberId, member.memberId]), [other.memberId], 'marketing-type reads leave the restricted member out');

    const unknownMember = await send(agent, 'POST', '/api/v1/agent/privacy/members/mem_nobody/restriction', { restricted: true, reason: 'rights_request' });
    assert.equal(unknownMember.statusCode, 404);
    const unknownReason = await send(agent, 'POST', `/api/v1/agent/privacy/members/${member.memberId}/restriction`, { restricted: false, reason: 'because' });
    assert.equal(unknownReason.statusCode, 400, 'reasons are codes');
    deps.clock.advanceMs(MINUTE_MS);
    const lifted = await send(agent, 'POST', `/api/v1/agent/privacy/members/${member.memberId}/restriction`, { restricted: false, reason: 'lifted_on_request' });
    assert.equal(lifted.statusCode, 200);
    assert.equal(lifted.json().restricted, false);
    assert.deepEqual(
      lifted.json().history.map((event: { state: string; reason: string; requestId: string | null }) => [event.state, event.reason, event.requestId]),
      [
        ['lifted', 'lifted_on_request', null],
        ['restricted', 'accuracy_contested', 'prq_0002'],
      ],
    );
    assert.equal(await isRestricted(deps, member.memberId), false);
    const actions = (await listAuditEntries(deps, { memberId: member.memberId, limit: 50 })).map((entry) => entry.action);
    assert.ok(actions.includes('privacy.restriction.set') && actions.includes('privacy.restriction.lifted'));
  });

  test('PV-21 a member’s own change and an agent’s rectification both correct the source record and keep the previous values with who, when and why', async () => {
    const member = await signUp();
    assert.equal((await send(member, 'PATCH', '/api/v1/me', { firstName: 'Ada', lastName: 'Lovelace' })).statusCode, 200);
    const added = await send(member, 'POST', '/api/v1/me/addresses', { line1: '1 Old Street', city: 'Portland', region: 'US-OR', postalCode: '97201', country: 'US' });
    assert.equal(added.statusCode, 201, added.body);
    const addressId = added.json().id;
    deps.clock.advanceMs(MINUTE_MS);
    const rectified = await send(agent, 'PATCH', `/api/v1/agent/privacy/members/${member.memberId}/profile`, { lastName: 'King', requestId: 'prq_0003' });
    assert.equal(rectified.statusCode, 200, rectified.body);
    assert.equal(rectified.json().lastName, 'King');
    const address = await send(agent, 'PATCH', `/api/v1/agent/privacy/members/${member.memberId}/addresses/${addressId}`, { line1: '2 New Street' });
    assert.equal(address.statusCode, 200, address.body);
    assert.equal(address.json().line1, '2 New Street');

    const history = await send(agent, 'GET', `/api/v1/agent/privacy/members/${member.memberId}/profile-history`);
    assert.equal(history.statusCode, 200, history.body);
    const entries = history.json().entries as Array<{ field: string; previousValue: string | null; reason: string; actor: { id: string; role: string }; requestId: string | null; addressNumber: number | null }>;
    const byField = (field: string) => entries.filter((entry) => entry.field === field);
    assert.deepEqual(byField('last_name').map((e) => [e.previousValue, e.reason, e.actor.role, e.requestId]), [
      ['Lovelace', 'rectification', 'agent', 'prq_0003'],
      [null, 'member_update', 'member', null],
    ]);
    assert.deepEqual(byField('line1').map((e) => [e.previousValue, e.addressNumber, e.reason]), [['1 Old Street', addressId, 'rectification']]);
    const actions = (await listAuditEntries(deps, { memberId: member.memberId, limit: 50 })).map((entry) => entry.action);
    assert.ok(actions.includes('profile.rectified') && actions.includes('address.rectified') && actions.includes('privacy.profile_history.viewed'));
  });

  test('PV-34 PV-20 a restricted member gets the same checkout quote and earns the same credits as before and as anyone else; orders still work', async () => {
    const restricted = await signUp();
    const twin = await signUp();
    const product = await transact(deps, (trx) => store.createProduct(trx, { id: null, role: 'system' }, { sku: `PV34-${suite.dialect}`, name: 'Rights charger', category: 'chargers', priceMinor: 5000, stock: 10 }));
    const before = await store.quoteCheckout(deps, checkoutOf(restricted.memberId, product.id, 100));
    assert.equal((await send(agent, 'POST', `/api/v1/agent/privacy/members/${restricted.memberId}/restriction`, { restricted: true, reason: 'rights_request' })).statusCode, 200);
    const afterQuote = await store.quoteCheckout(deps, checkoutOf(restricted.memberId, product.id, 100));
    assert.deepEqual(afterQuote, before, 'the same prices, discounts and spendable credits');

    const restrictedOrder = await flows.checkout(deps, checkoutOf(restricted.memberId, product.id, 100));
    const twinOrder = await flows.checkout(deps, checkoutOf(twin.memberId, product.id, 100));
    assert.equal(restrictedOrder.payment.outcome, twinOrder.payment.outcome);
    assert.equal(restrictedOrder.order.status, 'paid');
    assert.ok(restrictedOrder.order.earnedCredits > 0);
    assert.equal(restrictedOrder.order.earnedCredits, twinOrder.order.earnedCredits, 'the same credits earned');
    assert.equal(restrictedOrder.order.totalMinor, twinOrder.order.totalMinor);
    const balance = await getBalance(deps, restricted.memberId);
    assert.equal(balance.pendingTotal, restrictedOrder.order.earnedCredits);
  });
});
