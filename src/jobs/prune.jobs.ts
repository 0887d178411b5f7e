// The queue's own upkeep: finished jobs are deleted after a retention period, in bounded batches (CONVENTIONS 12).
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { DAY_MS } from '../platform/clock.ts';
import { deleteInBatches } from '../db/batches.ts';
import { jobTables, type JobHandler, type Schedule } from './queue.ts';

/** A done job's key keeps a second enqueue of the same slot a no-op for this long; failed jobs are kept for people. */
export const doneJobRetentionMs = 30 * DAY_MS;

export async function pruneDoneJobs(deps: Deps): Promise<number> {
  const cutoffMs = deps.clock.nowMs() - doneJobRetentionMs;
  const deleted = await deleteInBatches(async (limit) => {
    const result = await jobTables(deps.db)
      .deleteFrom('jobs')
      .where('id', 'in', (eb) => eb.selectFrom('jobs').select('id').where('state', '=', 'done').where('run_at_ms', '<', cutoffMs).limit(limit))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  });
  if (deleted > 0) deps.logger.info({ deleted }, 'pruned finished jobs');
  return deleted;
}

export const jobHandlers: Record<string, JobHandler> = {
  'jobs-prune': async (deps, payload) => {
    z.null().parse(payload);
    await pruneDoneJobs(deps);
  },
};

export const schedules: Schedule[] = [{ type: 'jobs-prune', everyMs: DAY_MS }];
