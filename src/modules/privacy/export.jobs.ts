// The export slice's background work: `privacy-export` builds a queued export (PV-15); every hour, exports whose
// 7 days are over lose their file and are marked expired.
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { HOUR_MS } from '../../platform/clock.ts';
import { expireDueExports, exportExpiryJobType, exportJobType, runExportJob } from './export.service.ts';

const exportPayload = z.strictObject({ exportId: z.string().min(1).max(100) });

export const exportJobHandlers: Record<string, JobHandler> = {
  [exportJobType]: async (deps: Deps, payload) => {
    await runExportJob(deps, exportPayload.parse(payload).exportId);
  },
  [exportExpiryJobType]: async (deps: Deps, payload) => {
    z.null().parse(payload);
    const expired = await expireDueExports(deps);
    if (expired > 0) deps.logger.info({ expired }, 'privacy exports expired');
  },
};

export const exportSchedules: Schedule[] = [{ type: exportExpiryJobType, everyMs: HOUR_MS }];
