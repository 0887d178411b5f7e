// Opening a case and the requester's own actions on it (AS-1, AS-9, AS-12): a member's or a guest's submission
// (order proven, serial checked, eligibility decided, photos accepted, case written with its first timeline row and
// email), the guest's email confirmation, the answer to a question, the cancellation, and reading one's own case.
//
// Order of work on a submission, so that a refusal leaves nothing behind: every check that only reads comes first
// (order, ownership, serial, eligibility, proof image); then every photo is accepted (re-encoded and stored through
// the file port, which may be a network call and so never runs inside a transaction); if one is refused, those
// already stored are removed before answering. Only then are the rows written, in one transaction; if that fails,
// the stored photos are removed too.
import { createHash } from 'node:crypto';
import type { Ctx } from '../../deps.ts';
import { transact } from '../../deps.ts';
import { DAY_MS, HOUR_MS } from '../../platform/clock.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { randomToken } from '../../platform/ids.ts';
import { normalizeEmail } from '../accounts/index.ts';
import { isPriorityMember } from '../membership/index.ts';
import { queueEmail } from '../notifications/index.ts';
import { caseStatusUrl } from './case-links.rules.ts';
import type { CaseKind, ReasonCode, Remedy } from './cases.rules.ts';
import { countImages, findCase, insertCase, insertImage, listImages, markCaseEmailConfirmed, type Case, type CaseImage } from './cases.repository.ts';
import { spendCaptcha } from './captcha.service.ts';
import { decideEligibility, defaultEligibilitySettings } from './eligibility.rules.ts';
import { caseConfirmEmail } from './emails/case-confirm-email.ts';
import { assertImageCount } from './images.rules.ts';
import { acceptImage, type AcceptedImage } from './images.service.ts';
import { countGuestCasesSince, deleteCaseImages, findCaseConfirmation, findUnconfirmedGuestCases, insertCaseConfirmation, listMemberCases, useCaseConfirmation } from './intake.repository.ts';
import { gatherOrderFacts, type Claimant } from './order-facts.service.ts';
import { checkSerialAgainstShipment, readSerial } from './serials.rules.ts';
import { emailCaseReceived, moveCase, recordCaseOpened, systemActor, type CaseActor, type CaseCtx } from './transitions.service.ts';

/** A guest's confirmation link works once, for this long. */
export const confirmationLinkLifetimeMs = DAY_MS;

/** A guest case whose address is not confirmed within this long is closed and its photos deleted. */
export const unconfirmedGuestCaseLifetimeMs = 7 * DAY_MS;

/** At most this many cases from one guest address per hour (the per-IP limit sits in front, at the route). */
export const maxGuestCasesPerHour = 5;

export interface CaseForm {
  kind: CaseKind;
  remedy: Remedy;
  reason: ReasonCode;
  orderRef: string;
  orderLineId?: string | null;
  productSku?: string | null;
  serial?: string | null;
  details: string;
  contactName?: string | null;
}

export interface UploadedFile {
  filename?: string;
  bytes: Uint8Array;
}

/** Who asks: a signed-in member, or a guest with the address and name they typed and their solved captcha. */
export type Requester = { kind: 'member'; memberId: string } | { kind: 'guest'; email: string; contactName: string; captcha: string };

export const serialMismatchMessage =
  'This serial number does not match the one we shipped with this order. Check the label on the product ("SN: A…") and enter it exactly, or leave the field empty if you cannot read it.';

export const proofOfPurchaseMessage = 'Please attach a photo or screenshot of your proof of purchase (the marketplace order or invoice).';

/** The one answer on a refused eligibility (AS-3..AS-8): 422 with the rules' customer texts; nothing is stored. */
export function notEligible(texts: string[]): AppError {
  return new AppError('not_eligible', texts.at(-1) ?? 'This request cannot be opened.', { texts });
}

/** Accepts every photo or none: on the first refusal the ones already stored are removed, then the refusal thrown. */
async function acceptAll(ctx: Pick<Ctx, 'ports'>, caseId: string, files: readonly UploadedFile[], keepKeys: ReadonlySet<string> = new Set()): Promise<AcceptedImage[]> {
  const accepted: AcceptedImage[] = [];
  try {
    for (const file of files) {
      const image = await acceptImage(ctx, { bytes: file.bytes, declaredName: file.filename, ownerKey: caseId });
      // The same photo twice is one stored file (its key is its digest): one row is enough.
      if (!accepted.some((other) => other.key === image.key) && !keepKeys.has(image.key)) accepted.push(image);
    }
  } catch (error) {
    await removeFiles(ctx, accepted);
    throw error;
  }
  return accepted;
}

async function removeFiles(ctx: Pick<Ctx, 'ports'>, images: readonly AcceptedImage[]): Promise<void> {
  for (const image of images) await ctx.ports.files.remove(image.key);
}

async function insertImages(ctx: Ctx, record: Pick<Case, 'id' | 'memberId'>, images: readonly AcceptedImage[]): Promise<void> {
  const nowMs = ctx.clock.nowMs();
  for (const image of images) {
    const row: CaseImage = { id: ctx.ids.next('cim'), caseId: record.id, storageKey: image.key, contentType: image.contentType, sizeBytes: image.sizeBytes, width: image.width, height: image.height, sha256: image.sha256, createdAtMs: nowMs };
    await insertImage(ctx.db, record.memberId, row);
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Opens a case (AS-1). Members get the "received" email at once; an annual Plus member's return inside the window
 * (AS-6) is written as submitted and moved to approved by the system in the same transaction, so the timeline shows
 * both the request and the rule that approved it. A guest's case waits for the email confirmation (confirmGuestCase)
 * before it is reviewed, auto-approved or emailed about.
 */
export async function openCase(ctx: CaseCtx, input: { requester: Requester; form: CaseForm; files: readonly UploadedFile[] }): Promise<Case> {
  const { requester, form, files } = input;
  assertImageCount(0, files.length);
  const nowMs = ctx.clock.nowMs();
  let guestEmail: string | null = null;
  if (requester.kind === 'guest') {
    guestEmail = normalizeEmail(requester.email);
    // Spent first, in its own transaction: a solved captcha cannot be replayed to probe email and order pairs.
    await transact(ctx, (trx) => spendCaptcha(trx, requester.captcha));
    if ((await countGuestCasesSince(ctx.db, guestEmail, nowMs - HOUR_MS)) >= maxGuestCasesPerHour) {
      throw new AppError('rate_limited', 'Several cases were opened from this email address in the last hour. Please wait a little, or check your inbox for the confirmation emails.');
    }
  }
  const claimant: Claimant = requester.kind === 'member' ? { kind: 'member', memberId: requester.memberId } : { kind: 'guest', email: guestEmail! };
  const facts = await gatherOrderFacts(ctx, claimant, form);
  const serial = form.serial ? readSerial(form.serial) : null;
  if (serial !== null && checkSerialAgainstShipment(serial, facts.recordedSerials) === 'mismatch') throw new AppError('validation', serialMismatchMessage, { field: 'serial' });
  const eligibility = decideEligibility({ kind: form.kind, reason: form.reason, remedy: form.remedy, order: facts.order, nowMs, settings: defaultEligibilitySettings });
  if (eligibility.outcome === 'refused') throw notEligible(eligibility.trace.map((entry) => entry.customerText));
  if (eligibility.requiresProofImage && files.length === 0) throw new AppError('validation', proofOfPurchaseMessage, { field: 'images' });

  const priorityMemberId = requester.kind === 'member' ? requester.memberId : facts.orderMemberId;
  const priority = priorityMemberId !== null && (await isPriorityMember(ctx, priorityMemberId, nowMs));
  const contactName = requester.kind === 'guest' ? requester.contactName : (form.contactName ?? (await ctx.ports.memberContacts.contactOf(ctx.db, requester.memberId))?.firstName ?? '');
  const caseId = ctx.ids.next('cas');
  const images = await acceptAll(ctx, caseId, files);
  const actor: CaseActor = requester.kind === 'member' ? { role: 'member', id: requester.memberId } : { role: 'guest', id: null };
  try {
    return await transact(ctx, async (trx) => {
      await insertCase(
        trx.db,
        {
          id: caseId,
          memberId: requester.kind === 'member' ? requester.memberId : null,
          guestEmail,
          contactName,
          kind: form.kind,
          state: 'submitted',
          reason: form.reason,
          remedy: form.remedy,
          orderRef: facts.orderRef,
          orderSource: facts.orderSource,
          orderLineId: facts.orderLineId,
          productSku: facts.productSku,
          serial,
          details: form.details,
          priority,
          eligibility,
          createdAtMs: nowMs,
        },
        { id: trx.ids.next('cst'), action: 'submit', actorRole: actor.role, actorId: actor.id, atMs: nowMs },
      );
      await recordCaseOpened(trx, { id: caseId, memberId: requester.kind === 'member' ? requester.memberId : null, kind: form.kind, reason: form.reason, remedy: form.remedy });
      await insertImages(trx, { id: caseId, memberId: requester.kind === 'member' ? requester.memberId : null }, images);
      if (requester.kind === 'guest') {
        await sendConfirmationLink(trx, { caseId, kind: form.kind, email: guestEmail!, contactName });
      } else {
        if (eligibility.outcome === 'auto_approved') await moveCase(trx, { caseId, action: 'approve', actor: systemActor, reasonCode: 'no_questions_asked' });
        const record = await findCase(trx.db, caseId);
        await emailCaseReceived(trx, record!);
      }
      return (await findCase(trx.db, caseId))!;
    });
  } catch (error) {
    await removeFiles(ctx, images);
    throw error;
  }
}

async function sendConfirmationLink(ctx: CaseCtx, input: { caseId: string; kind: CaseKind; email: string; contactName: string }): Promise<void> {
  const nowMs = ctx.clock.nowMs();
  const token = randomToken(32);
  await insertCaseConfirmation(ctx.db, { id: ctx.ids.next('cfm'), caseId: input.caseId, tokenHash: hashToken(token), createdAtMs: nowMs, expiresAtMs: nowMs + confirmationLinkLifetimeMs, usedAtMs: null });
  const firstName = input.contactName.trim().split(/\s+/)[0];
  await queueEmail(ctx, {
    memberId: null,
    to: input.email,
    template: caseConfirmEmail,
    data: {
      ...(firstName ? { firstName } : {}),
      caseId: input.caseId,
      kind: input.kind,
      link: `${ctx.config.http.publicUrl}/returns/confirm?token=${encodeURIComponent(token)}`,
      validHours: confirmationLinkLifetimeMs / HOUR_MS,
    },
  });
}

const invalidConfirmationLink = 'This confirmation link is not valid: it may be mistyped or older than 24 hours. If your case was not confirmed in time, please open it again.';
const usedConfirmationLink = 'This confirmation link was already used: your case is confirmed. Follow it from the "We received your case" email.';

/**
 * A guest follows the confirmation link (AS-1): the link is spent, the case's address counts as confirmed, the case
 * enters the agent queue (an AS-6 return is approved by the system now), and the "received" email goes out.
 */
export async function confirmGuestCase(ctx: CaseCtx, input: { token: string }): Promise<{ record: Case; statusUrl: string }> {
  return transact(ctx, async (trx) => {
    const nowMs = trx.clock.nowMs();
    const confirmation = await findCaseConfirmation(trx.db, hashToken(input.token));
    if (!confirmation || nowMs >= confirmation.expiresAtMs) throw new AppError('bad_request', invalidConfirmationLink);
    if (confirmation.usedAtMs !== null || !(await useCaseConfirmation(trx.db, confirmation.id, nowMs))) throw new AppError('conflict', usedConfirmationLink);
    await markCaseEmailConfirmed(trx.db, confirmation.caseId, nowMs);
    let record = (await findCase(trx.db, confirmation.caseId))!;
    if (record.eligibility.outcome === 'auto_approved' && record.state === 'submitted') {
      record = await moveCase(trx, { caseId: record.id, action: 'approve', actor: systemActor, reasonCode: 'no_questions_asked' });
    }
    await emailCaseReceived(trx, record);
    return { record, statusUrl: caseStatusUrl(trx.config.http.publicUrl, trx.secret, record) };
  });
}

/** Who acts on an existing case: its member, or the guest holding its status link (the route checked the token). */
export type CaseOwner = { kind: 'member'; memberId: string } | { kind: 'guest' };

/** The case if `owner` may see it; a member's foreign case, or a member's case through a guest link, is "not found". */
export async function findOwnCase(ctx: Pick<Ctx, 'db'>, owner: CaseOwner, caseId: string): Promise<Case> {
  const record = await findCase(ctx.db, caseId);
  const mine = record && (owner.kind === 'member' ? record.memberId === owner.memberId : record.memberId === null);
  if (!record || !mine) throw notFound('The case');
  return record;
}

function actorOf(owner: CaseOwner): CaseActor {
  return owner.kind === 'member' ? { role: 'member', id: owner.memberId } : { role: 'guest', id: null };
}

/** The requester answers a question (needs_info → under_review); the message is the transition's note (AS-12). */
export async function answerCase(ctx: CaseCtx, input: { owner: CaseOwner; caseId: string; message: string; files: readonly UploadedFile[] }): Promise<Case> {
  const record = await findOwnCase(ctx, input.owner, input.caseId);
  if (record.state !== 'needs_info') throw new AppError('invalid_state', 'This case is not waiting for an answer from you.', { state: record.state });
  assertImageCount(await countImages(ctx.db, record.id), input.files.length);
  const existingKeys = new Set((await listImages(ctx.db, record.id)).map((image) => image.storageKey));
  const images = await acceptAll(ctx, record.id, input.files, existingKeys);
  try {
    return await transact(ctx, async (trx) => {
      await insertImages(trx, record, images);
      return moveCase(trx, { caseId: record.id, action: 'answer', actor: actorOf(input.owner), note: input.message });
    });
  } catch (error) {
    await removeFiles(ctx, images);
    throw error;
  }
}

/** The requester cancels (allowed until the item is received: the state machine's guard). */
export async function cancelOwnCase(ctx: CaseCtx, input: { owner: CaseOwner; caseId: string }): Promise<Case> {
  const record = await findOwnCase(ctx, input.owner, input.caseId);
  return transact(ctx, (trx) => moveCase(trx, { caseId: record.id, action: 'cancel', actor: actorOf(input.owner) }));
}

export async function listOwnCases(ctx: Pick<Ctx, 'db'>, memberId: string): Promise<Case[]> {
  return listMemberCases(ctx.db, memberId, 200);
}

/** One photo of one's own case, bytes included; a foreign case or an unknown image is "not found" (AS-9). */
export async function readOwnCaseImage(ctx: Pick<Ctx, 'db' | 'ports'>, owner: CaseOwner, caseId: string, imageId: string): Promise<{ image: CaseImage; bytes: Uint8Array }> {
  const record = await findOwnCase(ctx, owner, caseId);
  const image = (await listImages(ctx.db, record.id)).find((candidate) => candidate.id === imageId);
  const file = image && (await ctx.ports.files.get(image.storageKey));
  if (!image || !file) throw notFound('The image');
  return { image, bytes: file.bytes };
}

/**
 * Closes guest cases whose address was never confirmed (AS-1): after a week nobody has shown the case is theirs, so
 * it is canceled by the system (no email: the address is unconfirmed) and its photos, which no one may ever see,
 * are deleted with their rows. Works in bounded batches; answers how many cases it closed.
 */
export async function expireUnconfirmedGuestCases(ctx: CaseCtx, batchSize = 200): Promise<number> {
  const stale = await findUnconfirmedGuestCases(ctx.db, ctx.clock.nowMs() - unconfirmedGuestCaseLifetimeMs, batchSize);
  let closed = 0;
  for (const record of stale) {
    const keys = await transact(ctx, async (trx) => {
      const current = await findCase(trx.db, record.id);
      if (!current || current.state !== 'submitted' || current.emailConfirmedAtMs !== null) return null;
      await moveCase(trx, { caseId: record.id, action: 'cancel', actor: systemActor, reasonCode: 'email_not_confirmed' });
      return deleteCaseImages(trx.db, record.id);
    });
    if (keys === null) continue;
    // After the commit: a crash between leaves files without rows, which the same key would overwrite; never rows without files.
    for (const key of keys) await ctx.ports.files.remove(key);
    closed++;
  }
  return closed;
}
