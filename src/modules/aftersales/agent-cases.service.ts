// The agent's side of a case (AS-2, AS-10, AS-12): the queue page with its serial-reuse flags, the case as an agent
// sees it (trace, timeline with actors, internal notes, images, serial check and reuse), the actions of the
// actions route through moveCase, and internal notes. Writes run in the caller's transaction (CONVENTIONS 3).
import type { Ctx } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { assertAgentActionInput, availableCaseActions, isRequesterKnown, type AgentActionInput, type AvailableCaseAction } from './agent.rules.ts';
import { flaggedSerialCases, insertNote, listNotes, type CaseNote } from './agent.repository.ts';
import type { CaseKind, CaseState, ReasonCode } from './cases.rules.ts';
import { findCase, findGrantedCasesBySerial, findShipmentSerials, listImages, listQueue, listTransitions, queueCursorOf, type Case, type CaseImage, type CaseTransition, type QueueCursor } from './cases.repository.ts';
import { checkSerialAgainstShipment, type SerialCheck } from './serials.rules.ts';
import { moveCase, type CaseCtx } from './transitions.service.ts';

const dayMs = 86_400_000;

/** The staff member acting (an agent or an admin session). */
export interface StaffActor {
  id: string;
  role: 'agent' | 'admin';
}

// ---------------------------------------------------------------------------------------------------------------
// The queue (AS-10)

export interface QueueRequest {
  kind?: CaseKind;
  state?: CaseState;
  reason?: ReasonCode;
  limit: number;
  /** The opaque cursor of the previous page. */
  cursor?: string;
}

export interface QueueEntry {
  record: Case;
  ageDays: number;
  serialFlagged: boolean;
}

export interface QueuePage {
  entries: QueueEntry[];
  nextCursor: string | null;
}

export function encodeQueueCursor(cursor: QueueCursor): string {
  return Buffer.from(`${cursor.priority ? 1 : 0}.${cursor.createdAtMs}.${cursor.id}`).toString('base64url');
}

export function decodeQueueCursor(text: string): QueueCursor {
  const match = /^([01])\.(\d{1,16})\.([a-z]{3}_[0-9a-z]{1,40})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match) throw new AppError('validation', 'The cursor is not one this queue gave out; start from the first page.', { field: 'cursor' });
  return { priority: match[1] === '1', createdAtMs: Number(match[2]), id: match[3]! };
}

/** One page of the queue: priority first, then oldest; each row's age from the injected clock and its AS-2 flag. */
export async function listAgentQueue(ctx: Ctx, request: QueueRequest): Promise<QueuePage> {
  const after = request.cursor === undefined ? undefined : decodeQueueCursor(request.cursor);
  // One row more than asked says whether another page follows without a count.
  const rows = await listQueue(ctx.db, { kind: request.kind, state: request.state, reason: request.reason, limit: request.limit + 1, after });
  const page = rows.slice(0, request.limit);
  const flagged = await flaggedSerialCases(ctx.db, page);
  const nowMs = ctx.clock.nowMs();
  return {
    entries: page.map((record) => ({ record, ageDays: Math.max(0, Math.floor((nowMs - record.createdAtMs) / dayMs)), serialFlagged: flagged.has(record.id) })),
    nextCursor: rows.length > request.limit ? encodeQueueCursor(queueCursorOf(page.at(-1)!)) : null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// One case as an agent sees it

export interface AgentCaseDetail {
  record: Case;
  transitions: CaseTransition[];
  notes: CaseNote[];
  images: CaseImage[];
  /** The claim's serial against the serials recorded at shipment for its order line (AS-2); null without a serial. */
  serialCheck: SerialCheck | null;
  /** Other cases, of anyone, that already refunded or replaced an item with this serial (AS-2). */
  serialReuse: Case[];
  availableActions: AvailableCaseAction[];
}

export async function getAgentCase(ctx: Ctx, caseId: string): Promise<AgentCaseDetail> {
  const record = await findCase(ctx.db, caseId);
  if (!record) throw notFound('The case');
  const [transitions, notes, images] = [await listTransitions(ctx.db, caseId), await listNotes(ctx.db, caseId), await listImages(ctx.db, caseId)];
  let serialCheck: SerialCheck | null = null;
  let serialReuse: Case[] = [];
  if (record.serial !== null) {
    const recorded = record.orderLineId === null ? null : (await findShipmentSerials(ctx.db, record.orderLineId)).map((s) => s.serial);
    serialCheck = checkSerialAgainstShipment(record.serial, recorded);
    serialReuse = await findGrantedCasesBySerial(ctx.db, record.serial, record.id);
  }
  return {
    record,
    transitions,
    notes,
    images,
    serialCheck,
    serialReuse,
    availableActions: availableCaseActions(record),
  };
}

/** The case if agents may work it now: a guest's case waits for its email confirmation (AS-1) and is not found before. */
async function actionableCase(ctx: Ctx, caseId: string): Promise<Case> {
  const record = await findCase(ctx.db, caseId);
  if (!record) throw notFound('The case');
  if (!isRequesterKnown(record)) throw new AppError('invalid_state', 'The requester has not confirmed their email address yet, so the case cannot be worked on.', { caseId });
  return record;
}

// ---------------------------------------------------------------------------------------------------------------
// Actions (AS-10) and notes

/**
 * Applies an agent's action in the caller's transaction: the input checked (reason codes, the question, the remedy
 * among those allowed), the move through moveCase (guarded, on the timeline, emailed to the requester, AS-12), and an
 * audit entry with IDs and codes only (the note's words stay on the timeline).
 */
export async function applyAgentAction(ctx: CaseCtx, input: AgentActionInput & { caseId: string; staff: StaffActor }): Promise<Case> {
  const record = await actionableCase(ctx, input.caseId);
  assertAgentActionInput(input, record.eligibility.allowedRemedies);
  const note = input.note?.trim() || null;
  const moved = await moveCase(ctx, {
    caseId: record.id,
    action: input.action,
    actor: { role: input.staff.role, id: input.staff.id },
    reasonCode: input.reasonCode ?? null,
    note,
    ...(input.remedy ? { remedy: input.remedy } : {}),
  });
  await recordAudit(ctx, {
    actor: { id: input.staff.id, role: input.staff.role },
    action: `aftersales.case.${input.action}`,
    memberId: record.memberId,
    subject: record.id,
    details: { from: record.state, to: moved.state, reasonCode: input.reasonCode ?? null, remedy: input.remedy ?? null, withNote: note !== null },
  });
  return moved;
}

/** An internal note (never shown to the requester: the customer views have no notes). */
export async function addCaseNote(ctx: Ctx, input: { caseId: string; staff: StaffActor; body: string }): Promise<CaseNote> {
  const record = await findCase(ctx.db, input.caseId);
  if (!record) throw notFound('The case');
  const body = input.body.trim();
  if (body === '') throw new AppError('validation', 'A note needs some text.', { field: 'body' });
  const note: CaseNote = { id: ctx.ids.next('cnt'), caseId: record.id, authorId: input.staff.id, body, createdAtMs: ctx.clock.nowMs() };
  await insertNote(ctx.db, record.memberId, note);
  return note;
}
