// Retention (PV-30, PV-31) with the simulated clock, on both databases: a closed account is erased the day its
// period (closure + limitation + 2 months) ends and not a day before; the values an erasure kept for law go at the
// end of the transaction-records period; a second run the same day does nothing; the job is scheduled daily.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { transact } from '../../src/deps.ts';
import { DAY_MS } from '../../src/platform/clock.ts';
import * as accounts from '../../src/modules/accounts/index.ts';
import * as store from '../../src/modules/store/index.ts';
import { checkout, runRetention, retentionJobType, schedules } from '../../src/flows/index.ts';
import { findErasureOfMember, retentionPeriodMs, retentionRules } from '../../src/modules/privacy/index.ts';
import { retentionClasses } from '../../src/db/personal-data.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';

const system = { id: null, role: 'system' as const };

async function closedMemberWithOrder(deps: TestDeps): Promise<{ memberId: string; orderId: string; guestOrderId: string }> {
  const { memberId } = await transact(deps, (trx) => accounts.createMemberForSeed(trx, { email: 'retained.member@example.com', password: 'pw-retention-long-1', country: 'US', dateOfBirth: '1980-01-02', firstName: 'Reta', lastName: 'Inedmember', emailVerified: true }));
  const product = await transact(deps, (trx) => store.createProduct(trx, system, { sku: 'RET-1', name: 'Retention product', category: 'chargers', priceMinor: 3000, stock: 5 }));
  const placed = await checkout(deps, { memberId, guestEmail: null, lines: [{ productId: product.id, quantity: 1 }], discountCode: null, shippingAddress: { name: 'Reta Inedmember', line1: '1 Kept St', city: 'Portland', region: 'US-OR', postalCode: '97201' }, credits: 0, paymentToken: 'tok_approve', fromCart: false });
  // The same person once bought as a guest with the same address.
  const guest = await checkout(deps, { memberId: null, guestEmail: 'Retained.Member@example.com', lines: [{ productId: product.id, quantity: 1 }], discountCode: null, shippingAddress: { name: 'Reta Inedmember', line1: '1 Kept St', city: 'Portland', region: 'US-OR', postalCode: '97201' }, credits: 0, paymentToken: 'tok_approve', fromCart: false });
  // The account is closed now: retention starts at members.closed_at_ms (AC-10, PV-30). Closing moves the address off
  // the member row, so the erasure must still find the guest order by the address the closure kept.
  await transact(deps, (trx) => accounts.closeMemberAccount(trx, { memberId }));
  return { memberId, orderId: placed.order.id, guestOrderId: guest.order.id };
}

describeEachDatabase('privacy retention', (suite) => {
  let deps: TestDeps;
  before(() => {
    deps = suite.deps();
  });

  test('PV-30 every retention class of the data map has a rule (trigger, active, limitation, + 2 months, end action), and the job runs daily', () => {
    for (const retention of retentionClasses) {
      const rule = retentionRules[retention];
      assert.ok(rule.description.length > 20 && retentionPeriodMs(retention) > 0, retention);
    }
    for (const retention of ['account', 'transaction_records', 'legal_hold'] as const) assert.equal(retentionRules[retention].graceDays, 61, `${retention}: + 2 months`);
    assert.ok(retentionPeriodMs('legal_hold') >= 730 * DAY_MS, 'PV-31 privacy records are kept at least 24 months');
    assert.deepEqual(schedules.find((schedule) => schedule.type === retentionJobType), { type: retentionJobType, everyMs: DAY_MS });
  });

  test('PV-30 a closed account is erased on the day its period ends, not a day before, and a second run does nothing; its kept records go at the end of theirs', async () => {
    const { memberId, orderId, guestOrderId } = await closedMemberWithOrder(deps);
    deps.clock.advanceMs(retentionPeriodMs('account') - DAY_MS);
    assert.deepEqual(await runRetention(deps), { accountsErased: 0, accountsDeferred: 0, recordsExpired: 0, rowsChanged: 0 }, 'one day before: nothing');
    assert.equal(await findErasureOfMember(deps.db, memberId), undefined);

    deps.clock.advanceMs(DAY_MS);
    assert.deepEqual(await runRetention(deps), { accountsErased: 1, accountsDeferred: 0, recordsExpired: 0, rowsChanged: 0 }, 'on the day: erased');
    const erasure = await findErasureOfMember(deps.db, memberId);
    assert.equal(erasure?.reason, 'retention');
    const member = await sql<{ email: string; last_name: string | null }>`select email, last_name from members where id = ${memberId}`.execute(deps.db);
    assert.deepEqual({ ...member.rows[0] }, { email: `erased+${memberId}@invalid`, last_name: null });
    assert.deepEqual(await runRetention(deps), { accountsErased: 0, accountsDeferred: 0, recordsExpired: 0, rowsChanged: 0 }, 'a second run: nothing');
    const guestOrder = (await sql<{ guest_email: string | null }>`select guest_email from store_orders where id = ${guestOrderId}`.execute(deps.db)).rows[0];
    assert.notEqual(guestOrder?.guest_email?.toLowerCase(), 'retained.member@example.com', 'the guest order found by the address the closure kept is erased too');

    const order = async () => ({ ...(await sql<{ member_id: string; ship_to_postal_code: string | null; ship_to_line1: string | null }>`select member_id, ship_to_postal_code, ship_to_line1 from store_orders where id = ${orderId}`.execute(deps.db)).rows[0] });
    assert.deepEqual(await order(), { member_id: memberId, ship_to_postal_code: '97201', ship_to_line1: null }, 'the tax record keeps the place of supply');
    const kept = erasure!.report.kept.find((entry) => entry.table === 'store_orders' && entry.column === 'ship_to_postal_code');
    assert.equal(kept?.until, new Date(deps.clock.nowMs() + retentionPeriodMs('transaction_records')).toISOString().slice(0, 10), 'the report says until when');

    deps.clock.advanceMs(retentionPeriodMs('transaction_records') - DAY_MS);
    const dayBefore = await runRetention(deps);
    assert.equal(dayBefore.recordsExpired, 0);
    deps.clock.advanceMs(DAY_MS);
    const onTheDay = await runRetention(deps);
    assert.equal(onTheDay.recordsExpired, 1);
    assert.ok(onTheDay.rowsChanged >= 1);
    assert.deepEqual(await order(), { member_id: memberId, ship_to_postal_code: null, ship_to_line1: null }, 'PV-30 the kept values go at the end of their period; the record stays under the pseudonymous ID');
    assert.deepEqual(await runRetention(deps), { accountsErased: 0, accountsDeferred: 0, recordsExpired: 0, rowsChanged: 0 });
  });
});
