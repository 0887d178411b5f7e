// Outgoing webhooks (issue 13): Standard Webhooks signatures checked by an independent verifier, secret rotation,
// retries with backoff on the fake clock, per-subject order, automatic disabling with an email to the admins,
// manual redelivery and test messages, the outbox's dispatched marker that never skips a late-committing event,
// and three dispatchers at once delivering each event once. On SQLite and PostgreSQL.
import { businessMetricsText } from '../../src/http/metrics.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { transact, type Ctx } from '../../src/deps.ts';
import { DAY_MS, HOUR_MS } from '../../src/platform/clock.ts';
import { createStaffUser } from '../../src/modules/accounts/index.ts';
import { recordEvents, selectEventsAfter, type EventType } from '../../src/modules/events/index.ts';
import { listMessages } from '../../src/modules/notifications/index.ts';
import {
  changeEndpoint, createEndpoint, fanOutEvents, getDelivery, getEndpoint, listDeliveries, maxAttempts, pruneDeliveries, redeliver, removeEndpoint, retryDelayMs, rotateEndpointSecret, runWebhookDispatch, sendTestEvent, signatureHeader,
  type StaffActor,
} from '../../src/modules/webhooks/index.ts';
import { claimDueDeliveries } from '../../src/modules/webhooks/webhooks.repository.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from '../support/webhook-receiver.ts';

const admin: StaffActor = { id: 'mem_admin_webhooks', role: 'admin' };

async function record(deps: Ctx, events: readonly { type: EventType; subjectId: string; data?: Record<string, string | number> }[]): Promise<string[]> {
  const recorded = await transact(deps, (trx) => recordEvents(trx, events.map((event) => ({ type: event.type, subjectId: event.subjectId, memberId: 'mem_w1', data: event.data ?? {} }))));
  return recorded.map((event) => event.id);
}

async function newEndpoint(deps: TestDeps, receiver: WebhookReceiver, eventTypes: EventType[] = ['order.paid', 'order.refunded']) {
  return transact(deps, (trx) => createEndpoint(trx, { url: receiver.url, description: 'test receiver', eventTypes, actor: admin }));
}

/** Dispatch runs until nothing is due now (the fake clock does not move meanwhile). */
async function dispatch(deps: TestDeps): Promise<void> {
  await runWebhookDispatch(deps);
}

function nowSeconds(deps: TestDeps): number {
  return Math.floor(deps.clock.nowMs() / 1000);
}

describeEachDatabase(
  'outgoing webhooks',
  (suite) => {
    let receiver: WebhookReceiver;
    before(async () => {
      receiver = await startWebhookReceiver();
    });
    after(async () => {
      await receiver.close();
    });
    const fresh = () => {
      receiver.received.length = 0;
      receiver.respond = () => 204;
    };

    test('issue 13: a delivery is signed per Standard Webhooks and verifies with an independent implementation of the spec', async () => {
      const deps = suite.deps();
      fresh();
      // The specification's published example, through our signer, so both sides are checked against the spec.
      assert.equal(
        signatureHeader(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}'),
        'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
      );
      const { endpoint, secret } = await newEndpoint(deps, receiver);
      assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/);
      try {
        const [eventId] = await record(deps, [{ type: 'order.paid', subjectId: 'ord_sig1', data: { orderId: 'ord_sig1', totalMinor: 4200 } }]);
        await dispatch(deps);
        assert.equal(receiver.received.length, 1);
        const message = receiver.received[0]!;
        assert.equal(message.id, eventId);
        assert.equal(message.timestamp, String(nowSeconds(deps)));
        assert.ok(verifyStandardWebhook(secret, message, nowSeconds(deps)), 'the signature verifies with the endpoint secret');
        assert.ok(!verifyStandardWebhook(secret, { ...message, body: message.body.replace('4200', '4201') }, nowSeconds(deps)), 'a changed body does not verify');
        assert.ok(!verifyStandardWebhook(secret, message, nowSeconds(deps) + 600), 'an old timestamp is refused by the tolerance');
        assert.deepEqual(JSON.parse(message.body), {
          type: 'order.paid',
          timestamp: new Date(deps.clock.nowMs()).toISOString(),
          data: { subjectId: 'ord_sig1', memberId: 'mem_w1', orderId: 'ord_sig1', totalMinor: 4200 },
        });
        assert.equal(message.headers['content-type'], 'application/json');
        const [delivery] = await listDeliveries(deps, { endpointId: endpoint.id, limit: 10 });
        assert.equal(delivery?.state, 'succeeded');
        assert.equal(delivery?.lastStatus, 204);
      } finally {
        await transact(deps, (trx) => removeEndpoint(trx, { endpointId: endpoint.id, actor: admin }));
      }
    });

    test('issue 13: after a secret rotation both secrets sign for a day, then only the new one', async () => {
      const deps = suite.deps();
      fresh();
      const { endpoint, secret: oldSecret } = await newEndpoint(deps, receiver);
      try {
        const { secret: newSecret } = await transact(deps, (trx) => rotateEndpointSecret(trx, { endpointId: endpoint.id, actor: admin }));
        assert.notEqual(newSecret, oldSecret);
        await record(deps, [{ type: 'order.paid', subjectId: 'ord_rot1' }]);
        await dispatch(deps);
        const during = receiver.received.at(-1)!;
        assert.equal(during.signature.split(' ').length, 2, 'two space-separated v1 signatures');
        assert.ok(verifyStandardWebhook(oldSecret, during, nowSeconds(deps)), 'a receiver with the old secret still verifies');
        assert.ok(verifyStandardWebhook(newSecret, during, nowSeconds(deps)), 'a receiver with the new secret verifies');

        deps.clock.advanceMs(DAY_MS + 1000);
        await record(deps, [{ type: 'order.paid', subjectId: 'ord_rot2' }]);
        await dispatch(deps);
        const later = receiver.received.at(-1)!;
        assert.equal(later.signature.split(' ').length, 1);
        assert.ok(!verifyStandardWebhook(oldSecret, later, nowSeconds(deps)), 'the old secret no longer signs');
        assert.ok(verifyStandardWebhook(newSecret, later, nowSeconds(deps)));
      } finally {
        await transact(deps, (trx) => removeEndpoint(trx, { endpointId: endpoint.id, actor: admin }));
      }
    });

    test('issue 13 / NT-1: failed attempts are retried with exponential backoff and jitter on the fake clock, each logged with its status', async () => {
      const deps = suite.deps();
      fresh();
      let failuresLeft = 3;
      receiver.respond = () => (failuresLeft-- > 0 ? 503 : 200);
      const { endpoint } = await newEndpoint(deps, receiver);
      try {
        await record(deps, [{ type: 'order.refunded', subjectId: 'ord_retry1' }]);
        await dispatch(deps);
        assert.equal(receiver.received.length, 1);
        // Each wait is 10 s × 2^(n-1), ±20 %: nothing is sent before the lower bound, and it is sent by the upper one.
        for (const [failed, baseMs] of [[1, 10_000], [2, 20_000], [3, 40_000]] as const) {
          const [pending] = await listDeliveries(deps, { endpointId: endpoint.id, limit: 1 });
          assert.equal(pending?.state, 'pending');
          assert.equal(pending?.attempts, failed);
          const waitMs = pending!.nextAttemptAtMs! - deps.clock.nowMs();
          assert.ok(waitMs >= baseMs * 0.8 && waitMs <= baseMs * 1.2, `wait after attempt ${failed} is ${waitMs} ms`);
          deps.clock.advanceMs(Math.floor(baseMs * 0.8) - 1);
          await dispatch(deps);
          assert.equal(receiver.received.length, failed, 'not retried before its time');
          deps.clock.advanceMs(waitMs - (Math.floor(baseMs * 0.8) - 1));
          await dispatch(deps);
          assert.equal(receiver.received.length, failed + 1, 'retried once its time came');
        }
        const [done] = await listDeliveries(deps, { endpointId: endpoint.id, limit: 1 });
        assert.equal(done?.state, 'succeeded');
        const detail = await getDelivery(deps, done!.id);
        assert.deepEqual(detail.attempts.map((a) => a.statusCode).reverse(), [503, 503, 503, 200]);
        assert.deepEqual(detail.attempts.map((a) => a.failureCode).reverse(), ['http_503', 'http_503', 'http_503', null]);
        assert.equal(detail.attempts[1]?.responseExcerpt, 'refused with 503');
        assert.equal(new Set(receiver.received.map((r) => r.id)).size, 1, 'every retry carries the same webhook-id');
        // PL-12: each attempt is counted once, after its settlement committed.
        const counted = await businessMetricsText(deps.db);
        const count = (outcome: string) => Number(new RegExp(`patron_webhook_deliveries_total\\{outcome="${outcome}",event_type="order.refunded"\\} (\\d+)`).exec(counted)?.[1] ?? 0);
        assert.equal(count('failed'), 3);
        assert.equal(count('delivered'), 1);
      } finally {
        await transact(deps, (trx) => removeEndpoint(trx, { endpointId: endpoint.id, actor: admin }));
      }
    });

    test('issue 13: the backoff doubles from 10 s to a 4-hour cap with ±20 % jitter, and a delivery is given up after the last attempt', async () => {
      assert.equal(retryDelayMs(1, 0.5), 10_000);
      assert.equal(retryDelayMs(2, 0), 16_000);
      assert.equal(retryDelayMs(3, 0.999999), Math.round(40_000 * 1.2 - 40_000 * 0.4 * 0.000001));
      assert.equal(retryDelayMs(20, 0.5), 4 * HOUR_MS);
      const deps = suite.deps();
      fresh();
      receiver.respond = () => 500;
      const { endpoint } = await newEndpoint(deps, receiver);
      try {
        await record(deps, [{ type: 'order.paid', subjectId: 'ord_giveup' }]);
        for (let i = 0; i < maxAttempts + 2; i++) {
          await dispatch(deps);
          deps.clock.advanceMs(5 * HOUR_MS);
          // Keep the endpoint from being disabled meanwhile: this test is about one delivery's schedule.
          await transact(deps, (trx) => changeEndpoint(trx, { endpointId: endpoint.id, patch: { enabled: true }, actor: admin }));
        }
        const [delivery] = await listDeliveries(deps, { endpointId: endpoint.id, limit: 1 });
        assert.equal(delivery?.state, 'failed');
        assert.equal(delivery?.attempts, maxAttempts);
        assert.equal(receiver.received.length, maxAttempts);
      } finally {
        await transact(deps, (trx) => removeEndpoint(trx, { endpointId: endpoint.id, actor: admin }));
      }
    });

    test('issue 13: events of one subject are delivered in order — a later one waits until the earlier one succeeded — while other subjects go on', async () => {
      const deps = suite.deps();
      fresh();
      let refuseA = 2;
      receiver.respond = (request) => (JSON.parse(request.body).data.subjectId === 'ord_orderA' && JSON.parse(request.body).data.step === 1 && refuseA-- > 0 ? 500 : 204);
      const { endpoint } = await newEndpoint(deps, receiver);
      try {
        await record(deps, [
          { type: 'order.paid', subjectId: 'ord_orderA', data: { step: 1 } },
          { type: 'order.paid', subjectId: 'ord_orderB', data: { step: 1 } },
          { type: 'order.refunded', subjectId: 'ord_orderA', data: { step: 2 } },
          { type: 'order.refunded', subjectId: 'ord_orderA', data: { step: 3 } },
        ]);
        await dispatch(deps);
        const seen = () => receiver.received.map((r) => `${JSON.parse(r.body).data.subjectId}:${JSON.parse(r.body).data.step}`);
        assert.deepEqual(seen().sort(), ['ord_orderA:1', 'ord_orderB:1'], 'A:2 and A:3 wait behind the failed A:1; B goes');
        deps.clock.advanceMs(13_000);
        await dispatch(deps);
        deps.clock.advanceMs(25_000);
        await dispatch(deps);
        deps.clock.advanceMs(1000);
        await dispatch(deps);
        const orderA = seen().filter((key) => key.startsWith('ord_orderA'));
        assert.deepEqual(orderA, ['ord_orderA:1', 'ord_orderA:1', 'ord_orderA:1', 'ord_orderA:2', 'ord_orderA:3']);
      } finally {
        await transact(deps, (trx) => removeEndpoint(trx, { endpointId: endpoint.id, actor: admin }));
      }
    });

    test('issue 13: an endpoint failing for 3 days is disabled and the admins are emailed; its events wait and go out in order once it is enabled', async () => {
      const deps = suite.deps();
      fresh();
      await createStaffUser(deps, { email: 'webhook.admin@example.com', password: 'a-long-password-for-tests', role: 'admin' });
      receiver.respond = () => 502;
      const { endpoint } = await newEndpoint(deps, receiver);
      try {
        await record(deps, [{ type: 'order.paid', subjectId: 'ord_dis1', data: { step: 1 } }]);
        await dispatch(deps);
        const startedMs = deps.clock.nowMs();
        assert.equal((await getEndpoint(deps, endpoint.id)).failingSinceMs, startedMs);
        for (let hours = 4; hours < 72; hours += 4) {
          deps.clock.setMs(startedMs + hours * HOUR_MS);
          await dispatch(deps);
        }
        assert.equal((await getEndpoint(deps, endpoint.id)).state, 'enabled', 'not yet: 68 hours');
        deps.clock.setMs(startedMs + 3 * DAY_MS + 1000);
        await dispatch(deps);
        const disabled = await getEndpoint(deps, endpoint.id);
        assert.equal(disabled.state, 'auto_disabled');
        const mails = (await listMessages(deps, { limit: 50 })).filter((m) => m.subject.includes('was disabled'));
        assert.equal(mails.length, 1);
        assert.equal(mails[0]?.to, 'webhook.admin@example.com');
        await dispatch(deps);
        assert.equal((await listMessages(deps, { limit: 50 })).filter((m) => m.subject.includes('was disabled')).length, 1, 'one email per failure streak');

        const sentBefore = receiver.received.length;
        await record(deps, [{ type: 'order.refunded', subjectId: 'ord_dis1', data: { step: 2 } }]);
        deps.clock.advanceMs(DAY_MS);
        await dispatch(deps);
        assert.equal(receiver.received.length, sentBefore, 'nothing is sent to a disabled endpoint');

        receiver.respond = () => 204;
        await transact(deps, (trx) => changeEndpoint(trx, { endpointId: endpoint.id, patch: { enabled: true }, actor: admin }));
        await dispatch(deps);
        await dispatch(deps);
        const steps = receiver.received.slice(sentBefore).map((r) => JSON.parse(r.body).data.step);
        assert.deepEqual(steps, [1, 2], 'the waiting events go out in order');
        assert.equal((await getEndpoint(deps, endpoint.id)).failingSinceMs, null);
      } finally {
        await transact(deps, (trx) => removeEndpoint(trx, { endpointId: endpoint.id, actor: admin }));
      }
    });

    test('issue 13: manual redelivery sends the same message again and logs it as manual; a test message reaches the endpoint signed', async () => {
      const deps = suite.deps();
      fresh();
      const { endpoint, secret } = await newEndpoint(deps, receiver);
      try {
        const [eventId] = await record(deps, [{ type: 'order.paid', subjectId: 'ord_again' }]);
        await dispatch(deps);
        const [delivery] = await listDeliveries(deps, { endpointId: endpoint.id, limit: 1 });
        const result = await redeliver(deps, { deliveryId: delivery!.id });
        assert.equal(result.ok, true);
        assert.deepEqual(receiver.received.map((r) => r.id), [eventId, eventId]);
        assert.equal(receiver.received[0]!.body, receiver.received[1]!.body);
        const detail = await getDelivery(deps, delivery!.id);
        assert.deepEqual(detail.attempts.map((a) => a.kind), ['manual', 'automatic']);

        const test = await sendTestEvent(deps, { endpointId: endpoint.id });
        assert.equal(test.result.ok, true);
        const message = receiver.received.at(-1)!;
        assert.equal(JSON.parse(message.body).type, 'webhook.test');
        assert.ok(verifyStandardWebhook(secret, message, nowSeconds(deps)));
        receiver.respond = () => 404;
        const refused = await sendTestEvent(deps, { endpointId: endpoint.id });
        assert.equal(refused.result.statusCode, 404);
        assert.equal((await getDelivery(deps, refused.deliveryId)).delivery.state, 'failed', 'a failed test message is not retried');
      } finally {
        await transact(deps, (trx) => removeEndpoint(trx, { endpointId: endpoint.id, actor: admin }));
      }
    });

    test('issue 13 / PL-7: an event that commits after a later-numbered one was dispatched is still delivered (no "after the last ID" skip)', async () => {
      const deps = suite.deps();
      fresh();
      const { endpoint } = await newEndpoint(deps, receiver);
      try {
        // The outbox-by-ID pitfall, made deterministic: the late event's ID is taken first, its commit comes after the
        // dispatcher already took a higher ID.
        const lowId = deps.ids.next('evt');
        const [highId] = await record(deps, [{ type: 'order.paid', subjectId: 'ord_high' }]);
        assert.ok(lowId < highId!);
        await dispatch(deps);
        const late: Ctx = { ...deps, ids: { next: (prefix) => (prefix === 'evt' ? lowId : deps.ids.next(prefix)) } };
        await transact(late, (trx) => recordEvents(trx, [{ type: 'order.paid', subjectId: 'ord_low', memberId: null, data: {} }]));
        await dispatch(deps);
        assert.deepEqual(receiver.received.map((r) => r.id), [highId, lowId]);

        if (suite.dialect === 'postgres') {
          // The real race on PostgreSQL: a transaction takes its event ID, another commits a later one and is
          // dispatched, then the first commits.
          let release!: () => void;
          const held = new Promise<void>((resolve) => (release = resolve));
          let recorded!: () => void;
          const hasRecorded = new Promise<void>((resolve) => (recorded = resolve));
          const slow = transact(deps, async (trx) => {
            const [event] = await recordEvents(trx, [{ type: 'order.paid', subjectId: 'ord_slow', memberId: null, data: {} }]);
            recorded();
            await held;
            return event!.id;
          });
          await hasRecorded;
          const [fastId] = await record(deps, [{ type: 'order.paid', subjectId: 'ord_fast' }]);
          await dispatch(deps);
          release();
          const slowId = await slow;
          assert.ok(slowId < fastId!);
          await dispatch(deps);
          assert.deepEqual(receiver.received.slice(2).map((r) => r.id), [fastId, slowId]);
        }
      } finally {
        await transact(deps, (trx) => removeEndpoint(trx, { endpointId: endpoint.id, actor: admin }));
      }
    });

    test('issue 13 / PL-7: three dispatchers at once deliver every event exactly once per endpoint', async () => {
      const deps = suite.deps();
      fresh();
      const first = await newEndpoint(deps, receiver);
      const second = await newEndpoint(deps, receiver);
      try {
        const ids = await record(deps, Array.from({ length: 40 }, (_, i) => ({ type: 'order.paid' as const, subjectId: `ord_par${i % 7}`, data: { n: i } })));
        await Promise.all([dispatch(deps), dispatch(deps), dispatch(deps)]);
        await Promise.all([dispatch(deps), dispatch(deps), dispatch(deps)]);
        assert.equal(receiver.received.length, 80);
        const perEndpoint = new Map<string, number>();
        for (const r of receiver.received) perEndpoint.set(r.id, (perEndpoint.get(r.id) ?? 0) + 1);
        assert.deepEqual([...perEndpoint.values()].every((count) => count === 2), true, 'each event once to each of the two endpoints');
        assert.deepEqual([...perEndpoint.keys()].sort(), [...ids].sort());
      } finally {
        await transact(deps, (trx) => removeEndpoint(trx, { endpointId: first.endpoint.id, actor: admin }));
        await transact(deps, (trx) => removeEndpoint(trx, { endpointId: second.endpoint.id, actor: admin }));
      }
    });

    test('issue 13 NT-1: a dispatcher that crashed after leasing a delivery leaves it to another once the lease ends; it is sent once', async () => {
      const deps = suite.deps();
      fresh();
      const { endpoint } = await newEndpoint(deps, receiver);
      try {
        await record(deps, [{ type: 'order.paid', subjectId: 'ord_crash1' }]);
        await fanOutEvents(deps);
        // The crashed worker: it leased the delivery and never came back.
        const nowMs = deps.clock.nowMs();
        const leased = await transact(deps, (trx) => claimDueDeliveries(trx.db, { nowMs, limit: 10, lockedUntilMs: nowMs + 75_000 }));
        assert.equal(leased.length, 1);
        await dispatch(deps);
        assert.equal(receiver.received.length, 0, 'not while the lease holds');
        deps.clock.advanceMs(75_000);
        await dispatch(deps);
        await dispatch(deps);
        assert.equal(receiver.received.length, 1);
        const [delivery] = await listDeliveries(deps, { endpointId: endpoint.id, limit: 1 });
        assert.equal(delivery?.state, 'succeeded');
      } finally {
        await transact(deps, (trx) => removeEndpoint(trx, { endpointId: endpoint.id, actor: admin }));
      }
    });

    test('issue 13 PV-16: finished deliveries and dispatched events are pruned after 30 days; pending ones stay', async () => {
      const deps = suite.deps();
      fresh();
      const { endpoint } = await newEndpoint(deps, receiver);
      try {
        const [doneId] = await record(deps, [{ type: 'order.paid', subjectId: 'ord_prune1' }]);
        await dispatch(deps);
        receiver.respond = () => 500;
        deps.clock.advanceMs(DAY_MS);
        await record(deps, [{ type: 'order.paid', subjectId: 'ord_prune2' }]);
        await dispatch(deps);
        deps.clock.advanceMs(30 * DAY_MS);
        await transact(deps, (trx) => changeEndpoint(trx, { endpointId: endpoint.id, patch: { enabled: false }, actor: admin }));
        assert.ok((await pruneDeliveries(deps)) >= 2);
        const left = await listDeliveries(deps, { endpointId: endpoint.id, limit: 10 });
        assert.deepEqual(left.map((d) => [d.subjectId, d.state]), [['ord_prune2', 'pending']]);
        const events = await selectEventsAfter(deps.db, null, 100_000);
        assert.ok(!events.some((event) => event.id === doneId), 'the old dispatched event is gone');
      } finally {
        await transact(deps, (trx) => removeEndpoint(trx, { endpointId: endpoint.id, actor: admin }));
      }
    });

    test('issue 13: endpoint URLs must be https (http only to localhost) and subscribe to at least one type', async () => {
      const deps = suite.deps();
      const create = (url: string, eventTypes: EventType[] = ['order.paid']) => transact(deps, (trx) => createEndpoint(trx, { url, description: '', eventTypes, actor: admin }));
      await assert.rejects(create('http://hooks.example.com/in'), /https/);
      await assert.rejects(create('https://user:pw@hooks.example.com/in'), /user name or password/);
      await assert.rejects(create('not a url'), /valid absolute URL/);
      await assert.rejects(create('https://hooks.example.com/in', []), /at least one event type/);
      const ok = await create('https://hooks.example.com/in');
      await transact(deps, (trx) => removeEndpoint(trx, { endpointId: ok.endpoint.id, actor: admin }));
    });
  },
  { poolSize: 6 },
);
