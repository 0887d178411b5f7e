// Reads and guarded writes of flow_runs and flow_steps; only the runner (runner.ts) calls these.
import type { Executor } from '../db/database.ts';
import { flowTables, type FlowRunRow, type FlowState, type FlowStepRow, type StepState } from './flows.table.ts';

/** Inserts a run unless one with the same key exists; answers whether it was written. */
export async function insertRun(db: Executor, row: FlowRunRow): Promise<boolean> {
  const result = await flowTables(db).insertInto('flow_runs').values(row).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Inserts a step record unless the step is recorded already (another runner got there first). */
export async function insertStep(db: Executor, row: FlowStepRow): Promise<boolean> {
  const result = await flowTables(db).insertInto('flow_steps').values(row).onConflict((oc) => oc.columns(['run_id', 'step']).doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export async function findRun(db: Executor, runId: string): Promise<FlowRunRow | undefined> {
  return flowTables(db).selectFrom('flow_runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

export async function findRunByKey(db: Executor, key: string): Promise<FlowRunRow | undefined> {
  return flowTables(db).selectFrom('flow_runs').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function selectSteps(db: Executor, runId: string): Promise<FlowStepRow[]> {
  return flowTables(db).selectFrom('flow_steps').selectAll().where('run_id', '=', runId).execute();
}

export async function selectStepsOfRuns(db: Executor, runIds: readonly string[]): Promise<FlowStepRow[]> {
  if (runIds.length === 0) return [];
  return flowTables(db).selectFrom('flow_steps').selectAll().where('run_id', 'in', runIds).execute();
}

type RunPatch = Partial<Pick<FlowRunRow, 'state' | 'current_step' | 'next_attempt_at_ms' | 'cause_code' | 'last_error_code' | 'attempts' | 'updated_at_ms' | 'finished_at_ms'>>;

/**
 * Changes a run only if it is still in one of `from` (and, for a claim, still due at the time the claimer saw), so
 * two runners never both move it; answers whether this caller did.
 */
export async function updateRun(db: Executor, runId: string, guard: { from: readonly FlowState[]; nextAttemptAtMs?: number | null }, patch: RunPatch): Promise<boolean> {
  let query = flowTables(db).updateTable('flow_runs').set(patch).where('id', '=', runId).where('state', 'in', guard.from);
  if (guard.nextAttemptAtMs !== undefined) {
    query = guard.nextAttemptAtMs === null ? query.where('next_attempt_at_ms', 'is', null) : query.where('next_attempt_at_ms', '=', guard.nextAttemptAtMs);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function updateStep(
  db: Executor,
  runId: string,
  step: string,
  from: readonly StepState[],
  patch: Partial<Pick<FlowStepRow, 'state' | 'result' | 'refusals' | 'last_error_code' | 'updated_at_ms'>>,
): Promise<boolean> {
  const result = await flowTables(db).updateTable('flow_steps').set(patch).where('run_id', '=', runId).where('step', '=', step).where('state', 'in', from).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Unfinished runs whose lease or backoff is over, oldest due first. */
export async function selectDueRuns(db: Executor, nowMs: number, limit: number): Promise<FlowRunRow[]> {
  return flowTables(db)
    .selectFrom('flow_runs')
    .selectAll()
    .where('state', 'in', ['running', 'compensating', 'needs_attention'])
    .where('next_attempt_at_ms', '<=', nowMs)
    .orderBy('next_attempt_at_ms')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function selectRunsInStates(db: Executor, states: readonly FlowState[], limit: number): Promise<FlowRunRow[]> {
  return flowTables(db).selectFrom('flow_runs').selectAll().where('state', 'in', states).orderBy('updated_at_ms', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** Deletes up to `limit` finished runs (and their steps) that finished before `beforeMs`; answers how many. */
export async function deleteFinishedRuns(db: Executor, beforeMs: number, limit: number): Promise<number> {
  const old = await flowTables(db).selectFrom('flow_runs').select('id').where('state', 'in', ['completed', 'compensated', 'failed']).where('finished_at_ms', '<', beforeMs).limit(limit).execute();
  if (old.length === 0) return 0;
  const ids = old.map((row) => row.id);
  await flowTables(db).deleteFrom('flow_steps').where('run_id', 'in', ids).execute();
  await flowTables(db).deleteFrom('flow_runs').where('id', 'in', ids).execute();
  return ids.length;
}
