// Storefront webhook bodies hold a customer's email, name and address (PV-16, issue 7.6): each stored event names the
// member its order belongs to once processing knows it, and finished events are deleted after their retention while
// events still waiting for their job are kept. On both databases.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { DAY_MS } from '../../src/platform/clock.ts';
import * as store from '../../src/modules/store/index.ts';
import { pruneWebhookEvents, webhookEventRetentionMs } from '../../src/modules/store/webhooks.service.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';
import { receiveSignedStorefrontEvent, seedStoreAndMember, storefrontTestOrder } from '../support/storefront-webhooks.ts';

const shopDomain = 'shop.example.com';

const storefrontOrder = (deps: TestDeps, id: number, noteAttributes: Array<{ name: string; value: string }>) => storefrontTestOrder(deps, id, noteAttributes);

/** Receives a signed event as the endpoint would; the caller decides whether its job runs. */
async function receive(deps: TestDeps, event: { id: string; topic: string } & Record<string, unknown>): Promise<void> {
  await receiveSignedStorefrontEvent(deps, event, shopDomain);
}

async function storedEvents(deps: TestDeps): Promise<Map<string, { status: string; member_id: string | null }>> {
  const rows = await sql<{ event_id: string; status: string; member_id: string | null }>`select event_id, status, member_id from store_webhook_events`.execute(deps.db);
  return new Map(rows.rows.map((row) => [row.event_id, { status: row.status, member_id: row.member_id }]));
}

describeEachDatabase('store webhook events: member and retention', (suite) => {
  let deps: TestDeps;
  let memberId: string;

  before(async () => {
    deps = suite.deps();
    memberId = await seedStoreAndMember(deps, 'ada@example.com');
  });

  test('PV-16 a processed event names the member of its order (orders and refunds); a guest order’s event names nobody; a failed event still names its order’s member', async () => {
    await receive(deps, { id: 'evt-ret-1', topic: 'orders/paid', order: storefrontOrder(deps, 9001, [{ name: 'patron_member_id', value: memberId }]) });
    await receive(deps, { id: 'evt-ret-2', topic: 'orders/paid', order: storefrontOrder(deps, 9002, []) });
    await store.processStorefrontWebhook(deps, 'evt-ret-1');
    await store.processStorefrontWebhook(deps, 'evt-ret-2');
    const refund = { id: 9101, order_id: 9001, created_at: new Date(deps.clock.nowMs()).toISOString(), refund_line_items: [{ line_item_id: 90011, quantity: 1 }] };
    await receive(deps, { id: 'evt-ret-3', topic: 'refunds/create', refund });
    await store.processStorefrontWebhook(deps, 'evt-ret-3');
    // A refund for an order that is not here fails or is ignored, and names nobody.
    await receive(deps, { id: 'evt-ret-4', topic: 'refunds/create', refund: { ...refund, id: 9102, order_id: 424242 } });
    await store.processStorefrontWebhook(deps, 'evt-ret-4');

    // A refund the order cannot take fails, and still names the order's member.
    await receive(deps, { id: 'evt-ret-5', topic: 'refunds/create', refund: { ...refund, id: 9103, refund_line_items: [{ line_item_id: 99999, quantity: 1 }] } });
    await store.processStorefrontWebhook(deps, 'evt-ret-5');

    const events = await storedEvents(deps);
    assert.deepEqual(events.get('evt-ret-1'), { status: 'processed', member_id: memberId });
    assert.deepEqual(events.get('evt-ret-2'), { status: 'processed', member_id: null });
    assert.deepEqual(events.get('evt-ret-3'), { status: 'processed', member_id: memberId });
    assert.equal(events.get('evt-ret-4')?.member_id, null);
    assert.deepEqual(events.get('evt-ret-5'), { status: 'failed', member_id: memberId });
  });

  test('PV-16 finished events are deleted after their retention by a daily job; events still waiting for their job are kept', async () => {
    assert.ok(store.schedules.some((schedule) => schedule.type === 'store-prune-webhook-events' && schedule.everyMs === DAY_MS));
    await receive(deps, { id: 'evt-ret-waiting', topic: 'orders/paid', order: storefrontOrder(deps, 9003, []) });
    // Within the retention nothing goes.
    deps.clock.advanceMs(webhookEventRetentionMs - DAY_MS);
    assert.equal(await pruneWebhookEvents(deps), 0);
    assert.equal((await storedEvents(deps)).size, 6);
    // A later event, processed now, stays when the earlier ones expire.
    await receive(deps, { id: 'evt-ret-late', topic: 'orders/paid', order: storefrontOrder(deps, 9004, []) });
    await store.processStorefrontWebhook(deps, 'evt-ret-late');
    deps.clock.advanceMs(2 * DAY_MS);
    assert.equal(await pruneWebhookEvents(deps), 5);
    const left = await storedEvents(deps);
    assert.deepEqual([...left.keys()].sort(), ['evt-ret-late', 'evt-ret-waiting']);
    assert.equal(left.get('evt-ret-waiting')?.status, 'received');
    // Running again finds nothing more: the job is idempotent.
    assert.equal(await pruneWebhookEvents(deps), 0);
  });
});
