// A member's storefront order earns between two transactions (issue 12, PF-5; webhooks.service.ts): the order and a
// pending-earning row commit first, the earning joins the ledger's append group, then the order gets its credits and
// the event is marked processed. These tests stop the job between the two (an earning that fails unexpectedly, as a
// crash would leave it) and prove the retry finishes it exactly once, that a refund meanwhile waits instead of
// reversing nothing, and that concurrent webhook jobs share append groups. On both databases.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { getBalance, groupCommitStats } from '../../src/modules/credits/index.ts';
import * as store from '../../src/modules/store/index.ts';
import { buildJobRegistry, retryDelayMs, runDueJobs } from '../../src/jobs/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';
import { receiveSignedStorefrontEvent, seedStoreAndMember, storefrontTestOrder } from '../support/storefront-webhooks.ts';
import { assertLedgerSound } from './credits-fixtures.ts';

const shopDomain = 'shop.example.com';

const storefrontOrder = (deps: TestDeps, id: number, memberId: string) => storefrontTestOrder(deps, id, [{ name: 'patron_member_id', value: memberId }], 2);

async function eventRow(deps: TestDeps, eventId: string): Promise<{ status: string; result: string | null }> {
  const rows = await sql<{ status: string; result: string | null }>`select status, result from store_webhook_events where event_id = ${eventId}`.execute(deps.db);
  return rows.rows[0]!;
}

async function pendingEarnings(deps: TestDeps): Promise<number> {
  const rows = await sql<{ n: number }>`select count(*) as n from store_pending_earnings`.execute(deps.db);
  return Number(rows.rows[0]!.n);
}

describeEachDatabase('storefront webhook earnings between two transactions', (suite) => {
  let deps: TestDeps;
  let memberId: string;
  const registry = buildJobRegistry([store]);

  before(async () => {
    deps = suite.deps();
    memberId = await seedStoreAndMember(deps, 'earner@example.com');
  });

  test('ST-8 LG-3 PF-5 an earning cut off between the transactions is finished by the retry, once; a refund meanwhile waits and then reverses it', async () => {
    const before = (await getBalance(deps, memberId)).pendingTotal;
    await receiveSignedStorefrontEvent(deps, { id: 'evt-cut-paid', topic: 'orders/paid', order: storefrontOrder(deps, 7001, memberId) }, shopDomain);
    // The first attempt records the order, then its earning fails unexpectedly (as a crash would stop it): the
    // ledger's first transaction ID cannot be made.
    let failures = 1;
    const failingIds = { next: (prefix: string) => (prefix === 'ltx' && failures-- > 0 ? (() => { throw new Error('injected: the process died here'); })() : deps.ids.next(prefix as 'ltx')) };
    const cut = { ...deps, ids: failingIds } as unknown as TestDeps;
    await runDueJobs(cut, { registry });
    assert.equal(await pendingEarnings(deps), 1, 'the order is recorded with its earning pending');
    assert.equal((await eventRow(deps, 'evt-cut-paid')).status, 'received');
    assert.equal((await getBalance(deps, memberId)).pendingTotal, before, 'nothing earned yet');
    const [order] = (await store.listMemberOrders(deps, memberId, {})).filter((o) => o.externalRef === `${shopDomain}:7001`);
    assert.ok(order);
    assert.equal(order.earnedCredits, 0);

    // A refund of the order arriving now is not applied (it would reverse nothing) and not marked failed: it waits.
    const refund = { id: 7101, order_id: 7001, created_at: new Date(deps.clock.nowMs()).toISOString(), refund_line_items: [{ line_item_id: 70011, quantity: 1 }] };
    await receiveSignedStorefrontEvent(deps, { id: 'evt-cut-refund', topic: 'refunds/create', refund }, shopDomain);
    await runDueJobs(deps, { registry });
    assert.equal((await eventRow(deps, 'evt-cut-refund')).status, 'received', 'the refund waits for the earning');

    // After the retry delay both jobs run again: the earning finishes once, then the refund reverses half of it.
    deps.clock.advanceMs(retryDelayMs(1) + 1000);
    await runDueJobs(deps, { registry });
    deps.clock.advanceMs(retryDelayMs(2) + 1000);
    await runDueJobs(deps, { registry });
    const jobs = await sql<{ type: string; state: string; last_error: string | null; attempts: number }>`select type, state, last_error, attempts from jobs`.execute(deps.db);
    assert.equal(await pendingEarnings(deps), 0, JSON.stringify([jobs.rows, await eventRow(deps, "evt-cut-paid")]));
    assert.equal((await eventRow(deps, 'evt-cut-paid')).status, 'processed');
    assert.match((await eventRow(deps, 'evt-cut-paid')).result ?? '', /earned 99 credits/);
    assert.equal((await store.getOrderDetail(deps, order.id)).earnedCredits, 99);
    assert.equal((await eventRow(deps, 'evt-cut-refund')).status, 'processed');
    const earnings = await sql<{ n: number }>`select count(*) as n from credit_transactions where member_id = ${memberId} and order_id = ${order.id} and kind = 'earn'`.execute(deps.db);
    assert.equal(Number(earnings.rows[0]!.n), 1, 'earned once');
    assert.equal((await getBalance(deps, memberId)).pendingTotal, before + 99 - 49);
    await assertLedgerSound(deps);
  });

  test('PF-5 webhook jobs run concurrently in one worker pass and their earnings share append groups; each order earns once', async () => {
    const before = (await getBalance(deps, memberId)).pendingTotal;
    const count = 12;
    for (let i = 0; i < count; i++) await receiveSignedStorefrontEvent(deps, { id: `evt-many-${i}`, topic: 'orders/paid', order: storefrontOrder(deps, 7200 + i, memberId) }, shopDomain);
    const stats = groupCommitStats(deps.db);
    await runDueJobs(deps, { registry });
    const after = groupCommitStats(deps.db);
    assert.equal(after.operations - stats.operations, count, 'every earning went through a group');
    assert.ok(after.groups - stats.groups < count, `earnings shared groups (${after.groups - stats.groups} groups for ${count})`);
    for (let i = 0; i < count; i++) assert.equal((await eventRow(deps, `evt-many-${i}`)).status, 'processed');
    assert.equal((await getBalance(deps, memberId)).pendingTotal, before + count * 99);
    assert.equal(await pendingEarnings(deps), 0);
    await assertLedgerSound(deps);
  });
});
