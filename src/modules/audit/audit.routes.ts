// Staff views of the audit log: a member's entries (agents) and a verification of the whole chain (admins).
import type { Deps } from '../../deps.ts';
import { requireRole } from '../../http/principal.ts';
import type { ZodApp } from '../../http/types.ts';
import { listAuditEntries, verifyAuditChain } from './audit.service.ts';
import { auditEntryList, auditVerificationView, memberAuditParams, memberAuditQuery, toEntryView } from './audit.schemas.ts';

export function registerAuditRoutes(app: ZodApp, deps: Deps): void {
  app.get(
    '/agent/members/:memberId/audit',
    {
      schema: {
        tags: ['audit'],
        summary: "List a member's audit entries, newest first",
        params: memberAuditParams,
        querystring: memberAuditQuery,
        response: { 200: auditEntryList },
      },
      config: { auth: 'agent' },
    },
    async (request) => {
      requireRole(request, 'agent');
      const { limit, before } = request.query;
      const entries = await listAuditEntries(deps, { memberId: request.params.memberId, limit, before });
      const last = entries.at(-1);
      return { entries: entries.map(toEntryView), nextBefore: entries.length === limit && last ? last.seq : null };
    },
  );

  app.get(
    '/admin/audit/verify',
    { schema: { tags: ['audit'], summary: 'Recompute the audit hash chain and report the first bad entry (PV-33)', response: { 200: auditVerificationView } }, config: { auth: 'admin' } },
    async (request) => {
      requireRole(request, 'admin');
      return verifyAuditChain(deps);
    },
  );
}
