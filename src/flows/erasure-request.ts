// A rights request's erasure (PV-18): the privacy module's fulfilment queues `privacy-erase-for-request`; this job
// runs the erasure flow for the request's subject, then answers the request as fulfilled and sends the requester
// the erasure report (deleted, kept and why, until when) in one transaction. The erasure flow is idempotent per member
// and the job keyed per request, so a retried job neither erases twice nor answers twice.
import { z } from 'zod';
import { transact, type Deps } from '../deps.ts';
import type { JobHandler } from '../jobs/index.ts';
import { queueEmail } from '../modules/notifications/index.ts';
import { completeDeferredFulfilment, eraseForRequestJobType, erasureCompletedEmail, erasureEmailData, findRequest, recipientsOf } from '../modules/privacy/index.ts';
import { eraseSubject } from './erasure.ts';

const payloadSchema = z.strictObject({ requestId: z.string().min(1).max(100) });

export const erasedOutcome = 'We erased your personal data, except the records the law requires us to keep. The erasure report we emailed says what we kept, why and until when.';

export async function eraseForRequest(deps: Deps, requestId: string): Promise<void> {
  const request = await findRequest(deps.db, requestId);
  if (!request || request.state !== 'in_progress' || request.memberId === null) return;
  const report = await eraseSubject(deps, { memberId: request.memberId, requestId, reason: 'request' });
  await transact(deps, async (trx) => {
    const answered = await completeDeferredFulfilment(trx, { requestId, outcome: erasedOutcome });
    // The member is erased: the report goes to the request's own contact (kept with the request, PV-31), not the member.
    for (const [index, to] of recipientsOf(answered).entries()) {
      await queueEmail(trx, { memberId: null, to, template: erasureCompletedEmail, data: erasureEmailData(report), dedupeKey: `privacy-erasure-report:${requestId}:${index}` });
    }
  });
}

export const erasureRequestJobHandlers: Record<string, JobHandler> = {
  [eraseForRequestJobType]: async (deps, payload) => eraseForRequest(deps, payloadSchema.parse(payload).requestId),
};
