import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../src/platform/errors.ts';
import { adjustCredits, captureHold, getBalance, getHistory, grantBonus, placeHold, releaseHold, spendCredits } from '../../src/modules/credits/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { ledgerOnlyMembers } from '../support/deps.ts';
import { assertLedgerSound, DAY_MS, earnOrder, MINUTE_MS, newMemberId } from './credits-fixtures.ts';

const isCode = (code: string) => (error: unknown) => error instanceof AppError && error.code === code;
const agent = { id: 'mem_agent', role: 'agent' as const };

describeEachDatabase('credits spending', (suite) => {
  test('CR-11 spending takes the soonest-expiring lots first, ties oldest first; pending credits are never spent', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    const registration = await grantBonus(deps, { memberId, kind: 'registration' }); // expires in 365 days
    deps.clock.advanceMs(DAY_MS);
    const goodwill = await adjustCredits(deps, { memberId, credits: 50, reasonCode: 'goodwill', note: 'late parcel', actor: agent, idempotencyKey: 'adj-1' });
    const order = await earnOrder(deps, memberId, [{ qualifyingMinor: 10_000 }, { qualifyingMinor: 10_000 }]); // pending
    await assert.rejects(spendCredits(deps, { memberId, credits: 551, idempotencyKey: 'too-much' }), isCode('insufficient_credits'));
    const first = await spendCredits(deps, { memberId, credits: 520, idempotencyKey: 'spend-1' });
    assert.deepEqual(first.lots, [{ lotId: registration.lotId, credits: 500 }, { lotId: goodwill.lotId, credits: 20 }]);
    deps.clock.setMs(order.unlockAtMs);
    // The two order lots share their expiry (one order): the older (first created) goes first.
    const second = await spendCredits(deps, { memberId, credits: 130, idempotencyKey: 'spend-2' });
    assert.deepEqual(second.lots, [{ lotId: goodwill.lotId, credits: 30 }, { lotId: order.lines[0]!.lotId, credits: 100 }]);
    const third = await spendCredits(deps, { memberId, credits: 10, idempotencyKey: 'spend-3' });
    assert.deepEqual(third.lots, [{ lotId: order.lines[1]!.lotId, credits: 10 }]);
    await assertLedgerSound(deps);
  });

  test('CR-13 a redemption spend is single-phase and final; its key replays', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    await grantBonus(deps, { memberId, kind: 'registration' });
    const spend = await spendCredits(deps, { memberId, credits: 120, orderId: 'rdm_1', idempotencyKey: 'redemption:rdm_1' });
    assert.deepEqual(await spendCredits(deps, { memberId, credits: 120, orderId: 'rdm_1', idempotencyKey: 'redemption:rdm_1' }), spend);
    await assert.rejects(spendCredits(deps, { memberId, credits: 121, orderId: 'rdm_1', idempotencyKey: 'redemption:rdm_1' }), isCode('idempotency_conflict'));
    const balance = await getBalance(deps, memberId);
    assert.equal(balance.spendable, 380);
    const [entry] = (await getHistory(deps, memberId)).entries;
    assert.equal(entry!.kind, 'spend');
    assert.equal(entry!.reason, 'redemption');
    assert.equal(entry!.orderId, 'rdm_1');
    assert.equal(entry!.credits, -120);
  });

  test('CR-12 held credits are not available for anything else; capturing part releases the rest', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    await grantBonus(deps, { memberId, kind: 'registration' });
    const hold = await placeHold(deps, { memberId, credits: 400, orderId: 'ord_x', idempotencyKey: 'order:ord_x:hold' });
    let balance = await getBalance(deps, memberId);
    assert.equal(balance.held, 400);
    assert.equal(balance.spendable, 100);
    await assert.rejects(spendCredits(deps, { memberId, credits: 101, idempotencyKey: 'while-held' }), isCode('insufficient_credits'));
    await assert.rejects(placeHold(deps, { memberId, credits: 101, idempotencyKey: 'second-hold' }), isCode('insufficient_credits'));
    deps.clock.advanceMs(5 * MINUTE_MS);
    const capture = await captureHold(deps, { memberId, holdId: hold.holdId, credits: 250, idempotencyKey: 'order:ord_x:capture' });
    assert.deepEqual({ captured: capture.captured, released: capture.released }, { captured: 250, released: 150 });
    balance = await getBalance(deps, memberId);
    assert.equal(balance.held, 0);
    assert.equal(balance.spendable, 250);
    // A hold resolves once: a second capture (another key) or a release is refused; the same key replays.
    await assert.rejects(captureHold(deps, { memberId, holdId: hold.holdId, idempotencyKey: 'another' }), isCode('invalid_state'));
    await assert.rejects(releaseHold(deps, { memberId, holdId: hold.holdId }), isCode('invalid_state'));
    assert.deepEqual(await captureHold(deps, { memberId, holdId: hold.holdId, credits: 250, idempotencyKey: 'order:ord_x:capture' }), capture);
    await assertLedgerSound(deps);
  });

  test('CR-12 a failed payment releases the hold in full; capturing more than held is refused', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    await grantBonus(deps, { memberId, kind: 'registration' });
    const hold = await placeHold(deps, { memberId, credits: 200, idempotencyKey: 'h' });
    await assert.rejects(captureHold(deps, { memberId, holdId: hold.holdId, credits: 201 }), isCode('validation'));
    const released = await releaseHold(deps, { memberId, holdId: hold.holdId });
    assert.equal(released.released, 200);
    assert.equal((await getBalance(deps, memberId)).spendable, 500);
    await assert.rejects(captureHold(deps, { memberId, holdId: hold.holdId }), isCode('invalid_state'));
    await assert.rejects(captureHold(deps, { memberId, holdId: 'hld_nope' }), isCode('not_found'));
  });

  test('CR-12 an expired hold cannot be captured', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    await grantBonus(deps, { memberId, kind: 'registration' });
    const hold = await placeHold(deps, { memberId, credits: 200, idempotencyKey: 'slow-payment' });
    deps.clock.setMs(hold.expiresAtMs);
    await assert.rejects(captureHold(deps, { memberId, holdId: hold.holdId }), isCode('invalid_state'));
    assert.equal((await getBalance(deps, memberId)).spendable, 500);
  });

  test('CR-14 concurrent spends on one member never spend a credit twice', async () => {
    const deps = suite.deps();
    const memberId = newMemberId(deps);
    await grantBonus(deps, { memberId, kind: 'registration' });
    const attempts = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => spendCredits(deps, { memberId, credits: 60, idempotencyKey: `race-${i}` })));
    const succeeded = attempts.filter((a) => a.status === 'fulfilled').length;
    assert.equal(succeeded, 8);
    for (const failure of attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected')) assert.ok(isCode('insufficient_credits')(failure.reason));
    assert.equal((await getBalance(deps, memberId)).spendable, 20);
    await assertLedgerSound(deps);
  });
}, { ports: { memberContacts: ledgerOnlyMembers } });
