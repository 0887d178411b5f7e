// Claims due jobs under a time-limited lease, runs their handlers, and records the outcome with retries and backoff.
import { hostname } from 'node:os';
import type { ExpressionBuilder } from 'kysely';
import { transact, type Deps } from '../deps.ts';
import { isPostgres } from '../db/database.ts';
import { yieldBetweenBatches } from '../db/batches.ts';
import { HOUR_MS, MINUTE_MS, type Clock, type SimulatedClock } from '../platform/clock.ts';
import { randomToken } from '../platform/ids.ts';
import { InvariantError } from '../platform/assert.ts';
import { syncSimulatedClock } from '../db/simulated-clock-store.ts';
import { jobTables, type JobHandler, type JobRow, type JobTables, type Schedule } from './queue.ts';
import { enqueueDueSchedules } from './schedules.ts';
import { describeErrorSafely } from './safe-error.ts';
import { beatHeart, heartbeatEveryMs, stopHeartbeat } from './heartbeats.ts';

export interface JobRegistry {
  handlers: Readonly<Record<string, JobHandler>>;
  schedules: readonly Schedule[];
}

/**
 * A claimed job belongs to its worker until the lease ends. A worker that crashes leaves the job `running`, and
 * once the lease is over any worker may claim it again. Leases are not renewed, so handlers must finish well inside.
 */
export const defaultLeaseMs = 5 * MINUTE_MS;
export const retryBaseDelayMs = 10_000;
export const retryMaxDelayMs = HOUR_MS;
/** Jobs claimed per round trip; small, so a stopping worker has little to hand back. */
const claimBatchSize = 10;
/** Jobs claimed per round trip when the first due one is of a concurrent type (queue.ts concurrentJobs). */
const concurrentClaimBatchSize = 32;
export const defaultRunLimit = 100;

/** Exponential backoff after the given failed attempt (1-based): 10 s, 20 s, 40 s, … capped at an hour. */
export function retryDelayMs(attempt: number): number {
  return Math.min(retryMaxDelayMs, retryBaseDelayMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}

export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomToken(6)}`;
}

/** Queued jobs whose time has come, and running jobs whose worker's lease ran out with attempts left. */
function isDue(nowMs: number) {
  return (eb: ExpressionBuilder<JobTables, 'jobs'>) =>
    eb.or([
      eb.and([eb('state', '=', 'queued'), eb('run_at_ms', '<=', nowMs)]),
      eb.and([eb('state', '=', 'running'), eb('locked_until_ms', '<=', nowMs), eb('attempts', '<', eb.ref('max_attempts'))]),
    ]);
}

/** A job whose last allowed attempt's worker vanished is given up, like one whose last attempt threw. */
async function failAbandonedJobs(deps: Deps, nowMs: number): Promise<void> {
  // Read first: an idle worker polls often, and on SQLite even an UPDATE that matches nothing takes the write lock.
  const abandoned = await jobTables(deps.db)
    .selectFrom('jobs')
    .select('id')
    .where('state', '=', 'running')
    .where('locked_until_ms', '<=', nowMs)
    .where('attempts', '>=', (eb) => eb.ref('max_attempts'))
    .limit(1)
    .executeTakeFirst();
  if (!abandoned) return;
  const result = await jobTables(deps.db)
    .updateTable('jobs')
    .set({ state: 'failed', locked_until_ms: null, locked_by: null, last_error: 'lease expired during the last attempt', updated_at_ms: nowMs })
    .where('state', '=', 'running')
    .where('locked_until_ms', '<=', nowMs)
    .where('attempts', '>=', (eb) => eb.ref('max_attempts'))
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) > 0) deps.logger.error({ jobs: Number(result.numUpdatedRows) }, 'jobs failed: their worker stopped during the last attempt');
}

/**
 * Marks up to `limit` due jobs as running for `workerId` and returns them. On PostgreSQL the candidates are locked
 * with FOR UPDATE SKIP LOCKED, so concurrent workers pick disjoint jobs without waiting on each other (PL-7); SQLite
 * serialises write transactions, and the update repeats the due condition as a guard either way.
 */
export async function claimDueJobs(deps: Deps, options: { workerId: string; limit: number; leaseMs?: number }): Promise<JobRow[]> {
  const nowMs = deps.clock.nowMs();
  await failAbandonedJobs(deps, nowMs);
  // The same reason: look for due work before opening a write transaction to claim it.
  const anyDue = await jobTables(deps.db).selectFrom('jobs').select('id').where(isDue(nowMs)).limit(1).executeTakeFirst();
  if (!anyDue) return [];
  const lockedUntilMs = nowMs + (options.leaseMs ?? defaultLeaseMs);
  const claimed = await transact(deps, async (trx) => {
    const candidates = jobTables(trx.db).selectFrom('jobs').select('id').where(isDue(nowMs)).orderBy('run_at_ms').orderBy('id').limit(options.limit);
    const due = await (isPostgres(trx.db) ? candidates.forUpdate().skipLocked() : candidates).execute();
    if (due.length === 0) return [];
    return jobTables(trx.db)
      .updateTable('jobs')
      .set((eb) => ({ state: 'running', attempts: eb('attempts', '+', 1), locked_until_ms: lockedUntilMs, locked_by: options.workerId, updated_at_ms: nowMs }))
      .where('id', 'in', due.map((row) => row.id))
      .where(isDue(nowMs))
      .returningAll()
      .execute();
  });
  return claimed.sort((a, b) => a.run_at_ms - b.run_at_ms || (a.id < b.id ? -1 : 1));
}

/** Only the worker that holds the claim may record its outcome; a lost lease means another worker took over. */
function ownClaim(job: JobRow, workerId: string) {
  return (eb: ExpressionBuilder<JobTables, 'jobs'>) =>
    eb.and([eb('id', '=', job.id), eb('state', '=', 'running'), eb('locked_by', '=', workerId), eb('attempts', '=', job.attempts)]);
}

/** Runs one claimed job and records done, a retry after backoff, or failed after its last attempt. */
export async function runClaimedJob(deps: Deps, registry: JobRegistry, job: JobRow, workerId: string): Promise<'done' | 'retry' | 'failed'> {
  const log = deps.logger.child({ jobId: job.id, jobType: job.type, attempt: job.attempts });
  let failure: unknown;
  let failed = false;
  try {
    const handler = registry.handlers[job.type];
    if (!handler) throw new InvariantError(`no handler is registered for job type ${job.type}`);
    await handler(deps, JSON.parse(job.payload), { id: job.id, type: job.type, attempt: job.attempts });
  } catch (error) {
    failed = true;
    failure = error;
  }
  const nowMs = deps.clock.nowMs();
  const table = jobTables(deps.db);
  let outcome: 'done' | 'retry' | 'failed';
  let update;
  if (!failed) {
    outcome = 'done';
    update = table.updateTable('jobs').set({ state: 'done', locked_until_ms: null, locked_by: null, last_error: null, updated_at_ms: nowMs });
  } else {
    const lastError = describeErrorSafely(failure);
    const exhausted = job.attempts >= job.max_attempts;
    outcome = exhausted ? 'failed' : 'retry';
    const runAtMs = exhausted ? job.run_at_ms : nowMs + retryDelayMs(job.attempts);
    update = table
      .updateTable('jobs')
      .set({ state: exhausted ? 'failed' : 'queued', run_at_ms: runAtMs, locked_until_ms: null, locked_by: null, last_error: lastError, updated_at_ms: nowMs });
    if (exhausted) log.error({ error: lastError }, 'job failed for the last time');
    else log.warn({ error: lastError, retryAtMs: runAtMs }, 'job failed; it will be retried');
  }
  const result = await update.where(ownClaim(job, workerId)).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) log.warn('job lease was lost before the job finished; its outcome was not recorded');
  else if (outcome === 'done') log.debug('job done');
  return outcome;
}

/** Hands claimed but unstarted jobs back to the queue (a stopping worker), without counting an attempt. */
export async function releaseClaimedJobs(deps: Deps, jobs: readonly JobRow[], workerId: string): Promise<void> {
  if (jobs.length === 0) return;
  await jobTables(deps.db)
    .updateTable('jobs')
    .set((eb) => ({ state: 'queued', attempts: eb('attempts', '-', 1), locked_until_ms: null, locked_by: null, updated_at_ms: deps.clock.nowMs() }))
    .where('id', 'in', jobs.map((job) => job.id))
    .where('state', '=', 'running')
    .where('locked_by', '=', workerId)
    .execute();
}

export interface RunJobsOptions {
  /** Most jobs to run in this call (default 100). */
  limit?: number;
  workerId?: string;
  leaseMs?: number;
  /** Checked between jobs: a stopping worker finishes the job in hand and releases the rest. */
  shouldStop?: () => boolean;
  /** Schedule keys this worker already wrote (see enqueueDueSchedules). */
  scheduleMemo?: Map<string, string>;
}

/** Enqueues the schedules' current slots, then claims and runs due jobs until none is left or `limit` ran. */
export async function runJobs(deps: Deps, registry: JobRegistry, options: RunJobsOptions = {}): Promise<number> {
  const limit = options.limit ?? defaultRunLimit;
  const workerId = options.workerId ?? newWorkerId();
  const shouldStop = options.shouldStop ?? (() => false);
  await enqueueDueSchedules(deps, registry.schedules, options.scheduleMemo);
  let ran = 0;
  let wide = false;
  while (ran < limit && !shouldStop()) {
    const batch = await claimDueJobs(deps, { workerId, limit: Math.min(wide ? concurrentClaimBatchSize : claimBatchSize, limit - ran), leaseMs: options.leaseMs });
    if (batch.length === 0) break;
    wide = batch.some((job) => registry.handlers[job.type]?.concurrent);
    for (let index = 0; index < batch.length; ) {
      if (shouldStop()) {
        await releaseClaimedJobs(deps, batch.slice(index), workerId);
        return ran;
      }
      // Consecutive jobs of concurrent types run together; any other job runs alone, in claim order.
      let end = index + 1;
      while (end < batch.length && registry.handlers[batch[index]!.type]?.concurrent && registry.handlers[batch[end]!.type]?.concurrent) end++;
      await Promise.all(batch.slice(index, end).map((job) => runClaimedJob(deps, registry, job, workerId)));
      ran += end - index;
      index = end;
      // Between jobs, the server in the same process gets its turn (db/batches.ts).
      await yieldBetweenBatches();
    }
  }
  return ran;
}

function isSimulatedClock(clock: Clock): clock is SimulatedClock {
  return clock.mode === 'simulated' && 'setMs' in clock;
}

export interface Worker {
  readonly workerId: string;
  /** Stops polling and resolves once the job in hand (if any) has finished. */
  stop(): Promise<void>;
}

export const defaultPollMs = 500;

/**
 * Polls for due jobs every `pollMs` (at once again when a poll hit its limit). With a simulated clock it first picks
 * up the time another process (the CLI, the server) stored, so `patron worker` follows `clock advance` (PL-1).
 */
export function startJobWorker(deps: Deps, registry: JobRegistry, options: { pollMs?: number; workerId?: string; leaseMs?: number } = {}): Worker {
  const workerId = options.workerId ?? newWorkerId();
  const pollMs = options.pollMs ?? defaultPollMs;
  const scheduleMemo = new Map<string, string>();
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const startedAtMs = deps.clock.nowMs();
  let lastBeatMs = Number.NEGATIVE_INFINITY;

  const poll = async (): Promise<void> => {
    timer = undefined;
    let ran = 0;
    try {
      if (isSimulatedClock(deps.clock)) await syncSimulatedClock(deps.db, deps.clock);
      ran = await runJobs(deps, registry, { workerId, leaseMs: options.leaseMs, shouldStop: () => stopping, scheduleMemo });
      // `patron doctor` tells a stopped worker from an idle one by this row (heartbeats.ts).
      const nowMs = deps.clock.nowMs();
      if (nowMs - lastBeatMs >= heartbeatEveryMs) {
        await beatHeart(deps.db, workerId, startedAtMs, nowMs);
        lastBeatMs = nowMs;
      }
    } catch (error) {
      deps.logger.error({ workerId, error: describeErrorSafely(error) }, 'job worker poll failed');
    }
    if (!stopping) timer = setTimeout(() => (inFlight = poll()), ran >= defaultRunLimit ? 0 : pollMs);
  };

  timer = setTimeout(() => (inFlight = poll()), 0);
  deps.logger.info({ workerId, pollMs }, 'job worker started');
  return {
    workerId,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inFlight;
      await stopHeartbeat(deps.db, workerId).catch((error: unknown) => deps.logger.warn({ workerId, error: describeErrorSafely(error) }, 'could not remove the worker heartbeat'));
      deps.logger.info({ workerId }, 'job worker stopped');
    },
  };
}

