// The events outgoing webhooks carry are recorded at the change points, in the same transaction as the change
// (issue 13, the outbox of NT-1): order paid and refunded (store), membership started and canceled, case status
// changed and resolved (after-sales), rights request received and completed (privacy). A change that rolls back
// leaves no event. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transact } from '../../src/deps.ts';
import * as accounts from '../../src/modules/accounts/index.ts';
import { selectEventsAfter } from '../../src/modules/events/index.ts';
import * as store from '../../src/modules/store/index.ts';
import { cancelMembership, joinPlus } from '../../src/modules/membership/index.ts';
import { moveCase, systemActor } from '../../src/modules/aftersales/index.ts';
import { insertCase, type NewCase } from '../../src/modules/aftersales/cases.repository.ts';
import { moveRequest, openRequest, systemRequestActor } from '../../src/modules/privacy/index.ts';
import { checkout, refundOrder } from '../../src/flows/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';

const system = { id: null, role: 'system' as const };
const address = { name: 'Eve Ent', line1: '1 Event St', city: 'Portland', region: 'US-OR', postalCode: '97201' };

async function eventsOf(deps: TestDeps, subjectId: string) {
  const all = await selectEventsAfter(deps.db, null, 100_000);
  return all.filter((event) => event.subject_id === subjectId).map((event) => ({ type: event.type, memberId: event.member_id, data: JSON.parse(event.data) as Record<string, unknown> }));
}

class RolledBack extends Error {}

describeEachDatabase('webhook events at the change points', (suite) => {
  test('issue 13: order.paid commits with the paid order and order.refunded with the refund; a rolled-back payment records nothing', async () => {
    const deps = suite.deps();
    const product = await transact(deps, (trx) => store.createProduct(trx, system, { sku: 'EVT-1', name: 'Event product', category: 'chargers', priceMinor: 2500, stock: 10 }));
    const pending = await transact(deps, (trx) => store.createPendingOrder(trx, { memberId: null, guestEmail: 'eve@example.com', lines: [{ productId: product.id, quantity: 1 }], discountCode: null, shippingAddress: address, credits: 0 }));
    await assert.rejects(
      transact(deps, async (trx) => {
        await store.finalizePaidOrder(trx, { orderId: pending.id, paidAtMs: deps.clock.nowMs(), capturedMinor: pending.totalMinor, clearCartOf: null });
        throw new RolledBack('the payment step failed after the order was marked paid');
      }),
      RolledBack,
    );
    assert.deepEqual(await eventsOf(deps, pending.id), [], 'no event for a change that rolled back');

    const placed = await checkout(deps, { memberId: null, guestEmail: 'eve@example.com', lines: [{ productId: product.id, quantity: 2 }], discountCode: null, shippingAddress: address, credits: 0, paymentToken: 'tok_approve', fromCart: false });
    const orderId = placed.order.id;
    const paid = await eventsOf(deps, orderId);
    assert.deepEqual(paid.map((event) => event.type), ['order.paid']);
    assert.equal(paid[0]?.data.orderId, orderId);
    assert.equal(paid[0]?.data.totalMinor, placed.order.totalMinor);
    assert.ok(!JSON.stringify(paid[0]).includes('eve@example.com'), 'no email in the event');

    await refundOrder(deps, { orderId, request: { kind: 'lines', lines: [{ lineId: placed.order.lines[0]!.id, quantity: 1 }] }, reason: 'returned', source: 'agent', requestedBy: 'mem_agent' });
    const after = await eventsOf(deps, orderId);
    assert.deepEqual(after.map((event) => event.type), ['order.paid', 'order.refunded']);
    assert.equal(after[1]?.data.orderId, orderId);
    assert.equal(typeof after[1]?.data.amountMinor, 'number');
  });

  test('issue 13: membership.started commits with the join and membership.canceled with the cancellation', async () => {
    const deps = suite.deps();
    const { memberId } = await transact(deps, (trx) => accounts.createMemberForSeed(trx, { email: 'plus.events@example.com', password: 'pw-events-long-1', country: 'US', dateOfBirth: '1980-01-02', emailVerified: true }));
    const joined = await joinPlus(deps, { memberId, plan: 'monthly', paymentToken: 'tok_approve', actor: { id: memberId, role: 'member' } });
    assert.equal(joined.outcome, 'active');
    const subscriptionId = joined.outcome === 'active' ? joined.subscription.id : '';
    await assert.rejects(
      transact(deps, async (trx) => {
        await cancelMembership(trx, { memberId, actor: { id: memberId, role: 'member' } });
        throw new RolledBack('rolled back');
      }),
      RolledBack,
    );
    assert.deepEqual((await eventsOf(deps, subscriptionId)).map((event) => event.type), ['membership.started']);
    await transact(deps, (trx) => cancelMembership(trx, { memberId, actor: { id: memberId, role: 'member' } }));
    const events = await eventsOf(deps, subscriptionId);
    assert.deepEqual(events.map((event) => event.type), ['membership.started', 'membership.canceled']);
    assert.equal(events[1]?.memberId, memberId);
    assert.equal(events[1]?.data.plan, 'monthly');
  });

  test('issue 13: case.status_changed and case.resolved commit with the case moves', async () => {
    const deps = suite.deps();
    const record: NewCase = {
      id: deps.ids.next('cas'),
      memberId: 'mem_case_events',
      guestEmail: null,
      contactName: 'Case Events',
      kind: 'support',
      state: 'submitted',
      reason: 'other',
      remedy: 'none',
      orderRef: 'ord_1',
      orderSource: 'store',
      orderLineId: 'oln_1',
      productSku: 'SKU-1',
      serial: null,
      details: 'A question.',
      priority: false,
      eligibility: { outcome: 'eligible', allowedRemedies: ['none'], moneyMoves: false, creditsMove: false, requiresProofImage: false, trace: [] },
      createdAtMs: deps.clock.nowMs(),
    };
    await transact(deps, (trx) => insertCase(trx.db, record, { id: trx.ids.next('cst'), action: 'submit', actorRole: 'member', actorId: record.memberId, atMs: record.createdAtMs }));
    await assert.rejects(
      transact(deps, async (trx) => {
        await moveCase(trx, { caseId: record.id, action: 'review', actor: systemActor });
        throw new RolledBack('rolled back');
      }),
      RolledBack,
    );
    assert.deepEqual(await eventsOf(deps, record.id), []);
    await transact(deps, (trx) => moveCase(trx, { caseId: record.id, action: 'review', actor: systemActor }));
    await transact(deps, (trx) => moveCase(trx, { caseId: record.id, action: 'approve', actor: systemActor, remedy: 'none' }));
    await transact(deps, (trx) => moveCase(trx, { caseId: record.id, action: 'resolve', actor: systemActor, remedy: 'none' }));
    const events = await eventsOf(deps, record.id);
    assert.deepEqual(events.map((event) => event.type), ['case.status_changed', 'case.status_changed', 'case.resolved']);
    assert.deepEqual([events[0]?.data.from, events[0]?.data.to], ['submitted', 'under_review']);
    assert.equal(events[2]?.memberId, 'mem_case_events');
    assert.ok(!JSON.stringify(events).includes('A question'), 'no free text in the events');
  });

  test('issue 13: privacy_request.received commits with the request and privacy_request.completed with its closing move', async () => {
    const deps = suite.deps();
    const form = { type: 'know' as const, requesterName: 'Rita Request', requesterEmail: 'rita.request@example.com', relationship: 'self' as const, brands: ['Patron'], subjectEmail: 'rita.request@example.com', country: 'DE' };
    await assert.rejects(
      transact(deps, async (trx) => {
        await openRequest(trx, { source: { channel: 'web_form' }, form });
        throw new RolledBack('rolled back');
      }),
      RolledBack,
    );
    const request = await transact(deps, (trx) => openRequest(trx, { source: { channel: 'web_form' }, form }));
    assert.deepEqual((await eventsOf(deps, request.id)).map((event) => event.type), ['privacy_request.received']);
    await transact(deps, (trx) => moveRequest(trx, { requestId: request.id, action: 'withdraw', actor: systemRequestActor, quiet: true }));
    const events = await eventsOf(deps, request.id);
    assert.deepEqual(events.map((event) => event.type), ['privacy_request.received', 'privacy_request.completed']);
    assert.equal(events[1]?.data.outcome, 'withdrawn');
    assert.ok(!JSON.stringify(events).includes('rita.request'), 'no email in the events');
  });
});
