// The flows' background work: the resume job that continues and undoes unfinished runs (with backoff, never giving
// up on a compensation), and the stale-checkout sweep for checkouts left pending past the policy's hold timeout.
import { z } from 'zod';
import type { JobHandler, Schedule } from '../jobs/index.ts';
import { DAY_MS, MINUTE_MS } from '../platform/clock.ts';
import { staleCheckouts } from '../modules/store/index.ts';
import { settleStaleCheckout } from './checkout.ts';
import { flowDefinitions } from './definitions.ts';
import { adoptPendingRefund } from './refund.ts';
import { resumeDueRuns } from './runner.ts';
import { deleteFinishedRuns } from './runs.repository.ts';

export const resumeFlowsJobType = 'flows-resume';
export const pruneFlowsJobType = 'flows-prune';
/** Finished runs are kept this long for support questions, then deleted (their data-map retention). */
export const finishedRunLifetimeMs = 90 * DAY_MS;
// The two store job types kept by name: slots and refund jobs queued before the flows took them over still run.
export const settleCheckoutsJobType = 'store-settle-checkouts';
export const legacyResumeRefundJobType = 'store-resume-refund';

export const resumeFlowsEveryMs = MINUTE_MS;
export const settleCheckoutsEveryMs = 5 * MINUTE_MS;

const refundPayload = z.strictObject({ refundId: z.string().min(1).max(100) });

export const flowsJobHandlers: Record<string, JobHandler> = {
  [resumeFlowsJobType]: async (deps) => {
    await resumeDueRuns(deps, flowDefinitions, 100);
  },
  [settleCheckoutsJobType]: async (deps) => {
    // Bounded batch; the next slot takes the rest.
    for (const orderId of await staleCheckouts(deps, 100)) await settleStaleCheckout(deps, orderId);
  },
  [pruneFlowsJobType]: async (deps) => {
    await deleteFinishedRuns(deps.db, deps.clock.nowMs() - finishedRunLifetimeMs, 500);
  },
  [legacyResumeRefundJobType]: async (deps, payload) => {
    await adoptPendingRefund(deps, refundPayload.parse(payload).refundId);
  },
};

export const flowsSchedules: Schedule[] = [
  { type: resumeFlowsJobType, everyMs: resumeFlowsEveryMs },
  { type: settleCheckoutsJobType, everyMs: settleCheckoutsEveryMs },
  { type: pruneFlowsJobType, everyMs: DAY_MS },
];
