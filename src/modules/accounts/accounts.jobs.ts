// Hourly upkeep: expired sessions, links, challenges, provider sign-in state and stale throttles are deleted in
// bounded batches (CONVENTIONS 12), so these tables hold only what can still be used.
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { HOUR_MS } from '../../platform/clock.ts';
import { deleteExpiredAccountTokens } from './account-tokens.repository.ts';
import { deleteExpiredOidcState } from './oidc.repository.ts';
import { deleteExpiredSessions } from './sessions.repository.ts';
import { failureWindowMs } from './throttle.rules.ts';
import { deleteStaleThrottles } from './throttles.repository.ts';
import { deleteExpiredChallenges } from './two-factor.repository.ts';

export const purgeJobType = 'accounts-purge';
const batchSize = 500;
const maxBatches = 20;

async function inBatches(purge: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const deleted = await purge();
    total += deleted;
    if (deleted < batchSize) break;
  }
  return total;
}

export async function purgeExpiredAccountState(ctx: Ctx): Promise<number> {
  const nowMs = ctx.clock.nowMs();
  let total = 0;
  total += await inBatches(() => deleteExpiredSessions(ctx.db, nowMs, batchSize));
  total += await inBatches(() => deleteExpiredAccountTokens(ctx.db, nowMs, batchSize));
  total += await inBatches(() => deleteExpiredChallenges(ctx.db, nowMs, batchSize));
  total += await inBatches(() => deleteExpiredOidcState(ctx.db, nowMs, batchSize));
  total += await inBatches(() => deleteStaleThrottles(ctx.db, nowMs - failureWindowMs, nowMs, batchSize));
  return total;
}

export const jobHandlers: Record<string, JobHandler> = {
  [purgeJobType]: async (deps, payload) => {
    z.null().parse(payload);
    const deleted = await purgeExpiredAccountState(deps);
    if (deleted > 0) deps.logger.info({ deleted }, 'purged expired account state');
  },
};

export const schedules: Schedule[] = [{ type: purgeJobType, everyMs: HOUR_MS }];
