// The rights requests' scheduled work: every hour, requests that waited 7 days for verification close (PV-12) and
// expired verification codes are deleted. The
// wait is counted in days, so an hour late is well inside what anyone notices.
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { HOUR_MS } from '../../platform/clock.ts';
import { closeUnverifiedRequests } from './request-expiry.service.ts';

export const closeUnverifiedJobType = 'privacy-close-unverified-requests';

export const requestJobHandlers: Record<string, JobHandler> = {
  [closeUnverifiedJobType]: async (deps: Deps, payload) => {
    z.null().parse(payload);
    const report = await closeUnverifiedRequests(deps);
    if (report.closed > 0 || report.skipped > 0 || report.codesPruned > 0) deps.logger.info({ ...report }, 'unverified privacy requests closed');
  },
};

export const requestSchedules: Schedule[] = [{ type: closeUnverifiedJobType, everyMs: HOUR_MS }];
