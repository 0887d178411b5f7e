// Privacy API (src/flows/account-closure.routes.ts, src/modules/privacy/*.routes.ts, src/flows/erasure.routes.ts): account closure (AC-10),
// the restriction of processing (PV-20), rights requests (PV-1..PV-14), exports and know (PV-15..PV-17), erasure reports (PV-18).
import { ApiError, api, fetchBlob, query } from './client.ts';

/** closurePreviewView: what closing would do now. */
export interface ClosurePreview {
  reauthenticated: boolean;
  recentSignInMinutes: number;
  creditsToForfeit: number;
  plusEnds: boolean;
  blockers: Array<'checkout_in_progress' | 'refund_pending' | 'plus_payment_pending'>;
}

/** closureView: what the closure did. */
export interface Closure {
  id: string;
  memberId: string;
  closedAt: string;
  retentionStartedAt: string;
  creditsForfeited: number;
  creditTransactionId: string | null;
  plusSubscriptionEnded: string | null;
  sessionsEnded: number;
  requestId: string | null;
}

export interface RestrictionStatus {
  restricted: boolean;
  reason: string | null;
  since: string | null;
  effect: string;
}

/** The error code of a closure whose sign-in is too old: the page offers to sign in again. */
export const reauthenticationRequiredCode = 'reauthentication_required';

export const privacyApi = {
  closurePreview: () => api.get<ClosurePreview>('/me/close-account'),
  closeAccount: () => api.post<Closure>('/me/close-account', { confirm: true }),
  restriction: () => api.get<RestrictionStatus>('/me/privacy/restriction'),
};

// ---- Rights requests (src/modules/privacy/requests.routes.ts; PV-1..PV-14) -------------------------------------

export const requestTypes = [
  'access', 'portability', 'know', 'rectify', 'erase', 'restrict', 'object', 'withdraw_consent', 'optout_sale_share', 'optout_targeted_ads', 'limit_sensitive', 'complaint', 'appeal',
] as const;
export type RequestType = (typeof requestTypes)[number];
export const requestStates = [
  'received', 'awaiting_verification', 'verified', 'in_progress', 'on_hold', 'fulfilled', 'partially_fulfilled', 'denied', 'withdrawn', 'closed_unverified', 'appealed', 'appeal_decided',
] as const;
export type RequestState = (typeof requestStates)[number];
export const regimes = ['us_state', 'gdpr', 'uk', 'other'] as const;
export type Regime = (typeof regimes)[number];
export type Relationship = 'self' | 'authorized_agent';
export type DocumentKind = 'power_of_attorney' | 'signed_letter';
export type MissingStep = 'code' | 'facts' | 'declaration' | 'agent_document' | 'subject_confirmation';
export type DueFlag = 'overdue' | 'due_in_2' | 'due_in_7' | null;
export const agentRequestActions = ['start', 'hold', 'resume', 'extend', 'deny', 'partially_fulfil', 'fulfil', 'withdraw', 'decide_appeal'] as const;
export type AgentRequestAction = (typeof agentRequestActions)[number];
export const appealDecisions = ['upheld', 'reversed', 'partially_reversed'] as const;
export type AppealDecision = (typeof appealDecisions)[number];

export interface RequestDeadlines {
  receivedAt: string;
  receivedDate: string;
  acknowledgeDueDate: string;
  acknowledgedAt: string | null;
  originalDueDate: string;
  dueDate: string;
  extensionCount: number;
  extendedMonths: number;
  timeZone: 'UTC';
}

export interface RequestVerification {
  level: 'none' | 'code' | 'code_and_two_facts' | 'code_three_facts_declaration';
  method: string | null;
  verifiedAt: string | null;
  codeVerified: boolean;
  factsMatched: number;
  factsRequired: number;
  declarationRequired: boolean;
  declarationText: string | null;
  declarationSigned: boolean;
  agentConfirmationRequired: boolean;
  agentConfirmed: boolean;
  missing: MissingStep[];
}

/** requestView: the requester's view of a request (status page, member center). */
export interface PrivacyRequest {
  id: string;
  type: RequestType;
  channel: 'web_form' | 'member_center' | 'email' | 'agent';
  state: RequestState;
  regime: Regime;
  relationship: Relationship;
  brands: string[];
  deadlines: RequestDeadlines;
  verification: RequestVerification;
  outcome: string | null;
  decisionReasonCode: string | null;
  decisionLegalBasis: string | null;
  appealDecision: string | null;
  canAppeal: boolean;
  /** The export an access or portability request was answered with (its download page), once there is one. */
  export: { id: string; state: ExportState; expiresAt: string | null } | null;
  timeline: Array<{ action: string; fromState: RequestState | null; toState: RequestState; reasonCode: string | null; at: string }>;
}

export type PrivacyRequestSummary = Pick<PrivacyRequest, 'id' | 'type' | 'state' | 'regime' | 'deadlines' | 'canAppeal'>;

export interface PublicRequestInput {
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

export type MemberRequestInput = Pick<PublicRequestInput, 'type' | 'brands' | 'country' | 'state' | 'zip' | 'comments'> & { requesterName?: string };

export interface IntakeAccepted {
  requestId: string;
  token: string;
  state: RequestState;
  statusUrl: string;
  message: string;
}

export interface VerificationInput {
  code?: string;
  facts?: { orderNumber?: string; shipToZip?: string; orderDate?: string; amountMinor?: number };
  declaration?: { accepted: boolean; typedName: string };
}

export interface QueueRow {
  id: string;
  type: RequestType;
  state: RequestState;
  regime: Regime;
  channel: PrivacyRequest['channel'];
  priority: boolean;
  requesterName: string;
  subjectEmail: string;
  memberId: string | null;
  groupId: string;
  receivedAt: string;
  dueDate: string;
  daysLeft: number;
  flag: DueFlag;
  verificationMissing: MissingStep[];
}

export interface RequestQueue {
  today: string;
  requests: QueueRow[];
  nextCursor: string | null;
}

/** agentRequestView: everything an agent sees about a request. */
export interface AgentPrivacyRequest {
  id: string;
  type: RequestType;
  channel: PrivacyRequest['channel'];
  state: RequestState;
  regime: Regime;
  priority: boolean;
  requesterName: string;
  requesterEmail: string;
  relationship: Relationship;
  brands: string[];
  subjectEmail: string;
  memberId: string | null;
  subjectCountry: string;
  subjectState: string | null;
  subjectZip: string | null;
  comments: string | null;
  groupId: string;
  groupSize: number;
  enteredBy: string | null;
  deadlines: RequestDeadlines & { daysLeft: number; flag: DueFlag };
  verification: RequestVerification;
  outcome: string | null;
  decisionReasonCode: string | null;
  decisionLegalBasis: string | null;
  decidedBy: string | null;
  appealDecision: string | null;
  documents: Array<{ id: string; kind: DocumentKind; contentType: string; sizeBytes: number; sha256: string; uploadedAt: string }>;
  timeline: Array<{
    seq: number;
    action: string;
    fromState: RequestState | null;
    toState: RequestState;
    actorRole: string;
    actorId: string | null;
    reasonCode: string | null;
    legalBasis: string | null;
    note: string | null;
    at: string;
  }>;
  availableActions: AgentRequestAction[];
  reasonCodes: string[];
  /** The erasure that answered an erase request, when the server names it. */
  erasureId: string | null;
}

/** What an agent enters (POST /agent/privacy/requests): the form's fields, how the request came in and, for an email, when it arrived. */
export type AgentRequestInput = PublicRequestInput & { channel: 'email' | 'agent'; receivedAt?: string };

export interface AgentActionInput {
  action: AgentRequestAction;
  reason?: string;
  months?: number;
  reasonCode?: string;
  legalBasis?: string;
  note?: string;
  decision?: AppealDecision;
}

// ---- Exports and know (src/modules/privacy/export.routes.ts; PV-15..PV-17) --------------------------------------

export type ExportState = 'queued' | 'ready' | 'failed' | 'expired';

export interface PrivacyExport {
  id: string;
  state: ExportState;
  requestId: string | null;
  createdAt: string;
  readyAt: string | null;
  expiresAt: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  downloadCount: number;
  downloadPath: string | null;
}

export interface KnowReport {
  memberId: string;
  categories: string[];
  sources: string[];
  purposes: string[];
  recipientCategories: string[];
  sections: Array<{ table: string; rows: number; categories: string[]; purposes: string[]; retention: string[]; source: string }>;
  disclosures: Array<{ recipient: string; what: string; count: number }>;
}

// ---- Erasure report (src/flows/erasure.routes.ts; PV-18; admins) ------------------------------------------------

export interface ErasureReport {
  erasureId: string;
  memberId: string;
  erasedAtMs: number;
  deleted: Array<{ table: string; columns: string[]; rows: number }>;
  anonymized: Array<{ table: string; columns: string[]; rows: number }>;
  kept: Array<{ table: string; column: string; legalBasis: string; retention: string; until: string; rule: string }>;
  filesDeleted: number;
}

const path = (id: string) => encodeURIComponent(id);

export const requestsApi = {
  // Public (the request's reference token proves it).
  submit: (input: PublicRequestInput, idempotencyKey: string) => api.post<IntakeAccepted>('/privacy/requests', input, { 'idempotency-key': idempotencyKey }),
  status: (requestId: string, token: string) => api.get<PrivacyRequest>(`/privacy/requests/${path(requestId)}${query({ t: token })}`),
  verify: (requestId: string, token: string, input: VerificationInput) => api.post<PrivacyRequest>(`/privacy/requests/${path(requestId)}/verify`, { token, ...input }),
  resendCode: (requestId: string, token: string) => api.post<PrivacyRequest>(`/privacy/requests/${path(requestId)}/verification-code`, { token }),
  uploadDocument: (requestId: string, token: string, kind: DocumentKind, file: File) => {
    const form = new FormData();
    form.set('kind', kind);
    form.set('document', file);
    return api.postForm<PrivacyRequest>(`/privacy/requests/${path(requestId)}/documents${query({ t: token })}`, form);
  },
  confirmAgent: (requestId: string, token: string) => api.post<PrivacyRequest>(`/privacy/requests/${path(requestId)}/confirm-agent`, { token }),
  appeal: (requestId: string, token: string, note?: string) => api.post<PrivacyRequest>(`/privacy/requests/${path(requestId)}/appeal`, { token, ...(note ? { note } : {}) }),
  // The member center (the subject is the signed-in member).
  mine: () => api.get<{ requests: PrivacyRequestSummary[] }>('/me/privacy/requests'),
  mineOne: (requestId: string) => api.get<PrivacyRequest>(`/me/privacy/requests/${path(requestId)}`),
  fileMine: (input: MemberRequestInput, idempotencyKey: string) => api.post<PrivacyRequest>('/me/privacy/requests', input, { 'idempotency-key': idempotencyKey }),
  verifyMine: (requestId: string) => api.post<PrivacyRequest>(`/me/privacy/requests/${path(requestId)}/verify`),
  appealMine: (requestId: string, note?: string) => api.post<PrivacyRequest>(`/me/privacy/requests/${path(requestId)}/appeal`, note ? { note } : {}),
  // Agents.
  queue: (filters: { type?: string; state?: string; regime?: string; cursor?: string; limit?: number }) => api.get<RequestQueue>(`/agent/privacy/requests${query(filters)}`),
  enter: (input: AgentRequestInput, idempotencyKey: string) => api.post<AgentPrivacyRequest>('/agent/privacy/requests', input, { 'idempotency-key': idempotencyKey }),
  agentRequest: (requestId: string) => api.get<AgentPrivacyRequest>(`/agent/privacy/requests/${path(requestId)}`),
  act: (requestId: string, input: AgentActionInput) => api.post<AgentPrivacyRequest>(`/agent/privacy/requests/${path(requestId)}/actions`, input),
  document: (requestId: string, documentId: string) => fetchBlob(`/agent/privacy/requests/${path(requestId)}/documents/${path(documentId)}`),
  erasure: (erasureId: string) => api.get<ErasureReport>(`/agent/privacy/erasures/${path(erasureId)}`),
};

export const exportsApi = {
  mine: () => api.get<{ exports: PrivacyExport[] }>('/me/privacy/exports'),
  requestMine: () => api.post<PrivacyExport>('/me/privacy/exports'),
  /** The member's ZIP; 403 `forbidden` with `details.reason: reauthentication_required` when the sign-in is old. */
  downloadMine: (exportId: string) => fetchBlob(`/me/privacy/exports/${path(exportId)}/download`),
  know: () => api.get<KnowReport>('/me/privacy/know'),
  sendCode: (exportId: string) => api.post<{ message: string }>(`/privacy/exports/${path(exportId)}/download-code`),
  downloadWithCode: (exportId: string, code: string) => fetchBlob(`/privacy/exports/${path(exportId)}/download${query({ code })}`),
  schemaUrl: '/api/v1/privacy/export-schema.json',
};

/** True when the server refused because the sign-in is older than 10 minutes (closure, export download, verify). */
export function needsFreshSignIn(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  if (error.code === reauthenticationRequiredCode) return true;
  const details = error.details as { reason?: unknown; reauthenticate?: unknown } | null | undefined;
  return error.status === 403 && (details?.reason === reauthenticationRequiredCode || details?.reauthenticate === true);
}

/** Saves a downloaded Blob under a file name (a temporary link with `download`). */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
