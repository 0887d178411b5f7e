// The store's background work: storefront webhook processing (ST-8), shipping redemptions (CR-13), finishing
// refunds whose gateway answer was lost (ST-6), settling abandoned checkouts (CR-12) and pruning finished webhook
// events (PV-16). Idempotency keys are the platform's (src/http/idempotency.ts).
import { z } from 'zod';
import { transact } from '../../deps.ts';
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { settleStaleCheckout } from '../../flows/checkout.ts';
import { resumeRefund } from '../../flows/refund.ts';
import { checkoutSweepEveryMs, staleCheckouts } from './orders.service.ts';
import { shipRedemption, shipRedemptionJobType } from './redemptions.service.ts';
import { resumeRefundJobType } from './refunds.service.ts';
import { processStorefrontWebhook, processWebhookJobType, pruneWebhookEvents } from './webhooks.service.ts';
import { DAY_MS } from '../../platform/clock.ts';

export const settleCheckoutsJobType = 'store-settle-checkouts';
export const pruneWebhookEventsJobType = 'store-prune-webhook-events';

const eventPayload = z.strictObject({ eventId: z.string().min(1).max(100) });
const redemptionPayload = z.strictObject({ redemptionId: z.string().min(1).max(100) });
const refundPayload = z.strictObject({ refundId: z.string().min(1).max(100) });

export const storeJobHandlers: Record<string, JobHandler> = {
  [processWebhookJobType]: async (deps, payload) => {
    await processStorefrontWebhook(deps, eventPayload.parse(payload).eventId);
  },
  [shipRedemptionJobType]: async (deps, payload) => {
    const { redemptionId } = redemptionPayload.parse(payload);
    await transact(deps, (trx) => shipRedemption(trx, redemptionId));
  },
  [resumeRefundJobType]: async (deps, payload) => {
    await resumeRefund(deps, refundPayload.parse(payload).refundId);
  },
  [settleCheckoutsJobType]: async (deps) => {
    // Bounded batch; the next slot takes the rest.
    for (const orderId of await staleCheckouts(deps, 100)) await settleStaleCheckout(deps, orderId);
  },
  [pruneWebhookEventsJobType]: async (deps) => {
    await pruneWebhookEvents(deps);
  },
};

export const storeSchedules: Schedule[] = [
  { type: settleCheckoutsJobType, everyMs: checkoutSweepEveryMs },
  // Webhook bodies hold customers' contact details: finished events are deleted after their retention (PV-16).
  { type: pruneWebhookEventsJobType, everyMs: DAY_MS },
];
