// Moving a case through its state machine (AS-10, AS-12): one guarded state change, its row in the append-only
// timeline with actor, time and reason, and the requester's email, all in the caller's transaction. Intake, the agent
// actions, the requester's answer and cancel, the expiry sweep and the resolution flows all move cases through here.
import type { Ctx, Deps } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { recordEvent } from '../events/index.ts';
import { queueEmail } from '../notifications/index.ts';
import { caseActionTarget, assertCaseTransition, type CaseAction, type Remedy } from './cases.rules.ts';
import { appendTransition, findCase, recordCaseResolution, updateCaseState, type Case, type CaseResolution } from './cases.repository.ts';
import type { CaseActorRole } from './aftersales.table.ts';
import { caseStatusUrl } from './case-links.rules.ts';
import { caseReceivedEmail } from './emails/case-received.ts';
import { caseStatusChangedEmail } from './emails/case-status-changed.ts';
import { caseResolvedEmail } from './emails/case-resolved.ts';

/** A service context that can also build the links our emails carry. */
export type CaseCtx = Ctx & Pick<Deps, 'config' | 'secret'>;

export interface CaseActor {
  role: CaseActorRole;
  /** The member, staff member or API key; null for a guest and for the system. */
  id: string | null;
}

export const systemActor: CaseActor = { role: 'system', id: null };

export interface MoveCaseInput {
  caseId: string;
  action: CaseAction;
  actor: CaseActor;
  /** A coded reason (a rejection's reason code, an inspection result); shown on the timeline. */
  reasonCode?: string | null;
  /** Words that go with the change, shown to the requester on the timeline and in the email (a question, a reason). */
  note?: string | null;
  /** The remedy the case is resolved or approved with, when it changes (AS-4: an agent decides). */
  remedy?: Remedy;
  /** What a resolution did (AS-11), recorded on the case with the move; its detail goes into the email. */
  resolution?: CaseResolution;
  /**
   * No email for this change: only for an intermediate step of several moves made at once, whose last move emails
   * (a support case closed by its conversion to a warranty claim walks approve → resolve, AS-13).
   */
  quiet?: boolean;
}

/**
 * Applies one action. A move the machine does not have is a 409 with a clear message; a case that another actor moved
 * between the read and the write is a 409 `conflict` (the guarded update), so two agents never both win.
 */
export async function moveCase(ctx: CaseCtx, input: MoveCaseInput): Promise<Case> {
  const record = await findCase(ctx.db, input.caseId);
  if (!record) throw notFound('The case');
  const to = caseActionTarget[input.action];
  assertCaseTransition(record.state, to, input.action);
  if (record.resolvingSinceMs !== null && to !== 'resolved') {
    throw new AppError('conflict', 'A refund for this case is on its way; the case will be resolved in a moment and cannot be changed meanwhile.', { caseId: record.id });
  }
  const atMs = ctx.clock.nowMs();
  const moved = await updateCaseState(ctx.db, record.id, record.state, to, atMs, input.remedy ? { remedy: input.remedy } : {});
  if (!moved) throw new AppError('conflict', 'Someone else changed this case a moment ago. Reload it and try again.', { caseId: record.id });
  const transitionId = ctx.ids.next('cst');
  await appendTransition(ctx.db, record, record.state, to, {
    id: transitionId,
    action: input.action,
    actorRole: input.actor.role,
    actorId: input.actor.id,
    reasonCode: input.reasonCode ?? null,
    note: input.note ?? null,
    atMs,
  });
  if (input.resolution) await recordCaseResolution(ctx.db, record.id, input.resolution);
  const after = await findCase(ctx.db, record.id);
  if (!after) throw notFound('The case');
  await recordEvent(ctx, {
    type: to === 'resolved' ? 'case.resolved' : 'case.status_changed',
    subjectId: record.id,
    memberId: record.memberId,
    data: { caseId: record.id, kind: record.kind, action: input.action, from: record.state, to, remedy: after.remedy, reasonCode: input.reasonCode ?? null },
  });
  if (input.quiet === true) return after;
  await emailCaseChange(ctx, after, { dedupeKey: `aftersales:${transitionId}`, note: input.note ?? undefined, resolutionDetail: input.resolution?.detail ?? undefined });
  return after;
}

/** Where to write to the requester: the member's current address, or a guest's confirmed one; undefined otherwise. */
async function recipientOf(ctx: CaseCtx, record: Case): Promise<{ to: string; firstName?: string } | undefined> {
  if (record.memberId !== null) {
    const contact = await ctx.ports.memberContacts.contactOf(ctx.db, record.memberId);
    return contact && { to: contact.email, firstName: contact.firstName ?? undefined };
  }
  // An unconfirmed guest address may be someone else's: nothing but the confirmation link goes there (AS-1).
  if (record.guestEmail === null || record.emailConfirmedAtMs === null) return undefined;
  return { to: record.guestEmail, firstName: firstNameOf(record.contactName) };
}

function firstNameOf(contactName: string): string | undefined {
  return contactName.trim().split(/\s+/)[0] || undefined;
}

async function emailCaseChange(ctx: CaseCtx, record: Case, extra: { dedupeKey: string; note?: string; resolutionDetail?: string }): Promise<void> {
  const recipient = await recipientOf(ctx, record);
  if (!recipient) return;
  const statusLink = caseStatusUrl(ctx.config.http.publicUrl, ctx.secret, record);
  const base = { memberId: record.memberId, to: recipient.to, dedupeKey: extra.dedupeKey };
  if (record.state === 'resolved') {
    await queueEmail(ctx, { ...base, template: caseResolvedEmail, data: { firstName: recipient.firstName, caseId: record.id, kind: record.kind, remedy: record.remedy, detail: extra.resolutionDetail, statusLink } });
    return;
  }
  await queueEmail(ctx, { ...base, template: caseStatusChangedEmail, data: { firstName: recipient.firstName, caseId: record.id, kind: record.kind, state: record.state, message: extra.note, statusLink } });
}

/**
 * The "we received your case" email (AS-12), with the eligibility decision in customer words. Members get it when
 * the case is opened; guests when they confirm their address (before that nothing else goes to it).
 */
export async function emailCaseReceived(ctx: CaseCtx, record: Case): Promise<void> {
  const recipient = await recipientOf(ctx, record);
  if (!recipient) return;
  await queueEmail(ctx, {
    memberId: record.memberId,
    to: recipient.to,
    dedupeKey: `aftersales:${record.id}:received`,
    template: caseReceivedEmail,
    data: {
      firstName: recipient.firstName,
      caseId: record.id,
      kind: record.kind,
      decisionTexts: record.eligibility.trace.map((entry) => entry.customerText).slice(0, 10),
      statusLink: caseStatusUrl(ctx.config.http.publicUrl, ctx.secret, record),
      autoApproved: record.eligibility.outcome === 'auto_approved',
    },
  });
}

/** The `case.opened` event (issue 13), in the transaction that inserted the case: codes and IDs only. */
export async function recordCaseOpened(ctx: Ctx, record: { id: string; memberId: string | null; kind: string; reason: string; remedy: string; convertedFromCaseId?: string | null }): Promise<void> {
  await recordEvent(ctx, {
    type: 'case.opened',
    subjectId: record.id,
    memberId: record.memberId,
    data: { caseId: record.id, kind: record.kind, reasonCode: record.reason, remedy: record.remedy, convertedFromCaseId: record.convertedFromCaseId ?? null },
  });
}
