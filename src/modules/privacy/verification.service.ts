// Verifying the identity behind a rights request (PV-11..PV-14): the emailed 6-digit code (hashed, 10 minutes,
// 3 tries, resend bounded), the matching facts from the store's records and the signed declaration for the riskier
// types, a member's recent sign-in, an authorized agent's document and the subject's separate confirmation. Every
// attempt is audit-recorded (IDs and codes only, PV-33). A try that fails is counted and committed before the
// refusal is answered, so retrying cannot reset the count.
import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import { transact, type Deps } from '../../deps.ts';
import { AppError, isAppError, notFound } from '../../platform/errors.ts';
import { randomInt } from '../../platform/ids.ts';
import { normalizeEmail, signedInRecently } from '../accounts/index.ts';
import { acceptImage } from '../aftersales/index.ts';
import { recordAudit } from '../audit/index.ts';
import { queueEmail } from '../notifications/index.ts';
import { getOrderDetail } from '../store/index.ts';
import { calendarDateOf } from './deadlines.rules.ts';
import { agentConfirmationEmail } from './emails/agent-confirmation.ts';
import { verificationCodeEmail } from './emails/verification-code.ts';
import { applyOptOut } from './optouts.service.ts';
import { confirmAgentUrl } from './request-links.rules.ts';
import { auditActorOf, firstNameOf, moveRequest, type RequestActor, type RequestCtx } from './request-transitions.service.ts';
import { declarationText, factsRequired, isOptOut, type DocumentKind } from './requests.rules.ts';
import {
  appendEvent, countCodeAttempt, countCodesSince, findRequest, insertCode, insertDocument, latestCode, listDocuments, updateRequestFields, type PrivacyRequest, type RequestDocument,
} from './requests.repository.ts';
import {
  codeLifetimeMs, codeMatches, codeResendIntervalMs, countMatchingFacts, formatCode, hashCode, maxCodeAttempts, maxCodesPerHour, maxFactsAttempts, missingVerificationSteps, type OfferedFacts, type RecordedOrder,
} from './verification.rules.ts';
import { HOUR_MS } from '../../platform/clock.ts';

/** Emails a new code to the subject's address (never the requester's, PV-12), in the caller's transaction. */
export async function sendVerificationCode(ctx: RequestCtx, request: PrivacyRequest): Promise<void> {
  const code = formatCode(randomInt(1_000_000));
  const nowMs = ctx.clock.nowMs();
  const id = ctx.ids.next('pvc');
  await insertCode(ctx.db, { id, requestId: request.id, codeHash: hashCode(ctx.secret, request.id, code), createdAtMs: nowMs, expiresAtMs: nowMs + codeLifetimeMs });
  await queueEmail(ctx, {
    memberId: request.memberId,
    to: request.subjectEmail,
    dedupeKey: `privacy:${id}`,
    template: verificationCodeEmail,
    data: { firstName: request.relationship === 'self' ? firstNameOf(request.requesterName) : undefined, requestId: request.id, type: request.type, code, validMinutes: codeLifetimeMs / 60_000 },
  });
  await recordAudit(ctx, { actor: { id: null, role: 'system' }, action: 'privacy.verification.code_sent', memberId: request.memberId, subject: request.id, details: { codeId: id } });
}

function needsCode(request: PrivacyRequest): boolean {
  return request.verificationLevel !== 'none';
}

/** A new code on request: only while verification is pending, at most once a minute and 5 times an hour. */
export async function resendVerificationCode(ctx: RequestCtx, requestId: string): Promise<void> {
  const request = await findRequest(ctx.db, requestId);
  if (!request) throw notFound('The request');
  if (request.state !== 'awaiting_verification' || !needsCode(request) || request.codeVerifiedAtMs !== null) {
    throw new AppError('invalid_state', 'This request does not wait for a verification code.');
  }
  const nowMs = ctx.clock.nowMs();
  const latest = await latestCode(ctx.db, request.id);
  if (latest && nowMs - latest.createdAtMs < codeResendIntervalMs) throw new AppError('rate_limited', 'A code was sent less than a minute ago. Please check the inbox of the address the request is about.');
  if ((await countCodesSince(ctx.db, request.id, nowMs - HOUR_MS)) >= maxCodesPerHour) throw new AppError('rate_limited', 'Several codes were sent in the last hour. Please wait a little before asking for another.');
  await sendVerificationCode(ctx, request);
}

export interface Declaration {
  accepted: boolean;
  typedName: string;
}

export interface VerificationInput {
  requestId: string;
  code?: string;
  facts?: OfferedFacts;
  declaration?: Declaration;
}

/** The order the requester named, as the store records it, when it is the subject's (PV-13); undefined otherwise. */
async function recordedOrderOf(ctx: RequestCtx, request: PrivacyRequest, orderNumber: string | undefined): Promise<RecordedOrder | undefined> {
  if (!orderNumber || !/^ord_[0-9a-z]{1,40}$/i.test(orderNumber.trim())) return undefined;
  let order;
  try {
    order = await getOrderDetail(ctx, orderNumber.trim());
  } catch (error) {
    if (isAppError(error) && error.code === 'not_found') return undefined;
    throw error;
  }
  const ownedByMember = order.memberId !== null && order.memberId === request.memberId;
  const ownedByGuest = order.guestEmail !== null && normalizeEmail(order.guestEmail) === request.subjectEmail;
  if (!ownedByMember && !ownedByGuest) return undefined;
  return { shipToZip: order.shippingAddress?.postalCode ?? null, placedDate: calendarDateOf(order.placedAtMs), totalMinor: order.totalMinor };
}

const sameName = (a: string, b: string) => a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * One verification step by the requester (the code, the facts, the declaration, in any combination). Each part is
 * checked and recorded; when nothing is missing any more the request moves to verified (and an opt-out takes
 * effect). A refused part is answered after its count and audit entry are committed.
 */
export async function submitVerification(deps: Deps, input: VerificationInput): Promise<PrivacyRequest> {
  const result = await transact(deps, async (trx): Promise<{ request: PrivacyRequest; refusal?: AppError }> => {
    const request = await findRequest(trx.db, input.requestId);
    if (!request) throw notFound('The request');
    if (request.state !== 'awaiting_verification') throw new AppError('invalid_state', 'This request is not waiting for verification.', { state: request.state });
    const nowMs = trx.clock.nowMs();
    const audit = (outcome: string, details: Record<string, string | number | boolean | null> = {}) =>
      recordAudit(trx, { actor: { id: null, role: 'system' }, action: 'privacy.verification.attempt', memberId: request.memberId, subject: request.id, details: { outcome, ...details } });
    let current = request;

    if (input.code !== undefined && current.codeVerifiedAtMs === null) {
      const code = await latestCode(trx.db, current.id);
      if (!code || code.usedAtMs !== null) {
        await audit('no_code');
        return { request: current, refusal: new AppError('invalid_state', 'There is no code waiting for this request. Ask for a new one.', { field: 'code' }) };
      }
      if (code.attempts >= maxCodeAttempts) {
        await audit('too_many_tries', { codeId: code.id });
        return { request: current, refusal: new AppError('rate_limited', 'This code was tried 3 times and no longer works. Ask for a new one.', { field: 'code' }) };
      }
      if (nowMs >= code.expiresAtMs) {
        await audit('expired', { codeId: code.id });
        return { request: current, refusal: new AppError('validation', 'This code has expired (codes work for 10 minutes). Ask for a new one.', { field: 'code', reason: 'expired' }) };
      }
      const right = codeMatches(trx.secret, current.id, input.code, code.codeHash);
      if (!(await countCodeAttempt(trx.db, code, right ? nowMs : null))) throw new AppError('conflict', 'Another try of this code is being checked. Please try again.');
      if (!right) {
        await audit('wrong_code', { codeId: code.id, attempt: code.attempts + 1 });
        return { request: current, refusal: new AppError('validation', 'The code is not right. Check the email and try again.', { field: 'code', reason: 'wrong', triesLeft: maxCodeAttempts - code.attempts - 1 }) };
      }
      await audit('code_verified', { codeId: code.id, attempt: code.attempts + 1 });
      if (!(await updateRequestFields(trx.db, current, nowMs, { code_verified_at_ms: nowMs }))) throw new AppError('conflict', 'This request changed a moment ago. Please try again.');
      current = (await findRequest(trx.db, current.id))!;
    }

    const required = factsRequired(current.verificationLevel);
    if (input.facts !== undefined && required > 0) {
      if (current.factsAttempts >= maxFactsAttempts) {
        await audit('too_many_fact_tries');
        return { request: current, refusal: new AppError('rate_limited', 'The order details were tried too many times for this request.', { field: 'facts' }) };
      }
      const matched = countMatchingFacts(input.facts, await recordedOrderOf(trx, current, input.facts.orderNumber));
      await audit(matched >= required ? 'facts_matched' : 'facts_not_matched', { matched, required, attempt: current.factsAttempts + 1 });
      const changes = { facts_attempts: current.factsAttempts + 1, facts_matched: Math.max(current.factsMatched, matched) };
      if (!(await updateRequestFields(trx.db, current, nowMs, changes))) throw new AppError('conflict', 'This request changed a moment ago. Please try again.');
      current = (await findRequest(trx.db, current.id))!;
      if (matched < required) {
        return { request: current, refusal: new AppError('not_eligible', 'The order details do not match our records closely enough to verify this request. Check the order number, the ship-to zip and the order date or amount.', { field: 'facts' }) };
      }
    }

    if (input.declaration !== undefined && current.verificationLevel === 'code_three_facts_declaration' && current.declarationSignedAtMs === null) {
      if (!input.declaration.accepted || !sameName(input.declaration.typedName, current.requesterName)) {
        await audit('declaration_refused');
        return { request: current, refusal: new AppError('validation', `Tick the declaration and type your name exactly as in the request ("${declarationText.slice(0, 40)}…").`, { field: 'declaration' }) };
      }
      await audit('declaration_signed');
      if (!(await updateRequestFields(trx.db, current, nowMs, { declaration_signed_at_ms: nowMs }))) throw new AppError('conflict', 'This request changed a moment ago. Please try again.');
      current = (await findRequest(trx.db, current.id))!;
    }
    return { request: await completeVerificationIfReady(trx, current, { role: 'requester', id: null }, 'email_code') };
  });
  if (result.refusal) throw result.refusal;
  return result.request;
}

/** When nothing is missing, moves the request to verified (and an opt-out on to fulfilled); otherwise returns it. */
export async function completeVerificationIfReady(ctx: RequestCtx, request: PrivacyRequest, actor: RequestActor, method: 'email_code' | 'recent_sign_in' | 'not_required'): Promise<PrivacyRequest> {
  if (request.state !== 'awaiting_verification') return request;
  const documents = await listDocuments(ctx.db, request.id);
  const missing = missingVerificationSteps(progressOf(request, documents));
  if (missing.length > 0) return request;
  if (isOptOut(request.type)) return applyOptOut(ctx, request, actor);
  const nowMs = ctx.clock.nowMs();
  return moveRequest(ctx, { requestId: request.id, action: 'verify', actor, reasonCode: method, changes: { verification_method: request.verificationLevel === 'none' ? 'not_required' : method, verified_at_ms: nowMs } });
}

export function progressOf(request: PrivacyRequest, documents: readonly RequestDocument[]) {
  return {
    level: request.verificationLevel,
    codeVerified: request.codeVerifiedAtMs !== null,
    factsMatched: request.factsMatched,
    declarationSigned: request.declarationSignedAtMs !== null,
    agentConfirmationRequired: request.agentConfirmationRequired,
    agentConfirmed: request.agentConfirmedAtMs !== null,
    hasAgentDocument: documents.length > 0,
    authorizedAgent: request.relationship === 'authorized_agent',
  };
}

/**
 * PV-11: a member verifies their own request by a sign-in less than 10 minutes old; an older session is refused
 * (403, sign in again). The attempt is audit-recorded either way.
 */
export async function verifyMemberRequest(deps: Deps, input: { requestId: string; memberId: string; sessionId: string }): Promise<PrivacyRequest> {
  const result = await transact(deps, async (trx): Promise<{ request: PrivacyRequest; refusal?: AppError }> => {
    const request = await findRequest(trx.db, input.requestId);
    if (!request || request.memberId !== input.memberId) throw notFound('The request');
    if (request.state !== 'awaiting_verification') throw new AppError('invalid_state', 'This request is not waiting for verification.', { state: request.state });
    const recent = await signedInRecently(trx, { memberId: input.memberId, sessionId: input.sessionId });
    await recordAudit(trx, { actor: { id: input.memberId, role: 'member' }, action: 'privacy.verification.attempt', memberId: request.memberId, subject: request.id, details: { outcome: recent ? 'recent_sign_in' : 'sign_in_too_old', sessionId: input.sessionId } });
    if (!recent) return { request, refusal: new AppError('forbidden', 'Please sign in again to confirm it is you: the request needs a sign-in from the last 10 minutes.', { reauthenticate: true }) };
    // A recent sign-in stands for the code and the facts (PV-11): the account itself is the proof.
    return { request: await moveRequestVerifiedBySignIn(trx, request, input.memberId) };
  });
  if (result.refusal) throw result.refusal;
  return result.request;
}

/** A member's own request verified by their recent sign-in (PV-11); an opt-out takes effect. */
export async function moveRequestVerifiedBySignIn(ctx: RequestCtx, request: PrivacyRequest, memberId: string): Promise<PrivacyRequest> {
  const nowMs = ctx.clock.nowMs();
  const actor: RequestActor = { role: 'member', id: memberId };
  if (isOptOut(request.type)) return applyOptOut(ctx, request, actor);
  return moveRequest(ctx, { requestId: request.id, action: 'verify', actor, reasonCode: 'recent_sign_in', changes: { verification_method: 'recent_sign_in', verified_at_ms: nowMs } });
}

// ---- Authorized agents (PV-14) -------------------------------------------------------------------------------

/** A PDF is stored unchanged (it cannot be re-encoded like a photo) after its bytes prove it is one. */
export const maxDocumentBytes = 10 * 1024 * 1024;

async function acceptDocument(deps: Deps, requestId: string, upload: { bytes: Uint8Array; filename?: string }): Promise<{ key: string; contentType: string; sizeBytes: number; sha256: string }> {
  if (upload.bytes.length > maxDocumentBytes) throw new AppError('payload_too_large', 'The document can be at most 10 MB.');
  const sniffed = await fileTypeFromBuffer(upload.bytes);
  if (sniffed?.mime === 'application/pdf') {
    const head = Buffer.from(upload.bytes.subarray(0, 5)).toString('latin1');
    const tail = Buffer.from(upload.bytes.subarray(Math.max(0, upload.bytes.length - 1024))).toString('latin1');
    if (head !== '%PDF-' || !tail.includes('%%EOF')) throw new AppError('validation', 'The PDF could not be read: it may be damaged or incomplete.', { field: 'document' });
    const sha256 = createHash('sha256').update(upload.bytes).digest('hex');
    const key = `privacy/requests/${requestId.toLowerCase()}/${sha256}.pdf`;
    await deps.ports.files.put(key, { bytes: upload.bytes, contentType: 'application/pdf' });
    return { key, contentType: 'application/pdf', sizeBytes: upload.bytes.length, sha256 };
  }
  try {
    const image = await acceptImage(deps, { bytes: upload.bytes, declaredName: upload.filename, ownerKey: requestId });
    return { key: image.key, contentType: image.contentType, sizeBytes: image.sizeBytes, sha256: image.sha256 };
  } catch (error) {
    if (isAppError(error) && error.code === 'validation') throw new AppError('validation', 'The document must be a PDF or a JPEG, PNG or WebP image. The file’s contents decide, not its name.', { field: 'document' });
    throw error;
  }
}

/**
 * An authorized agent uploads a power of attorney or a signed letter. With a signed letter the subject must confirm
 * separately (an email to the subject's address with a link) before the request proceeds; a power of attorney is
 * enough on its own (the code still goes to the subject for types that need one). Opt-outs take effect once the
 * document is in.
 */
export async function uploadAgentDocument(deps: Deps, input: { requestId: string; kind: DocumentKind; bytes: Uint8Array; filename?: string }): Promise<PrivacyRequest> {
  const request = await findRequest(deps.db, input.requestId);
  if (!request) throw notFound('The request');
  if (request.relationship !== 'authorized_agent') throw new AppError('invalid_state', 'Only an authorized agent’s request takes an authorization document.');
  if (request.state !== 'awaiting_verification') throw new AppError('invalid_state', 'This request is not waiting for verification.', { state: request.state });
  const stored = await acceptDocument(deps, request.id, input);
  try {
    return await transact(deps, async (trx) => {
      const nowMs = trx.clock.nowMs();
      const current = (await findRequest(trx.db, request.id))!;
      const document: RequestDocument = { id: trx.ids.next('pdc'), requestId: request.id, kind: input.kind, storageKey: stored.key, contentType: stored.contentType, sizeBytes: stored.sizeBytes, sha256: stored.sha256, createdAtMs: nowMs };
      await insertDocument(trx.db, current.memberId, document);
      const confirmationRequired = input.kind === 'signed_letter' && current.verificationLevel !== 'none';
      if (confirmationRequired && !current.agentConfirmationRequired) {
        if (!(await updateRequestFields(trx.db, current, nowMs, { agent_confirmation_required: 1 }))) throw new AppError('conflict', 'This request changed a moment ago. Please try again.');
      }
      await appendEvent(trx.db, current, { id: trx.ids.next('pre'), fromState: current.state, toState: current.state, action: 'upload_document', actorRole: 'requester', actorId: null, reasonCode: input.kind, atMs: nowMs });
      await recordAudit(trx, { actor: { id: null, role: 'system' }, action: 'privacy.request.document_uploaded', memberId: current.memberId, subject: current.id, details: { documentId: document.id, kind: input.kind } });
      if (confirmationRequired && current.agentConfirmedAtMs === null) {
        await queueEmail(trx, {
          memberId: current.memberId,
          to: current.subjectEmail,
          dedupeKey: `privacy:${current.id}:confirm-agent:${document.id}`,
          template: agentConfirmationEmail,
          data: { requestId: current.id, type: current.type, agentName: current.requesterName.slice(0, 200), link: confirmAgentUrl(trx.config.http.publicUrl, trx.secret, current.id) },
        });
      }
      return completeVerificationIfReady(trx, (await findRequest(trx.db, current.id))!, { role: 'requester', id: null }, 'email_code');
    });
  } catch (error) {
    await deps.ports.files.remove(stored.key);
    throw error;
  }
}

/** The subject confirms by the emailed link that the agent acts for them (PV-14). */
export async function confirmAgent(ctx: RequestCtx, requestId: string): Promise<PrivacyRequest> {
  const request = await findRequest(ctx.db, requestId);
  if (!request) throw notFound('The request');
  if (request.state !== 'awaiting_verification' || request.agentConfirmedAtMs !== null) return request;
  const nowMs = ctx.clock.nowMs();
  if (!(await updateRequestFields(ctx.db, request, nowMs, { agent_confirmed_at_ms: nowMs }))) throw new AppError('conflict', 'This request changed a moment ago. Please try again.');
  await appendEvent(ctx.db, request, { id: ctx.ids.next('pre'), fromState: request.state, toState: request.state, action: 'confirm_agent', actorRole: 'subject', actorId: null, atMs: nowMs });
  await recordAudit(ctx, { actor: auditActorOf({ role: 'subject', id: null }), action: 'privacy.request.agent_confirmed', memberId: request.memberId, subject: request.id });
  return completeVerificationIfReady(ctx, (await findRequest(ctx.db, request.id))!, { role: 'subject', id: null }, 'email_code');
}
