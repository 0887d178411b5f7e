// Fulfilling, extending and appealing rights requests (PV-3, PV-9): `fulfilRequest` with one step per type, the
// extension with its notice in the same transaction, the subject's appeal and its decision by a different agent.
//
// Access and portability queue the subject's export (the `privacy-export` job builds the ZIP; the subject downloads it
// after a fresh sign-in or with an emailed code), `know` answers from the data map and the disclosure record, erase
// queues the erasure flow as a job that answers the request when it is done (with the erasure report); for
// rectify, restrict, complaint and appeal the agent does the work through their own routes and Patron records that
// it was done. `fulfilmentSteps` is the one place where each type's work is wired.
import { AppError, notFound } from '../../platform/errors.ts';
import { enqueueJob } from '../../jobs/index.ts';
import { recordAudit } from '../audit/index.ts';
import { queueEmail } from '../notifications/index.ts';
import { appealDueDate, calendarDateOf, extendDueDate } from './deadlines.rules.ts';
import { requestExtendedEmail } from './emails/request-extended.ts';
import { applyOptOut } from './optouts.service.ts';
import { know, queueSubjectExportIn } from './export.service.ts';
import { auditActorOf, firstNameOf, moveRequest, recipientsOf, systemRequestActor, type RequestActor, type RequestCtx } from './request-transitions.service.ts';
import { isOptOut, type AppealDecision, type RequestType } from './requests.rules.ts';
import { appendEvent, findRequest, updateRequestFields, type PrivacyRequest } from './requests.repository.ts';

/**
 * What a fulfilment step answers: the outcome, in words for the requester's email; or `deferred` when the work runs
 * in the background (an erasure) and `completeDeferredFulfilment` answers once it is done.
 */
type FulfilmentStep = (ctx: RequestCtx, request: PrivacyRequest, actor: RequestActor) => Promise<string | { deferred: true }>;

/** The job that erases a request's subject (PV-18); its handler is the flows layer's, which runs the erasure flow. */
export const eraseForRequestJobType = 'privacy-erase-for-request';

/**
 * Erase (PV-18): the erasure is a durable flow of the layer above this module, so fulfilment queues it as a job keyed
 * by the request (a retried fulfilment queues it once) and the request stays in progress until the job answers. A
 * subject without an account has no account data; the answer says so at once.
 */
const queueErasure: FulfilmentStep = async (ctx, request, actor) => {
  if (request.memberId === null) return 'We found no account for this email address, so we hold no account data to delete.';
  await enqueueJob(ctx, { type: eraseForRequestJobType, payload: { requestId: request.id }, key: `${eraseForRequestJobType}:${request.id}`, maxAttempts: 10 });
  await recordAudit(ctx, { actor: auditActorOf(actor), action: 'privacy.erasure.queued', memberId: request.memberId, subject: request.id, details: {} });
  return { deferred: true };
};

/** Records that the privacy team carried the request out; no data work happens in Patron for these yet. */
const recordedByAgent =
  (outcome: string): FulfilmentStep =>
  async () =>
    outcome;

/**
 * Access and portability (PV-15): the subject's export is queued with the answer, keyed by the request so a retried
 * fulfilment queues it once. A subject without an account has no account data; the answer says so.
 */
const queueExport =
  (ready: string): FulfilmentStep =>
  async (ctx, request, actor) => {
    if (request.memberId === null) return 'We found no account for this email address, so we hold no account data about you.';
    const { record } = await queueSubjectExportIn(ctx, { memberId: request.memberId, requestId: request.id, dedupeKey: `request:${request.id}`, actor: { id: actor.id, role: actor.role === 'member' || actor.role === 'agent' || actor.role === 'admin' ? actor.role : 'system' } });
    return `${ready} Download it from the privacy section of your account after signing in, or with a code we email to this address; it stays available for 7 days (reference ${record.id}).`;
  };

/** Know (PV-17): categories, sources, purposes and recipients, from the data map and what was disclosed. */
const answerKnow: FulfilmentStep = async (ctx, request) => {
  if (request.memberId === null) return 'We found no account for this email address, so we hold no account data about you.';
  const report = await know(ctx, request.memberId);
  const list = (items: readonly string[]) => (items.length === 0 ? 'none' : items.join('; '));
  // The purposes run to a line per column; the email names the rest and the account shows them all (GET /me/privacy/know).
  return `Categories of personal data we hold about you: ${list(report.categories)}. Where it comes from: ${list(report.sources)}. To whom we disclose it: ${list(report.recipientCategories)}. What we use each for, and how long we keep it, is listed in the privacy section of your account.`;
};

/** The per-type step of fulfilment: access/portability → the export, know → the data map's answer. */
export const fulfilmentSteps: Record<Exclude<RequestType, 'optout_sale_share' | 'optout_targeted_ads' | 'limit_sensitive' | 'withdraw_consent' | 'object'>, FulfilmentStep> = {
  access: queueExport('Your copy of your personal data is being prepared.'),
  portability: queueExport('Your personal data in a portable format (JSON and CSV files in a ZIP) is being prepared.'),
  know: answerKnow,
  rectify: recordedByAgent('Our privacy team has corrected your personal data as you asked.'),
  erase: queueErasure,
  restrict: recordedByAgent('We now only store your personal data and do not otherwise use it, except where the law requires.'),
  complaint: recordedByAgent('Our privacy team has looked into your complaint and answered it.'),
  appeal: recordedByAgent('Our privacy team has reviewed your appeal and answered it.'),
};

/** Fulfils a request in progress: runs its type's step and moves it to fulfilled with the outcome (PV-3). */
export async function fulfilRequest(ctx: RequestCtx, input: { requestId: string; actor: RequestActor; note?: string | null }): Promise<PrivacyRequest> {
  const request = await findRequest(ctx.db, input.requestId);
  if (!request) throw notFound('The request');
  if (request.state !== 'in_progress') throw new AppError('invalid_state', `The request is ${request.state.replace('_', ' ')}; start it before fulfilling it.`, { state: request.state });
  if (isOptOut(request.type)) return applyOptOut(ctx, request, input.actor);
  const outcome = await fulfilmentSteps[request.type](ctx, request, input.actor);
  if (typeof outcome !== 'string') return request;
  return moveRequest(ctx, { requestId: request.id, action: 'fulfil', actor: input.actor, reasonCode: 'fulfilled', note: input.note ?? null, outcome });
}

/** Answers a request whose work ran in the background (an erasure): fulfilled with the outcome, once. */
export async function completeDeferredFulfilment(ctx: RequestCtx, input: { requestId: string; outcome: string }): Promise<PrivacyRequest> {
  const request = await findRequest(ctx.db, input.requestId);
  if (!request) throw notFound('The request');
  if (request.state !== 'in_progress') return request;
  return moveRequest(ctx, { requestId: request.id, action: 'fulfil', actor: systemRequestActor, reasonCode: 'fulfilled', outcome: input.outcome });
}

const extensionRefusals = {
  past_due: 'The due date has passed, so this request can no longer be extended (PV-9).',
  not_extendable: 'Complaints are answered within 30 days and cannot be extended.',
  cap_reached: 'This request was already extended as far as the law allows.',
  over_cap: 'That extension is longer than the law allows for this request.',
} as const;

/** The states in which an extension can still help: a request not yet answered. */
const extendableStates = new Set(['received', 'awaiting_verification', 'verified', 'in_progress', 'on_hold']);

/**
 * PV-9: extends the due date before it passes, with a reason, within the regime's cap (US one of 45 days; GDPR/UK up
 * to two months in total), and queues the subject's notice in the same transaction.
 */
export async function extendRequest(ctx: RequestCtx, input: { requestId: string; actor: RequestActor; reason: string; months?: number }): Promise<PrivacyRequest> {
  const request = await findRequest(ctx.db, input.requestId);
  if (!request) throw notFound('The request');
  if (!extendableStates.has(request.state)) throw new AppError('invalid_state', `The request is ${request.state.replace('_', ' ')}, so its due date cannot be extended.`, { state: request.state });
  const nowMs = ctx.clock.nowMs();
  const outcome = extendDueDate({
    regime: request.regime,
    type: request.type,
    receivedDate: request.receivedDate,
    dueDate: request.dueDate,
    extensionsSoFar: request.extensionCount,
    extendedMonthsSoFar: request.extendedMonths,
    months: input.months,
    today: calendarDateOf(nowMs),
  });
  if (!outcome.ok) throw new AppError(outcome.reason === 'over_cap' ? 'validation' : 'invalid_state', extensionRefusals[outcome.reason], { reason: outcome.reason, dueDate: request.dueDate });
  const changes = { due_date: outcome.dueDate, extension_count: request.extensionCount + 1, extended_months: request.extendedMonths + outcome.months };
  if (!(await updateRequestFields(ctx.db, request, nowMs, changes))) throw new AppError('conflict', 'Someone else changed this request a moment ago. Reload it and try again.', { requestId: request.id });
  const eventId = ctx.ids.next('pre');
  await appendEvent(ctx.db, request, { id: eventId, fromState: request.state, toState: request.state, action: 'extend', actorRole: input.actor.role, actorId: input.actor.id, reasonCode: 'extension', note: input.reason, atMs: nowMs });
  await recordAudit(ctx, { actor: auditActorOf(input.actor), action: 'privacy.request.extended', memberId: request.memberId, subject: request.id, details: { from: request.dueDate, to: outcome.dueDate, extension: request.extensionCount + 1 } });
  for (const [index, to] of recipientsOf(request).entries()) {
    await queueEmail(ctx, {
      memberId: request.memberId,
      to,
      dedupeKey: `privacy:${eventId}:${index}`,
      template: requestExtendedEmail,
      data: { firstName: firstNameOf(request.requesterName), requestId: request.id, type: request.type, previousDueDate: request.dueDate, dueDate: outcome.dueDate, reason: input.reason },
    });
  }
  return (await findRequest(ctx.db, request.id))!;
}

/** The subject appeals an answer (fulfilled, partially fulfilled or denied); the appeal gets its own due date. */
export async function appealRequest(ctx: RequestCtx, input: { requestId: string; actor: RequestActor; note?: string | null }): Promise<PrivacyRequest> {
  const request = await findRequest(ctx.db, input.requestId);
  if (!request) throw notFound('The request');
  const nowMs = ctx.clock.nowMs();
  return moveRequest(ctx, {
    requestId: request.id,
    action: 'appeal',
    actor: input.actor,
    reasonCode: 'appeal',
    note: input.note ?? null,
    changes: { appealed_at_ms: nowMs, due_date: appealDueDate(request.regime, calendarDateOf(nowMs)) },
  });
}

/** An appeal is decided by someone other than the person who made the decision appealed (PV-3). */
export async function decideAppeal(
  ctx: RequestCtx,
  input: { requestId: string; actor: RequestActor; decision: AppealDecision; reasonCode: string; legalBasis?: string | null; note?: string | null },
): Promise<PrivacyRequest> {
  const request = await findRequest(ctx.db, input.requestId);
  if (!request) throw notFound('The request');
  if (request.state === 'appealed' && request.decidedBy !== null && request.decidedBy === input.actor.id) {
    throw new AppError('forbidden', 'You made the decision under appeal; a different agent decides the appeal.');
  }
  return moveRequest(ctx, { requestId: request.id, action: 'decide_appeal', actor: input.actor, reasonCode: input.reasonCode, legalBasis: input.legalBasis ?? null, note: input.note ?? null, changes: { appeal_decision: input.decision } });
}
