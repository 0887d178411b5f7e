// The operator's view of flows (console: /console/flows): runs whose compensation was refused or not answered, with
// the reason in codes, and "retry now" (audit-recorded) besides the resume job's own retries with backoff.
import type { Ctx, Deps } from '../deps.ts';
import { recordAudit, type ActorRole } from '../modules/audit/index.ts';
import type { FlowState } from './flows.table.ts';
import { flowDefinitions } from './definitions.ts';
import { selectRunsInStates, selectStepsOfRuns } from './runs.repository.ts';
import { retryRunNow } from './runner.ts';

export interface FlowRunAttention {
  id: string;
  type: string;
  key: string;
  state: FlowState;
  memberId: string | null;
  /** Why the run is being undone: a gateway code, `abandoned`, `not_completed`… */
  causeCode: string | null;
  /** The step whose compensation failed, its latest error code and how often it was refused. */
  failedStep: string | null;
  lastErrorCode: string | null;
  refusals: number;
  attempts: number;
  nextAttemptAtMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
  /** One sentence built from the codes above (never from messages, which may quote people). */
  reason: string;
}

function reasonOf(failedStep: string | null, lastErrorCode: string | null, causeCode: string | null, attempts: number): string {
  const undoing = failedStep ? `Undoing the step “${failedStep}” failed` : 'Undoing the run failed';
  const tries = attempts === 1 ? 'once' : `${attempts} times`;
  return `${undoing} ${tries} (${lastErrorCode ?? 'unknown'}); it was being undone because of ${causeCode ?? 'an error'}. It is retried automatically.`;
}

export async function listRunsNeedingAttention(ctx: Ctx, limit = 100): Promise<FlowRunAttention[]> {
  const runs = await selectRunsInStates(ctx.db, ['needs_attention'], Math.min(limit, 200));
  const steps = await selectStepsOfRuns(ctx.db, runs.map((run) => run.id));
  return runs.map((run) => {
    const failed = steps.find((step) => step.run_id === run.id && step.state === 'compensation_failed');
    return {
      id: run.id,
      type: run.type,
      key: run.key,
      state: run.state,
      memberId: run.member_id,
      causeCode: run.cause_code,
      failedStep: failed?.step ?? null,
      lastErrorCode: failed?.last_error_code ?? run.last_error_code,
      refusals: failed?.refusals ?? 0,
      attempts: run.attempts,
      nextAttemptAtMs: run.next_attempt_at_ms,
      createdAtMs: run.created_at_ms,
      updatedAtMs: run.updated_at_ms,
      reason: reasonOf(failed?.step ?? null, failed?.last_error_code ?? run.last_error_code, run.cause_code, run.attempts),
    };
  });
}

/** Retries a run needing attention now; the audit log records who asked and what came of it. */
export async function retryFlowRun(deps: Deps, actor: { id: string; role: ActorRole }, runId: string): Promise<{ id: string; state: FlowState; lastErrorCode: string | null }> {
  const after = await retryRunNow(deps, flowDefinitions, runId);
  await recordAudit(deps, {
    actor,
    action: 'flows.run.retried',
    memberId: after.member_id,
    subject: after.id,
    details: { type: after.type, state: after.state, lastErrorCode: after.last_error_code },
  });
  return { id: after.id, state: after.state, lastErrorCode: after.last_error_code };
}
