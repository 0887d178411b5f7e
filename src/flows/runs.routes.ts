// The operator API for flows: runs whose compensation failed, and retrying one now (audit-recorded).
import type { Deps } from '../deps.ts';
import type { ZodApp } from '../http/types.ts';
import { requireRole } from '../http/principal.ts';
import { listRunsNeedingAttention, retryFlowRun } from './attention.service.ts';
import { flowRunAttentionList, flowRunIdParams, flowRunListQuery, flowRunRetryView, retryBody, toFlowRunAttentionView } from './flows.schemas.ts';

const tags = ['flows'];

export function registerFlowRunRoutes(app: ZodApp, deps: Deps): void {
  app.get(
    '/agent/flows/attention',
    { schema: { tags, summary: 'Flow runs needing attention: a compensation (a refund, a void) was refused or not answered; retried automatically with backoff', querystring: flowRunListQuery, response: { 200: flowRunAttentionList } }, config: { auth: 'agent' } },
    async (request) => {
      requireRole(request, 'agent');
      return { runs: (await listRunsNeedingAttention(deps, request.query.limit)).map(toFlowRunAttentionView) };
    },
  );

  app.post(
    '/agent/flows/runs/:runId/retry',
    { schema: { tags, summary: 'Retry a run needing attention now, without waiting for its backoff (recorded in the audit log)', params: flowRunIdParams, body: retryBody, response: { 200: flowRunRetryView } }, config: { auth: 'agent' } },
    async (request) => {
      const principal = requireRole(request, 'agent');
      return retryFlowRun(deps, { id: principal.memberId, role: principal.role === 'admin' ? 'admin' : 'agent' }, request.params.runId);
    },
  );
}
