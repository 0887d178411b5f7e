// The credits HTTP surface: the member's own balance and history (CR-20), the agent console's ledger view,
// point-in-time lookup (LG-4), adjustments (CR-21), policy versions (CR-6) and auditor runs (LG-5).
// There is deliberately no route that transfers, merges or cashes out credits (CR-19).
import type { z } from 'zod';
import { idempotencyKeyHeaders } from '../../http/idempotency-key.ts';
import { answerIdempotently } from '../../http/idempotency.ts';
import { assert } from '../../platform/assert.ts';
import type { Deps } from '../../deps.ts';
import { requireRole, requireSession, type Principal } from '../../http/principal.ts';
import { noBody } from '../../http/route-guards.ts';
import type { ZodApp } from '../../http/types.ts';
import { decideAdjustmentRequest, listAdjustmentRequests, requestAdjustment } from './adjustment-requests.service.ts';
import { listAuditRuns, runCreditsAudit } from './auditor.ts';
import { getBalance, getBalanceAt, getHistory } from './balance.service.ts';
import { listPolicies, publishPolicy } from './policy.service.ts';
import {
  adjustmentBody, adjustmentRequestList, adjustmentRequestParams, adjustmentRequestView, adjustmentRequestsQuery, adjustmentView, approveAdjustmentBody, rejectAdjustmentBody, toAdjustmentRequestView, agentHistoryView, auditRunListView, auditRunView, auditRunsQuery, balanceView, historyQuery,
  memberHistoryView, memberParams, pointInTimeQuery, policyBody, policyListView, policyView, toAdjustmentView, toAgentHistoryView, toAuditRunView,
  toBalanceView, toMemberHistoryView, toPolicyView,
} from './credits.schemas.ts';

const tags = ['credits'];

function staffActor(staff: Extract<Principal, { kind: 'session' }>): { id: string; role: 'agent' | 'admin' } {
  return { id: staff.memberId, role: staff.role === 'admin' ? 'admin' : 'agent' };
}

export function registerCreditsRoutes(app: ZodApp, deps: Deps): void {
  app.get('/me/credits', { schema: { tags, summary: 'My credits balance: available, pending with unlock dates, held, expiring soon, lifetime earned', response: { 200: balanceView } }, config: { auth: 'session' } }, async (request) => {
    const principal = requireSession(request);
    return toBalanceView(await getBalance(deps, principal.memberId));
  });

  app.get('/me/credits/history', { schema: { tags, summary: 'My credits history, newest first', querystring: historyQuery, response: { 200: memberHistoryView } }, config: { auth: 'session' } }, async (request) => {
    const principal = requireSession(request);
    return toMemberHistoryView(await getHistory(deps, principal.memberId, request.query));
  });

  app.get(
    '/agent/members/:memberId/credits',
    { schema: { tags, summary: "A member's credits balance", params: memberParams, response: { 200: balanceView } }, config: { auth: 'agent' } },
    async (request) => {
      requireRole(request, 'agent');
      return toBalanceView(await getBalance(deps, request.params.memberId));
    },
  );

  app.get(
    '/agent/members/:memberId/credits/history',
    { schema: { tags, summary: "A member's ledger, newest first, with adjustment notes and authors", params: memberParams, querystring: historyQuery, response: { 200: agentHistoryView } }, config: { auth: 'agent' } },
    async (request) => {
      requireRole(request, 'agent');
      return toAgentHistoryView(await getHistory(deps, request.params.memberId, request.query));
    },
  );

  app.get(
    '/agent/members/:memberId/credits/at',
    { schema: { tags, summary: "A member's balance as it was at a past moment (replayed from the postings)", params: memberParams, querystring: pointInTimeQuery, response: { 200: balanceView } }, config: { auth: 'agent' } },
    async (request) => {
      requireRole(request, 'agent');
      return toBalanceView(await getBalanceAt(deps, request.params.memberId, Date.parse(request.query.time)));
    },
  );

  app.post(
    '/agent/members/:memberId/credits/adjustments',
    {
      schema: {
        tags,
        summary:
          "Adjust a member's credits up or down with a reason code and a note (send an Idempotency-Key header). Within the policy's approval threshold it posts at once (201); above it, it waits for a second staff member's approval (202). Nobody adjusts their own credits (CR-21)",
        params: memberParams,
        headers: idempotencyKeyHeaders,
        body: adjustmentBody,
        response: { 201: adjustmentView, 202: adjustmentRequestView },
      },
      config: { auth: 'agent' },
    },
    async (request, reply) => {
      const staff = requireRole(request, 'agent');
      return answerIdempotently<z.infer<typeof adjustmentView> | z.infer<typeof adjustmentRequestView>>(deps, request, reply, { required: true, body: request.body, memberId: request.params.memberId }, async (key) => {
        assert(key, 'the key is required');
        const outcome = await requestAdjustment(deps, {
          memberId: request.params.memberId,
          credits: request.body.credits,
          reasonCode: request.body.reasonCode,
          note: request.body.note,
          actor: staffActor(staff),
          // The ledger's own record of the key (LG-3) is the staff member's, like the HTTP one: two agents' keys never meet.
          idempotencyKey: `${staff.memberId}:${key}`,
        });
        return outcome.status === 'posted' ? { status: 201, body: toAdjustmentView(outcome.adjustment) } : { status: 202, body: toAdjustmentRequestView(outcome.request) };
      });
    },
  );

  app.get(
    '/agent/credits/adjustment-requests',
    { schema: { tags, summary: 'Adjustment requests above the approval threshold, newest first; filter by status or member (CR-21)', querystring: adjustmentRequestsQuery, response: { 200: adjustmentRequestList } }, config: { auth: 'agent' } },
    async (request) => {
      requireRole(request, 'agent');
      return { requests: (await listAdjustmentRequests(deps, request.query)).map(toAdjustmentRequestView) };
    },
  );

  app.post(
    '/agent/credits/adjustment-requests/:requestId/approve',
    { schema: { tags, summary: 'Approve a pending adjustment request as a second staff member: the posting is written now (CR-21)', params: adjustmentRequestParams, body: approveAdjustmentBody, response: { 200: adjustmentRequestView } }, config: { auth: 'agent' } },
    async (request) => {
      const staff = requireRole(request, 'agent');
      return toAdjustmentRequestView(await decideAdjustmentRequest(deps, { requestId: request.params.requestId, decision: 'approve', actor: staffActor(staff), note: request.body.note }));
    },
  );

  app.post(
    '/agent/credits/adjustment-requests/:requestId/reject',
    { schema: { tags, summary: 'Reject a pending adjustment request as a second staff member, saying why; nothing is posted (CR-21)', params: adjustmentRequestParams, body: rejectAdjustmentBody, response: { 200: adjustmentRequestView } }, config: { auth: 'agent' } },
    async (request) => {
      const staff = requireRole(request, 'agent');
      return toAdjustmentRequestView(await decideAdjustmentRequest(deps, { requestId: request.params.requestId, decision: 'reject', actor: staffActor(staff), note: request.body.note }));
    },
  );

  app.get('/agent/credits/policies', { schema: { tags, summary: 'Program policy versions, newest first', response: { 200: policyListView } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return { policies: (await listPolicies(deps)).map(toPolicyView) };
  });

  app.post('/admin/credits/policies', { schema: { tags, summary: 'Publish a new program policy version', body: policyBody, response: { 201: policyView } }, config: { auth: 'admin' } }, async (request, reply) => {
    const admin = requireRole(request, 'admin');
    const { note, ...settings } = request.body;
    const policy = await publishPolicy(deps, { settings, note, actor: { id: admin.memberId, role: 'admin' } });
    return reply.status(201).send(toPolicyView(policy));
  });

  app.get('/agent/credits/audit-runs', { schema: { tags, summary: 'Recent ledger auditor runs', querystring: auditRunsQuery, response: { 200: auditRunListView } }, config: { auth: 'agent' } }, async (request) => {
    requireRole(request, 'agent');
    return { runs: (await listAuditRuns(deps, { limit: request.query.limit })).map(toAuditRunView) };
  });

  app.post('/admin/credits/audit-runs', { schema: { tags, summary: 'Run the ledger auditor now', body: noBody, response: { 201: auditRunView } }, config: { auth: 'admin' } }, async (request, reply) => {
    const admin = requireRole(request, 'admin');
    const report = await runCreditsAudit(deps, { trigger: 'manual', actorId: admin.memberId });
    return reply.status(201).send(toAuditRunView(report));
  });
}
