// The store's background work: storefront webhook processing (ST-8), shipping redemptions (CR-13) and pruning
// finished webhook events (PV-16). Finishing refunds and settling abandoned checkouts are the flows' jobs
// (src/flows/flows.jobs.ts); idempotency keys are the platform's (src/http/idempotency.ts).
import { z } from 'zod';
import { transact } from '../../deps.ts';
import { concurrentJobs, type JobHandler, type Schedule } from '../../jobs/index.ts';
import { DAY_MS } from '../../platform/clock.ts';
import { shipRedemption, shipRedemptionJobType } from './redemptions.service.ts';
import { processStorefrontWebhook, processWebhookJobType, pruneWebhookEvents } from './webhooks.service.ts';

export const pruneWebhookEventsJobType = 'store-prune-webhook-events';

const eventPayload = z.strictObject({ eventId: z.string().min(1).max(100) });
const redemptionPayload = z.strictObject({ redemptionId: z.string().min(1).max(100) });

export const storeJobHandlers: Record<string, JobHandler> = {
  // Concurrent: independent events (each locks its own inbox row) whose ledger earnings share append groups.
  [processWebhookJobType]: concurrentJobs(async (deps, payload) => {
    await processStorefrontWebhook(deps, eventPayload.parse(payload).eventId);
  }),
  [shipRedemptionJobType]: async (deps, payload) => {
    const { redemptionId } = redemptionPayload.parse(payload);
    await transact(deps, (trx) => shipRedemption(trx, redemptionId));
  },
  [pruneWebhookEventsJobType]: async (deps) => {
    await pruneWebhookEvents(deps);
  },
};

export const storeSchedules: Schedule[] = [
  // Webhook bodies hold customers' contact details: finished events are deleted after their retention (PV-16).
  { type: pruneWebhookEventsJobType, everyMs: DAY_MS },
];
