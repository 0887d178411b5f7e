// Flows API (src/flows/runs.routes.ts, shapes in flows.schemas.ts): runs whose compensation failed, and retrying one.
import { api } from './client.ts';

export type FlowState = 'running' | 'completed' | 'compensating' | 'compensated' | 'failed' | 'needs_attention';

/** flowRunAttentionView */
export interface FlowRunAttention {
  id: string;
  type: string;
  key: string;
  state: FlowState;
  memberId: string | null;
  causeCode: string | null;
  failedStep: string | null;
  lastErrorCode: string | null;
  refusals: number;
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
  reason: string;
}

export const flowsApi = {
  attention: () => api.get<{ runs: FlowRunAttention[] }>('/agent/flows/attention'),
  retry: (runId: string) => api.post<{ id: string; state: FlowState; lastErrorCode: string | null }>(`/agent/flows/runs/${encodeURIComponent(runId)}/retry`, {}),
};
