// A case's refund resolution with real processes (issue 9 point 7, AS-11, CR-16), on a SQLite file and on PostgreSQL:
// the child is SIGKILLed after the gateway refund was recorded and before the transaction that reverses the credits
// and resolves the case; restarted processes' resume jobs finish it once: refunded once at the gateway, the line's
// credits reversed once, the case resolved once with the refund linked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deps } from '../../src/deps.ts';
import { runDueJobs } from '../../src/modules.ts';
import { runCreditsAudit } from '../../src/modules/credits/index.ts';
import { getOrderDetail } from '../../src/modules/store/index.ts';
import { findCase, listTransitions } from '../../src/modules/aftersales/cases.repository.ts';
import { advanceStoredClock, crashDialects, newInstallation, runCrashChild, withRestart } from '../support/crash-installation.ts';

const minuteMs = 60_000;

async function caseRun(deps: Deps) {
  const runs = await deps.db.selectFrom('flow_runs').selectAll().where('type', '=', 'case-resolution').execute();
  assert.equal(runs.length, 1, 'one run per case');
  const run = runs[0]!;
  return { run, input: JSON.parse(String(run.input)) as { caseId: string; orderId: string; lineId: string; refundId: string; gatewayPaymentId: string; amountMinor: number } };
}

async function gatewayRefunds(deps: Deps, paymentId: string) {
  const payment = await deps.db.selectFrom('sandbox_gateway_payments').select(['refunded_minor']).where('id', '=', paymentId).executeTakeFirstOrThrow();
  const rows = await deps.db.selectFrom('sandbox_gateway_requests').select(['operation', 'response']).where('operation', '=', 'refund').execute();
  const refunds = rows.filter((row) => {
    const answer = JSON.parse(String(row.response)) as { ok: boolean; paymentId?: string };
    return answer.ok && answer.paymentId === paymentId;
  }).length;
  return { refundedMinor: Number(payment.refunded_minor), refunds };
}

for (const dialect of crashDialects()) {
  test(`AS-11 CR-16 [${dialect}] a case's refund killed between the gateway refund and the resolve: after restarts the case is resolved once, the gateway refunded once and the line's credits reversed once`, async () => {
    const installation = await newInstallation(dialect, 'case-crash');
    try {
      runCrashChild(installation, 'case-resolution', 'first');
      const expected = await withRestart(installation, async (deps) => {
        const { run, input } = await caseRun(deps);
        assert.equal(run.state, 'running');
        assert.equal(run.current_step, 'refund', 'the gateway refund is the last recorded step');
        assert.equal(run.key, `case-resolution:${input.caseId}`);
        const record = (await findCase(deps.db, input.caseId))!;
        assert.equal(record.state, 'received', 'killed before the resolve');
        assert.notEqual(record.resolvingSinceMs, null, 'the case is taken by its refund');
        const order = await getOrderDetail(deps, input.orderId);
        const line = order.lines.find((candidate) => candidate.id === input.lineId)!;
        assert.ok(line.earnedCredits > 0);
        assert.deepEqual(await gatewayRefunds(deps, input.gatewayPaymentId), { refundedMinor: line.paidMinor, refunds: 1 }, 'the money went back before the kill');
        assert.deepEqual(order.refunds.map((refund) => refund.status), ['pending']);
        // Before the run's lease ends the resume job leaves it alone; after it, the job finishes it.
        await runDueJobs(deps);
        assert.equal((await caseRun(deps)).run.state, 'running');
        await advanceStoredClock(deps, 11 * minuteMs);
        await runDueJobs(deps);
        return { input, line };
      });

      for (let restart = 0; restart < 2; restart++) {
        await withRestart(installation, async (deps) => {
          await advanceStoredClock(deps, 11 * minuteMs);
          await runDueJobs(deps);
        });
      }

      await withRestart(installation, async (deps) => {
        const { input, line } = expected;
        assert.equal((await caseRun(deps)).run.state, 'completed');
        const record = (await findCase(deps.db, input.caseId))!;
        assert.equal(record.state, 'resolved');
        assert.equal(record.resolvingSinceMs, null);
        assert.deepEqual(record.resolution, {
          refundId: input.refundId,
          orderId: null,
          amountMinor: line.paidMinor,
          creditsReversed: line.earnedCredits,
          creditsRestored: 0,
          detail: `$${(line.paidMinor / 100).toFixed(2)} refunded; ${line.earnedCredits} credits earned on it were reversed`,
        });
        assert.equal((await listTransitions(deps.db, input.caseId)).filter((entry) => entry.toState === 'resolved').length, 1, 'resolved once');
        assert.deepEqual(await gatewayRefunds(deps, input.gatewayPaymentId), { refundedMinor: line.paidMinor, refunds: 1 }, 'refunded once');
        const order = await getOrderDetail(deps, input.orderId);
        assert.deepEqual(order.refunds.map((refund) => [refund.id, refund.status, refund.creditsReversed]), [[input.refundId, 'completed', line.earnedCredits]]);
        const reversals = await deps.db.selectFrom('credit_transactions').select(['credits', 'order_line_id']).where('kind', '=', 'reversal').execute();
        assert.deepEqual(reversals.map((row) => [String(row.order_line_id), Math.abs(Number(row.credits))]), [[input.lineId, line.earnedCredits]], 'reversed once, that line only');
        assert.equal((await runCreditsAudit(deps)).ok, true);
      });
    } finally {
      await installation.dispose();
    }
  });
}
