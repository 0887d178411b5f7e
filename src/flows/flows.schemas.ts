// The operator API's shapes (console: /console/flows): runs needing attention and the answer to a retry.
import { z } from 'zod';
import { flowStates } from './flows.table.ts';
import type { FlowRunAttention } from './attention.service.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export const flowRunIdParams = z.strictObject({ runId: z.string().min(1).max(100) });
export const flowRunListQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(100) });
/** A retry takes no options; the body is declared (empty) like every write's. */
export const retryBody = z.strictObject({});

export const flowRunAttentionView = z.object({
  id: z.string(),
  type: z.string(),
  key: z.string(),
  state: z.enum(flowStates),
  memberId: z.string().nullable(),
  causeCode: z.string().nullable(),
  failedStep: z.string().nullable(),
  lastErrorCode: z.string().nullable(),
  refusals: z.number().int(),
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  reason: z.string(),
});

export const flowRunAttentionList = z.object({ runs: z.array(flowRunAttentionView) });

export const flowRunRetryView = z.object({ id: z.string(), state: z.enum(flowStates), lastErrorCode: z.string().nullable() });

export function toFlowRunAttentionView(run: FlowRunAttention): z.infer<typeof flowRunAttentionView> {
  return {
    id: run.id,
    type: run.type,
    key: run.key,
    state: run.state,
    memberId: run.memberId,
    causeCode: run.causeCode,
    failedStep: run.failedStep,
    lastErrorCode: run.lastErrorCode,
    refusals: run.refusals,
    attempts: run.attempts,
    nextAttemptAt: run.nextAttemptAtMs === null ? null : iso(run.nextAttemptAtMs),
    createdAt: iso(run.createdAtMs),
    updatedAt: iso(run.updatedAtMs),
    reason: run.reason,
  };
}
