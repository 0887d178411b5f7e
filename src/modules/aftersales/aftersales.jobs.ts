// The after-sales module's scheduled work: every five minutes, cases whose waiting time ran out expire
// (needs_info, awaiting_return). Expiry is counted in days, so five minutes late is well inside what anyone notices,
// and each run is a couple of index range reads when nothing is due.
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { MINUTE_MS } from '../../platform/clock.ts';
import { expireDueCases } from './case-expiry.service.ts';

export const caseExpiryJobType = 'aftersales-expire-cases';

export const aftersalesJobHandlers: Record<string, JobHandler> = {
  [caseExpiryJobType]: async (deps: Deps, payload) => {
    z.null().parse(payload);
    const report = await expireDueCases(deps);
    if (report.expired > 0 || report.skipped > 0) deps.logger.info({ ...report }, 'after-sales cases expired');
  },
};

export const aftersalesSchedules: Schedule[] = [{ type: caseExpiryJobType, everyMs: 5 * MINUTE_MS }];
