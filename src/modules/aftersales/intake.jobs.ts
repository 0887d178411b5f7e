// The intake's background work: closing guest cases whose email address was never confirmed (AS-1), hourly.
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { HOUR_MS } from '../../platform/clock.ts';
import { expireUnconfirmedGuestCases } from './intake.service.ts';

export const expireUnconfirmedCasesJobType = 'aftersales-expire-unconfirmed-guest-cases';

export const intakeJobHandlers: Record<string, JobHandler> = {
  [expireUnconfirmedCasesJobType]: async (deps) => {
    // Bounded batches until a short one: a backlog drains in one run without one long transaction.
    while ((await expireUnconfirmedGuestCases(deps)) === 200);
  },
};

export const intakeSchedules: Schedule[] = [{ type: expireUnconfirmedCasesJobType, everyMs: HOUR_MS }];
