// After-sales API (issue 9; src/modules/aftersales/cases.schemas.ts, agent.schemas.ts, src/flows/case-resolution.routes.ts):
// a member's and a guest's cases (opened with photos as multipart/form-data), the guest's captcha and email
// confirmation, the status pages' answer and cancel, and the console's queue, case, actions, notes, conversion,
// resolution and shipment serials.
import { ApiError, api, fetchBlob, query } from './client.ts';

export const caseKinds = ['return', 'exchange', 'warranty_claim', 'damage_report', 'support'] as const;
export type CaseKind = (typeof caseKinds)[number];

export const remedies = ['refund', 'exchange', 'replacement', 'credit_restore', 'none'] as const;
export type Remedy = (typeof remedies)[number];

export const reasonCodes = ['damaged_on_arrival', 'defective', 'wrong_item_sent', 'ordered_wrong_item', 'no_longer_needed', 'other'] as const;
export type ReasonCode = (typeof reasonCodes)[number];

export const caseStates = ['submitted', 'under_review', 'needs_info', 'approved', 'awaiting_return', 'received', 'resolved', 'rejected', 'canceled', 'expired'] as const;
export type CaseState = (typeof caseStates)[number];

/** A reward redemption (`rdm_…`) is a `store` case too. */
export type OrderSource = 'store' | 'storefront' | 'marketplace';

/** The Amazon marketplaces the store sells on (the seed's "amazon purchase site"). */
export const marketplaces = ['US', 'UK', 'CA', 'ES', 'IT', 'FR', 'DE'] as const;
export type Marketplace = (typeof marketplaces)[number];

export interface CaseTimelineEntry {
  at: string;
  fromState: CaseState | null;
  toState: CaseState;
  action: string;
  actor: 'you' | 'agent' | 'system';
  reasonCode: string | null;
  note: string | null;
}

export interface CaseImage {
  id: string;
  contentType: string;
  width: number;
  height: number;
  sizeBytes: number;
}

export interface CaseDecision {
  outcome: 'eligible' | 'auto_approved' | 'refused';
  allowedRemedies: Remedy[];
  /** Why, in words the customer may read (one per rule that decided). */
  texts: string[];
}

/** CustomerCaseView: what the member or guest sees of a case (never notes, agents or the agents' trace). */
export interface CustomerCase {
  id: string;
  kind: CaseKind;
  state: CaseState;
  reason: ReasonCode;
  remedy: Remedy;
  orderRef: string;
  orderSource: OrderSource;
  productSku: string | null;
  serial: string | null;
  details: string;
  contactName: string;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  emailConfirmed: boolean;
  decision: CaseDecision;
  expiresAt: string | null;
  canAnswer: boolean;
  canCancel: boolean;
  timeline: CaseTimelineEntry[];
  images: CaseImage[];
  resolution: { remedy: Remedy; detail: string | null } | null;
}

/** A member's case in the list (the fields the list shows; the view may carry more). */
export type CustomerCaseSummary = Pick<CustomerCase, 'id' | 'kind' | 'state' | 'reason' | 'remedy' | 'orderRef' | 'orderSource' | 'productSku' | 'createdAt' | 'updatedAt'> &
  Partial<Pick<CustomerCase, 'resolvedAt' | 'expiresAt' | 'canAnswer'>>;

/** The case as the form sends it (field `case` of the multipart request). */
export interface CaseInput {
  kind: CaseKind;
  remedy: Remedy;
  reason: ReasonCode;
  orderRef: string;
  orderLineId?: string | null;
  productSku?: string;
  /** An Amazon order's store; the server checks it against the recorded order. */
  marketplace?: Marketplace | null;
  serial?: string | null;
  details: string;
  contactName?: string;
}

export interface GuestCaseInput extends CaseInput {
  email: string;
  contactName: string;
  /** The solved captcha: ALTCHA's base64 payload. */
  altcha: string;
}

/** ALTCHA's challenge (GET /cases/captcha). */
export interface CaptchaChallenge {
  algorithm: string;
  challenge: string;
  salt: string;
  signature: string;
  maxnumber?: number;
}

/** agent.rules.ts: what a rejection and a received item's inspection name as their reason code. */
export const rejectionReasons = ['outside_window', 'not_covered', 'no_defect_found', 'missing_information', 'suspected_fraud', 'other'] as const;
export const inspectionResults = ['as_described', 'not_as_described', 'not_received_complete'] as const;

export const agentActions = ['review', 'ask_for_info', 'approve', 'reject', 'await_return', 'mark_received'] as const;
export type AgentAction = (typeof agentActions)[number];

export interface AgentCaseSummary {
  id: string;
  kind: CaseKind;
  state: CaseState;
  reason: ReasonCode;
  remedy: Remedy;
  priority: boolean;
  orderRef: string;
  orderSource: OrderSource;
  productSku: string | null;
  contactName: string;
  memberId: string | null;
  createdAt: string;
  stateEnteredAt: string;
  ageDays: number;
  serialFlagged: boolean;
}

export interface AgentTimelineEntry extends Omit<CaseTimelineEntry, 'actor'> {
  actorRole: string;
  actorId: string | null;
}

export interface CaseNote {
  id: string;
  authorId: string;
  body: string;
  at: string;
}

export interface AgentResolution {
  remedy: Remedy;
  refundId: string | null;
  replacementOrderId: string | null;
  amountMinor: number | null;
  creditsReversed: number | null;
  creditsRestored: number | null;
  detail: string | null;
}

/** agentCaseView in agent.schemas.ts: the customer's view and what only staff see. */
export interface AgentCase extends Omit<CustomerCase, 'timeline' | 'resolution'> {
  orderLineId: string | null;
  stateEnteredAt: string;
  memberId: string | null;
  guestEmail: string | null;
  priority: boolean;
  eligibility: {
    outcome: CaseDecision['outcome'];
    allowedRemedies: Remedy[];
    moneyMoves: boolean;
    creditsMove: boolean;
    requiresProofImage: boolean;
    trace: Array<{ rule: string; decided: string; customerText: string }>;
  };
  timeline: AgentTimelineEntry[];
  notes: CaseNote[];
  serialCheck: 'matches' | 'mismatch' | 'not_recorded' | null;
  serialReuse: Array<{ caseId: string; state: CaseState; remedy: Remedy; orderRef: string; createdAt: string }>;
  availableActions: string[];
  convertedFromCaseId: string | null;
  convertedToCaseId: string | null;
  resolution: AgentResolution | null;
}

/** caseResolutionView in src/flows/case-resolution.schemas.ts. */
export interface ResolveResult {
  caseId: string;
  state: CaseState;
  remedy: Remedy;
  /** With the case's refund run: completed, or running while the gateway has not answered; null without a run. */
  resolution: (AgentResolution & { flowState: string | null }) | null;
}

export interface ShipmentSerial {
  orderLineId: string;
  serial: string;
  recordedAt: string;
}

const id = (value: string) => encodeURIComponent(value);

/** The multipart body of a new case: the case as JSON in field `case`, then the photos as `images`. */
function caseForm(input: CaseInput | GuestCaseInput, images: readonly File[]): FormData {
  const body = new FormData();
  body.append('case', JSON.stringify(input));
  for (const image of images) body.append('images', image, image.name);
  return body;
}

function answerForm(message: string, images: readonly File[]): FormData {
  const body = new FormData();
  body.append('message', message);
  for (const image of images) body.append('images', image, image.name);
  return body;
}

const guestQuery = (token: string) => query({ t: token });

/**
 * The case form travels as JSON in the multipart field `case`, so the server names a wrong field `case.kind`: the
 * error is rewritten to name the form's own field (`body.kind`, read like a schema error with its own sentence),
 * and a field the page shows under another name is renamed (`orderLineId` is the member's product choice).
 */
async function namingFormFields<T>(call: Promise<T>, rename: Record<string, string>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const field = (path: string) => {
      const bare = path.replace(/^case\./, '');
      return rename[bare] ?? bare;
    };
    let details = error.details;
    if (Array.isArray(details)) {
      details = details.map((item: unknown) => {
        if (typeof item !== 'object' || item === null) return item;
        const record = item as Record<string, unknown>;
        return typeof record.path === 'string' && record.path.startsWith('case.') ? { ...record, path: `body.${field(record.path)}` } : item;
      });
    } else if (typeof details === 'object' && details !== null && typeof (details as { field?: unknown }).field === 'string') {
      details = { ...details, field: field((details as { field: string }).field) };
    }
    throw new ApiError(error.status, error.code, error.message, details, error.requestId, error.body);
  }
}

/** The customer-safe reasons of a refusal (422 `not_eligible`, details `{ texts }`); empty when it carries none. */
export function refusalTexts(error: unknown): string[] {
  if (!(error instanceof ApiError)) return [];
  const details = error.details;
  const list = typeof details === 'object' && details !== null ? (details as { texts?: unknown }).texts : undefined;
  return Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [];
}

export const aftersalesApi = {
  // The signed-in member.
  openCase: (input: CaseInput, images: readonly File[], idempotencyKey: string, rename: Record<string, string> = {}) =>
    namingFormFields(api.postForm<CustomerCase>('/me/cases', caseForm(input, images), { 'idempotency-key': idempotencyKey }), rename),
  myCases: () => api.get<{ cases: CustomerCaseSummary[] }>('/me/cases'),
  myCase: (caseId: string) => api.get<CustomerCase>(`/me/cases/${id(caseId)}`),
  answer: (caseId: string, message: string, images: readonly File[]) => api.postForm<CustomerCase>(`/me/cases/${id(caseId)}/answer`, answerForm(message, images)),
  cancel: (caseId: string) => api.post<CustomerCase>(`/me/cases/${id(caseId)}/cancel`, {}),
  myImage: (caseId: string, imageId: string) => fetchBlob(`/me/cases/${id(caseId)}/images/${id(imageId)}`),

  // A guest, through the form, the confirmation link and the status link's token.
  captcha: () => api.get<CaptchaChallenge>('/cases/captcha'),
  openGuestCase: (input: GuestCaseInput, images: readonly File[], rename: Record<string, string> = {}) => namingFormFields(api.postForm<{ caseId: string; message: string }>('/cases', caseForm(input, images)), rename),
  confirm: (token: string) => api.post<{ caseId: string; statusUrl: string }>('/cases/confirm', { token }),
  guestCase: (caseId: string, token: string) => api.get<CustomerCase>(`/cases/${id(caseId)}${guestQuery(token)}`),
  guestAnswer: (caseId: string, token: string, message: string, images: readonly File[]) => api.postForm<CustomerCase>(`/cases/${id(caseId)}/answer${guestQuery(token)}`, answerForm(message, images)),
  guestCancel: (caseId: string, token: string) => api.post<CustomerCase>(`/cases/${id(caseId)}/cancel${guestQuery(token)}`, {}),
  guestImage: (caseId: string, token: string, imageId: string) => fetchBlob(`/cases/${id(caseId)}/images/${id(imageId)}${guestQuery(token)}`),

  // Agents.
  queue: (filter: { kind?: string; state?: string; reason?: string; cursor?: string; limit?: number }) =>
    api.get<{ cases: AgentCaseSummary[]; nextCursor: string | null }>(`/agent/cases${query({ ...filter, limit: filter.limit ?? 50 })}`),
  agentCase: (caseId: string) => api.get<AgentCase>(`/agent/cases/${id(caseId)}`),
  act: (caseId: string, input: { action: AgentAction; reasonCode?: string; note?: string; remedy?: Remedy }) => api.post<AgentCase>(`/agent/cases/${id(caseId)}/actions`, input),
  addNote: (caseId: string, body: string) => api.post<CaseNote>(`/agent/cases/${id(caseId)}/notes`, { body }),
  convert: (caseId: string) => api.post<AgentCase>(`/agent/cases/${id(caseId)}/convert`, {}),
  resolve: (caseId: string, input: { remedy: Remedy; note?: string; quantity?: number }, idempotencyKey: string) =>
    api.post<ResolveResult>(`/agent/cases/${id(caseId)}/resolve`, input, { 'idempotency-key': idempotencyKey }),
  resolution: (caseId: string) => api.get<ResolveResult>(`/agent/cases/${id(caseId)}/resolution`),
  agentImage: (caseId: string, imageId: string) => fetchBlob(`/agent/cases/${id(caseId)}/images/${id(imageId)}`),
  orderSerials: (orderId: string) => api.get<{ serials: ShipmentSerial[] }>(`/agent/orders/${id(orderId)}/serials`),
  recordSerials: (orderId: string, lines: Array<{ orderLineId: string; serials: string[] }>) => api.post<{ serials: ShipmentSerial[] }>(`/agent/orders/${id(orderId)}/serials`, { lines }),
};
