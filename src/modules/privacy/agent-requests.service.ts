// The agent side of rights requests (PV-3, PV-9, PV-10): the queue with days left and flags, one request with its
// timeline, deadlines, verification state and documents, and the actions an agent takes. Actions go through
// `moveRequest`, `extendRequest`, `fulfilRequest` and `decideAppeal`, in the caller's transaction.
import type { Ctx } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { calendarDateOf } from './deadlines.rules.ts';
import { decideAppeal, extendRequest, fulfilRequest } from './fulfilment.service.ts';
import { moveRequest, type RequestActor, type RequestCtx } from './request-transitions.service.ts';
import { decisionReasonCodes, type AppealDecision, type Regime, type RequestState, type RequestType } from './requests.rules.ts';
import { countGroupMembers, findRequest, listDocuments, listEvents, selectQueue, type PrivacyRequest, type QueueCursor, type RequestDocument, type RequestEvent } from './requests.repository.ts';

export const agentRequestActions = ['start', 'hold', 'resume', 'extend', 'deny', 'partially_fulfil', 'fulfil', 'withdraw', 'decide_appeal'] as const;
export type AgentRequestAction = (typeof agentRequestActions)[number];

export interface StaffActor {
  id: string;
  role: 'agent' | 'admin';
}

export interface AgentActionInput {
  requestId: string;
  staff: StaffActor;
  action: AgentRequestAction;
  reason?: string;
  months?: number;
  reasonCode?: string;
  legalBasis?: string;
  note?: string;
  decision?: AppealDecision;
}

/** Which fields each action needs and takes; a missing or extra one is a 400 naming the field. */
const actionFields: Record<AgentRequestAction, { required: (keyof AgentActionInput)[]; optional: (keyof AgentActionInput)[] }> = {
  start: { required: [], optional: ['note'] },
  hold: { required: [], optional: ['reasonCode', 'note'] },
  resume: { required: [], optional: ['note'] },
  withdraw: { required: [], optional: ['reasonCode', 'note'] },
  extend: { required: ['reason'], optional: ['months'] },
  deny: { required: ['reasonCode', 'legalBasis'], optional: ['note'] },
  partially_fulfil: { required: ['reasonCode', 'legalBasis'], optional: ['note'] },
  fulfil: { required: [], optional: ['note'] },
  decide_appeal: { required: ['decision', 'reasonCode'], optional: ['legalBasis', 'note'] },
};

const fieldNames = ['reason', 'months', 'reasonCode', 'legalBasis', 'note', 'decision'] as const;

export function checkActionFields(input: AgentActionInput): void {
  const fields = actionFields[input.action];
  for (const field of fieldNames) {
    const given = input[field] !== undefined;
    if (!given && fields.required.includes(field)) throw new AppError('validation', `The action ${input.action} needs ${field}.`, { field });
    if (given && !fields.required.includes(field) && !fields.optional.includes(field)) throw new AppError('validation', `The action ${input.action} does not take ${field}.`, { field });
  }
  if ((input.action === 'deny' || input.action === 'partially_fulfil' || input.action === 'decide_appeal') && !(decisionReasonCodes as readonly string[]).includes(input.reasonCode!)) {
    throw new AppError('validation', `The reason code must be one of: ${decisionReasonCodes.join(', ')}.`, { field: 'reasonCode' });
  }
}

export async function applyAgentAction(ctx: RequestCtx, input: AgentActionInput): Promise<PrivacyRequest> {
  checkActionFields(input);
  const actor: RequestActor = { role: input.staff.role, id: input.staff.id };
  const { requestId } = input;
  switch (input.action) {
    case 'start':
    case 'hold':
    case 'resume':
    case 'withdraw':
      return moveRequest(ctx, { requestId, action: input.action, actor, reasonCode: input.reasonCode ?? null, note: input.note ?? null });
    case 'extend':
      return extendRequest(ctx, { requestId, actor, reason: input.reason!, months: input.months });
    case 'deny':
    case 'partially_fulfil':
      return moveRequest(ctx, { requestId, action: input.action, actor, reasonCode: input.reasonCode!, legalBasis: input.legalBasis!, note: input.note ?? null });
    case 'fulfil':
      return fulfilRequest(ctx, { requestId, actor, note: input.note ?? null });
    case 'decide_appeal':
      return decideAppeal(ctx, { requestId, actor, decision: input.decision!, reasonCode: input.reasonCode!, legalBasis: input.legalBasis ?? null, note: input.note ?? null });
  }
}

export interface QueueFilter {
  type?: RequestType;
  state?: RequestState;
  regime?: Regime;
  limit?: number;
  cursor?: string;
}

export function encodeCursor(cursor: QueueCursor): string {
  return Buffer.from(JSON.stringify([cursor.priority, cursor.dueDate, cursor.id])).toString('base64url');
}

export function decodeCursor(text: string): QueueCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && (value[0] === 0 || value[0] === 1) && typeof value[1] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value[1]) && typeof value[2] === 'string' && value[2].length <= 100) {
      return { priority: value[0], dueDate: value[1], id: value[2] };
    }
  } catch {
    // Falls through to the one refusal below.
  }
  throw new AppError('validation', 'The cursor is not one this queue gave out.', { field: 'cursor' });
}

export async function listAgentQueue(ctx: Ctx, filter: QueueFilter): Promise<{ requests: PrivacyRequest[]; nextCursor: string | null; today: string }> {
  const limit = filter.limit ?? 50;
  const rows = await selectQueue(ctx.db, { type: filter.type, state: filter.state, regime: filter.regime, limit: limit + 1, after: filter.cursor ? decodeCursor(filter.cursor) : undefined });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor({ priority: last.priority ? 1 : 0, dueDate: last.dueDate, id: last.id }) : null;
  return { requests: page, nextCursor, today: calendarDateOf(ctx.clock.nowMs()) };
}

export interface AgentRequestDetail {
  request: PrivacyRequest;
  events: RequestEvent[];
  documents: RequestDocument[];
  groupSize: number;
  today: string;
}

/** One request as agents see it; reading it is agent access to a subject's data, so it is audit-recorded (PV-33). */
export async function getAgentRequest(ctx: Ctx, input: { requestId: string; staff: StaffActor }): Promise<AgentRequestDetail> {
  const request = await findRequest(ctx.db, input.requestId);
  if (!request) throw notFound('The request');
  await recordAudit(ctx, { actor: { id: input.staff.id, role: input.staff.role }, action: 'privacy.request.viewed', memberId: request.memberId, subject: request.id });
  return { request, events: await listEvents(ctx.db, request.id), documents: await listDocuments(ctx.db, request.id), groupSize: await countGroupMembers(ctx.db, request.groupId), today: calendarDateOf(ctx.clock.nowMs()) };
}

/** An authorized agent's document for a staff member; the read is audit-recorded as agent access (PV-33). */
export async function readRequestDocument(ctx: Ctx, input: { requestId: string; documentId: string; staff: StaffActor }): Promise<{ document: RequestDocument; bytes: Uint8Array }> {
  const request = await findRequest(ctx.db, input.requestId);
  const document = request && (await listDocuments(ctx.db, request.id)).find((entry) => entry.id === input.documentId);
  if (!request || !document) throw notFound('The document');
  const stored = await ctx.ports.files.get(document.storageKey);
  if (!stored) throw notFound('The document');
  await recordAudit(ctx, { actor: { id: input.staff.id, role: input.staff.role }, action: 'privacy.request.document_viewed', memberId: request.memberId, subject: request.id, details: { documentId: document.id } });
  return { document, bytes: stored.bytes };
}
