// Durable flows with real processes (issue 7 point 5), on a SQLite file and on PostgreSQL: a child process is
// SIGKILLed between two steps (after a step's record committed, before the next), the compensating refund is refused
// by the gateway in between, and restarted processes' resume jobs finish each flow exactly once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transact, type Deps } from '../../src/deps.ts';
import { runDueJobs } from '../../src/modules.ts';
import { getBalance, runCreditsAudit } from '../../src/modules/credits/index.ts';
import { changeRewardItem, getOrderDetail, listMemberRedemptions, listRewardItems } from '../../src/modules/store/index.ts';
import { listRunsNeedingAttention } from '../../src/flows/index.ts';
import { refusingRefunds } from '../support/flow-faults.ts';
import { advanceStoredClock, crashDialects, newInstallation, runCrashChild, withRestart } from '../support/crash-installation.ts';

const minuteMs = 60_000;

async function sandboxMoney(deps: Deps, paymentId: string) {
  const payment = await deps.db.selectFrom('sandbox_gateway_payments').select(['captured_minor', 'refunded_minor']).where('id', '=', paymentId).executeTakeFirstOrThrow();
  const keys = await deps.db.selectFrom('sandbox_gateway_requests').select(['operation', 'response']).execute();
  const succeeded = (operation: string) => keys.filter((row) => row.operation === operation && JSON.parse(String(row.response)).ok === true && JSON.parse(String(row.response)).paymentId === paymentId).length;
  return { capturedMinor: Number(payment.captured_minor), refundedMinor: Number(payment.refunded_minor), captures: succeeded('capture'), refunds: succeeded('refund') };
}

async function onlyRun(deps: Deps) {
  const runs = await deps.db.selectFrom('flow_runs').selectAll().execute();
  assert.equal(runs.length, 1, 'one run per business object');
  return runs[0]!;
}

for (const dialect of crashDialects()) {
  test(`CR-12 ST-3 [${dialect}] a checkout killed between capture and finalize, its stale settlement's refund refused, then killed again between the refund and the abandonment: restarts finish it once (captured once, refunded once, order abandoned, hold released once)`, async () => {
    const installation = await newInstallation(dialect, 'flow-crash');
    try {
      runCrashChild(installation, 'checkout', 'first');
      const { orderId, paymentId, memberId, totalMinor, creditsBefore } = await withRestart(installation, async (deps) => {
        const run = await onlyRun(deps);
        assert.equal(run.state, 'running');
        assert.equal(run.current_step, 'capture', 'the capture is the last recorded step');
        const orderId = String(run.key).slice('checkout:'.length);
        const order = await getOrderDetail(deps, orderId);
        assert.equal(order.status, 'pending_payment');
        const before = await getBalance(deps, order.memberId!);
        assert.equal(before.held, 500);
        // The settlement's refund is refused the first time the resume job runs past the stale-checkout timeout.
        const flaky = refusingRefunds(deps.ports.payments);
        deps.ports.payments = flaky.gateway;
        await runDueJobs(deps);
        assert.equal((await onlyRun(deps)).state, 'running', 'not stale before the hold timeout');
        await advanceStoredClock(deps, 36 * minuteMs);
        await runDueJobs(deps);
        assert.ok(flaky.refusals() >= 1);
        assert.equal((await onlyRun(deps)).state, 'needs_attention');
        assert.equal((await getOrderDetail(deps, orderId)).status, 'pending_payment', 'not abandoned while the money is captured');
        assert.equal((await listRunsNeedingAttention(deps)).length, 1);
        return { orderId, paymentId: order.payment!.gatewayPaymentId!, memberId: order.memberId!, totalMinor: order.totalMinor, creditsBefore: before.spendable + before.held };
      });

      runCrashChild(installation, 'checkout', 'resume');
      await withRestart(installation, async (deps) => {
        const money = await sandboxMoney(deps, paymentId);
        assert.equal(money.refundedMinor, totalMinor, 'the refund went through before the kill');
        assert.equal((await getOrderDetail(deps, orderId)).status, 'pending_payment', 'killed before the abandonment');
        await advanceStoredClock(deps, minuteMs);
        await runDueJobs(deps);
      });
      for (let restart = 0; restart < 2; restart++) {
        await withRestart(installation, async (deps) => {
          await advanceStoredClock(deps, 2 * minuteMs);
          await runDueJobs(deps);
        });
      }
      await withRestart(installation, async (deps) => {
        const run = await onlyRun(deps);
        assert.equal(run.state, 'compensated');
        const order = await getOrderDetail(deps, orderId);
        assert.equal(order.status, 'abandoned');
        const money = await sandboxMoney(deps, paymentId);
        assert.deepEqual(money, { capturedMinor: totalMinor, refundedMinor: totalMinor, captures: 1, refunds: 1 });
        const balance = await getBalance(deps, memberId);
        assert.equal(balance.held, 0);
        assert.equal(balance.spendable, creditsBefore, 'every held credit is spendable again');
        const kinds = (await deps.db.selectFrom('credit_transactions').select('kind').where('member_id', '=', memberId).execute()).map((row) => String(row.kind));
        assert.equal(kinds.filter((kind) => kind === 'hold').length, 1);
        assert.equal(kinds.filter((kind) => kind === 'release' || kind === 'hold_expired').length, 1, 'the hold is released once');
        assert.equal(kinds.filter((kind) => kind === 'capture').length, 0);
        assert.equal((await runCreditsAudit(deps)).ok, true);
        assert.equal((await listRunsNeedingAttention(deps)).length, 0);
      });
    } finally {
      await installation.dispose();
    }
  });

  test(`CR-13 ST-3 [${dialect}] a redemption killed after its fee was captured, the reward gone meanwhile, the fee refund refused, then killed after the refund: restarts finish it once (fee captured once, refunded once, no redemption, credits untouched)`, async () => {
    const installation = await newInstallation(dialect, 'flow-crash');
    try {
      runCrashChild(installation, 'redemption', 'first');
      const { redemptionId, memberId, creditsBefore } = await withRestart(installation, async (deps) => {
        const run = await onlyRun(deps);
        assert.equal(run.state, 'running');
        assert.equal(run.current_step, 'capture');
        const system = { id: null, role: 'system' as const };
        const item = (await listRewardItems(deps, {})).find((reward) => reward.sku === 'CRASH-RW')!;
        await transact(deps, (trx) => changeRewardItem(trx, system, item.id, { status: 'archived' }));
        const flaky = refusingRefunds(deps.ports.payments);
        deps.ports.payments = flaky.gateway;
        await advanceStoredClock(deps, 11 * minuteMs); // past the run's lease: the resume job takes it over
        await runDueJobs(deps);
        assert.ok(flaky.refusals() >= 1);
        assert.equal((await onlyRun(deps)).state, 'needs_attention');
        return { redemptionId: String(run.key).slice('redemption:'.length), memberId: String(run.member_id), creditsBefore: (await getBalance(deps, String(run.member_id))).spendable };
      });

      runCrashChild(installation, 'redemption', 'resume');
      for (let restart = 0; restart < 2; restart++) {
        await withRestart(installation, async (deps) => {
          await advanceStoredClock(deps, 11 * minuteMs); // the killed resumer's lease on the run
          await runDueJobs(deps);
        });
      }
      await withRestart(installation, async (deps) => {
        assert.equal((await onlyRun(deps)).state, 'compensated');
        const capture = await deps.db.selectFrom('sandbox_gateway_requests').select('response').where('idempotency_key', '=', `redemption:${redemptionId}:capture`).executeTakeFirstOrThrow();
        const paymentId = (JSON.parse(String(capture.response)) as { paymentId: string }).paymentId;
        assert.deepEqual(await sandboxMoney(deps, paymentId), { capturedMinor: 499, refundedMinor: 499, captures: 1, refunds: 1 });
        assert.equal((await listMemberRedemptions(deps, memberId)).length, 0);
        assert.equal((await getBalance(deps, memberId)).spendable, creditsBefore, 'no credits were spent');
        assert.equal((await runCreditsAudit(deps)).ok, true);
      });
    } finally {
      await installation.dispose();
    }
  });
}
