// The membership's scheduled work: every minute the renewal run (renewals, retries, resumes at their dates), the
// reminders whose time has come and the settlement of joins whose gateway answer was lost; and the notice emails.
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { MINUTE_MS } from '../../platform/clock.ts';
import { deliverMembershipNotice, membershipNoticeJobType } from './notices.service.ts';
import { runMembershipRenewals, sendDueReminders, settleStalePendingJoins } from './renewals.service.ts';

export const membershipRenewalsJobType = 'membership-renewals';

export const membershipJobHandlers: Record<string, JobHandler> = {
  [membershipRenewalsJobType]: async (deps: Deps, payload) => {
    z.null().parse(payload);
    await settleStalePendingJoins(deps);
    await sendDueReminders(deps);
    // Until nothing is due, within 3 minutes (the job's lease is 5), with 8 charges in flight: the rate is set by the
    // gateway's latency, two calls per renewal (docs/SCALING.md, Plus renewals).
    const report = await runMembershipRenewals(deps, { maxBatches: Number.POSITIVE_INFINITY, budgetMs: 3 * MINUTE_MS, concurrency: 8 });
    if (report.claimed > 0) deps.logger.info({ ...report }, 'membership renewal run');
  },
  [membershipNoticeJobType]: deliverMembershipNotice,
};

export const membershipSchedules: Schedule[] = [{ type: membershipRenewalsJobType, everyMs: MINUTE_MS }];
