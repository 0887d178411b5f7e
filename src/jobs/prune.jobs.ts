// The queue's own upkeep: finished jobs are deleted after a retention period, in bounded batches (CONVENTIONS 12).
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { DAY_MS } from '../platform/clock.ts';
import { jobTables, type JobHandler, type Schedule } from './queue.ts';

/** A done job's key keeps a second enqueue of the same slot a no-op for this long; failed jobs are kept for people. */
export const doneJobRetentionMs = 30 * DAY_MS;
const pruneBatchSize = 500;
const pruneMaxBatches = 20;

export async function pruneDoneJobs(deps: Deps): Promise<number> {
  const cutoffMs = deps.clock.nowMs() - doneJobRetentionMs;
  let deleted = 0;
  for (let batch = 0; batch < pruneMaxBatches; batch++) {
    const result = await jobTables(deps.db)
      .deleteFrom('jobs')
      .where('id', 'in', (eb) => eb.selectFrom('jobs').select('id').where('state', '=', 'done').where('run_at_ms', '<', cutoffMs).limit(pruneBatchSize))
      .executeTakeFirst();
    const count = Number(result.numDeletedRows);
    deleted += count;
    if (count < pruneBatchSize) break;
  }
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
