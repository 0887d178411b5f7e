// The platform's idempotency upkeep: records past their lifetime are pruned once a day, in bounded batches.
import { z } from 'zod';
import type { JobHandler, Schedule } from '../jobs/queue.ts';
import { DAY_MS } from '../platform/clock.ts';
import { pruneIdempotencyKeys } from './idempotency.service.ts';

export const pruneIdempotencyKeysJobType = 'idempotency-keys-prune';

export const jobHandlers: Record<string, JobHandler> = {
  [pruneIdempotencyKeysJobType]: async (deps, payload) => {
    z.null().parse(payload);
    const deleted = await pruneIdempotencyKeys(deps);
    if (deleted > 0) deps.logger.info({ deleted }, 'pruned idempotency keys');
  },
};

export const schedules: Schedule[] = [{ type: pruneIdempotencyKeysJobType, everyMs: DAY_MS }];
