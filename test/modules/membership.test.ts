// Plus membership (MB-1..MB-11) on both databases: joining through the gateway, the dated history and plusStatusAt,
// renewals at the exact period end with their notice, dunning, pause and resume, cancel and auto-renew off, plan
// switches, vouchers, and two renewal runs at once charging each period exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transact } from '../../src/deps.ts';
import { DAY_MS } from '../../src/platform/clock.ts';
import { AppError } from '../../src/platform/errors.ts';
import type { PaymentGateway } from '../../src/ports/index.ts';
import { createMemberForSeed } from '../../src/modules/accounts/index.ts';
import { getMessage } from '../../src/modules/notifications/index.ts';
import * as membership from '../../src/modules/membership/index.ts';
import { runDueJobs } from '../../src/modules.ts';
import type { TestDeps } from '../support/deps.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import { sql } from 'kysely';
import { openDatabase, tables } from '../../src/db/database.ts';
import { postgresTestUrl } from '../support/databases.ts';

async function currentSchema(deps: TestDeps): Promise<string> {
  return (await sql<{ schema: string }>`select current_schema() as schema`.execute(deps.db)).rows[0]!.schema;
}

let memberCount = 0;

async function newMember(deps: TestDeps): Promise<string> {
  const n = ++memberCount;
  const created = await transact(deps, (trx) =>
    createMemberForSeed(trx, { email: `plus.${n}.${deps.ids.next('req').slice(-6).toLowerCase()}@example.com`, password: 'correct horse battery staple', country: 'US', dateOfBirth: '1990-05-05', firstName: 'Ada', emailVerified: true }),
  );
  return created.memberId;
}

const member = (id: string): membership.MembershipActor => ({ id, role: 'member' });

async function join(deps: TestDeps, memberId: string, plan: membership.Plan, paymentToken = 'tok_approve') {
  const result = await membership.joinPlus(deps, { memberId, plan, paymentToken, actor: member(memberId) });
  assert.equal(result.outcome, 'active');
  return result.outcome === 'active' ? result.subscription : assert.fail('not active');
}

/**
 * A gateway that declines the next `n` authorizations of one subscription (other tests' subscriptions in the same
 * database renew normally) and counts every authorization it sees.
 */
function scriptedGateway(inner: PaymentGateway) {
  const declines = new Map<string, number>();
  const authorized: string[] = [];
  const gateway: PaymentGateway = {
    ...inner,
    name: inner.name,
    async authorize(input) {
      authorized.push(input.idempotencyKey);
      const subscriptionId = input.idempotencyKey.split(':')[1]!;
      const left = declines.get(subscriptionId) ?? 0;
      if (left > 0) {
        declines.set(subscriptionId, left - 1);
        return inner.authorize({ ...input, token: 'tok_decline' });
      }
      return inner.authorize(input);
    },
  };
  return { gateway, authorized, decline: (subscriptionId: string, n: number) => void declines.set(subscriptionId, n) };
}

async function overview(deps: TestDeps, memberId: string) {
  return membership.getMembershipOverview(deps, memberId);
}

async function sweep(deps: TestDeps) {
  const report = await membership.runMembershipRenewals(deps);
  await membership.sendDueReminders(deps);
  await runDueJobs(deps);
  return report;
}

describeEachDatabase('membership', (suite) => {
  test('MB-1 MB-2 joining charges the plan price and starts benefits at the gateway confirmation; one subscription per member', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    const before = deps.clock.nowMs();
    const sub = await join(deps, id, 'monthly');
    assert.equal(sub.state, 'active');
    assert.equal(sub.currentPeriodEndMs, Date.UTC(2026, new Date(before).getUTCMonth() + 1, new Date(before).getUTCDate(), new Date(before).getUTCHours(), new Date(before).getUTCMinutes(), new Date(before).getUTCSeconds(), new Date(before).getUTCMilliseconds()));
    const view = await overview(deps, id);
    assert.equal(view.periods[0]!.priceMinor, 999);
    assert.equal(view.status.plan, 'monthly');
    assert.equal((await membership.plusStatusAt(deps, id, before - 1)).plan, null, 'not Plus before the payment');
    await assert.rejects(membership.joinPlus(deps, { memberId: id, plan: 'annual', paymentToken: 'tok_approve', actor: member(id) }), (e: unknown) => e instanceof AppError && e.code === 'already_exists');
    // The database itself refuses a second open subscription, whatever a caller does.
    const row = await tables<{ membership_subscriptions: Record<string, unknown> }>(deps.db).selectFrom('membership_subscriptions').selectAll().where('id', '=', sub.id).executeTakeFirstOrThrow();
    await assert.rejects(tables<{ membership_subscriptions: Record<string, unknown> }>(deps.db).insertInto('membership_subscriptions').values({ ...row, id: 'sub_second' }).execute());
  });

  test('MB-2 a declined first payment creates no membership and leaves nothing behind', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    const result = await membership.joinPlus(deps, { memberId: id, plan: 'annual', paymentToken: 'tok_decline', actor: member(id) });
    assert.equal(result.outcome, 'declined');
    const view = await overview(deps, id);
    assert.equal(view.subscription, null);
    assert.equal(view.history.length, 0);
    assert.equal((await membership.plusStatusAt(deps, id, deps.clock.nowMs())).plan, null);
    // Joining again with a good card works: the declined attempt did not hold the member's one subscription.
    assert.equal((await join(deps, id, 'annual')).state, 'active');
  });

  test('MB-2 a join whose gateway answer was lost stays pending_payment without benefits, and the settlement activates it once', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    const sandbox = deps.ports.payments;
    let lost = true;
    deps.ports.payments = {
      ...sandbox,
      async capture(input) {
        const answer = await sandbox.capture(input);
        if (lost) throw new (await import('../../src/ports/index.ts')).GatewayUnavailableError('connection reset');
        return answer;
      },
    };
    try {
      await assert.rejects(membership.joinPlus(deps, { memberId: id, plan: 'monthly', paymentToken: 'tok_approve', actor: member(id) }), (e: unknown) => e instanceof AppError && e.code === 'unavailable');
      const pending = await overview(deps, id);
      assert.equal(pending.subscription?.state, 'pending_payment');
      assert.equal(pending.status.plan, null, 'no benefits before the payment is confirmed');
      lost = false;
      deps.clock.advanceMs(6 * 60_000);
      assert.equal(await membership.settleStalePendingJoins(deps), 1);
      assert.equal(await membership.settleStalePendingJoins(deps), 0, 'settled once');
    } finally {
      deps.ports.payments = sandbox;
    }
    const view = await overview(deps, id);
    assert.equal(view.subscription?.state, 'active');
    assert.equal(view.periods.length, 1);
  });

  test('MB-3 MB-10 a renewal at the exact period end: charged once, no gap, a reminder 7 days before with date, price and how to cancel', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    const sub = await join(deps, id, 'monthly');
    const endMs = sub.currentPeriodEndMs!;
    deps.clock.setMs(endMs - 7 * DAY_MS - 1);
    await sweep(deps);
    assert.equal((await overview(deps, id)).notices.filter((n) => n.kind === 'renewal_reminder').length, 0, 'not before the lead');
    deps.clock.setMs(endMs - 7 * DAY_MS);
    await sweep(deps);
    const reminders = (await overview(deps, id)).notices.filter((n) => n.kind === 'renewal_reminder');
    assert.equal(reminders.length, 1, 'one reminder, 7 days ahead');
    assert.equal(reminders[0]!.renewsAtMs, endMs);
    assert.equal(reminders[0]!.priceMinor, 999);
    const email = await getMessage(deps, reminders[0]!.messageId!);
    assert.match(email!.text, /\$9\.99/);
    assert.match(email!.text, /turn off auto-renewal or cancel/);
    assert.match(email!.text, /\/account\/membership/);
    await sweep(deps);
    assert.equal((await overview(deps, id)).notices.filter((n) => n.kind === 'renewal_reminder').length, 1, 'sent once');

    deps.clock.setMs(endMs - 1);
    await sweep(deps);
    assert.equal((await overview(deps, id)).periods.length, 1, 'not renewed before the end');
    deps.clock.setMs(endMs);
    await sweep(deps);
    const renewed = await overview(deps, id);
    assert.equal(renewed.periods.length, 2);
    assert.equal(renewed.periods[1]!.startsAtMs, endMs, 'the new period starts at the old one’s end');
    assert.equal(renewed.subscription?.state, 'active');
    assert.equal(renewed.history[0]!.event, 'renewed');
    assert.equal(renewed.history[0]!.effectiveAtMs, endMs);
    assert.equal((await membership.plusStatusAt(deps, id, endMs - 1)).periodId, renewed.periods[0]!.id);
    assert.equal((await membership.plusStatusAt(deps, id, endMs)).periodId, renewed.periods[1]!.id, 'no gap at the boundary');
    assert.ok(renewed.notices.some((n) => n.kind === 'renewed'));
    await sweep(deps);
    assert.equal((await overview(deps, id)).periods.length, 2, 'charged once');
  });

  test('MB-3 an annual plan is reminded 30 days ahead', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    const sub = await join(deps, id, 'annual');
    deps.clock.setMs(sub.currentPeriodEndMs! - 30 * DAY_MS - 1);
    await sweep(deps);
    assert.equal((await overview(deps, id)).notices.filter((n) => n.kind === 'renewal_reminder').length, 0);
    deps.clock.advanceMs(1);
    await sweep(deps);
    const reminder = (await overview(deps, id)).notices.find((n) => n.kind === 'renewal_reminder');
    assert.equal(reminder?.priceMinor, 9999);
    assert.equal(reminder?.renewsAtMs, sub.currentPeriodEndMs);
  });

  test('MB-4 a failed renewal makes it past due (no benefits), paid on the second retry it is active again with no gap in the history', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    const sandbox = deps.ports.payments;
    const scripted = scriptedGateway(sandbox);
    deps.ports.payments = scripted.gateway;
    try {
      const sub = await join(deps, id, 'monthly');
      const endMs = sub.currentPeriodEndMs!;
      scripted.decline(sub.id, 2); // the renewal and the first retry fail
      deps.clock.setMs(endMs);
      await sweep(deps);
      let view = await overview(deps, id);
      assert.equal(view.subscription?.state, 'past_due');
      assert.equal((await membership.plusStatusAt(deps, id, endMs)).plan, null, 'benefits paused while past due');
      assert.equal(view.subscription?.nextRetryAtMs, endMs + DAY_MS, 'first retry a day later');
      assert.ok(view.notices.some((n) => n.kind === 'payment_failed'));
      deps.clock.setMs(endMs + DAY_MS);
      await sweep(deps);
      view = await overview(deps, id);
      assert.equal(view.subscription?.state, 'past_due');
      assert.equal(view.subscription?.retriesDone, 1);
      assert.equal(view.subscription?.nextRetryAtMs, endMs + 3 * DAY_MS);
      deps.clock.setMs(endMs + 3 * DAY_MS);
      await sweep(deps);
      view = await overview(deps, id);
      assert.equal(view.subscription?.state, 'active', 'paid on the second retry');
      assert.equal(view.periods.length, 2);
      assert.equal(view.periods[1]!.startsAtMs, endMs, 'the billing day is kept');
      const events = [...view.history].reverse().map((h) => `${h.event}:${h.toState}`);
      assert.deepEqual(events, ['joined:active', 'renewal_failed:past_due', 'retry_failed:past_due', 'reactivated:active']);
      const times = [...view.history].reverse().map((h) => h.effectiveAtMs);
      assert.deepEqual(times.slice(1), [endMs, endMs + DAY_MS, endMs + 3 * DAY_MS], 'each change dated when it happened: no gap');
      assert.equal((await membership.plusStatusAt(deps, id, endMs + 3 * DAY_MS)).periodId, view.periods[1]!.id);
    } finally {
      deps.ports.payments = sandbox;
    }
  });

  test('MB-4 when the renewal and its three retries over 7 days all fail, the membership lapses (final)', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    const sandbox = deps.ports.payments;
    const scripted = scriptedGateway(sandbox);
    deps.ports.payments = scripted.gateway;
    try {
      const sub = await join(deps, id, 'monthly');
      const endMs = sub.currentPeriodEndMs!;
      scripted.decline(sub.id, 10);
      for (const at of [endMs, endMs + DAY_MS, endMs + 3 * DAY_MS]) {
        deps.clock.setMs(at);
        await sweep(deps);
        assert.equal((await overview(deps, id)).subscription?.state, 'past_due');
      }
      deps.clock.setMs(endMs + 7 * DAY_MS);
      await sweep(deps);
      const view = await overview(deps, id);
      assert.equal(view.subscription?.state, 'lapsed');
      assert.equal(view.subscription?.endReason, 'payment_failed');
      assert.ok(view.notices.some((n) => n.kind === 'lapsed'));
      assert.equal(scripted.authorized.filter((key) => key.startsWith(`membership:${sub.id}:1:`)).length, 4, 'the renewal and three retries');
      await assert.rejects(membership.resumeMembership(deps, { memberId: id, actor: member(id) }), (e: unknown) => e instanceof AppError && e.code === 'not_found');
      assert.equal((await join(deps, id, 'monthly')).state, 'active', 'rejoining starts a new subscription');
    } finally {
      deps.ports.payments = sandbox;
    }
  });

  test('MB-5 MB-10 pause for 10 days, then resume: no benefits while paused, the renewal moves out by exactly 10 days', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    const sub = await join(deps, id, 'monthly');
    const endMs = sub.currentPeriodEndMs!;
    deps.clock.advanceMs(5 * DAY_MS);
    const pausedAt = deps.clock.nowMs();
    await transact(deps, (trx) => membership.pauseMembership(trx, { memberId: id, resumeAtMs: null, actor: member(id) }));
    deps.clock.advanceMs(10 * DAY_MS);
    const resumedAt = deps.clock.nowMs();
    const resumed = await transact(deps, (trx) => membership.resumeMembership(trx, { memberId: id, actor: member(id) }));
    assert.equal(resumed.currentPeriodEndMs, endMs + 10 * DAY_MS);
    assert.equal((await membership.plusStatusAt(deps, id, pausedAt - 1)).plan, 'monthly', 'before the pause');
    assert.equal((await membership.plusStatusAt(deps, id, pausedAt)).plan, null, 'during the pause');
    assert.equal((await membership.plusStatusAt(deps, id, resumedAt - 1)).plan, null, 'still paused');
    assert.equal((await membership.plusStatusAt(deps, id, resumedAt)).plan, 'monthly', 'after the resume');
    assert.equal((await membership.plusStatusAt(deps, id, endMs + 5 * DAY_MS)).plan, 'monthly', 'past the old renewal date, inside the moved period');
    deps.clock.setMs(endMs);
    await sweep(deps);
    assert.equal((await overview(deps, id)).periods.length, 1, 'no billing at the old date');
    deps.clock.setMs(endMs + 10 * DAY_MS);
    await sweep(deps);
    assert.equal((await overview(deps, id)).periods.length, 2, 'renewed at the moved date');
  });

  test('MB-5 a pause with a resume date resumes by itself on that date', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    const sub = await join(deps, id, 'annual');
    const resumeAtMs = deps.clock.nowMs() + 14 * DAY_MS;
    await transact(deps, (trx) => membership.pauseMembership(trx, { memberId: id, resumeAtMs, actor: member(id) }));
    await assert.rejects(
      transact(deps, (trx) => membership.pauseMembership(trx, { memberId: id, resumeAtMs, actor: member(id) })),
      (e: unknown) => e instanceof AppError && e.code === 'invalid_state',
    );
    deps.clock.setMs(resumeAtMs + 3 * 60_000);
    await sweep(deps);
    const view = await overview(deps, id);
    assert.equal(view.subscription?.state, 'active');
    assert.equal(view.subscription?.currentPeriodEndMs, sub.currentPeriodEndMs! + 14 * DAY_MS, 'moved by the paused time, from the resume date, not the run');
    assert.equal(view.history[0]!.effectiveAtMs, resumeAtMs);
    assert.equal((await membership.plusStatusAt(deps, id, resumeAtMs - 1)).plan, null);
    assert.equal((await membership.plusStatusAt(deps, id, resumeAtMs)).plan, 'annual');
  });

  test('MB-6 MB-7 cancel mid-period ends benefits at once and refunds nothing', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    const sandbox = deps.ports.payments;
    const refunds: unknown[] = [];
    deps.ports.payments = { ...sandbox, async refund(input) { refunds.push(input); return sandbox.refund(input); } };
    try {
      const sub = await join(deps, id, 'annual');
      deps.clock.advanceMs(40 * DAY_MS);
      const canceledAt = deps.clock.nowMs();
      const canceled = await transact(deps, (trx) => membership.cancelMembership(trx, { memberId: id, actor: member(id) }));
      assert.equal(canceled.state, 'canceled');
      assert.equal((await membership.plusStatusAt(deps, id, canceledAt - 1)).plan, 'annual');
      assert.equal((await membership.plusStatusAt(deps, id, canceledAt)).plan, null, 'benefits end at once');
      deps.clock.setMs(sub.currentPeriodEndMs!);
      await sweep(deps);
      assert.equal((await overview(deps, id)).periods.length, 1, 'never renewed');
      assert.deepEqual(refunds, [], 'no refund, no proration');
      await assert.rejects(transact(deps, (trx) => membership.cancelMembership(trx, { memberId: id, actor: member(id) })), (e: unknown) => e instanceof AppError && e.code === 'not_found');
    } finally {
      deps.ports.payments = sandbox;
    }
  });

  test('MB-6 auto-renew off keeps benefits to the end of the period, then it ends without a charge', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    const sub = await join(deps, id, 'monthly');
    await transact(deps, (trx) => membership.setAutoRenew(trx, { memberId: id, enabled: false, actor: member(id) }));
    const endMs = sub.currentPeriodEndMs!;
    deps.clock.setMs(endMs - 7 * DAY_MS);
    await sweep(deps);
    assert.equal((await overview(deps, id)).notices.filter((n) => n.kind === 'renewal_reminder').length, 0, 'no renewal, no reminder');
    assert.equal((await membership.plusStatusAt(deps, id, endMs - 1)).plan, 'monthly', 'benefits to the end');
    deps.clock.setMs(endMs + 60_000);
    await sweep(deps);
    const view = await overview(deps, id);
    assert.equal(view.subscription?.state, 'canceled');
    assert.equal(view.subscription?.endReason, 'not_renewed');
    assert.equal(view.subscription?.endedAtMs, endMs, 'ended at the period end, not when the run came');
    assert.equal(view.periods.length, 1);
    assert.equal((await membership.plusStatusAt(deps, id, endMs)).plan, null);
  });

  test('MB-10 switching monthly to annual takes effect at the next renewal at the annual price; the reminder states it', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    const sub = await join(deps, id, 'monthly');
    await transact(deps, (trx) => membership.switchPlan(trx, { memberId: id, plan: 'annual', actor: member(id) }));
    assert.equal((await membership.plusStatusAt(deps, id, deps.clock.nowMs())).plan, 'monthly', 'the current period keeps its plan');
    deps.clock.setMs(sub.currentPeriodEndMs! - 20 * DAY_MS);
    await sweep(deps);
    const reminder = (await overview(deps, id)).notices.find((n) => n.kind === 'renewal_reminder');
    assert.equal(reminder?.plan, 'annual', 'the renewal charges the annual plan, so its 30-day notice is due at once');
    assert.equal(reminder?.priceMinor, 9999);
    deps.clock.setMs(sub.currentPeriodEndMs!);
    await sweep(deps);
    const view = await overview(deps, id);
    assert.equal(view.periods[1]!.plan, 'annual');
    assert.equal(view.periods[1]!.priceMinor, 9999);
    assert.equal(view.periods[1]!.endsAtMs, Date.UTC(new Date(sub.currentPeriodEndMs!).getUTCFullYear() + 1, new Date(sub.currentPeriodEndMs!).getUTCMonth(), new Date(sub.currentPeriodEndMs!).getUTCDate(), new Date(sub.currentPeriodEndMs!).getUTCHours(), new Date(sub.currentPeriodEndMs!).getUTCMinutes(), new Date(sub.currentPeriodEndMs!).getUTCSeconds(), new Date(sub.currentPeriodEndMs!).getUTCMilliseconds()));
    assert.equal((await membership.plusStatusAt(deps, id, sub.currentPeriodEndMs!)).plan, 'annual');
  });

  test('MB-8 a next-day delivery voucher is used once and given back when its order is cancelled before shipping', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    await join(deps, id, 'monthly');
    const atMs = deps.clock.nowMs();
    const used = await transact(deps, (trx) => membership.useDeliveryVoucher(trx, { memberId: id, orderId: 'ord_voucher_1', atMs }));
    assert.ok(used.voucherId);
    await assert.rejects(
      transact(deps, (trx) => membership.useDeliveryVoucher(trx, { memberId: id, orderId: 'ord_voucher_2', atMs })),
      (e: unknown) => e instanceof AppError && e.code === 'not_eligible' && /no next-day delivery voucher left/.test(e.message),
    );
    assert.equal(await transact(deps, (trx) => membership.restoreDeliveryVoucher(trx, 'ord_voucher_1')), true);
    const again = await transact(deps, (trx) => membership.useDeliveryVoucher(trx, { memberId: id, orderId: 'ord_voucher_2', atMs }));
    assert.equal(again.voucherId, used.voucherId, 'the same voucher, usable again');
    const view = await overview(deps, id);
    assert.deepEqual(view.benefitsUsed.map((use) => `${use.orderId}:${use.state}`).sort(), ['ord_voucher_1:restored', 'ord_voucher_2:used']);
    const stranger = await newMember(deps);
    await assert.rejects(transact(deps, (trx) => membership.useDeliveryVoucher(trx, { memberId: stranger, orderId: 'ord_voucher_3', atMs })), (e: unknown) => e instanceof AppError && e.code === 'not_eligible');
  });

  test('MB-8 an annual membership releases one voucher a month', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    await join(deps, id, 'annual');
    const first = await overview(deps, id);
    assert.equal(first.vouchers?.available, 1);
    deps.clock.advanceMs(32 * DAY_MS);
    assert.equal((await overview(deps, id)).vouchers?.available, 2);
  });

  test('MB-10 MB-9 plusStatusAt answers "annual at the time of purchase" after the membership has ended', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    const sub = await join(deps, id, 'annual');
    const boughtAt = deps.clock.nowMs() + DAY_MS;
    deps.clock.advanceMs(100 * DAY_MS);
    await transact(deps, (trx) => membership.cancelMembership(trx, { memberId: id, actor: member(id) }));
    assert.deepEqual(await membership.plusStatusAt(deps, id, boughtAt), { plan: 'annual', periodId: sub.currentPeriodId });
    assert.equal((await membership.plusStatusAt(deps, id, deps.clock.nowMs())).plan, null);
  });

  test('MB-8 priority: Plus members are flagged priority while active, not after they cancel', async () => {
    const deps = suite.deps();
    const id = await newMember(deps);
    await join(deps, id, 'monthly');
    assert.equal(await membership.isPriorityMember(deps, id, deps.clock.nowMs()), true);
    await transact(deps, (trx) => membership.cancelMembership(trx, { memberId: id, actor: member(id) }));
    assert.equal(await membership.isPriorityMember(deps, id, deps.clock.nowMs()), false);
    assert.equal((await overview(deps, id)).vouchers?.available, 0, 'an ended membership has no voucher to use');
  });
});

describeEachDatabase('membership renewals on several instances', (suite) => {
  test('MB-3 two renewal runs at once (two instances on their own connections) charge each due subscription exactly once per period', async () => {
    const deps = suite.deps();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await newMember(deps));
    const subs = [];
    for (const id of ids) subs.push(await join(deps, id, 'monthly'));
    const latestEnd = Math.max(...subs.map((s) => s.currentPeriodEndMs!));
    deps.clock.setMs(latestEnd);
    const counting = scriptedGateway(deps.ports.payments);
    deps.ports.payments = counting.gateway;
    // A second instance: on PostgreSQL its own connection pool to the same schema, on SQLite (in memory, one
    // connection) the same database; the same counting gateway, so it sees every charge of both.
    const otherDatabase = suite.dialect === 'postgres' ? await openDatabase({ url: postgresTestUrl!, schema: await currentSchema(deps), poolSize: 4 }) : undefined;
    const second = otherDatabase ? { ...deps, database: otherDatabase, db: otherDatabase.db, ports: { ...deps.ports } } : { ...deps, ports: { ...deps.ports } };
    // Connected before the race: a new pool's first connection took long enough for the first instance to renew all six
    // on its own (a CI run failed "both instances took part" that way).
    if (otherDatabase) await Promise.all(Array.from({ length: 4 }, () => sql`select 1`.execute(otherDatabase.db)));
    const [a, b] = await Promise.all([membership.runMembershipRenewals(deps, { workerId: 'instance-a', batchSize: 2 }), membership.runMembershipRenewals(second, { workerId: 'instance-b', batchSize: 2 })]).finally(() => otherDatabase?.close());
    if (otherDatabase) assert.ok(a.renewed > 0 && b.renewed > 0, 'both instances took part');
    assert.equal(a.renewed + b.renewed, subs.length, 'every subscription renewed');
    for (const sub of subs) {
      const keys = counting.authorized.filter((key) => key.startsWith(`membership:${sub.id}:1:`));
      assert.equal(keys.length, 1, `${sub.id} charged once`);
      assert.equal((await membership.getMembershipOverview(deps, sub.memberId)).periods.length, 2);
    }
  });
}, { poolSize: 4 });
