// Credits API (src/modules/credits/credits.routes.ts): the member's balance and history; the console's ledger,
// point-in-time balance, adjustments, policy versions and auditor runs.
import { api, query } from './client.ts';

export interface CreditBalance {
  memberId: string;
  asOf: string;
  /** Spendable credits minus debt; negative while the member owes credits (CR-17). */
  available: number;
  spendable: number;
  pendingTotal: number;
  pending: Array<{ credits: number; unlockAt: string }>;
  held: number;
  expiringSoon: Array<{ credits: number; expiresAt: string }>;
  lifetimeEarned: number;
  debt: number;
  closed: boolean;
  policyVersion: number;
}

export interface Buckets {
  available: number;
  pending: number;
  held: number;
  debt: number;
}

export interface HistoryEntry {
  id: string;
  version: number;
  kind: string;
  reason: string;
  at: string;
  credits: number;
  changes: Buckets;
  balanceAfter: Buckets;
  orderId: string | null;
  orderLineId: string | null;
  caseId: string | null;
}

export interface LedgerEntry extends HistoryEntry {
  holdId: string | null;
  lotId: string | null;
  policyVersion: number;
  adjustment: { reasonCode: string; note: string | null; actorId: string | null; actorRole: string | null } | null;
}

export interface HistoryPage<E> {
  entries: E[];
  nextCursor: string | null;
}

export const adjustmentReasonCodes = ['goodwill', 'service_recovery', 'correction', 'missing_credits', 'fraud', 'other'] as const;
export type AdjustmentReasonCode = (typeof adjustmentReasonCodes)[number];

export interface AdjustmentInput {
  credits: number;
  reasonCode: AdjustmentReasonCode;
  note: string;
}

export interface AdjustmentResult {
  transactionId: string;
  memberId: string;
  credits: number;
  reasonCode: AdjustmentReasonCode;
  lotId: string | null;
}

/** An adjustment above the policy's approval threshold, waiting for a second staff member (CR-21). */
export interface AdjustmentRequest {
  id: string;
  memberId: string;
  credits: number;
  reasonCode: AdjustmentReasonCode;
  note: string;
  policyVersion: number;
  thresholdCredits: number;
  requestedBy: string;
  requestedByRole: 'agent' | 'admin';
  requestedAt: string;
  status: 'pending' | 'approved' | 'rejected';
  decidedBy: string | null;
  decidedByRole: 'agent' | 'admin' | null;
  decidedAt: string | null;
  decisionNote: string | null;
  transactionId: string | null;
}

/** The server posts an adjustment at once (201) or records a request for a second staff member (202). */
export function isPendingRequest(result: AdjustmentResult | AdjustmentRequest): result is AdjustmentRequest {
  return 'status' in result;
}

export interface PolicySettings {
  earnCreditsPerMajorUnit: number;
  spendCreditsPerMajorUnit: number;
  registrationBonusCredits: number;
  profileBonusCredits: number;
  pendingPeriodMs: number;
  lifetimeMs: number;
  expiryWarningMs: number;
  holdTimeoutMs: number;
  plusMultiplier: number;
  /** Adjustments of more credits than this need a second staff member's approval; omitted on publish keeps it. */
  adjustmentApprovalThresholdCredits?: number;
}

export interface Policy extends PolicySettings {
  version: number;
  publishedAt: string;
  publishedBy: string | null;
  note: string | null;
}

export interface AuditRun {
  id: string;
  trigger: string;
  actorId: string | null;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  membersChecked: number;
  transactionsChecked: number;
  problemCount: number;
  problems: Array<{ memberId: string | null; check: string; detail: string }>;
  totals: {
    issued: number;
    adjusted: number;
    spent: number;
    expired: number;
    reversed: number;
    forfeited: number;
    outstanding: number;
    memberPostings: number;
    accountBalances: number;
    lotRemainingMinusDebt: number;
  };
}

const memberPath = (memberId: string) => `/agent/members/${encodeURIComponent(memberId)}/credits`;

export const creditsApi = {
  balance: () => api.get<CreditBalance>('/me/credits'),
  history: (cursor?: string) => api.get<HistoryPage<HistoryEntry>>(`/me/credits/history${query({ cursor })}`),
  memberBalance: (memberId: string) => api.get<CreditBalance>(memberPath(memberId)),
  memberBalanceAt: (memberId: string, timeIso: string) => api.get<CreditBalance>(`${memberPath(memberId)}/at${query({ time: timeIso })}`),
  memberLedger: (memberId: string, cursor?: string) => api.get<HistoryPage<LedgerEntry>>(`${memberPath(memberId)}/history${query({ cursor })}`),
  adjust: (memberId: string, input: AdjustmentInput, idempotencyKey: string) =>
    api.post<AdjustmentResult | AdjustmentRequest>(`${memberPath(memberId)}/adjustments`, input, { 'idempotency-key': idempotencyKey }),
  adjustmentRequests: (filter: { status?: AdjustmentRequest['status']; memberId?: string }) =>
    api.get<{ requests: AdjustmentRequest[] }>(`/agent/credits/adjustment-requests${query({ status: filter.status, memberId: filter.memberId })}`),
  approveAdjustment: (requestId: string) => api.post<AdjustmentRequest>(`/agent/credits/adjustment-requests/${encodeURIComponent(requestId)}/approve`, { note: null }),
  rejectAdjustment: (requestId: string, note: string) => api.post<AdjustmentRequest>(`/agent/credits/adjustment-requests/${encodeURIComponent(requestId)}/reject`, { note }),
  policies: () => api.get<{ policies: Policy[] }>('/agent/credits/policies'),
  publishPolicy: (settings: PolicySettings & { note: string | null }) => api.post<Policy>('/admin/credits/policies', settings),
  auditRuns: () => api.get<{ runs: AuditRun[] }>('/agent/credits/audit-runs'),
  runAudit: () => api.post<AuditRun>('/admin/credits/audit-runs'),
};
