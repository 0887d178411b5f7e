// Receiving a rights request (PV-1, PV-2, PV-5, PV-6): on the web form (no account), in the member center (the
// subject is the signed-in member), or entered by an agent (an email with the message's receipt time, or a request
// taken by phone or chat). The regime comes from where the subject lives, the deadlines from the receipt, the
// subject's member ID from a member's verified email, duplicates join the group of the earliest open request of the
// same subject and type (never blocking anyone's verification), and the requester is acknowledged at once. What
// comes next depends on the type and who asks: opt-outs take effect at once (PV-4), a member who signed in within
// 10 minutes is verified (PV-11), everyone else gets a code at the subject's address (PV-12) and, for an authorized
// agent, uploads the authorization (PV-14). All in the caller's transaction.
import { HOUR_MS } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { findMemberIdByVerifiedEmail, normalizeEmail, signedInRecently } from '../accounts/index.ts';
import { recordEvent } from '../events/index.ts';
import { recordAudit } from '../audit/index.ts';
import { isPriorityMember } from '../membership/index.ts';
import { queueEmail } from '../notifications/index.ts';
import { acknowledgementDueDate, calendarDateOf, responseDueDate } from './deadlines.rules.ts';
import { requestAcknowledgedEmail } from './emails/request-acknowledged.ts';
import { applyOptOut } from './optouts.service.ts';
import { requestStatusUrl } from './request-links.rules.ts';
import { auditActorOf, firstNameOf, moveRequest, type RequestActor, type RequestCtx } from './request-transitions.service.ts';
import { isOptOut, regimeOf, verificationLevelOf, type Relationship, type RequestChannel, type RequestType } from './requests.rules.ts';
import { appendEvent, countRequestsFromSince, findOpenGroup, findRequest, insertRequest, type PrivacyRequest } from './requests.repository.ts';
import { moveRequestVerifiedBySignIn, sendVerificationCode } from './verification.service.ts';

/** At most this many requests from one requester address per hour (the per-IP limit sits in front, at the route). */
export const maxRequestsPerEmailPerHour = 5;
/** An emailed request's receipt time may lie at most this far back (an agent entering an old message is a mistake). */
export const maxEmailBacklogMs = 90 * 24 * HOUR_MS;

export interface RequestForm {
  type: RequestType;
  requesterName: string;
  requesterEmail: string;
  relationship: Relationship;
  brands: string[];
  subjectEmail: string;
  country: string;
  state?: string | null;
  zip?: string | null;
  comments?: string | null;
}

export type IntakeSource =
  | { channel: 'web_form' }
  | { channel: 'member_center'; memberId: string; sessionId: string }
  | { channel: 'email'; receivedAtMs: number; staffId: string; staffRole: 'agent' | 'admin' }
  | { channel: 'agent'; staffId: string; staffRole: 'agent' | 'admin' };

/** Opens a request and takes it as far as it goes without anyone else; returns it as it then is. */
export async function openRequest(ctx: RequestCtx, input: { source: IntakeSource; form: RequestForm }): Promise<PrivacyRequest> {
  const { source, form } = input;
  const nowMs = ctx.clock.nowMs();
  const requesterEmail = normalizeEmail(form.requesterEmail);
  const subjectEmail = normalizeEmail(form.subjectEmail);
  if (form.relationship === 'self' && requesterEmail !== subjectEmail) {
    throw new AppError('validation', 'When you ask for yourself, the subject’s email is your own email. An authorized agent chooses “authorized agent”.', { field: 'subjectEmail' });
  }
  if (source.channel === 'web_form' && (await countRequestsFromSince(ctx.db, requesterEmail, nowMs - HOUR_MS)) >= maxRequestsPerEmailPerHour) {
    throw new AppError('rate_limited', 'Several requests were sent from this email address in the last hour. Please wait a little, or check your inbox.');
  }
  let receivedAtMs = nowMs;
  if (source.channel === 'email') {
    if (source.receivedAtMs > nowMs) throw new AppError('validation', 'The email’s receipt time is in the future.', { field: 'receivedAt' });
    if (nowMs - source.receivedAtMs > maxEmailBacklogMs) throw new AppError('validation', 'The email’s receipt time is more than 90 days ago; check the date.', { field: 'receivedAt' });
    receivedAtMs = source.receivedAtMs;
  }
  const memberId = source.channel === 'member_center' ? source.memberId : ((await findMemberIdByVerifiedEmail(ctx, subjectEmail)) ?? null);
  const regime = regimeOf({ country: form.country });
  const receivedDate = calendarDateOf(receivedAtMs);
  const dueDate = responseDueDate({ regime, type: form.type, receivedDate });
  const id = ctx.ids.next('prq');
  const groupId = (await findOpenGroup(ctx.db, subjectEmail, form.type)) ?? id;
  const priority = memberId !== null && (await isPriorityMember(ctx, memberId, nowMs));
  const channel: RequestChannel = source.channel;
  await insertRequest(ctx.db, {
    id,
    type: form.type,
    channel,
    state: 'received',
    regime,
    requesterName: form.requesterName.trim(),
    requesterEmail,
    relationship: form.relationship,
    brands: form.brands,
    subjectEmail,
    memberId,
    subjectCountry: form.country.toUpperCase(),
    subjectState: form.state ? form.state.toUpperCase() : null,
    subjectZip: form.zip ?? null,
    comments: form.comments ?? null,
    groupId,
    priority,
    verificationLevel: verificationLevelOf[form.type],
    agentConfirmationRequired: false,
    receivedAtMs,
    receivedDate,
    acknowledgeDueDate: acknowledgementDueDate(receivedDate),
    acknowledgedAtMs: nowMs,
    originalDueDate: dueDate,
    dueDate,
    enteredBy: source.channel === 'email' || source.channel === 'agent' ? source.staffId : null,
    createdAtMs: nowMs,
  });
  const actor: RequestActor =
    source.channel === 'member_center' ? { role: 'member', id: source.memberId } : source.channel === 'web_form' ? { role: 'requester', id: null } : { role: source.staffRole, id: source.staffId };
  await appendEvent(ctx.db, { id, memberId }, { id: ctx.ids.next('pre'), fromState: null, toState: 'received', action: 'submit', actorRole: actor.role, actorId: actor.id, reasonCode: channel, note: form.comments ?? null, atMs: nowMs });
  await recordEvent(ctx, { type: 'privacy_request.received', subjectId: id, memberId, data: { requestId: id, type: form.type, channel, regime, dueDate } });
  await recordAudit(ctx, {
    actor: auditActorOf(actor),
    action: 'privacy.request.received',
    memberId,
    subject: id,
    details: { type: form.type, channel, regime, relationship: form.relationship, groupId, receivedAt: new Date(receivedAtMs).toISOString() },
  });

  let request = (await findRequest(ctx.db, id))!;
  let nextStep: 'verify_code' | 'verify_sign_in' | 'agent_document' | 'none' = 'none';
  const level = request.verificationLevel;
  if (form.relationship === 'authorized_agent') {
    request = await moveRequest(ctx, { requestId: id, action: 'request_verification', actor, quiet: true });
    if (level !== 'none') await sendVerificationCode(ctx, request);
    nextStep = 'agent_document';
  } else if (source.channel === 'member_center') {
    if (await signedInRecently(ctx, { memberId: source.memberId, sessionId: source.sessionId })) {
      await recordAudit(ctx, { actor: { id: source.memberId, role: 'member' }, action: 'privacy.verification.attempt', memberId, subject: id, details: { outcome: 'recent_sign_in', sessionId: source.sessionId } });
      request = await moveRequestVerifiedBySignIn(ctx, request, source.memberId);
    } else if (level === 'none') {
      request = isOptOut(request.type) ? await applyOptOut(ctx, request, actor) : await moveRequest(ctx, { requestId: id, action: 'verify', actor, reasonCode: 'not_required', quiet: true, changes: { verification_method: 'not_required', verified_at_ms: nowMs } });
    } else {
      request = await moveRequest(ctx, { requestId: id, action: 'request_verification', actor, quiet: true });
      nextStep = 'verify_sign_in';
    }
  } else if (level === 'none') {
    request = isOptOut(request.type) ? await applyOptOut(ctx, request, actor) : await moveRequest(ctx, { requestId: id, action: 'verify', actor, reasonCode: 'not_required', quiet: true, changes: { verification_method: 'not_required', verified_at_ms: nowMs } });
  } else {
    request = await moveRequest(ctx, { requestId: id, action: 'request_verification', actor, quiet: true });
    await sendVerificationCode(ctx, request);
    nextStep = 'verify_code';
  }

  await queueEmail(ctx, {
    memberId,
    to: requesterEmail,
    dedupeKey: `privacy:${id}:acknowledged`,
    template: requestAcknowledgedEmail,
    data: { firstName: firstNameOf(request.requesterName), requestId: id, type: request.type, dueDate: request.dueDate, nextStep, statusLink: requestStatusUrl(ctx.config.http.publicUrl, ctx.secret, request) },
  });
  return request;
}
