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
    api.post<AdjustmentResult>(`${memberPath(memberId)}/adjustments`, input, { 'idempotency-key': idempotencyKey }),
  policies: () => api.get<{ policies: Policy[] }>('/agent/credits/policies'),
  publishPolicy: (settings: PolicySettings & { note: string | null }) => api.post<Policy>('/admin/credits/policies', settings),
  auditRuns: () => api.get<{ runs: AuditRun[] }>('/agent/credits/audit-runs'),
  runAudit: () => api.post<AuditRun>('/admin/credits/audit-runs'),
};
