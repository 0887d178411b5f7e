// The outgoing-webhook jobs: dispatch every 10 seconds (fan-out, sending, automatic disabling) and a daily prune of
// finished deliveries. Both are idempotent: a second run finds nothing left to do.
import { z } from 'zod';
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { DAY_MS } from '../../platform/clock.ts';
import { pruneDeliveries, runWebhookDispatch } from './delivery.service.ts';

export const dispatchJobType = 'webhooks-dispatch';
export const pruneJobType = 'webhooks-prune';
/** How often the dispatch runs: an event reaches its endpoints within about this long (plus the worker's poll). */
export const dispatchEveryMs = 10_000;

export const jobHandlers: Record<string, JobHandler> = {
  [dispatchJobType]: async (deps, payload) => {
    z.null().parse(payload);
    const result = await runWebhookDispatch(deps);
    if (result.attempted > 0 || result.fannedOut > 0) deps.logger.info(result, 'webhook dispatch');
  },
  [pruneJobType]: async (deps, payload) => {
    z.null().parse(payload);
    const deleted = await pruneDeliveries(deps);
    if (deleted > 0) deps.logger.info({ deleted }, 'pruned finished webhook deliveries');
  },
};

export const schedules: Schedule[] = [
  { type: dispatchJobType, everyMs: dispatchEveryMs },
  { type: pruneJobType, everyMs: DAY_MS },
];
