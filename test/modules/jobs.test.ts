// The DB-backed job queue (PL-7): deterministic keys, retries with backoff, lease recovery, concurrent workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { transact, type Deps } from '../../src/deps.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { DAY_MS, HOUR_MS } from '../../src/platform/clock.ts';
import {
  buildJobRegistry,
  concurrentJobs,
  defaultLeaseMs,
  enqueueJob,
  retryDelayMs,
  runDueJobs,
  scheduleKey,
  startWorker,
  type JobHandler,
  type JobInfo,
  type JobRegistry,
} from '../../src/jobs/index.ts';
import { jobRegistry } from '../../src/modules.ts';
import { claimDueJobs, runClaimedJob } from '../../src/jobs/worker.ts';
import { enqueueDueSchedules } from '../../src/jobs/schedules.ts';
import { jobTables, type JobRow } from '../../src/jobs/queue.ts';
import { postgresTestUrl } from '../support/databases.ts';
import { describeEachDatabase } from '../support/each-database.ts';

/** Tests share one database per suite: each starts from an empty queue so another test's jobs do not run. */
async function emptyQueue(deps: Deps): Promise<void> {
  await jobTables(deps.db).deleteFrom('jobs').execute();
}

async function jobByKey(deps: Deps, key: string): Promise<JobRow> {
  const row = await jobTables(deps.db).selectFrom('jobs').selectAll().where('key', '=', key).executeTakeFirst();
  assert.ok(row, `job ${key} exists`);
  return row;
}

function registryOf(handlers: Record<string, JobHandler>): JobRegistry {
  return buildJobRegistry([{ jobHandlers: handlers }]);
}

/** A second connection pool on the same PostgreSQL schema: another worker process, as far as the database can tell. */
async function openSecondPool(deps: Deps): Promise<Database> {
  assert.ok(postgresTestUrl);
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(deps.db);
  return openDatabase({ url: postgresTestUrl, schema: rows[0]!.schema, poolSize: 4 });
}

describeEachDatabase('jobs', (suite) => {
  test('PL-7 PF-5 jobs of a concurrent type run side by side in one worker pass; any other job runs alone, in claim order', async () => {
    const deps = suite.deps();
    await emptyQueue(deps);
    let inFlight = 0;
    let mostAtOnce = 0;
    const log: string[] = [];
    const tracked = (name: string) => async () => {
      inFlight++;
      mostAtOnce = Math.max(mostAtOnce, inFlight);
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`end ${name}`);
      inFlight--;
    };
    const registry = registryOf({ 'side-by-side': concurrentJobs(async (_deps, payload) => tracked(`c${(payload as { n: number }).n}`)()), 'one-at-a-time': async () => tracked('plain')() });
    for (let n = 0; n < 6; n++) {
      await enqueueJob(deps, { type: 'side-by-side', payload: { n }, key: `side-${n}` });
      deps.clock.advanceMs(1);
    }
    await enqueueJob(deps, { type: 'one-at-a-time', payload: {}, key: 'plain' });
    assert.equal(await runDueJobs(deps, { registry }), 7);
    assert.equal(mostAtOnce, 6, 'the six concurrent jobs overlapped');
    // The plain job, claimed last, started only after every concurrent one ended.
    assert.equal(log.indexOf('start plain'), log.length - 2);
    assert.equal(log.filter((entry) => entry.startsWith('end c')).length, 6);
  });

  test('PL-7 a second enqueue with the same deterministic key does nothing, in any state', async () => {
    const deps = suite.deps();
    await emptyQueue(deps);
    const runs: unknown[] = [];
    const registry = registryOf({ 'sample-job': async (_deps, payload) => void runs.push(payload) });
    assert.equal(await enqueueJob(deps, { type: 'sample-job', payload: { n: 1 }, key: 'sample:2026-03-02T17:00' }), true);
    assert.equal(await enqueueJob(deps, { type: 'sample-job', payload: { n: 2 }, key: 'sample:2026-03-02T17:00' }), false);
    assert.equal(await runDueJobs(deps, { registry }), 1);
    assert.equal(await enqueueJob(deps, { type: 'sample-job', payload: { n: 3 }, key: 'sample:2026-03-02T17:00' }), false);
    assert.equal(await runDueJobs(deps, { registry }), 0);
    assert.deepEqual(runs, [{ n: 1 }]);
    assert.equal((await jobByKey(deps, 'sample:2026-03-02T17:00')).state, 'done');
  });

  test('PL-7 a job enqueued in a transaction that rolls back does not exist', async () => {
    const deps = suite.deps();
    await emptyQueue(deps);
    await assert.rejects(
      transact(deps, async (trx) => {
        await enqueueJob(trx, { type: 'sample-job', payload: null, key: 'rolled-back' });
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    const rows = await jobTables(deps.db).selectFrom('jobs').select('id').execute();
    assert.equal(rows.length, 0);
  });

  test('PL-7 a job that runs later waits for its time', async () => {
    const deps = suite.deps();
    await emptyQueue(deps);
    const registry = registryOf({ 'sample-job': async () => {} });
    await enqueueJob(deps, { type: 'sample-job', payload: null, key: 'later', runAtMs: deps.clock.nowMs() + HOUR_MS });
    assert.equal(await runDueJobs(deps, { registry }), 0);
    deps.clock.advanceMs(HOUR_MS);
    assert.equal(await runDueJobs(deps, { registry }), 1);
  });

  test('PL-7 a failing job is retried with exponential backoff, then marked failed after max_attempts without personal data', async () => {
    const deps = suite.deps();
    await emptyQueue(deps);
    const attempts: number[] = [];
    const registry = registryOf({
      'flaky-job': async (_deps, _payload, job) => {
        attempts.push(job.attempt);
        throw new Error('could not reach alice@example.com');
      },
    });
    await enqueueJob(deps, { type: 'flaky-job', payload: null, key: 'flaky', maxAttempts: 4 });
    assert.equal(await runDueJobs(deps, { registry }), 1);
    for (let attempt = 1; attempt < 4; attempt++) {
      const row = await jobByKey(deps, 'flaky');
      assert.equal(row.state, 'queued');
      assert.equal(row.attempts, attempt);
      assert.equal(row.run_at_ms, deps.clock.nowMs() + retryDelayMs(attempt));
      assert.equal(row.locked_by, null);
      assert.equal(row.last_error, 'Error', 'the error message, which may name a person, is not stored');
      deps.clock.advanceMs(retryDelayMs(attempt) - 1);
      assert.equal(await runDueJobs(deps, { registry }), 0, 'not before the backoff has passed');
      deps.clock.advanceMs(1);
      assert.equal(await runDueJobs(deps, { registry }), 1);
    }
    const row = await jobByKey(deps, 'flaky');
    assert.equal(row.state, 'failed');
    assert.equal(row.attempts, 4);
    assert.deepEqual(attempts, [1, 2, 3, 4]);
    deps.clock.advanceMs(DAY_MS);
    assert.equal(await runDueJobs(deps, { registry }), 0, 'a failed job stays failed');
  });

  test('PL-7 the backoff doubles from 10 seconds and is capped at an hour', () => {
    assert.deepEqual([1, 2, 3, 4].map(retryDelayMs), [10_000, 20_000, 40_000, 80_000]);
    assert.equal(retryDelayMs(9), 2_560_000);
    assert.equal(retryDelayMs(10), HOUR_MS);
    assert.equal(retryDelayMs(1000), HOUR_MS);
  });

  test('PL-7 a job that fails once then succeeds ends done, and its handler sees the attempt number', async () => {
    const deps = suite.deps();
    await emptyQueue(deps);
    const seen: JobInfo[] = [];
    const registry = registryOf({
      'recovering-job': async (_deps, _payload, job) => {
        seen.push(job);
        if (job.attempt === 1) throw new RangeError('first attempt fails');
      },
    });
    await enqueueJob(deps, { type: 'recovering-job', payload: { ok: true }, key: 'recovering' });
    await runDueJobs(deps, { registry });
    assert.equal((await jobByKey(deps, 'recovering')).last_error, 'RangeError first attempt fails');
    deps.clock.advanceMs(retryDelayMs(1));
    await runDueJobs(deps, { registry });
    const row = await jobByKey(deps, 'recovering');
    assert.equal(row.state, 'done');
    assert.equal(row.last_error, null);
    assert.deepEqual(seen.map((job) => [job.type, job.attempt, job.id]), [
      ['recovering-job', 1, row.id],
      ['recovering-job', 2, row.id],
    ]);
  });

  test('PL-7 a job of a type nobody handles is retried like a failure (a newer worker may know it)', async () => {
    const deps = suite.deps();
    await emptyQueue(deps);
    await enqueueJob(deps, { type: 'unknown-job', payload: null, key: 'unknown', maxAttempts: 1 });
    await runDueJobs(deps, { registry: registryOf({}) });
    const row = await jobByKey(deps, 'unknown');
    assert.equal(row.state, 'failed');
    assert.match(row.last_error ?? '', /no handler is registered for job type unknown-job/);
  });

  test("PL-7 a crashed worker's job becomes claimable again when its lease expires, and the crashed worker cannot record an outcome", async () => {
    const deps = suite.deps();
    await emptyQueue(deps);
    const runs: JobInfo[] = [];
    const registry = registryOf({ 'lease-job': async (_deps, _payload, job) => void runs.push(job) });
    await enqueueJob(deps, { type: 'lease-job', payload: null, key: 'lease' });
    // The first worker claims the job and then dies before running it.
    const [claimed] = await claimDueJobs(deps, { workerId: 'crashed-worker', limit: 10 });
    assert.ok(claimed);
    assert.equal(claimed.state, 'running');
    assert.equal(claimed.locked_until_ms, deps.clock.nowMs() + defaultLeaseMs);
    assert.equal(await runDueJobs(deps, { registry, workerId: 'second-worker' }), 0, 'the lease still holds');
    deps.clock.advanceMs(defaultLeaseMs - 1);
    assert.equal(await runDueJobs(deps, { registry, workerId: 'second-worker' }), 0);
    deps.clock.advanceMs(1);
    assert.equal(await runDueJobs(deps, { registry, workerId: 'second-worker' }), 1, 'the expired lease makes the job claimable');
    assert.deepEqual(runs.map((job) => job.attempt), [2]);
    const done = await jobByKey(deps, 'lease');
    assert.equal(done.state, 'done');
    // The first worker wakes up and runs its stale claim: the job runs (handlers are idempotent) but the outcome is not written.
    assert.equal(await runClaimedJob(deps, buildJobRegistry([{ jobHandlers: { 'lease-job': async () => { throw new Error('stale'); } } }]), claimed, 'crashed-worker'), 'retry');
    const after = await jobByKey(deps, 'lease');
    assert.equal(after.state, 'done');
    assert.equal(after.last_error, null);
  });

  test('PL-7 a job whose worker vanished during its last attempt is marked failed, not run again', async () => {
    const deps = suite.deps();
    await emptyQueue(deps);
    const runs: number[] = [];
    const registry = registryOf({ 'lease-job': async (_deps, _payload, job) => void runs.push(job.attempt) });
    await enqueueJob(deps, { type: 'lease-job', payload: null, key: 'last-lease', maxAttempts: 1 });
    await claimDueJobs(deps, { workerId: 'crashed-worker', limit: 10 });
    deps.clock.advanceMs(defaultLeaseMs);
    assert.equal(await runDueJobs(deps, { registry }), 0);
    const row = await jobByKey(deps, 'last-lease');
    assert.equal(row.state, 'failed');
    assert.equal(row.last_error, 'lease expired during the last attempt');
    assert.deepEqual(runs, []);
  });

  test('PL-7 schedules are enqueued once per slot under a deterministic key', async () => {
    const deps = suite.deps();
    await emptyQueue(deps);
    const nowMs = Date.parse('2026-11-21T10:17:05.123Z');
    assert.equal(scheduleKey({ type: 'audit-verify', everyMs: DAY_MS }, nowMs), 'audit-verify:2026-11-21');
    assert.equal(scheduleKey({ type: 'unlock', everyMs: HOUR_MS }, nowMs), 'unlock:2026-11-21T10:00');
    assert.equal(scheduleKey({ type: 'sweep', everyMs: 15 * 60_000 }, nowMs), 'sweep:2026-11-21T10:15');
    assert.equal(scheduleKey({ type: 'tick', everyMs: 30_000 }, nowMs), 'tick:2026-11-21T10:17:00');

    const schedules = [{ type: 'daily-job', everyMs: DAY_MS, payload: { scope: 'all' } }];
    const today = scheduleKey(schedules[0]!, deps.clock.nowMs());
    assert.equal(await enqueueDueSchedules(deps, schedules), 1);
    assert.equal(await enqueueDueSchedules(deps, schedules), 0, 'a second worker polling in the same slot adds nothing');
    const memo = new Map<string, string>();
    assert.equal(await enqueueDueSchedules(deps, schedules, memo), 0);
    assert.equal(memo.get('daily-job'), today);
    const row = await jobByKey(deps, today);
    assert.equal(row.payload, '{"scope":"all"}');
    assert.equal(row.run_at_ms, Math.floor(deps.clock.nowMs() / DAY_MS) * DAY_MS);
    deps.clock.advanceMs(DAY_MS);
    assert.equal(await enqueueDueSchedules(deps, schedules, memo), 1, 'the next day is a new slot');
  });

  test("PL-7 runDueJobs runs every module's schedules (audit-verify daily) once per slot", async () => {
    const deps = suite.deps();
    await emptyQueue(deps);
    const scheduled = jobRegistry.schedules.length;
    assert.ok(scheduled >= 2, 'at least jobs-prune and audit-verify are scheduled');
    assert.ok((await runDueJobs(deps, { registry: jobRegistry })) >= scheduled, 'every schedule runs in its first slot');
    const verify = await jobByKey(deps, scheduleKey({ type: 'audit-verify', everyMs: DAY_MS }, deps.clock.nowMs()));
    assert.equal(verify.state, 'done');
    assert.equal(await runDueJobs(deps, { registry: jobRegistry }), 0);
    deps.clock.advanceMs(DAY_MS);
    assert.ok((await runDueJobs(deps, { registry: jobRegistry })) >= scheduled, 'a day later every schedule is in a new slot');
  });

  test('PL-7 the registry refuses two handlers for one type and a schedule without a handler', () => {
    const handler: JobHandler = async () => {};
    assert.throws(() => buildJobRegistry([{ jobHandlers: { a: handler } }, { jobHandlers: { a: handler } }]), /two modules register a handler for job type a/);
    assert.throws(() => buildJobRegistry([{ jobHandlers: {}, schedules: [{ type: 'b', everyMs: DAY_MS }] }]), /schedule b has no job handler/);
  });

  test('PL-7 two workers polling at once never run the same job twice', async () => {
    const deps = suite.deps();
    await emptyQueue(deps);
    const second = suite.dialect === 'postgres' ? await openSecondPool(deps) : undefined;
    try {
      const otherDeps: Deps = second ? { ...deps, database: second, db: second.db } : deps;
      const runsByJob = new Map<string, string[]>();
      const registry = registryOf({
        'counted-job': async (handlerDeps, _payload, job) => {
          // A round trip to the database lets the other worker interleave while this job is in hand.
          await sql`select 1`.execute(handlerDeps.db);
          runsByJob.set(job.id, [...(runsByJob.get(job.id) ?? []), handlerDeps === deps ? 'first' : 'second']);
        },
      });
      const jobCount = 120;
      await transact(deps, async (trx) => {
        for (let n = 0; n < jobCount; n++) await enqueueJob(trx, { type: 'counted-job', payload: { n }, key: `counted:${n}` });
      });
      const workers = [deps, otherDeps, deps, otherDeps].map(async (workerDeps, index) => {
        let total = 0;
        for (;;) {
          const ran = await runDueJobs(workerDeps, { registry, workerId: `worker-${index}`, limit: 7 });
          if (ran === 0) return total;
          total += ran;
        }
      });
      const totals = await Promise.all(workers);
      assert.equal(totals.reduce((sum, n) => sum + n, 0), jobCount);
      assert.equal(runsByJob.size, jobCount);
      for (const [jobId, runs] of runsByJob) assert.equal(runs.length, 1, `job ${jobId} ran ${runs.length} times`);
      if (second) assert.ok(totals[1]! + totals[3]! > 0 && totals[0]! + totals[2]! > 0, 'both pools did work');
      const states = await jobTables(deps.db).selectFrom('jobs').select('state').where('type', '=', 'counted-job').execute();
      assert.ok(states.every((row) => row.state === 'done'));
    } finally {
      await second?.close();
    }
  });

  test('PL-7 startWorker polls for due jobs, and stop() waits for the job in hand', async () => {
    const deps = suite.deps();
    await emptyQueue(deps);
    let started!: () => void;
    const jobStarted = new Promise<void>((resolve) => (started = resolve));
    let finish!: () => void;
    const jobMayFinish = new Promise<void>((resolve) => (finish = resolve));
    const registry = registryOf({
      'slow-job': async () => {
        started();
        await jobMayFinish;
      },
    });
    await enqueueJob(deps, { type: 'slow-job', payload: null, key: 'slow' });
    await enqueueJob(deps, { type: 'slow-job', payload: null, key: 'slow-second' });
    const worker = startWorker(deps, { registry, pollMs: 5 });
    await jobStarted;
    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(stopped, false, 'stop() waits while a job is running');
    finish();
    await stopping;
    const first = await jobByKey(deps, 'slow');
    const secondJob = await jobByKey(deps, 'slow-second');
    assert.deepEqual([first.state, secondJob.state].sort(), ['done', 'queued'], 'the job in hand finished; the other was left (or handed back) for the next worker');
    const leftover = first.state === 'queued' ? first : secondJob;
    assert.equal(leftover.attempts, 0, 'a job handed back unstarted does not count an attempt');
    assert.equal(leftover.locked_by, null);
  });
});
