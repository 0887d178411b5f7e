// Enqueuing jobs: one row in `jobs`, written in the caller's transaction so the job exists exactly when the change does.
import { z } from 'zod';
import type { Ctx, Deps } from '../deps.ts';
import { tables, type Executor } from '../db/database.ts';
import { assert } from '../platform/assert.ts';

export const jobStates = ['queued', 'running', 'done', 'failed'] as const;
export type JobState = (typeof jobStates)[number];

/** The one row type of the `jobs` table (CONVENTIONS 4); it never leaves src/jobs. */
export interface JobRow {
  id: string;
  type: string;
  key: string;
  payload: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_at_ms: number;
  locked_until_ms: number | null;
  locked_by: string | null;
  last_error: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface JobTables {
  jobs: JobRow;
}

export function jobTables(db: Executor) {
  return tables<JobTables>(db);
}

/** What a handler learns about the job it runs; `attempt` counts from 1. */
export interface JobInfo {
  id: string;
  type: string;
  attempt: number;
}

/**
 * Must be idempotent: a crashed worker's job runs again once its lease expires. Validate the payload with zod.
 * `concurrent`: jobs of this type may run side by side within one worker (see `concurrentJobs`).
 */
export type JobHandler = ((deps: Deps, payload: unknown, job: JobInfo) => Promise<void>) & { readonly concurrent?: true };

/**
 * Marks a handler whose jobs are independent of each other (each its own transactions, idempotent by its own keys),
 * so a worker runs claimed jobs of its type together: the storefront webhook job, whose ledger earnings then share
 * one append group (issue 12, PF-5) instead of committing one after another.
 */
export function concurrentJobs(handler: (deps: Deps, payload: unknown, job: JobInfo) => Promise<void>): JobHandler {
  return Object.assign(handler, { concurrent: true as const });
}

/** A recurring job: enqueued once per time slot of `everyMs` with the key `type:slot` (see schedules.ts). */
export interface Schedule {
  type: string;
  everyMs: number;
  payload?: unknown;
}

/** Ten attempts with the backoff below span about an hour and a half before a job is given up. */
export const defaultMaxAttempts = 10;

const jobTypePattern = /^[a-z][a-z0-9-]{0,63}$/;

const enqueueInput = z.strictObject({
  type: z.string().regex(jobTypePattern, 'job types are lower-case words joined by dashes'),
  payload: z.unknown(),
  key: z.string().min(1).max(200).optional(),
  runAtMs: z.number().int().nonnegative().optional(),
  maxAttempts: z.number().int().min(1).max(100).optional(),
});

export type EnqueueJobInput = z.input<typeof enqueueInput>;

/**
 * Adds a job in the caller's transaction (CONVENTIONS 3). With a `key`, a second enqueue of the same key does
 * nothing, whatever the state of the first job; without one the job's own ID is its key. Returns whether a new
 * job was written.
 */
export async function enqueueJob(ctx: Ctx, input: EnqueueJobInput): Promise<boolean> {
  const { type, payload, key, runAtMs, maxAttempts } = enqueueInput.parse(input);
  const payloadText = JSON.stringify(payload ?? null);
  assert(typeof payloadText === 'string', `job ${type}: the payload must be JSON`);
  const nowMs = ctx.clock.nowMs();
  const id = ctx.ids.next('job');
  const result = await jobTables(ctx.db)
    .insertInto('jobs')
    .values({
      id,
      type,
      key: key ?? id,
      payload: payloadText,
      state: 'queued',
      attempts: 0,
      max_attempts: maxAttempts ?? defaultMaxAttempts,
      run_at_ms: runAtMs ?? nowMs,
      locked_until_ms: null,
      locked_by: null,
      last_error: null,
      created_at_ms: nowMs,
      updated_at_ms: nowMs,
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}
