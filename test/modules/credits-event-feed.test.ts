// The credits events read from the ledger (issue 12, migration 0425): every committed transaction of an evented kind
// gives its `credits.*` event, in commit order, exactly once per consumer position, with an ID derived from the
// transaction; the ledger writes no outbox row for them; a transaction that commits late is read late, never skipped;
// the webhook fan-out delivers them and sends none for an erased member; a PostgreSQL database restored into another
// cluster stops the feed until it is rebased. On SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { transact } from '../../src/deps.ts';
import type { Executor } from '../../src/db/database.ts';
import { creditEventId, creditFeedEnd, earnForOrder, grantBonus, readCreditFeed, rebaseCreditFeed, runCreditsSweep, spendCredits, takeCreditEvents } from '../../src/modules/credits/index.ts';
import { createEndpoint, listDeliveries, removeEndpoint, runWebhookDispatch } from '../../src/modules/webhooks/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { ledgerOnlyMembers, type TestDeps } from '../support/deps.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { assertLedgerSound, creditEventsSince, creditFeedPosition, DAY_MS, earnOrder, newMemberId, settleCreditFeed } from './credits-fixtures.ts';

class RolledBack extends Error {}

const countOutbox = async (db: Executor) =>
  Number((await sql<{ n: number | string }>`select count(*) as n from domain_events`.execute(db)).rows[0]!.n);

describeEachDatabase(
  'credits events from the ledger',
  (suite) => {
    let receiver: WebhookReceiver;
    before(async () => {
      receiver = await startWebhookReceiver();
    });
    after(async () => {
      await receiver.close();
    });
    const admin = { id: 'mem_admin_feed', role: 'admin' } as const;
    /** Runs `body` with an endpoint that takes credits.earned, once everything committed before it is fanned out. */
    const withCreditsEndpoint = async (deps: TestDeps, body: (endpointId: string) => Promise<void>) => {
      receiver.received.length = 0;
      receiver.respond = () => 204;
      await settleCreditFeed(deps);
      await runWebhookDispatch(deps);
      const { endpoint } = await transact(deps, (trx) => createEndpoint(trx, { url: receiver.url, description: 'credits', eventTypes: ['credits.earned'], actor: admin }));
      try {
        await body(endpoint.id);
      } finally {
        await transact(deps, (trx) => removeEndpoint(trx, { endpointId: endpoint.id, actor: admin }));
      }
    };

    test('LG-1 credits.* events come from the committed transactions: earned, spent, unlocked and expired, one per transaction, IDs derived from it, no outbox row written', async () => {
      const deps = suite.deps();
      const memberId = newMemberId(deps);
      const start = await creditFeedPosition(deps);
      const outboxBefore = await countOutbox(deps.db);
      const bonus = await grantBonus(deps, { memberId, kind: 'registration' });
      const order = await earnForOrder(deps, {
        memberId, orderId: 'ord_events', paidAtMs: deps.clock.nowMs(), plusActive: false,
        lines: [{ lineId: 'l1', qualifyingMinor: 5000, plusBonus: false, earnsCredits: true }, { lineId: 'l2', qualifyingMinor: 3000, plusBonus: false, earnsCredits: true }],
      });
      const spend = await spendCredits(deps, { memberId, credits: 120, idempotencyKey: 'evt-spend' });
      deps.clock.advanceMs(31 * DAY_MS);
      await runCreditsSweep(deps);
      const events = (await creditEventsSince(deps, start)).filter((e) => e.memberId === memberId);
      const byType = (type: string) => events.filter((e) => e.type === type);
      const earned = byType('credits.earned');
      assert.deepEqual(earned.map((e) => e.data.credits), [500, 80]);
      assert.deepEqual(earned[0]!.data.lotIds, [bonus.lotId]);
      assert.deepEqual(earned[1]!.data, { transactionId: order.transactionId, orderId: 'ord_events', credits: 80, lotIds: order.lines.map((l) => l.lotId), amounts: [50, 30] });
      assert.equal(earned[1]!.id, creditEventId(order.transactionId, 0));
      assert.equal(earned[1]!.subjectId, order.transactionId);
      assert.deepEqual(byType('credits.spent').map((e) => e.data), [{ transactionId: spend.transactionId, credits: 120, lotIds: [bonus.lotId], amounts: [120] }]);
      const unlocked = byType('credits.unlocked');
      assert.deepEqual(unlocked.flatMap((e) => e.data.lotIds as string[]).sort(), order.lines.map((l) => l.lotId).sort());
      assert.equal(unlocked.reduce((sum, e) => sum + (e.data.credits as number), 0), 80);
      assert.equal(new Set(unlocked.map((e) => e.data.transactionId)).size, unlocked.length, 'one event per transaction');
      deps.clock.advanceMs(366 * DAY_MS);
      await runCreditsSweep(deps);
      const expired = (await creditEventsSince(deps, start)).filter((e) => e.memberId === memberId && e.type === 'credits.expired');
      assert.equal(expired.reduce((sum, e) => sum + (e.data.credits as number), 0), 380 + 80);
      assert.equal(await countOutbox(deps.db), outboxBefore, 'the ledger wrote no outbox row');
      // Read again from the same position: the same events, the same IDs.
      const again = (await creditEventsSince(deps, start)).filter((e) => e.memberId === memberId);
      assert.deepEqual(again.slice(0, events.length), events);
      await assertLedgerSound(deps);
    });

    test('LG-3 the feed pages in commit order; a rolled-back operation gives no event and the next committed one is read', async () => {
      const deps = suite.deps();
      const memberId = newMemberId(deps);
      const start = await creditFeedPosition(deps);
      for (let i = 0; i < 5; i++) await earnOrder(deps, memberId, [{ qualifyingMinor: 1000 * (i + 1) }], { orderId: `ord_page_${i}` });
      await assert.rejects(
        transact(deps, async (trx) => {
          await earnOrder(trx, memberId, [{ qualifyingMinor: 99_000 }], { orderId: 'ord_rolled_back' });
          throw new RolledBack('the caller failed after the earning');
        }),
        RolledBack,
      );
      await earnOrder(deps, memberId, [{ qualifyingMinor: 6000 }], { orderId: 'ord_page_5' });
      const whole = (await creditEventsSince(deps, start)).filter((e) => e.memberId === memberId);
      assert.deepEqual(whole.map((e) => e.data.orderId), ['ord_page_0', 'ord_page_1', 'ord_page_2', 'ord_page_3', 'ord_page_4', 'ord_page_5']);
      const paged = [];
      for (let position = start; ; ) {
        const page = await readCreditFeed(deps.db, position, 2);
        paged.push(...page.events);
        if (page.transactions < 2) break;
        position = page.position;
      }
      assert.deepEqual(paged.filter((e) => e.memberId === memberId), whole, 'pages of two give the same events in the same order');
    });

    test('a consumer takes events in its transaction: its position moves with the commit, and a rollback gives the same events again', async () => {
      const deps = suite.deps();
      const memberId = newMemberId(deps);
      await settleCreditFeed(deps);
      await transact(deps, async (trx) => {
        while ((await takeCreditEvents(trx, 'webhooks', 1000))!.transactions === 1000);
      });
      await earnOrder(deps, memberId, [{ qualifyingMinor: 4000 }], { orderId: 'ord_take' });
      await settleCreditFeed(deps);
      let seen: string[] = [];
      await assert.rejects(
        transact(deps, async (trx) => {
          seen = (await takeCreditEvents(trx, 'webhooks', 1000))!.events.map((e) => e.id);
          throw new RolledBack('the consumer failed');
        }),
        RolledBack,
      );
      assert.equal(seen.length, 1);
      const taken = await transact(deps, (trx) => takeCreditEvents(trx, 'webhooks', 1000));
      assert.deepEqual(taken!.events.map((e) => e.id), seen, 'the rolled-back take is taken again');
      const next = await transact(deps, (trx) => takeCreditEvents(trx, 'webhooks', 1000));
      assert.deepEqual(next!.events, [], 'and once only');
    });

    test('issue 13 PV-18 the webhook fan-out delivers credits events under their derived ID, and none of an erased member', async () => {
      const deps = suite.deps();
      await withCreditsEndpoint(deps, async (endpointId) => {
        const kept = newMemberId(deps);
        const erased = newMemberId(deps);
        const earning = await earnOrder(deps, kept, [{ qualifyingMinor: 2000 }], { orderId: 'ord_hook_kept' });
        const erasedEarning = await earnOrder(deps, erased, [{ qualifyingMinor: 3000 }], { orderId: 'ord_hook_erased' });
        await sql`insert into privacy_erasures (id, member_id, request_id, reason, report, erased_at_ms)
          values (${deps.ids.next('per')}, ${erased}, null, 'agent', '{}', ${deps.clock.nowMs()})`.execute(deps.db);
        await settleCreditFeed(deps);
        await runWebhookDispatch(deps);
        const deliveries = await listDeliveries(deps, { endpointId, limit: 100 });
        assert.deepEqual(deliveries.map((d) => d.subjectId), [earning.transactionId], 'the erased member’s earning is not delivered');
        assert.ok(!receiver.received.some((m) => m.body.includes(erasedEarning.transactionId)));
        const message = receiver.received.find((m) => m.id === creditEventId(earning.transactionId, 0));
        assert.ok(message, 'delivered under the event ID derived from the transaction');
        const body = JSON.parse(message.body) as { type: string; data: Record<string, unknown> };
        assert.equal(body.type, 'credits.earned');
        assert.equal(body.data.transactionId, earning.transactionId);
        assert.equal(body.data.credits, 20);
        await runWebhookDispatch(deps);
        assert.equal((await listDeliveries(deps, { endpointId, limit: 100 })).length, 1, 'a second run sends nothing again');
      });
    });

    test('issue 13 while no endpoint takes a credits type the fan-out moves its position to the end; an endpoint registered later gets only what commits after', async () => {
      const deps = suite.deps();
      const memberId = newMemberId(deps);
      const early = await earnOrder(deps, memberId, [{ qualifyingMinor: 1000 }], { orderId: 'ord_nobody_listens' });
      await settleCreditFeed(deps);
      await runWebhookDispatch(deps);
      const [stored] = (await sql<{ cursor: string }>`select cursor from credit_event_cursors where key = 'webhooks'`.execute(deps.db)).rows;
      assert.equal(stored!.cursor, await creditFeedEnd(deps.db), 'the position moved to the end');
      await withCreditsEndpoint(deps, async () => {
        const late = await earnOrder(deps, memberId, [{ qualifyingMinor: 2000 }], { orderId: 'ord_someone_listens' });
        await settleCreditFeed(deps);
        await runWebhookDispatch(deps);
        assert.deepEqual(receiver.received.map((m) => m.id), [creditEventId(late.transactionId, 0)]);
        assert.notEqual(early.transactionId, late.transactionId);
      });
    });

    test('PL-7 three dispatchers at once deliver each credits event exactly once', async () => {
      const deps = suite.deps();
      await withCreditsEndpoint(deps, async () => {
        // More transactions than one fan-out transaction reads (500), so the dispatchers meet on the position.
        const members = Array.from({ length: 40 }, () => newMemberId(deps));
        const earnings = [];
        for (let round = 0; round < 14; round++) earnings.push(...(await Promise.all(members.map((memberId) => earnOrder(deps, memberId, [{ qualifyingMinor: 1000 }], { orderId: `ord_par_${round}_${memberId}` })))));
        await settleCreditFeed(deps);
        await Promise.all([runWebhookDispatch(deps), runWebhookDispatch(deps), runWebhookDispatch(deps)]);
        await runWebhookDispatch(deps);
        const ids = receiver.received.map((message) => message.id);
        assert.equal(new Set(ids).size, ids.length, 'no event sent twice');
        assert.deepEqual(ids.sort(), earnings.map((e) => creditEventId(e.transactionId, 0)).sort(), 'every earning sent');
      });
    });

    if (suite.dialect === 'postgres') {
      test('LG-3 PostgreSQL: a transaction that commits after a later-numbered one is read when it commits, never skipped', async () => {
        const deps = suite.deps();
        const early = newMemberId(deps);
        const late = newMemberId(deps);
        const start = await creditFeedPosition(deps);
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let wrote!: () => void;
        const written = new Promise<void>((resolve) => (wrote = resolve));
        const open = transact(deps, async (trx) => {
          await earnOrder(trx, early, [{ qualifyingMinor: 1000 }], { orderId: 'ord_early' });
          wrote();
          await held;
        });
        await written;
        // Committed while the first is still open: its transaction ID is the higher one.
        await earnOrder(deps, late, [{ qualifyingMinor: 2000 }], { orderId: 'ord_late' });
        const whileOpen = (await readCreditFeed(deps.db, start, 1000)).events.filter((e) => e.memberId === early || e.memberId === late);
        assert.deepEqual(whileOpen, [], 'nothing past a transaction still running is given');
        release();
        await open;
        const afterCommit = (await creditEventsSince(deps, start)).filter((e) => e.memberId === early || e.memberId === late);
        assert.deepEqual(afterCommit.map((e) => e.data.orderId), ['ord_early', 'ord_late'], 'both, in transaction order');
      });

      test('PostgreSQL restored into another cluster: a position past its transaction IDs stops the feed until the rebase, which then reads new transactions', async () => {
        const deps = suite.deps();
        assert.deepEqual(await transact(deps, (trx) => rebaseCreditFeed(trx)), { clearedRows: 0, movedPositions: 0 }, 'nothing to rebase on the cluster the rows came from');
        // A position taken on a cluster whose transaction IDs ran far ahead of this one's.
        await sql`update credit_event_cursors set cursor = '999999999|mem_elsewhere|1' where key = 'webhooks'`.execute(deps.db);
        const memberId = newMemberId(deps);
        await earnOrder(deps, memberId, [{ qualifyingMinor: 1000 }], { orderId: 'ord_after_restore' });
        await settleCreditFeed(deps);
        assert.equal(await transact(deps, (trx) => takeCreditEvents(trx, 'webhooks', 1000)), undefined, 'the fan-out reads nothing rather than skip what this cluster writes');
        assert.deepEqual(await transact(deps, (trx) => rebaseCreditFeed(trx)), { clearedRows: 0, movedPositions: 1 });
        await earnOrder(deps, memberId, [{ qualifyingMinor: 2000 }], { orderId: 'ord_after_rebase' });
        await settleCreditFeed(deps);
        const taken = await transact(deps, (trx) => takeCreditEvents(trx, 'webhooks', 1000));
        assert.deepEqual(taken!.events.map((e) => e.data.orderId), ['ord_after_rebase']);
      });
    }
  },
  { ports: { memberContacts: ledgerOnlyMembers }, poolSize: 4 },
);
