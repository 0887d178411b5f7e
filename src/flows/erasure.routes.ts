// The agent's erasure API (PV-18): an admin erases a member (recorded in the audit log with the admin as actor) and
// reads the report back. The rights-request slice calls eraseSubject directly at fulfilment; this route makes the
// erasure usable on its own.
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { ZodApp } from '../http/types.ts';
import { requireRole } from '../http/principal.ts';
import { notFound } from '../platform/errors.ts';
import { erasureReportSchema, findErasure } from '../modules/privacy/index.ts';
import { eraseSubject } from './erasure.ts';

const tags = ['privacy'];
const erasureBody = z.strictObject({
  memberId: z.string().min(1).max(100),
  /** `request`: fulfils a rights request handled outside Patron; `agent`: an erasure ordered by the operator. */
  reason: z.enum(['request', 'agent']),
  requestId: z.string().min(1).max(100).nullable().default(null),
});
const erasureParams = z.strictObject({ erasureId: z.string().min(1).max(100) });
const erasureView = erasureReportSchema.extend({ erasureId: z.string() });

export function registerErasureRoutes(app: ZodApp, deps: Deps): void {
  app.post(
    '/agent/privacy/erasures',
    { schema: { tags, summary: 'Erase a member (PV-18): the personal-data map executed as a durable flow; answers the erasure report', body: erasureBody, response: { 200: erasureView } }, config: { auth: 'admin' } },
    async (request) => {
      const admin = requireRole(request, 'admin');
      return eraseSubject(deps, { memberId: request.body.memberId, requestId: request.body.requestId, reason: request.body.reason, actorId: admin.memberId });
    },
  );

  app.get(
    '/agent/privacy/erasures/:erasureId',
    { schema: { tags, summary: 'An erasure report (PV-18): what was deleted, anonymized, and kept with its legal basis and until when', params: erasureParams, response: { 200: erasureView } }, config: { auth: 'admin' } },
    async (request) => {
      requireRole(request, 'admin');
      const record = await findErasure(deps.db, request.params.erasureId);
      if (!record) throw notFound('The erasure');
      return { ...record.report, erasureId: record.id };
    },
  );
}
