// The store's background work: storefront webhook processing (ST-8), shipping redemptions (CR-13) and pruning
// idempotency keys. Finishing refunds and settling abandoned checkouts are the flows' jobs (src/flows/flows.jobs.ts).
import { z } from 'zod';
import { transact } from '../../deps.ts';
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { pruneIdempotencyKeys } from './idempotency.ts';
import { idempotencyPruneEveryMs } from './orders.service.ts';
import { shipRedemption, shipRedemptionJobType } from './redemptions.service.ts';
import { processStorefrontWebhook, processWebhookJobType } from './webhooks.service.ts';

export const pruneIdempotencyJobType = 'store-prune-idempotency';

const eventPayload = z.strictObject({ eventId: z.string().min(1).max(100) });
const redemptionPayload = z.strictObject({ redemptionId: z.string().min(1).max(100) });

export const storeJobHandlers: Record<string, JobHandler> = {
  [processWebhookJobType]: async (deps, payload) => {
    await processStorefrontWebhook(deps, eventPayload.parse(payload).eventId);
  },
  [shipRedemptionJobType]: async (deps, payload) => {
    const { redemptionId } = redemptionPayload.parse(payload);
    await transact(deps, (trx) => shipRedemption(trx, redemptionId));
  },
  [pruneIdempotencyJobType]: async (deps) => {
    await pruneIdempotencyKeys(deps);
  },
};

export const storeSchedules: Schedule[] = [{ type: pruneIdempotencyJobType, everyMs: idempotencyPruneEveryMs }];
