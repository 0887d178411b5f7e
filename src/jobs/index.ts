// The job queue's public face (docs/CONTRACTS.md): enqueue in the caller's transaction, run due jobs, run a worker.
import type { Deps } from '../deps.ts';
import { runJobs, startJobWorker, type JobRegistry, type Worker } from './worker.ts';

export { enqueueJob, concurrentJobs, defaultMaxAttempts, jobStates, type EnqueueJobInput, type JobHandler, type JobInfo, type JobState, type Schedule } from './queue.ts';
export { beatHeart, listWorkers, readQueue, heartbeatEveryMs, type QueueReading, type WorkerSeen } from './heartbeats.ts';
export { describeErrorSafely } from './safe-error.ts';
export { scheduleKey, slotLabel, slotStartMs } from './schedules.ts';
export { defaultLeaseMs, retryBaseDelayMs, retryDelayMs, retryMaxDelayMs, type JobRegistry, type Worker } from './worker.ts';
export { buildJobRegistry, type JobModule } from './registry.ts';
export { jobHandlers as upkeepJobHandlers, schedules as upkeepSchedules } from './prune.jobs.ts';

export interface RunDueJobsOptions {
  /** Most jobs to run in this call (default 100). */
  limit?: number;
  /** Who claims the jobs (default: a fresh ID per call). */
  workerId?: string;
  /** Which handlers and schedules: every module's (`jobRegistry` of src/modules.ts) or a test's own. */
  registry: JobRegistry;
  leaseMs?: number;
  /** Remembers each schedule's last enqueued slot across calls, as the worker does, so a poll skips those inserts. */
  scheduleMemo?: Map<string, string>;
}

/** Runs what is due now (including the current slot of every schedule) once; returns how many jobs ran. */
export function runDueJobs(deps: Deps, options: RunDueJobsOptions): Promise<number> {
  const { registry, ...rest } = options;
  return runJobs(deps, registry, rest);
}

/** Polls every ~500 ms until stopped; `stop()` waits for the job in hand. Started by `patron serve` and `patron worker`. */
export function startWorker(deps: Deps, options: { pollMs?: number; workerId?: string; leaseMs?: number; registry: JobRegistry }): Worker {
  const { registry, ...rest } = options;
  return startJobWorker(deps, registry, rest);
}

/** The personal-data columns of this module's tables (PV-16; docs/PERSONAL-DATA.md). */
export { jobsPersonalData as personalData } from './jobs.data-map.ts';
