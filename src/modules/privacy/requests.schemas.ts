// What the rights-request routes accept and return (PV-1..PV-14; docs/CONTRACTS.md): unknown keys refused,
// responses naming every field they show. Requesters see their request without agents' notes; agents see all.
import { z } from 'zod';
import { dueStatus } from './deadlines.rules.ts';
import type { AgentRequestDetail } from './agent-requests.service.ts';
import { agentRequestActions } from './agent-requests.service.ts';
import {
  appealDecisions, decisionReasonCodes, declarationText, documentKinds, factsRequired, regimes, relationships, requestChannels, requestStates, requestTransitions, requestTypes,
  verificationLevels, type RequestState,
} from './requests.rules.ts';
import type { PrivacyRequest, RequestDocument, RequestEvent } from './requests.repository.ts';
import { eventActorRoles, verificationMethods } from './requests.table.ts';
import { exportStates, type ExportState } from './export.table.ts';
import { missingVerificationSteps } from './verification.rules.ts';
import { progressOf } from './verification.service.ts';

const iso = z.iso.datetime();
const toIso = (ms: number) => new Date(ms).toISOString();
const toIsoOrNull = (ms: number | null) => (ms === null ? null : toIso(ms));
const id = z.string().min(1).max(100);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const email = z.email().max(254);
const personName = z.string().trim().min(1).max(200);
const token = z.string().min(16).max(64);

export const requestParams = z.strictObject({ requestId: id });
export const documentParams = z.strictObject({ requestId: id, documentId: id });
export const tokenQuery = z.strictObject({ t: token });

const location = {
  country: z.string().trim().regex(/^[A-Za-z]{2}$/, 'a two-letter country code (US, DE, GB…)'),
  state: z.string().trim().regex(/^[A-Za-z]{2}$/, 'a two-letter state code').nullish(),
  zip: z.string().trim().min(3).max(12).regex(/^[A-Za-z0-9 -]+$/).nullish(),
};

const usNeedsState = (value: { country: string; state?: string | null }) => value.country.toUpperCase() !== 'US' || !!value.state;
const stateMessage = { message: 'Choose the US state the person lives in.', path: ['state'] };

const formFields = {
  type: z.enum(requestTypes),
  requesterName: personName,
  requesterEmail: email,
  relationship: z.enum(relationships),
  brands: z.array(z.string().trim().min(1).max(100)).max(20).default([]),
  subjectEmail: email,
  ...location,
  // What the requester wants us to know; any printable text, line breaks allowed.
  comments: z.string().trim().max(4000).regex(/^(?:[^\p{Cc}]|[\n\r\t])*$/u, 'no control characters').nullish(),
};

/** PV-2: the public form. */
export const publicRequestBody = z.strictObject(formFields).refine(usNeedsState, stateMessage);

/** The member center: the subject is the signed-in member (relationship self). */
export const memberRequestBody = z
  .strictObject({ type: z.enum(requestTypes), requesterName: personName.optional(), brands: formFields.brands, ...location, comments: formFields.comments })
  .refine(usNeedsState, stateMessage);

/** An agent enters a request from an email (with the message's receipt time) or taken another way. */
export const agentRequestBody = z
  .strictObject({ ...formFields, channel: z.enum(['email', 'agent']), receivedAt: iso.optional() })
  .refine(usNeedsState, stateMessage)
  .refine((value) => value.channel !== 'email' || value.receivedAt !== undefined, { message: 'An emailed request needs the time the email was received.', path: ['receivedAt'] });

export const verifyBody = z.strictObject({
  token,
  code: z.string().regex(/^\d{6}$/, 'the 6-digit code from the email').optional(),
  facts: z
    .strictObject({
      orderNumber: z.string().trim().min(1).max(100).optional(),
      shipToZip: z.string().trim().min(3).max(12).optional(),
      orderDate: isoDate.optional(),
      amountMinor: z.number().int().min(0).max(100_000_000).optional(),
    })
    .optional(),
  declaration: z.strictObject({ accepted: z.boolean(), typedName: personName }).optional(),
});

export const tokenBody = z.strictObject({ token });
export const appealBody = z.strictObject({ token, note: z.string().trim().min(1).max(4000).optional() });
export const memberAppealBody = z.strictObject({ note: z.string().trim().min(1).max(4000).optional() });
/** The multipart form of an authorized agent's document, for the OpenAPI document; the handler reads and checks it. */
export const documentMultipartBody = z.strictObject({
  kind: z.enum(documentKinds),
  document: z.string().meta({ format: 'binary' }).describe('A PDF (stored unchanged) or a JPEG, PNG or WebP image (re-encoded without metadata), at most 10 MB.'),
});

export const actionBody = z.strictObject({
  action: z.enum(agentRequestActions),
  reason: z.string().trim().min(1).max(2000).optional(),
  months: z.number().int().min(1).max(2).optional(),
  reasonCode: z.string().trim().min(1).max(60).regex(/^[a-z_]+$/).optional(),
  legalBasis: z.string().trim().min(1).max(500).optional(),
  note: z.string().trim().min(1).max(4000).optional(),
  decision: z.enum(appealDecisions).optional(),
});

export const queueQuery = z.strictObject({
  type: z.enum(requestTypes).optional(),
  state: z.enum(requestStates).optional(),
  regime: z.enum(regimes).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
});

const missingStep = z.enum(['code', 'facts', 'declaration', 'agent_document', 'subject_confirmation']);

const verificationView = z.object({
  level: z.enum(verificationLevels),
  method: z.enum(verificationMethods).nullable(),
  verifiedAt: iso.nullable(),
  codeVerified: z.boolean(),
  factsMatched: z.number().int(),
  factsRequired: z.number().int(),
  declarationRequired: z.boolean(),
  declarationText: z.string().nullable(),
  declarationSigned: z.boolean(),
  agentConfirmationRequired: z.boolean(),
  agentConfirmed: z.boolean(),
  missing: z.array(missingStep),
});

function toVerificationView(request: PrivacyRequest, documents: readonly RequestDocument[]): z.infer<typeof verificationView> {
  const progress = progressOf(request, documents);
  const declarationRequired = request.verificationLevel === 'code_three_facts_declaration';
  return {
    level: request.verificationLevel,
    method: request.verificationMethod,
    verifiedAt: toIsoOrNull(request.verifiedAtMs),
    codeVerified: progress.codeVerified,
    factsMatched: request.factsMatched,
    factsRequired: factsRequired(request.verificationLevel),
    declarationRequired,
    declarationText: declarationRequired ? declarationText : null,
    declarationSigned: progress.declarationSigned,
    agentConfirmationRequired: progress.agentConfirmationRequired,
    agentConfirmed: progress.agentConfirmed,
    missing: request.state === 'awaiting_verification' ? missingVerificationSteps(progress) : [],
  };
}

const deadlinesView = z.object({
  receivedAt: iso,
  receivedDate: isoDate,
  acknowledgeDueDate: isoDate,
  acknowledgedAt: iso.nullable(),
  originalDueDate: isoDate,
  dueDate: isoDate,
  extensionCount: z.number().int(),
  extendedMonths: z.number().int(),
  timeZone: z.literal('UTC'),
});

function toDeadlinesView(request: PrivacyRequest): z.infer<typeof deadlinesView> {
  return {
    receivedAt: toIso(request.receivedAtMs),
    receivedDate: request.receivedDate,
    acknowledgeDueDate: request.acknowledgeDueDate,
    acknowledgedAt: toIsoOrNull(request.acknowledgedAtMs),
    originalDueDate: request.originalDueDate,
    dueDate: request.dueDate,
    extensionCount: request.extensionCount,
    extendedMonths: request.extendedMonths,
    timeZone: 'UTC',
  };
}

const answeredStates: ReadonlySet<RequestState> = new Set(['fulfilled', 'partially_fulfilled', 'denied']);

/** The requester's view (the web form's status page and the member center). */
export const requestView = z.object({
  id: z.string(),
  type: z.enum(requestTypes),
  channel: z.enum(requestChannels),
  state: z.enum(requestStates),
  regime: z.enum(regimes),
  relationship: z.enum(relationships),
  brands: z.array(z.string()),
  deadlines: deadlinesView,
  verification: verificationView,
  outcome: z.string().nullable(),
  decisionReasonCode: z.string().nullable(),
  decisionLegalBasis: z.string().nullable(),
  appealDecision: z.string().nullable(),
  canAppeal: z.boolean(),
  /** The export an access or portability request was answered with: its ID opens the download page (PV-15). */
  export: z.object({ id: z.string(), state: z.enum(exportStates), expiresAt: iso.nullable() }).nullable(),
  timeline: z.array(z.object({ action: z.string(), fromState: z.enum(requestStates).nullable(), toState: z.enum(requestStates), reasonCode: z.string().nullable(), at: iso })),
});

/** The answer's export as the requester sees it (the record of `privacy_exports` keyed `request:<id>`). */
export interface RequestExport {
  id: string;
  state: ExportState;
  expiresAtMs: number | null;
}

export function toRequestView(request: PrivacyRequest, events: readonly RequestEvent[], documents: readonly RequestDocument[], answer: RequestExport | null = null): z.infer<typeof requestView> {
  return {
    id: request.id,
    type: request.type,
    channel: request.channel,
    state: request.state,
    regime: request.regime,
    relationship: request.relationship,
    brands: request.brands,
    deadlines: toDeadlinesView(request),
    verification: toVerificationView(request, documents),
    outcome: request.outcome,
    decisionReasonCode: request.decisionReasonCode,
    decisionLegalBasis: request.decisionLegalBasis,
    appealDecision: request.appealDecision,
    canAppeal: answeredStates.has(request.state),
    export: answer ? { id: answer.id, state: answer.state, expiresAt: toIsoOrNull(answer.expiresAtMs) } : null,
    // Agents' notes stay with agents: the requester sees what happened and its code.
    timeline: events.map((event) => ({ action: event.action, fromState: event.fromState, toState: event.toState, reasonCode: event.reasonCode, at: toIso(event.atMs) })),
  };
}

export const requestListView = z.object({ requests: z.array(requestView.pick({ id: true, type: true, state: true, regime: true, deadlines: true, canAppeal: true })) });

export const intakeAccepted = z.object({
  requestId: z.string(),
  /** The request's own reference token: it opens the status page and is sent with verify, appeal and uploads. */
  token: z.string(),
  state: z.enum(requestStates),
  statusUrl: z.string(),
  message: z.string(),
});

const flag = z.enum(['overdue', 'due_in_2', 'due_in_7']).nullable();

export const queueView = z.object({
  today: isoDate,
  requests: z.array(
    z.object({
      id: z.string(),
      type: z.enum(requestTypes),
      state: z.enum(requestStates),
      regime: z.enum(regimes),
      channel: z.enum(requestChannels),
      priority: z.boolean(),
      requesterName: z.string(),
      subjectEmail: z.string(),
      memberId: z.string().nullable(),
      groupId: z.string(),
      receivedAt: iso,
      dueDate: isoDate,
      daysLeft: z.number().int(),
      flag,
      verificationMissing: z.array(missingStep),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export function toQueueView(page: { requests: PrivacyRequest[]; nextCursor: string | null; today: string }): z.infer<typeof queueView> {
  return {
    today: page.today,
    requests: page.requests.map((request) => {
      const status = dueStatus(request.dueDate, page.today);
      return {
        id: request.id,
        type: request.type,
        state: request.state,
        regime: request.regime,
        channel: request.channel,
        priority: request.priority,
        requesterName: request.requesterName,
        subjectEmail: request.subjectEmail,
        memberId: request.memberId,
        groupId: request.groupId,
        receivedAt: toIso(request.receivedAtMs),
        dueDate: request.dueDate,
        daysLeft: status.daysLeft,
        flag: status.flag,
        // The queue does not read documents; an agent's document shows on the request itself.
        verificationMissing: request.state === 'awaiting_verification' ? missingVerificationSteps(progressOf(request, [])).filter((step) => step !== 'agent_document') : [],
      };
    }),
    nextCursor: page.nextCursor,
  };
}

/** The actions the machine allows from a state, in agents' words (the console's buttons). */
function availableActions(state: RequestState): (typeof agentRequestActions)[number][] {
  const targets = requestTransitions[state] as readonly RequestState[];
  const actions: (typeof agentRequestActions)[number][] = [];
  if (targets.includes('in_progress')) actions.push(state === 'on_hold' ? 'resume' : 'start');
  if (targets.includes('on_hold')) actions.push('hold');
  if (['received', 'awaiting_verification', 'verified', 'in_progress', 'on_hold'].includes(state)) actions.push('extend');
  if (targets.includes('fulfilled')) actions.push('fulfil');
  if (targets.includes('partially_fulfilled')) actions.push('partially_fulfil');
  if (targets.includes('denied')) actions.push('deny');
  if (targets.includes('withdrawn')) actions.push('withdraw');
  if (targets.includes('appeal_decided')) actions.push('decide_appeal');
  return actions;
}

export const agentRequestView = z.object({
  id: z.string(),
  type: z.enum(requestTypes),
  channel: z.enum(requestChannels),
  state: z.enum(requestStates),
  regime: z.enum(regimes),
  priority: z.boolean(),
  requesterName: z.string(),
  requesterEmail: z.string(),
  relationship: z.enum(relationships),
  brands: z.array(z.string()),
  subjectEmail: z.string(),
  memberId: z.string().nullable(),
  subjectCountry: z.string(),
  subjectState: z.string().nullable(),
  subjectZip: z.string().nullable(),
  comments: z.string().nullable(),
  groupId: z.string(),
  groupSize: z.number().int(),
  enteredBy: z.string().nullable(),
  deadlines: deadlinesView.extend({ daysLeft: z.number().int(), flag }),
  verification: verificationView,
  outcome: z.string().nullable(),
  decisionReasonCode: z.string().nullable(),
  decisionLegalBasis: z.string().nullable(),
  decidedBy: z.string().nullable(),
  appealDecision: z.string().nullable(),
  documents: z.array(z.object({ id: z.string(), kind: z.enum(documentKinds), contentType: z.string(), sizeBytes: z.number().int(), sha256: z.string(), uploadedAt: iso })),
  timeline: z.array(
    z.object({
      seq: z.number().int(),
      action: z.string(),
      fromState: z.enum(requestStates).nullable(),
      toState: z.enum(requestStates),
      actorRole: z.enum(eventActorRoles),
      actorId: z.string().nullable(),
      reasonCode: z.string().nullable(),
      legalBasis: z.string().nullable(),
      note: z.string().nullable(),
      at: iso,
    }),
  ),
  availableActions: z.array(z.enum(agentRequestActions)),
  reasonCodes: z.array(z.enum(decisionReasonCodes)),
  /** The erasure that answered an erase request (its report: GET /agent/privacy/erasures/:erasureId), once it ran. */
  erasureId: z.string().nullable(),
});

export function toAgentRequestView(detail: AgentRequestDetail, erasureId: string | null = null): z.infer<typeof agentRequestView> {
  const { request, events, documents } = detail;
  const status = dueStatus(request.dueDate, detail.today);
  const open = ['received', 'awaiting_verification', 'verified', 'in_progress', 'on_hold', 'appealed'].includes(request.state);
  return {
    id: request.id,
    type: request.type,
    channel: request.channel,
    state: request.state,
    regime: request.regime,
    priority: request.priority,
    requesterName: request.requesterName,
    requesterEmail: request.requesterEmail,
    relationship: request.relationship,
    brands: request.brands,
    subjectEmail: request.subjectEmail,
    memberId: request.memberId,
    subjectCountry: request.subjectCountry,
    subjectState: request.subjectState,
    subjectZip: request.subjectZip,
    comments: request.comments,
    groupId: request.groupId,
    groupSize: detail.groupSize,
    enteredBy: request.enteredBy,
    deadlines: { ...toDeadlinesView(request), daysLeft: open ? status.daysLeft : 0, flag: open ? status.flag : null },
    verification: toVerificationView(request, documents),
    outcome: request.outcome,
    decisionReasonCode: request.decisionReasonCode,
    decisionLegalBasis: request.decisionLegalBasis,
    decidedBy: request.decidedBy,
    appealDecision: request.appealDecision,
    documents: documents.map((document) => ({ id: document.id, kind: document.kind, contentType: document.contentType, sizeBytes: document.sizeBytes, sha256: document.sha256, uploadedAt: toIso(document.createdAtMs) })),
    timeline: events.map((event) => ({
      seq: event.seq,
      action: event.action,
      fromState: event.fromState,
      toState: event.toState,
      actorRole: event.actorRole,
      actorId: event.actorId,
      reasonCode: event.reasonCode,
      legalBasis: event.legalBasis,
      note: event.note,
      at: toIso(event.atMs),
    })),
    availableActions: availableActions(request.state),
    reasonCodes: [...decisionReasonCodes],
    erasureId,
  };
}
