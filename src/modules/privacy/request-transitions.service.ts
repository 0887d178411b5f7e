// Moving a rights request through its state machine (PV-3): one guarded state change, its row in the append-only
// timeline (actor, time, action, reason code, legal basis, note), the audit entry (IDs and codes, PV-33) and the
// email the requester must get, all in the caller's transaction. Intake, verification, the agent's actions, appeals
// and the 7-day sweep all move requests through `moveRequest` and nothing else changes a request's state.
import type { Ctx, Deps } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { recordEvent } from '../events/index.ts';
import { recordAudit } from '../audit/index.ts';
import { queueEmail } from '../notifications/index.ts';
import { appealInstructions, assertRequestTransition, authorityFor, type RequestAction } from './requests.rules.ts';
import { appendEvent, findRequest, updateRequestState, type PrivacyRequest, type RequestChanges } from './requests.repository.ts';
import type { EventActorRole } from './requests.table.ts';
import { appealUrl } from './request-links.rules.ts';
import { requestCompletedEmail } from './emails/request-completed.ts';
import { requestDeniedEmail } from './emails/request-denied.ts';
import { requestClosedUnverifiedEmail } from './emails/request-closed-unverified.ts';
import { appealDecidedEmail } from './emails/appeal-decided.ts';
import { unverifiedRequestLifetimeDays } from './verification.rules.ts';

/** A service context that can also build the links our emails carry. */
export type RequestCtx = Ctx & Pick<Deps, 'config' | 'secret'>;

export interface RequestActor {
  role: EventActorRole;
  /** The member or staff member; null for a requester without an account, the subject by link, and the system. */
  id: string | null;
}

export const systemRequestActor: RequestActor = { role: 'system', id: null };

export interface MoveRequestInput {
  requestId: string;
  action: RequestAction;
  actor: RequestActor;
  reasonCode?: string | null;
  legalBasis?: string | null;
  note?: string | null;
  /** What the move did, in words we wrote (an opt-out's effect, a fulfilment's outcome); kept on the request. */
  outcome?: string | null;
  /** Other fields written with the move (verification times, the appeal decision). */
  changes?: RequestChanges;
  /** No email for this step: an intermediate move of several made at once (an opt-out's received → fulfilled). */
  quiet?: boolean;
}

/** The audit actor of a request actor: people without an account (and the subject by link) are recorded as the system. */
export function auditActorOf(actor: RequestActor): { id: string | null; role: 'member' | 'agent' | 'admin' | 'system' } {
  switch (actor.role) {
    case 'member':
    case 'agent':
    case 'admin':
      return { id: actor.id, role: actor.role };
    case 'requester':
    case 'subject':
    case 'system':
      return { id: null, role: 'system' };
  }
}

/**
 * Applies one action. A move the machine lacks is 409 `invalid_state` with a sentence; a request another actor
 * moved between the read and the write is 409 `conflict` (the guarded update).
 */
export async function moveRequest(ctx: RequestCtx, input: MoveRequestInput): Promise<PrivacyRequest> {
  const request = await findRequest(ctx.db, input.requestId);
  if (!request) throw notFound('The request');
  const to = assertRequestTransition(request.state, input.action);
  const atMs = ctx.clock.nowMs();
  const changes: RequestChanges = { ...input.changes };
  if (input.outcome !== undefined) changes.outcome = input.outcome;
  if (to === 'denied' || to === 'partially_fulfilled' || to === 'fulfilled') {
    changes.decision_reason_code = input.reasonCode ?? null;
    changes.decision_legal_basis = input.legalBasis ?? null;
    changes.decided_by = input.actor.id;
  }
  // A closing move ends the request: it is dated, and published as `privacy_request.completed` (issue 13).
  const closes = to === 'fulfilled' || to === 'partially_fulfilled' || to === 'denied' || to === 'withdrawn' || to === 'closed_unverified' || to === 'appeal_decided';
  if (closes) changes.closed_at_ms = atMs;
  const moved = await updateRequestState(ctx.db, request.id, request.state, to, atMs, changes);
  if (!moved) throw new AppError('conflict', 'Someone else changed this request a moment ago. Reload it and try again.', { requestId: request.id });
  const eventId = ctx.ids.next('pre');
  await appendEvent(ctx.db, request, {
    id: eventId,
    fromState: request.state,
    toState: to,
    action: input.action,
    actorRole: input.actor.role,
    actorId: input.actor.id,
    reasonCode: input.reasonCode ?? null,
    legalBasis: input.legalBasis ?? null,
    note: input.note ?? null,
    atMs,
  });
  await recordAudit(ctx, {
    actor: auditActorOf(input.actor),
    action: `privacy.request.${input.action}`,
    memberId: request.memberId,
    subject: request.id,
    details: { from: request.state, to, type: request.type, reasonCode: input.reasonCode ?? null, byRole: input.actor.role },
  });
  const after = await findRequest(ctx.db, request.id);
  if (!after) throw notFound('The request');
  if (closes) {
    await recordEvent(ctx, { type: 'privacy_request.completed', subjectId: request.id, memberId: request.memberId, data: { requestId: request.id, type: request.type, outcome: to, reasonCode: input.reasonCode ?? null } });
  }
  if (input.quiet !== true) await emailRequestChange(ctx, after, { dedupeKey: `privacy:${eventId}`, reasonCode: input.reasonCode ?? null, legalBasis: input.legalBasis ?? null });
  return after;
}

/** Whom a request's answers go to: the requester; for an authorized agent's request also the subject. */
export function recipientsOf(request: PrivacyRequest): string[] {
  return request.relationship === 'authorized_agent' && request.subjectEmail !== request.requesterEmail ? [request.requesterEmail, request.subjectEmail] : [request.requesterEmail];
}

export function firstNameOf(name: string): string | undefined {
  return name.trim().split(/\s+/)[0]?.slice(0, 100) || undefined;
}

const reasonWords: Record<string, string> = {
  identity_not_verified: 'We could not verify the identity of the person the request is about.',
  not_a_resident: 'The law that gives this right does not apply where the person the request is about lives.',
  no_data_found: 'We found no personal data about the person the request is about.',
  legal_obligation_to_keep: 'We must keep some of the data to comply with a legal obligation.',
  legal_claims: 'We need the data to establish, exercise or defend legal claims.',
  rights_of_others: 'Acting on the request would affect the rights of other people.',
  manifestly_unfounded: 'The request is manifestly unfounded.',
  excessive: 'The request is excessive, in particular because it repeats an earlier one.',
  exemption_applies: 'A legal exemption applies to this data.',
  other: 'A reason our privacy team explains in its answer.',
};

export function reasonText(reasonCode: string | null): string {
  return (reasonCode && reasonWords[reasonCode]) || reasonWords.other!;
}

async function emailRequestChange(ctx: RequestCtx, request: PrivacyRequest, extra: { dedupeKey: string; reasonCode: string | null; legalBasis: string | null }): Promise<void> {
  const base = { memberId: request.memberId, firstName: firstNameOf(request.requesterName), requestId: request.id, type: request.type };
  const authority = authorityFor({ regime: request.regime, country: request.subjectCountry, state: request.subjectState });
  for (const [index, to] of recipientsOf(request).entries()) {
    const common = { memberId: request.memberId, to, dedupeKey: `${extra.dedupeKey}:${index}` };
    const data = { firstName: base.firstName, requestId: base.requestId, type: base.type };
    switch (request.state) {
      case 'fulfilled':
        await queueEmail(ctx, { ...common, template: requestCompletedEmail, data: { ...data, outcome: request.outcome ?? 'We have carried out your request.' } });
        break;
      case 'denied':
      case 'partially_fulfilled':
        await queueEmail(ctx, {
          ...common,
          template: requestDeniedEmail,
          data: {
            ...data,
            partial: request.state === 'partially_fulfilled',
            reason: reasonText(extra.reasonCode),
            legalBasis: extra.legalBasis ?? 'See the reason above.',
            appealInstructions: appealInstructions(request.regime),
            appealLink: appealUrl(ctx.config.http.publicUrl, ctx.secret, request),
            authorityName: authority.name,
            authorityUrl: authority.url,
          },
        });
        break;
      case 'closed_unverified':
        await queueEmail(ctx, { ...common, template: requestClosedUnverifiedEmail, data: { ...data, days: unverifiedRequestLifetimeDays } });
        break;
      case 'appeal_decided':
        await queueEmail(ctx, {
          ...common,
          template: appealDecidedEmail,
          data: { ...data, decision: (request.appealDecision ?? 'upheld') as 'upheld' | 'reversed' | 'partially_reversed', reason: reasonText(extra.reasonCode), authorityName: authority.name, authorityUrl: authority.url },
        });
        break;
      case 'received':
      case 'awaiting_verification':
      case 'verified':
      case 'in_progress':
      case 'on_hold':
      case 'withdrawn':
      case 'appealed':
        // Working states: the requester hears about the answer, not each step (PV-6's acknowledgement said when).
        break;
    }
  }
}
