import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../src/platform/errors.ts';
import { listAuditEntries } from '../../src/modules/audit/index.ts';
import * as credits from '../../src/modules/credits/index.ts';
import {
  adjustCredits, earnForOrder, forfeitOnClosure, getBalance, getHistory, grantBonus, placeHold, reverseForRefund, spendCredits,
} from '../../src/modules/credits/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { ledgerOnlyMembers } from '../support/deps.ts';
import { assertLedgerSound, DAY_MS, earnOrder, newMemberId } from './credits-fixtures.ts';

const isCode = (code: string) => (error: unknown) => error instanceof AppError && error.code === code;

test('CR-19 the module offers no transfer, merge or cash-out operation', () => {
  const names = Object.keys(credits).map((n) => n.toLowerCase());
  for (const forbidden of ['transfer', 'merge', 'cash', 'payout', 'withdraw']) {
    assert.deepEqual(names.filter((n) => n.includes(forbidden)), [], `no export mentions ${forbidden}`);
  }
});

describeEachDatabase('credits program rules', (suite) => {
  test('CR-20 the balance shows available, pending with unlock dates, held, expiring soon and lifetime earned; the history gives reason, order and date', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const start = deps.clock.nowMs();
    await grantBonus(deps, { memberId, kind: 'registration' });
    const order = await earnOrder(deps, memberId, [{ qualifyingMinor: 2500 }], { orderId: 'ord_cr20' });
    await placeHold(deps, { memberId, credits: 100, orderId: 'ord_next', idempotencyKey: 'cr20-hold' });
    deps.clock.advanceMs(340 * DAY_MS); // the registration lot now expires within 30 days
    const balance = await getBalance(deps, memberId);
    assert.equal(balance.spendable, 525, 'the order unlocked; the timed-out hold released');
    assert.equal(balance.held, 0);
    assert.deepEqual(balance.expiringSoon, [{ credits: 500, expiresAtMs: start + 365 * DAY_MS }]);
    assert.equal(balance.lifetimeEarned, 525);
    const fresh = await earnOrder(deps, memberId, [{ qualifyingMinor: 1000 }]);
    const next = await getBalance(deps, memberId);
    assert.deepEqual(next.pending, [{ credits: 10, unlockAtMs: fresh.unlockAtMs }]);
    const history = await getHistory(deps, memberId, { limit: 2 });
    assert.equal(history.entries.length, 2);
    assert.ok(history.nextCursor);
    const older = await getHistory(deps, memberId, { cursor: history.nextCursor!, limit: 50 });
    const all = [...history.entries, ...older.entries];
    assert.deepEqual(all.map((e) => e.version), all.map((_, i) => all.length - i), 'every transaction, newest first');
    const earn = all.find((e) => e.kind === 'earn' && e.orderId === 'ord_cr20')!;
    assert.equal(earn.reason, 'order');
    assert.equal(earn.atMs, start);
    assert.deepEqual(earn.changes, { available: 0, pending: 25, held: 0, debt: 0 });
    assert.equal(order.credits, 25);
  });

  test('CR-21 an agent adjusts up or down with a reason code and a note; the adjustment records who, and is audited once', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const agent = { id: 'mem_agent_cr21', role: 'agent' as const };
    const up = await adjustCredits(deps, { memberId, credits: 250, reasonCode: 'service_recovery', note: 'Parcel arrived broken', actor: agent, idempotencyKey: 'ticket-1' });
    assert.ok(up.lotId);
    assert.deepEqual(await adjustCredits(deps, { memberId, credits: 250, reasonCode: 'service_recovery', note: 'Parcel arrived broken', actor: agent, idempotencyKey: 'ticket-1' }), up);
    await adjustCredits(deps, { memberId, credits: -50, reasonCode: 'correction', note: 'Entered too much', actor: agent, idempotencyKey: 'ticket-2' });
    await assert.rejects(adjustCredits(deps, { memberId, credits: -201, reasonCode: 'correction', note: 'Too much', actor: agent, idempotencyKey: 'ticket-3' }), isCode('insufficient_credits'));
    await assert.rejects(adjustCredits(deps, { memberId, credits: 5, reasonCode: 'goodwill', note: '', actor: agent, idempotencyKey: 'ticket-4' }));
    assert.equal((await getBalance(deps, memberId)).spendable, 200);
    const [latest] = (await getHistory(deps, memberId)).entries;
    assert.deepEqual(latest!.adjustment, { reasonCode: 'correction', note: 'Entered too much', actorId: 'mem_agent_cr21', actorRole: 'agent' });
    const audits = await listAuditEntries(deps, { memberId, limit: 10 });
    assert.equal(audits.filter((a) => a.action === 'credits.adjusted').length, 2);
    await assertLedgerSound(deps);
  });

  test('CR-22 closing an account forfeits pending, available and held credits in one closing posting; nothing earns afterwards', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    await grantBonus(deps, { memberId, kind: 'registration' });
    const order = await earnOrder(deps, memberId, [{ qualifyingMinor: 4000 }]);
    await placeHold(deps, { memberId, credits: 150, idempotencyKey: 'cr22-hold' });
    const result = await forfeitOnClosure(deps, { memberId });
    assert.equal(result.forfeited, 540);
    assert.deepEqual(await forfeitOnClosure(deps, { memberId }), result, 'closing again changes nothing');
    const balance = await getBalance(deps, memberId);
    assert.deepEqual({ spendable: balance.spendable, pending: balance.pendingTotal, held: balance.held, closed: balance.closed }, { spendable: 0, pending: 0, held: 0, closed: true });
    const [closing] = (await getHistory(deps, memberId)).entries;
    assert.equal(closing!.kind, 'forfeit');
    assert.equal(closing!.credits, -540);
    await assert.rejects(earnForOrder(deps, { memberId, orderId: 'late', paidAtMs: deps.clock.nowMs(), plusActive: false, lines: [{ lineId: 'x', qualifyingMinor: 100, plusBonus: false, earnsCredits: true }] }), isCode('invalid_state'));
    await assert.rejects(spendCredits(deps, { memberId, credits: 1, idempotencyKey: 'after-close' }), isCode('invalid_state'));
    const refund = await reverseForRefund(deps, { memberId, orderLineId: order.lines[0]!.lineId, refundedQualifyingMinor: 4000, lineQualifyingMinor: 4000, idempotencyKey: 'after-close-refund' });
    assert.equal(refund.reversedCredits, 0);
    deps.clock.setMs(order.unlockAtMs);
    assert.equal((await getBalance(deps, memberId)).spendable, 0, 'a forfeited lot never unlocks');
    await assertLedgerSound(deps);
  });

  test('CR-22 a debt is written off at closure', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const order = await earnOrder(deps, memberId, [{ qualifyingMinor: 30_000 }]);
    deps.clock.setMs(order.unlockAtMs);
    await spendCredits(deps, { memberId, credits: 300, idempotencyKey: 'all' });
    await reverseForRefund(deps, { memberId, orderLineId: order.lines[0]!.lineId, refundedQualifyingMinor: 30_000, lineQualifyingMinor: 30_000, idempotencyKey: 'r' });
    assert.equal((await getBalance(deps, memberId)).debt, 300);
    const closed = await forfeitOnClosure(deps, { memberId });
    assert.deepEqual({ forfeited: closed.forfeited, debtWrittenOff: closed.debtWrittenOff }, { forfeited: 0, debtWrittenOff: 300 });
    assert.equal((await getBalance(deps, memberId)).available, 0);
    await assertLedgerSound(deps);
  });
}, { ports: { memberContacts: ledgerOnlyMembers } });
