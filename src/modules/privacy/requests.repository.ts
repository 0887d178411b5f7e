// Reads and writes of the rights-request tables (migration 0800). State changes are guarded updates on the state
// the caller read, so two actors never both move a request.
import type { Executor } from '../../db/database.ts';
import type { DocumentKind, OptOutType, Regime, Relationship, RequestChannel, RequestState, RequestType, VerificationLevel } from './requests.rules.ts';
import { openRequestStates } from './requests.rules.ts';
import { requestTables, type ChoiceRow, type CodeRow, type DocumentRow, type EventActorRole, type EventRow, type RequestRow, type VerificationMethod } from './requests.table.ts';

export interface PrivacyRequest {
  id: string;
  type: RequestType;
  channel: RequestChannel;
  state: RequestState;
  regime: Regime;
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
  priority: boolean;
  verificationLevel: VerificationLevel;
  verificationMethod: VerificationMethod | null;
  codeVerifiedAtMs: number | null;
  factsMatched: number;
  factsAttempts: number;
  declarationSignedAtMs: number | null;
  agentConfirmationRequired: boolean;
  agentConfirmedAtMs: number | null;
  verifiedAtMs: number | null;
  receivedAtMs: number;
  receivedDate: string;
  acknowledgeDueDate: string;
  acknowledgedAtMs: number | null;
  originalDueDate: string;
  dueDate: string;
  extensionCount: number;
  extendedMonths: number;
  decisionReasonCode: string | null;
  decisionLegalBasis: string | null;
  decidedBy: string | null;
  outcome: string | null;
  appealedAtMs: number | null;
  appealDecision: string | null;
  enteredBy: string | null;
  stateEnteredAtMs: number;
  createdAtMs: number;
  updatedAtMs: number;
  closedAtMs: number | null;
}

export interface RequestEvent {
  id: string;
  seq: number;
  fromState: RequestState | null;
  toState: RequestState;
  action: string;
  actorRole: EventActorRole;
  actorId: string | null;
  reasonCode: string | null;
  legalBasis: string | null;
  note: string | null;
  atMs: number;
}

export interface RequestDocument {
  id: string;
  requestId: string;
  kind: DocumentKind;
  storageKey: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  createdAtMs: number;
}

const num = (value: number | string): number => Number(value);
const numOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

function toRequest(row: RequestRow): PrivacyRequest {
  return {
    id: row.id,
    type: row.type,
    channel: row.channel,
    state: row.state,
    regime: row.regime,
    requesterName: row.requester_name,
    requesterEmail: row.requester_email,
    relationship: row.relationship,
    brands: JSON.parse(row.brands) as string[],
    subjectEmail: row.subject_email,
    memberId: row.member_id,
    subjectCountry: row.subject_country,
    subjectState: row.subject_state,
    subjectZip: row.subject_zip,
    comments: row.comments,
    groupId: row.group_id,
    priority: num(row.priority) === 1,
    verificationLevel: row.verification_level,
    verificationMethod: row.verification_method,
    codeVerifiedAtMs: numOrNull(row.code_verified_at_ms),
    factsMatched: num(row.facts_matched),
    factsAttempts: num(row.facts_attempts),
    declarationSignedAtMs: numOrNull(row.declaration_signed_at_ms),
    agentConfirmationRequired: num(row.agent_confirmation_required) === 1,
    agentConfirmedAtMs: numOrNull(row.agent_confirmed_at_ms),
    verifiedAtMs: numOrNull(row.verified_at_ms),
    receivedAtMs: num(row.received_at_ms),
    receivedDate: row.received_date,
    acknowledgeDueDate: row.acknowledge_due_date,
    acknowledgedAtMs: numOrNull(row.acknowledged_at_ms),
    originalDueDate: row.original_due_date,
    dueDate: row.due_date,
    extensionCount: num(row.extension_count),
    extendedMonths: num(row.extended_months),
    decisionReasonCode: row.decision_reason_code,
    decisionLegalBasis: row.decision_legal_basis,
    decidedBy: row.decided_by,
    outcome: row.outcome,
    appealedAtMs: numOrNull(row.appealed_at_ms),
    appealDecision: row.appeal_decision,
    enteredBy: row.entered_by,
    stateEnteredAtMs: num(row.state_entered_at_ms),
    createdAtMs: num(row.created_at_ms),
    updatedAtMs: num(row.updated_at_ms),
    closedAtMs: numOrNull(row.closed_at_ms),
  };
}

export type NewRequest = Omit<
  PrivacyRequest,
  | 'codeVerifiedAtMs' | 'factsMatched' | 'factsAttempts' | 'declarationSignedAtMs' | 'agentConfirmedAtMs' | 'verifiedAtMs' | 'extensionCount' | 'extendedMonths'
  | 'decisionReasonCode' | 'decisionLegalBasis' | 'decidedBy' | 'outcome' | 'appealedAtMs' | 'appealDecision' | 'stateEnteredAtMs' | 'updatedAtMs' | 'closedAtMs' | 'verificationMethod'
>;

export async function insertRequest(db: Executor, request: NewRequest): Promise<void> {
  await requestTables(db)
    .insertInto('privacy_requests')
    .values({
      id: request.id,
      type: request.type,
      channel: request.channel,
      state: request.state,
      regime: request.regime,
      requester_name: request.requesterName,
      requester_email: request.requesterEmail,
      relationship: request.relationship,
      brands: JSON.stringify(request.brands),
      subject_email: request.subjectEmail,
      member_id: request.memberId,
      subject_country: request.subjectCountry,
      subject_state: request.subjectState,
      subject_zip: request.subjectZip,
      comments: request.comments,
      group_id: request.groupId,
      priority: request.priority ? 1 : 0,
      verification_level: request.verificationLevel,
      verification_method: null,
      code_verified_at_ms: null,
      facts_matched: 0,
      facts_attempts: 0,
      declaration_signed_at_ms: null,
      agent_confirmation_required: request.agentConfirmationRequired ? 1 : 0,
      agent_confirmed_at_ms: null,
      verified_at_ms: null,
      received_at_ms: request.receivedAtMs,
      received_date: request.receivedDate,
      acknowledge_due_date: request.acknowledgeDueDate,
      acknowledged_at_ms: request.acknowledgedAtMs,
      original_due_date: request.originalDueDate,
      due_date: request.dueDate,
      extension_count: 0,
      extended_months: 0,
      decision_reason_code: null,
      decision_legal_basis: null,
      decided_by: null,
      outcome: null,
      appealed_at_ms: null,
      appeal_decision: null,
      entered_by: request.enteredBy,
      state_entered_at_ms: request.createdAtMs,
      created_at_ms: request.createdAtMs,
      updated_at_ms: request.createdAtMs,
      closed_at_ms: null,
      retention_ended_at_ms: null,
    })
    .execute();
}

export async function findRequest(db: Executor, id: string): Promise<PrivacyRequest | undefined> {
  const row = await requestTables(db).selectFrom('privacy_requests').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRequest(row);
}

/** Fields a move or an action writes besides the state. */
export type RequestChanges = Partial<
  Pick<
    RequestRow,
    | 'verification_method'
    | 'verified_at_ms'
    | 'code_verified_at_ms'
    | 'facts_matched'
    | 'facts_attempts'
    | 'declaration_signed_at_ms'
    | 'agent_confirmed_at_ms'
    | 'agent_confirmation_required'
    | 'acknowledged_at_ms'
    | 'due_date'
    | 'extension_count'
    | 'extended_months'
    | 'decision_reason_code'
    | 'decision_legal_basis'
    | 'decided_by'
    | 'outcome'
    | 'appealed_at_ms'
    | 'appeal_decision'
    | 'closed_at_ms'
  >
>;

/** The guarded state change: true when the request was still in `from`. */
export async function updateRequestState(db: Executor, id: string, from: RequestState, to: RequestState, atMs: number, changes: RequestChanges = {}): Promise<boolean> {
  const result = await requestTables(db)
    .updateTable('privacy_requests')
    .set({ ...changes, state: to, state_entered_at_ms: atMs, updated_at_ms: atMs })
    .where('id', '=', id)
    .where('state', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A change without a state change, guarded on the state and the update time the caller read. */
export async function updateRequestFields(db: Executor, request: Pick<PrivacyRequest, 'id' | 'state' | 'updatedAtMs'>, atMs: number, changes: RequestChanges): Promise<boolean> {
  const result = await requestTables(db)
    .updateTable('privacy_requests')
    .set({ ...changes, updated_at_ms: Math.max(atMs, request.updatedAtMs + 1) })
    .where('id', '=', request.id)
    .where('state', '=', request.state)
    .where('updated_at_ms', '=', request.updatedAtMs)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface NewEvent {
  id: string;
  fromState: RequestState | null;
  toState: RequestState;
  action: string;
  actorRole: EventActorRole;
  actorId: string | null;
  reasonCode?: string | null;
  legalBasis?: string | null;
  note?: string | null;
  atMs: number;
}

export async function appendEvent(db: Executor, request: Pick<PrivacyRequest, 'id' | 'memberId'>, event: NewEvent): Promise<void> {
  const last = await requestTables(db).selectFrom('privacy_request_events').select((eb) => eb.fn.max('seq').as('seq')).where('request_id', '=', request.id).executeTakeFirst();
  await requestTables(db)
    .insertInto('privacy_request_events')
    .values({
      id: event.id,
      request_id: request.id,
      member_id: request.memberId,
      seq: Number(last?.seq ?? 0) + 1,
      from_state: event.fromState,
      to_state: event.toState,
      action: event.action,
      actor_role: event.actorRole,
      actor_id: event.actorId,
      reason_code: event.reasonCode ?? null,
      legal_basis: event.legalBasis ?? null,
      note: event.note ?? null,
      at_ms: event.atMs,
    })
    .execute();
}

export async function listEvents(db: Executor, requestId: string): Promise<RequestEvent[]> {
  const rows = await requestTables(db).selectFrom('privacy_request_events').selectAll().where('request_id', '=', requestId).orderBy('seq').execute();
  return rows.map((row: EventRow) => ({
    id: row.id,
    seq: num(row.seq),
    fromState: row.from_state,
    toState: row.to_state,
    action: row.action,
    actorRole: row.actor_role,
    actorId: row.actor_id,
    reasonCode: row.reason_code,
    legalBasis: row.legal_basis,
    note: row.note,
    atMs: num(row.at_ms),
  }));
}

/** PV-5: the earliest open request of the same subject and type, whose group a new one joins. */
export async function findOpenGroup(db: Executor, subjectEmail: string, type: RequestType): Promise<string | undefined> {
  const row = await requestTables(db)
    .selectFrom('privacy_requests')
    .select('group_id')
    .where('subject_email', '=', subjectEmail)
    .where('type', '=', type)
    .where('state', 'in', openRequestStates)
    .orderBy('created_at_ms')
    .orderBy('id')
    .executeTakeFirst();
  return row?.group_id;
}

export async function countGroupMembers(db: Executor, groupId: string): Promise<number> {
  const row = await requestTables(db).selectFrom('privacy_requests').select((eb) => eb.fn.countAll().as('n')).where('group_id', '=', groupId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function countRequestsFromSince(db: Executor, requesterEmail: string, sinceMs: number): Promise<number> {
  const row = await requestTables(db)
    .selectFrom('privacy_requests')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('requester_email', '=', requesterEmail)
    .where('created_at_ms', '>=', sinceMs)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function listMemberRequests(db: Executor, memberId: string): Promise<PrivacyRequest[]> {
  const rows = await requestTables(db).selectFrom('privacy_requests').selectAll().where('member_id', '=', memberId).orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(200).execute();
  return rows.map(toRequest);
}

export interface QueueCursor {
  priority: 0 | 1;
  dueDate: string;
  id: string;
}

/** PV-10: open requests, Plus members first, then earliest due, ID last; keyset paging on that order. */
export async function selectQueue(
  db: Executor,
  filter: { type?: RequestType; state?: RequestState; regime?: Regime; limit: number; after?: QueueCursor },
): Promise<PrivacyRequest[]> {
  let query = requestTables(db).selectFrom('privacy_requests').selectAll();
  query = filter.state ? query.where('state', '=', filter.state) : query.where('state', 'in', openRequestStates);
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.regime) query = query.where('regime', '=', filter.regime);
  const after = filter.after;
  if (after) {
    query = query.where((eb) =>
      eb.or([
        eb('priority', '<', after.priority),
        eb.and([eb('priority', '=', after.priority), eb('due_date', '>', after.dueDate)]),
        eb.and([eb('priority', '=', after.priority), eb('due_date', '=', after.dueDate), eb('id', '>', after.id)]),
      ]),
    );
  }
  const rows = await query.orderBy('priority', 'desc').orderBy('due_date', 'asc').orderBy('id', 'asc').limit(filter.limit).execute();
  return rows.map(toRequest);
}

/** Requests waiting for verification since `waitingSinceMs` or earlier, longest waiting first. */
export async function findUnverifiedSince(db: Executor, waitingSinceMs: number, limit: number): Promise<string[]> {
  const rows = await requestTables(db)
    .selectFrom('privacy_requests')
    .select('id')
    .where('state', '=', 'awaiting_verification')
    .where('state_entered_at_ms', '<=', waitingSinceMs)
    .orderBy('state_entered_at_ms')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

// ---- Verification codes -------------------------------------------------------------------------------------

export interface VerificationCode {
  id: string;
  requestId: string;
  codeHash: string;
  attempts: number;
  createdAtMs: number;
  expiresAtMs: number;
  usedAtMs: number | null;
}

const toCode = (row: CodeRow): VerificationCode => ({
  id: row.id,
  requestId: row.request_id,
  codeHash: row.code_hash,
  attempts: num(row.attempts),
  createdAtMs: num(row.created_at_ms),
  expiresAtMs: num(row.expires_at_ms),
  usedAtMs: numOrNull(row.used_at_ms),
});

export async function insertCode(db: Executor, code: Omit<VerificationCode, 'attempts' | 'usedAtMs'>): Promise<void> {
  await requestTables(db)
    .insertInto('privacy_verification_codes')
    .values({ id: code.id, request_id: code.requestId, code_hash: code.codeHash, attempts: 0, created_at_ms: code.createdAtMs, expires_at_ms: code.expiresAtMs, used_at_ms: null })
    .execute();
}

export async function latestCode(db: Executor, requestId: string): Promise<VerificationCode | undefined> {
  const row = await requestTables(db).selectFrom('privacy_verification_codes').selectAll().where('request_id', '=', requestId).orderBy('created_at_ms', 'desc').orderBy('id', 'desc').executeTakeFirst();
  return row && toCode(row);
}

export async function countCodesSince(db: Executor, requestId: string, sinceMs: number): Promise<number> {
  const row = await requestTables(db)
    .selectFrom('privacy_verification_codes')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('request_id', '=', requestId)
    .where('created_at_ms', '>=', sinceMs)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Counts one try, guarded on the count read, so two concurrent tries cannot both be the third. */
export async function countCodeAttempt(db: Executor, code: VerificationCode, usedAtMs: number | null): Promise<boolean> {
  const result = await requestTables(db)
    .updateTable('privacy_verification_codes')
    .set({ attempts: code.attempts + 1, used_at_ms: usedAtMs })
    .where('id', '=', code.id)
    .where('attempts', '=', code.attempts)
    .where('used_at_ms', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Deletes codes that expired before `expiredBeforeMs` (their tries are in the audit log), at most `limit`. */
export async function pruneCodes(db: Executor, expiredBeforeMs: number, limit: number): Promise<number> {
  const ids = await requestTables(db).selectFrom('privacy_verification_codes').select('id').where('expires_at_ms', '<', expiredBeforeMs).orderBy('expires_at_ms').limit(limit).execute();
  if (ids.length === 0) return 0;
  const result = await requestTables(db).deleteFrom('privacy_verification_codes').where('id', 'in', ids.map((row) => row.id)).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---- Documents ---------------------------------------------------------------------------------------------

const toDocument = (row: DocumentRow): RequestDocument => ({
  id: row.id,
  requestId: row.request_id,
  kind: row.kind,
  storageKey: row.storage_key,
  contentType: row.content_type,
  sizeBytes: num(row.size_bytes),
  sha256: row.sha256,
  createdAtMs: num(row.created_at_ms),
});

export async function insertDocument(db: Executor, memberId: string | null, document: RequestDocument): Promise<void> {
  await requestTables(db)
    .insertInto('privacy_request_documents')
    .values({
      id: document.id,
      request_id: document.requestId,
      member_id: memberId,
      kind: document.kind,
      storage_key: document.storageKey,
      content_type: document.contentType,
      size_bytes: document.sizeBytes,
      sha256: document.sha256,
      created_at_ms: document.createdAtMs,
    })
    .execute();
}

export async function listDocuments(db: Executor, requestId: string): Promise<RequestDocument[]> {
  const rows = await requestTables(db).selectFrom('privacy_request_documents').selectAll().where('request_id', '=', requestId).orderBy('created_at_ms').orderBy('id').execute();
  return rows.map(toDocument);
}

// ---- Subject choices (PV-4) --------------------------------------------------------------------------------

export async function insertChoice(db: Executor, choice: ChoiceRow): Promise<void> {
  await requestTables(db).insertInto('privacy_subject_choices').values(choice).execute();
}

export async function selectChoices(db: Executor, subject: { memberId?: string | null; email?: string | null }): Promise<{ choice: OptOutType; recordedAtMs: number; requestId: string }[]> {
  if (!subject.memberId && !subject.email) return [];
  const rows = await requestTables(db)
    .selectFrom('privacy_subject_choices')
    .select(['choice', 'recorded_at_ms', 'request_id'])
    .where((eb) => {
      const ors = [];
      if (subject.memberId) ors.push(eb('member_id', '=', subject.memberId));
      if (subject.email) ors.push(eb('subject_email', '=', subject.email));
      return eb.or(ors);
    })
    .orderBy('recorded_at_ms')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ choice: row.choice, recordedAtMs: num(row.recorded_at_ms), requestId: row.request_id }));
}

// ---------------------------------------------------------------------------------------------------------------
// Retention (PV-31)

/**
 * Requests answered or closed at or before `closedBeforeMs` and not open again (an appeal reopens one), oldest first.
 * A request an opt-out choice still points at stays: it is the record of how that choice was made, and goes once the
 * choice has gone (with the subject's erasure or the account's retention).
 */
export async function selectRequestsPastRetention(db: Executor, closedBeforeMs: number, limit: number): Promise<Array<{ id: string; documentKeys: string[] }>> {
  const rows = await requestTables(db)
    .selectFrom('privacy_requests as r')
    .select(['r.id'])
    .where('r.closed_at_ms', 'is not', null)
    .where('r.closed_at_ms', '<=', closedBeforeMs)
    .where('r.state', 'not in', openRequestStates)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('privacy_subject_choices as c').select('c.id').whereRef('c.request_id', '=', 'r.id'))))
    .orderBy('r.closed_at_ms')
    .orderBy('r.id')
    .limit(limit)
    .execute();
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  const documents = await requestTables(db).selectFrom('privacy_request_documents').select(['request_id', 'storage_key']).where('request_id', 'in', ids).orderBy('id').execute();
  return ids.map((id) => ({ id, documentKeys: documents.filter((document) => document.request_id === id).map((document) => document.storage_key) }));
}

/**
 * Deletes the requests among `ids` that are still past retention, with their events, codes and documents (rows; the
 * caller removed the files first). The mark `retention_ended_at_ms` is what lets the append-only timeline's rows go
 * (migration 0840); it is set and its rows deleted in the caller's transaction. Returns the requests deleted.
 */
export async function deleteRequestRecords(db: Executor, ids: readonly string[], closedBeforeMs: number, nowMs: number): Promise<number> {
  if (ids.length === 0) return 0;
  const t = requestTables(db);
  const marked = await t
    .updateTable('privacy_requests')
    .set({ retention_ended_at_ms: nowMs })
    .where('id', 'in', ids)
    .where('closed_at_ms', 'is not', null)
    .where('closed_at_ms', '<=', closedBeforeMs)
    .where('state', 'not in', openRequestStates)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('privacy_subject_choices').select('privacy_subject_choices.id').whereRef('privacy_subject_choices.request_id', '=', 'privacy_requests.id'))))
    .executeTakeFirst();
  if (Number(marked.numUpdatedRows) === 0) return 0;
  const due = t.selectFrom('privacy_requests').select('id').where('id', 'in', ids).where('retention_ended_at_ms', 'is not', null);
  await t.deleteFrom('privacy_request_events').where('request_id', 'in', due).execute();
  await t.deleteFrom('privacy_verification_codes').where('request_id', 'in', due).execute();
  await t.deleteFrom('privacy_request_documents').where('request_id', 'in', due).execute();
  const deleted = await t.deleteFrom('privacy_requests').where('id', 'in', ids).where('retention_ended_at_ms', 'is not', null).executeTakeFirst();
  return Number(deleted.numDeletedRows);
}
