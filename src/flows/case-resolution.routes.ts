// Resolving an after-sales case (AS-7, AS-8, AS-11): the agent's resolve, and where its refund run stands.
import type { Deps } from '../deps.ts';
import type { ZodApp } from '../http/types.ts';
import { requireRole } from '../http/principal.ts';
import { idempotencyKeyHeaders } from '../http/idempotency-key.ts';
import { answerIdempotently } from '../http/idempotency.ts';
import { getCaseForResolution } from '../modules/aftersales/index.ts';
import { caseResolutionFlowState, resolveCase } from './case-resolution.ts';
import { caseIdParams, caseResolutionView, resolveCaseBody, toCaseResolutionView } from './case-resolution.schemas.ts';

const tags = ['aftersales'];

export function registerCaseResolutionRoutes(app: ZodApp, deps: Deps): void {
  app.post(
    '/agent/cases/:caseId/resolve',
    {
      schema: {
        tags,
        summary: 'Resolve an approved or received case with a remedy: a refund through the gateway with credits reversed per line, a zero-price replacement, or a redemption’s replacement or credits back (AS-7, AS-8, AS-11, CR-16)',
        headers: idempotencyKeyHeaders,
        params: caseIdParams,
        body: resolveCaseBody,
        response: { 200: caseResolutionView },
      },
      config: { auth: 'agent' },
    },
    async (request, reply) => {
      const principal = requireRole(request, 'agent');
      const actor = { id: principal.memberId, role: principal.role === 'admin' ? ('admin' as const) : ('agent' as const) };
      const record = await getCaseForResolution(deps, request.params.caseId);
      return answerIdempotently(deps, request, reply, { required: true, body: request.body, memberId: record.memberId }, async () => {
        const answer = await resolveCase(deps, { caseId: record.id, remedy: request.body.remedy, note: request.body.note ?? null, quantity: request.body.quantity ?? null, actor });
        return { status: 200, body: toCaseResolutionView(answer), memberId: record.memberId };
      });
    },
  );

  app.get(
    '/agent/cases/:caseId/resolution',
    { schema: { tags, summary: 'What a case’s resolution did, and where its refund run stands (running after an unanswered gateway)', params: caseIdParams, response: { 200: caseResolutionView } }, config: { auth: 'agent' } },
    async (request) => {
      requireRole(request, 'agent');
      const record = await getCaseForResolution(deps, request.params.caseId);
      return toCaseResolutionView({ case: record, flowState: await caseResolutionFlowState(deps, record.id) });
    },
  );
}
