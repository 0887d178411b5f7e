// Moving a case (transitions.service.ts) on both databases: each move is checked against the state machine, written
// as a guarded update with its timeline row (actor, time, reason) and emailed to the requester (AS-10, AS-12); a
// guest's unconfirmed address gets nothing; two agents acting at once cannot both win; a resolution is recorded on
// the case with the move; guests' status links carry a keyed token of the case (AS-12).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transact } from '../../src/deps.ts';
import { isAppError } from '../../src/platform/errors.ts';
import { getMessage, listMessages } from '../../src/modules/notifications/index.ts';
import { caseStatusToken, caseStatusUrl, isCaseStatusToken, moveCase, systemActor, type CaseActor } from '../../src/modules/aftersales/index.ts';
import { insertCase, listTransitions, markCaseEmailConfirmed, type NewCase } from '../../src/modules/aftersales/cases.repository.ts';
import type { MemberContacts } from '../../src/ports/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';

const contacts: MemberContacts = {
  contactOf: async (_db, memberId) => (memberId === 'mem_ada' ? { email: 'ada@example.com', firstName: 'Ada' } : undefined),
  memberStatus: async () => 'active',
};

const agent: CaseActor = { role: 'agent', id: 'mem_agent' };

async function openCase(deps: TestDeps, overrides: Partial<NewCase> = {}): Promise<NewCase> {
  const record: NewCase = {
    id: deps.ids.next('cas'),
    memberId: 'mem_ada',
    guestEmail: null,
    contactName: 'Ada Lovelace',
    kind: 'return',
    state: 'submitted',
    reason: 'no_longer_needed',
    remedy: 'refund',
    orderRef: 'ord_1',
    orderSource: 'store',
    orderLineId: 'oln_1',
    productSku: 'SKU-1',
    serial: null,
    details: 'Unopened.',
    priority: false,
    eligibility: { outcome: 'eligible', allowedRemedies: ['refund', 'exchange'], moneyMoves: true, creditsMove: true, requiresProofImage: false, trace: [{ rule: 'AS-3', decided: 'inside', customerText: 'Your request is within 30 days of delivery.' }] },
    createdAtMs: deps.clock.nowMs(),
    ...overrides,
  };
  const actorRole = record.memberId ? 'member' : 'guest';
  await transact(deps, (trx) => insertCase(trx.db, record, { id: trx.ids.next('cst'), action: 'submit', actorRole, actorId: record.memberId, atMs: record.createdAtMs }));
  return record;
}

async function messagesTo(deps: TestDeps, address: string) {
  return (await listMessages(deps, { limit: 200 })).filter((message) => message.to === address);
}

describeEachDatabase(
  'after-sales case transitions',
  ({ deps }) => {
    test('AS-10 AS-12 a move is recorded with actor, time and reason, and the member is emailed with a link to the case', async () => {
      const record = await openCase(deps());
      deps().clock.advanceMs(60_000);
      const moved = await transact(deps(), (trx) => moveCase(trx, { caseId: record.id, action: 'review', actor: agent }));
      const asked = await transact(deps(), (trx) => moveCase(trx, { caseId: record.id, action: 'ask_for_info', actor: agent, note: 'Please send a photo of the label.' }));
      assert.equal(moved.state, 'under_review');
      assert.equal(asked.state, 'needs_info');
      assert.equal(asked.stateEnteredAtMs, deps().clock.nowMs());
      const timeline = await listTransitions(deps().db, record.id);
      assert.deepEqual(
        timeline.map((row) => [row.seq, row.fromState, row.toState, row.action, row.actorRole, row.actorId, row.note]),
        [
          [1, null, 'submitted', 'submit', 'member', 'mem_ada', null],
          [2, 'submitted', 'under_review', 'review', 'agent', 'mem_agent', null],
          [3, 'under_review', 'needs_info', 'ask_for_info', 'agent', 'mem_agent', 'Please send a photo of the label.'],
        ],
      );
      const mail = await messagesTo(deps(), 'ada@example.com');
      assert.equal(mail.length, 2);
      assert.match(mail[0]!.subject, /waiting for your answer/);
    });

    test('AS-10 a move the state machine does not have is refused with a clear 409 and changes nothing', async () => {
      const record = await openCase(deps());
      await assert.rejects(
        transact(deps(), (trx) => moveCase(trx, { caseId: record.id, action: 'mark_received', actor: agent })),
        (error) => isAppError(error) && error.code === 'invalid_state' && /submitted, so it cannot be marked received/.test(error.message),
      );
      assert.equal((await listTransitions(deps().db, record.id)).length, 1);
    });

    test('AS-10 two agents approving and rejecting the same case at once: exactly one wins', async () => {
      const record = await openCase(deps());
      const results = await Promise.allSettled([
        transact(deps(), (trx) => moveCase(trx, { caseId: record.id, action: 'approve', actor: agent })),
        transact(deps(), (trx) => moveCase(trx, { caseId: record.id, action: 'reject', actor: { role: 'agent', id: 'mem_agent_2' }, reasonCode: 'other' })),
      ]);
      assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1);
      const refused = results.find((result) => result.status === 'rejected');
      assert.ok(refused && isAppError(refused.reason) && refused.reason.status === 409);
      assert.equal((await listTransitions(deps().db, record.id)).length, 2);
    });

    test('AS-1 AS-12 a guest whose address is not confirmed is sent nothing; once confirmed, each change is emailed with the status link', async () => {
      const record = await openCase(deps(), { memberId: null, guestEmail: 'guest@example.com', contactName: 'Grace Hopper' });
      await transact(deps(), (trx) => moveCase(trx, { caseId: record.id, action: 'cancel', actor: { role: 'guest', id: null } }));
      assert.equal((await messagesTo(deps(), 'guest@example.com')).length, 0);

      const confirmed = await openCase(deps(), { memberId: null, guestEmail: 'guest2@example.com', contactName: 'Grace Hopper' });
      await markCaseEmailConfirmed(deps().db, confirmed.id, deps().clock.nowMs());
      await transact(deps(), (trx) => moveCase(trx, { caseId: confirmed.id, action: 'review', actor: agent }));
      const [mail] = await messagesTo(deps(), 'guest2@example.com');
      assert.ok(mail);
      const link = caseStatusUrl(deps().config.http.publicUrl, deps().secret, { id: confirmed.id, memberId: null });
      assert.match(link, new RegExp(`/returns/status/${confirmed.id}\\?t=`));
      const body = await getMessage(deps(), mail.id);
      assert.ok(body?.text.includes(link), 'the email carries the guest status link with its token');
    });

    test('AS-11 AS-12 a resolution is recorded on the case with the move and its detail goes into the email', async () => {
      const record = await openCase(deps(), { kind: 'damage_report', remedy: 'replacement' });
      await transact(deps(), (trx) => moveCase(trx, { caseId: record.id, action: 'approve', actor: agent }));
      const resolved = await transact(deps(), (trx) =>
        moveCase(trx, { caseId: record.id, action: 'resolve', actor: systemActor, resolution: { refundId: null, orderId: 'ord_replacement', amountMinor: 0, creditsReversed: null, creditsRestored: null, detail: 'A replacement is on its way.' } }),
      );
      assert.equal(resolved.state, 'resolved');
      assert.equal(resolved.resolvedAtMs, deps().clock.nowMs());
      assert.deepEqual(resolved.resolution, { refundId: null, orderId: 'ord_replacement', amountMinor: 0, creditsReversed: null, creditsRestored: null, detail: 'A replacement is on its way.' });
      const [latest] = await listMessages(deps(), { limit: 1 });
      assert.match(latest!.subject, /is resolved/);
    });
  },
  { ports: { memberContacts: contacts } },
);

test('AS-12 a guest status token belongs to one case and one server secret', () => {
  const token = caseStatusToken('secret-a', 'cas_1');
  assert.equal(isCaseStatusToken('secret-a', 'cas_1', token), true);
  assert.equal(isCaseStatusToken('secret-a', 'cas_2', token), false);
  assert.equal(isCaseStatusToken('secret-b', 'cas_1', token), false);
  assert.equal(isCaseStatusToken('secret-a', 'cas_1', token.slice(1)), false);
});
