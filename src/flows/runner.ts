// The durable flow runner: a flow is a list of named steps, each with an optional compensation. A step's result is
// recorded in a short transaction of its own once it succeeded (a database step: in its own transaction, together
// with its writes), so a restarted process continues from the last recorded step. A step that fails stops the run
// and the recorded steps are undone in reverse order; a compensation that is refused or unanswered is recorded, the
// run needs attention, and the resume job (flows.jobs.ts) retries it with backoff until it goes through.
//
// Outside calls happen only in `call` steps, never inside a transaction; they carry idempotency keys derived from
// the business object, so a repeated call after a crash gets the gateway's first answer.
import type { z } from 'zod';
import { countFlowOutcome } from '../http/metrics.ts';
import { transact, type Ctx, type Deps } from '../deps.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { InvariantError } from '../platform/assert.ts';
import { retryDelayMs } from '../jobs/index.ts';
import { GatewayUnavailableError } from '../ports/index.ts';
import type { FlowRunRow, FlowState, FlowStepRow } from './flows.table.ts';
import { findRun, findRunByKey, insertRun, insertStep, selectDueRuns, selectSteps, updateRun, updateStep } from './runs.repository.ts';
import { CompensationRefused, failureCodeOf, flowSourcesOf } from './runner.rules.ts';

/** A step's recorded result: a JSON object. */
export type StepResult = Record<string, unknown>;

export interface FlowRun<I> {
  id: string;
  type: string;
  key: string;
  state: FlowState;
  input: I;
  memberId: string | null;
  currentStep: string | null;
  attempts: number;
  nextAttemptAtMs: number | null;
  causeCode: string | null;
  lastErrorCode: string | null;
  createdAtMs: number;
  updatedAtMs: number;
  finishedAtMs: number | null;
}

export interface StepArgs<I, T> {
  run: FlowRun<I>;
  input: I;
  /** Results of the steps recorded so far, by step name. */
  results: ReadonlyMap<string, StepResult>;
  /** What the starting process passed and never stored (a payment token); undefined when the resume job runs. */
  transient: T | undefined;
}

export interface CompensateArgs<I, T> extends StepArgs<I, T> {
  /** This step's own recorded result. */
  result: StepResult;
  /** Definite refusals of this compensation so far: a call after a refusal needs a new idempotency key. */
  refusals: number;
}

// Method syntax on purpose: a registry holds flows of different inputs, and methods compare bivariantly.
interface StepBase<I, T> {
  name: string;
  /** Must be idempotent: after a crash between its effect and its record it runs again. Throw to report failure. */
  compensate?(deps: Deps, args: CompensateArgs<I, T>): Promise<void>;
}

/** A step that may call the outside world; runs outside any transaction. */
export interface CallStep<I, T> extends StepBase<I, T> {
  kind: 'call';
  run(deps: Deps, args: StepArgs<I, T>): Promise<StepResult>;
  /** Database writes that belong with the result, made in the transaction that records it. */
  record?(trx: Ctx, args: StepArgs<I, T>, result: StepResult): Promise<void>;
  /** An unanswered call (GatewayUnavailableError) leaves the run to the resume job instead of undoing it. */
  retryUnanswered?: boolean;
}

/**
 * A database step: its writes and its record commit together. It gets the whole dependencies with `db` set to the
 * transaction, for services that build links or keyed tokens (after-sales' moveCase emails a status link).
 */
export interface TransactionStep<I, T> extends StepBase<I, T> {
  kind: 'transaction';
  run(trx: Deps, args: StepArgs<I, T>): Promise<StepResult>;
}

export type FlowStep<I, T> = CallStep<I, T> | TransactionStep<I, T>;

export interface FlowDefinition<I, T = undefined> {
  type: string;
  input: z.ZodType<I>;
  steps: readonly FlowStep<I, T>[];
  /** How long a runner has a run to itself (after a start or a claim) before the resume job may take it over. */
  leaseMs: number;
  /** What the resume job does with a run still running: finish it, or undo it as abandoned (cause `abandoned`). */
  whenStale: 'resume' | 'compensate';
}

/**
 * A first step that the caller performs together with `startRun` in one transaction (the order, the refund
 * reservation): it is always recorded at start, so the runner only ever compensates it.
 */
export function performedAtStart<I, T>(name: string, compensate: (deps: Deps, args: CompensateArgs<I, T>) => Promise<void>): TransactionStep<I, T> {
  return {
    name,
    kind: 'transaction',
    async run() {
      throw new InvariantError(`step ${name} is recorded when its run starts`);
    },
    compensate,
  };
}

/** The runner's view of any flow, whatever its input. */
export type AnyFlowDefinition = FlowDefinition<unknown, unknown>;
export type FlowDefinitions = Readonly<Record<string, AnyFlowDefinition>>;

export const abandonedCause = 'abandoned';

function toRun<I>(row: FlowRunRow, definition: FlowDefinition<I, unknown>): FlowRun<I> {
  return {
    id: row.id,
    type: row.type,
    key: row.key,
    state: row.state,
    input: definition.input.parse(JSON.parse(row.input)),
    memberId: row.member_id,
    currentStep: row.current_step,
    attempts: row.attempts,
    nextAttemptAtMs: row.next_attempt_at_ms,
    causeCode: row.cause_code,
    lastErrorCode: row.last_error_code,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
    finishedAtMs: row.finished_at_ms,
  };
}

async function loadRun<I>(ctx: Ctx, definition: FlowDefinition<I, unknown>, runId: string): Promise<FlowRun<I>> {
  const row = await findRun(ctx.db, runId);
  if (!row || row.type !== definition.type) throw notFound('The flow run');
  return toRun(row, definition);
}

async function loadSteps(ctx: Ctx, runId: string): Promise<Map<string, FlowStepRow>> {
  return new Map((await selectSteps(ctx.db, runId)).map((row) => [row.step, row]));
}

function argsOf<I, T>(run: FlowRun<I>, steps: ReadonlyMap<string, FlowStepRow>, transient: T | undefined): StepArgs<I, T> {
  const results = new Map<string, StepResult>();
  for (const [name, row] of steps) results.set(name, JSON.parse(row.result) as StepResult);
  return { run, input: run.input, results, transient };
}

function stepRow(runId: string, step: string, result: StepResult, nowMs: number): FlowStepRow {
  return { run_id: runId, step, state: 'done', result: JSON.stringify(result), refusals: 0, last_error_code: null, created_at_ms: nowMs, updated_at_ms: nowMs };
}

export interface StartRunInput<I> {
  key: string;
  input: I;
  memberId: string | null;
  /** Steps the caller already performed in this transaction (the first database step), with their results. */
  done?: ReadonlyArray<{ step: string; result: StepResult }>;
  /** When the resume job may take the run over; by default after the flow's lease. */
  nextAttemptAtMs?: number;
  /** A run started only to be undone (a checkout found abandoned): compensating, with this cause. */
  compensateWithCause?: string;
}

/**
 * Writes a new run (and the steps already done) in the caller's transaction, so the run exists exactly when the
 * first step's writes do. A second start of the same key is refused: one run per business object.
 */
export async function startRun<I>(ctx: Ctx, definition: FlowDefinition<I, unknown>, input: StartRunInput<I>): Promise<FlowRun<I>> {
  const parsed = definition.input.parse(input.input);
  const nowMs = ctx.clock.nowMs();
  const known = new Set(definition.steps.map((step) => step.name));
  for (const done of input.done ?? []) if (!known.has(done.step)) throw new AppError('internal', `Flow ${definition.type} has no step ${done.step}.`);
  const row: FlowRunRow = {
    id: ctx.ids.next('flw'),
    type: definition.type,
    key: input.key,
    state: input.compensateWithCause ? 'compensating' : 'running',
    input: JSON.stringify(parsed),
    member_id: input.memberId,
    current_step: input.done?.at(-1)?.step ?? null,
    attempts: 0,
    next_attempt_at_ms: input.nextAttemptAtMs ?? nowMs + definition.leaseMs,
    cause_code: input.compensateWithCause ?? null,
    last_error_code: null,
    created_at_ms: nowMs,
    updated_at_ms: nowMs,
    finished_at_ms: null,
  };
  if (!(await insertRun(ctx.db, row))) throw new AppError('conflict', 'This operation was already started.', { key: input.key });
  for (const done of input.done ?? []) await insertStep(ctx.db, stepRow(row.id, done.step, done.result, nowMs));
  return toRun(row, definition);
}

/** Runs one step and records it; undefined when another runner recorded it first (this one then stops). */
async function performStep<I, T>(deps: Deps, step: FlowStep<I, T>, args: StepArgs<I, T>): Promise<StepResult | undefined> {
  const runId = args.run.id;
  const touch = (trx: Ctx) => updateRun(trx.db, runId, { from: ['running'] }, { current_step: step.name, updated_at_ms: trx.clock.nowMs() });
  if (step.kind === 'transaction') {
    return transact(deps, async (trx) => {
      // The record goes in first: a second runner's insert waits for or skips over it, so the writes happen once.
      if (!(await insertStep(trx.db, stepRow(runId, step.name, {}, trx.clock.nowMs())))) return undefined;
      const result = await step.run(trx, args);
      await updateStep(trx.db, runId, step.name, ['done'], { result: JSON.stringify(result) });
      await touch(trx);
      return result;
    });
  }
  const result = await step.run(deps, args);
  return transact(deps, async (trx) => {
    if (!(await insertStep(trx.db, stepRow(runId, step.name, result, trx.clock.nowMs())))) return undefined;
    await step.record?.(trx, args, result);
    await touch(trx);
    return result;
  });
}

async function finishRun<I>(deps: Deps, definition: FlowDefinition<I, unknown>, run: FlowRun<I>, state: 'completed' | 'compensated' | 'failed'): Promise<FlowRun<I>> {
  const nowMs = deps.clock.nowMs();
  if (await updateRun(deps.db, run.id, { from: flowSourcesOf(state) }, { state, next_attempt_at_ms: null, updated_at_ms: nowMs, finished_at_ms: nowMs })) countFlowOutcome(deps.db, definition.type, state);
  return loadRun(deps, definition, run.id);
}

/** A step failed: compensating when a recorded step has something to undo, else failed (nothing happened). */
async function beginCompensation<I, T>(deps: Deps, definition: FlowDefinition<I, T>, run: FlowRun<I>, cause: string): Promise<FlowRun<I>> {
  const steps = await loadSteps(deps, run.id);
  const undoable = definition.steps.some((step) => step.compensate && steps.get(step.name)?.state === 'done');
  const nowMs = deps.clock.nowMs();
  if (!undoable) {
    if (await updateRun(deps.db, run.id, { from: ['running'] }, { state: 'failed', cause_code: cause, last_error_code: cause, next_attempt_at_ms: null, updated_at_ms: nowMs, finished_at_ms: nowMs })) countFlowOutcome(deps.db, definition.type, 'failed');
  } else {
    await updateRun(deps.db, run.id, { from: ['running'] }, { state: 'compensating', cause_code: cause, last_error_code: cause, next_attempt_at_ms: nowMs + definition.leaseMs, updated_at_ms: nowMs });
  }
  return loadRun(deps, definition, run.id);
}

/**
 * Undoes the recorded steps in reverse order, each marked compensated once it went through. The first one that
 * fails stops the walk (what comes before it must wait: an order is abandoned only once its money is back), and the
 * run needs attention with a backoff before the resume job tries again.
 */
async function compensateRun<I, T>(deps: Deps, definition: FlowDefinition<I, T>, run: FlowRun<I>, transient: T | undefined): Promise<FlowRun<I>> {
  const steps = await loadSteps(deps, run.id);
  const args = argsOf(run, steps, transient);
  for (const step of [...definition.steps].reverse()) {
    const row = steps.get(step.name);
    if (!row || row.state === 'compensated' || !step.compensate) continue;
    try {
      await step.compensate(deps, { ...args, result: args.results.get(step.name) ?? {}, refusals: row.refusals });
    } catch (error) {
      const code = failureCodeOf(error);
      const refused = error instanceof CompensationRefused;
      const nowMs = deps.clock.nowMs();
      const attempts = run.attempts + 1;
      await transact(deps, async (trx) => {
        await updateStep(trx.db, run.id, step.name, ['done', 'compensation_failed'], { state: 'compensation_failed', refusals: row.refusals + (refused ? 1 : 0), last_error_code: code, updated_at_ms: nowMs });
        await updateRun(trx.db, run.id, { from: ['compensating'] }, { state: 'needs_attention', attempts, current_step: step.name, last_error_code: code, next_attempt_at_ms: nowMs + retryDelayMs(attempts), updated_at_ms: nowMs });
      });
      deps.logger.warn({ flowRunId: run.id, flowType: run.type, step: step.name, code, attempts }, 'flow compensation failed; it will be retried');
      return loadRun(deps, definition, run.id);
    }
    await updateStep(deps.db, run.id, step.name, ['done', 'compensation_failed'], { state: 'compensated', last_error_code: null, updated_at_ms: deps.clock.nowMs() });
  }
  return finishRun(deps, definition, run, 'compensated');
}

/** Goes forward from the last recorded step; a failing step is undone (or, unanswered, left for the resume job). */
async function driveForward<I, T>(deps: Deps, definition: FlowDefinition<I, T>, run: FlowRun<I>, transient: T | undefined): Promise<FlowRun<I>> {
  const steps = await loadSteps(deps, run.id);
  for (const step of definition.steps) {
    if (steps.has(step.name)) continue;
    let recorded: StepResult | undefined;
    try {
      recorded = await performStep(deps, step, argsOf(run, steps, transient));
    } catch (error) {
      if (step.kind === 'call' && step.retryUnanswered && error instanceof GatewayUnavailableError) {
        const nowMs = deps.clock.nowMs();
        const attempts = run.attempts + 1;
        await updateRun(deps.db, run.id, { from: ['running'] }, { attempts, last_error_code: failureCodeOf(error), next_attempt_at_ms: nowMs + retryDelayMs(attempts), updated_at_ms: nowMs });
        throw error;
      }
      const compensating = await beginCompensation(deps, definition, run, failureCodeOf(error));
      if (compensating.state === 'compensating') await compensateRun(deps, definition, compensating, transient);
      throw error;
    }
    if (recorded === undefined) return loadRun(deps, definition, run.id); // another runner has this run now
    steps.set(step.name, stepRow(run.id, step.name, recorded, deps.clock.nowMs()));
  }
  return finishRun(deps, definition, run, 'completed');
}

/**
 * Runs a run just started by this process to its end: completed, or undone. A failing step's error is thrown after
 * the compensation ran (or was recorded as needing attention), for the caller to answer with.
 */
export async function executeRun<I, T>(deps: Deps, definition: FlowDefinition<I, T>, run: FlowRun<I>, options: { transient?: T } = {}): Promise<FlowRun<I>> {
  if (run.state === 'running') return driveForward(deps, definition, run, options.transient);
  if (run.state === 'compensating') return compensateRun(deps, definition, run, options.transient);
  return run;
}

/**
 * Takes a due run over: moves its next attempt past a fresh lease, guarded by the state and due time this caller
 * saw, so of several resume jobs (instances, PL-7) exactly one continues it. Answers the claimed run or undefined.
 */
async function claimRun<I>(deps: Deps, definition: FlowDefinition<I, unknown>, row: FlowRunRow): Promise<FlowRun<I> | undefined> {
  const nowMs = deps.clock.nowMs();
  const state: FlowState = row.state === 'needs_attention' ? 'compensating' : row.state;
  const claimed = await updateRun(deps.db, row.id, { from: [row.state], nextAttemptAtMs: row.next_attempt_at_ms }, { state, next_attempt_at_ms: nowMs + definition.leaseMs, updated_at_ms: nowMs });
  return claimed ? loadRun(deps, definition, row.id) : undefined;
}

async function continueClaimed<I>(deps: Deps, definition: FlowDefinition<I, unknown>, run: FlowRun<I>): Promise<FlowRun<I>> {
  if (run.state === 'compensating') return compensateRun(deps, definition, run, undefined);
  const steps = await loadSteps(deps, run.id);
  const allDone = definition.steps.every((step) => steps.has(step.name));
  if (definition.whenStale === 'compensate' && !allDone) {
    const compensating = await beginCompensation(deps, definition, run, abandonedCause);
    return compensating.state === 'compensating' ? compensateRun(deps, definition, compensating, undefined) : compensating;
  }
  return driveForward(deps, definition, run, undefined);
}

/** Claims and continues one run; a step's error was recorded by the runner, so it is reported, not thrown. */
async function resumeRow(deps: Deps, definitions: FlowDefinitions, row: FlowRunRow): Promise<FlowState | undefined> {
  const definition = definitions[row.type];
  if (!definition) {
    deps.logger.error({ flowRunId: row.id, flowType: row.type }, 'no flow definition for this run type');
    return undefined;
  }
  const run = await claimRun(deps, definition, row);
  if (!run) return undefined;
  try {
    return (await continueClaimed(deps, definition, run)).state;
  } catch (error) {
    deps.logger.warn({ flowRunId: row.id, flowType: row.type, code: failureCodeOf(error) }, 'flow run did not finish; it will be resumed');
    return (await findRun(deps.db, row.id))?.state;
  }
}

/** The resume job's work: continues up to `limit` due runs (bounded batch; the next slot takes the rest). */
export async function resumeDueRuns(deps: Deps, definitions: FlowDefinitions, limit = 100): Promise<number> {
  const due = await selectDueRuns(deps.db, deps.clock.nowMs(), limit);
  let resumed = 0;
  for (const row of due) if ((await resumeRow(deps, definitions, row)) !== undefined) resumed++;
  return resumed;
}

/** An operator's "retry now" of a run needing attention, without waiting for its backoff. */
export async function retryRunNow(deps: Deps, definitions: FlowDefinitions, runId: string): Promise<FlowRunRow> {
  const row = await findRun(deps.db, runId);
  if (!row || !definitions[row.type]) throw notFound('The flow run');
  if (row.state !== 'needs_attention') throw new AppError('invalid_state', `This run is ${row.state.replace('_', ' ')}; only a run needing attention can be retried.`);
  if ((await resumeRow(deps, definitions, row)) === undefined) throw new AppError('conflict', 'This run is being retried already. Refresh in a moment.');
  const after = await findRun(deps.db, runId);
  if (!after) throw notFound('The flow run');
  return after;
}

/** A run by its business key (`checkout:<orderId>`), typed by its flow. */
export async function findRunOf<I>(ctx: Ctx, definition: FlowDefinition<I, unknown>, key: string): Promise<FlowRun<I> | undefined> {
  const row = await findRunByKey(ctx.db, key);
  return row && row.type === definition.type ? toRun(row, definition) : undefined;
}

/** Claims a run found by key and continues it now (the stale-checkout sweep settling one order). */
export async function resumeRunNow(deps: Deps, definitions: FlowDefinitions, runId: string): Promise<FlowState | undefined> {
  const row = await findRun(deps.db, runId);
  if (!row || row.state === 'completed' || row.state === 'compensated' || row.state === 'failed') return row?.state;
  return resumeRow(deps, definitions, row);
}
