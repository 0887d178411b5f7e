// What the credits routes accept and return (PL-13: unknown keys refused; responses name every field they show).
import { z } from 'zod';
import { adjustmentReasonCodes, type AdjustCreditsResult } from './adjust.service.ts';
import { adjustmentRequestStatuses, type AdjustmentRequest } from './adjustment-requests.service.ts';
import type { AuditReport } from './auditor.ts';
import type { CreditBalance, HistoryEntry, HistoryPage } from './balance.service.ts';
import { policySettingsSchema, type Policy } from './policy.rules.ts';

const iso = z.iso.datetime();
const toIso = (ms: number) => new Date(ms).toISOString();

export const memberParams = z.strictObject({ memberId: z.string().min(1).max(100) });

export const historyQuery = z.strictObject({
  cursor: z.string().regex(/^\d{1,10}$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const pointInTimeQuery = z.strictObject({ time: z.iso.datetime({ offset: true }) });

export const balanceView = z.object({
  memberId: z.string(),
  asOf: iso,
  /** Spendable credits minus debt; negative while the member owes credits (CR-17). */
  available: z.number().int(),
  spendable: z.number().int(),
  pendingTotal: z.number().int(),
  pending: z.array(z.object({ credits: z.number().int(), unlockAt: iso })),
  held: z.number().int(),
  expiringSoon: z.array(z.object({ credits: z.number().int(), expiresAt: iso })),
  lifetimeEarned: z.number().int(),
  debt: z.number().int(),
  closed: z.boolean(),
  policyVersion: z.number().int(),
});

export function toBalanceView(balance: CreditBalance): z.infer<typeof balanceView> {
  return {
    memberId: balance.memberId,
    asOf: toIso(balance.asOfMs),
    available: balance.available,
    spendable: balance.spendable,
    pendingTotal: balance.pendingTotal,
    pending: balance.pending.map((p) => ({ credits: p.credits, unlockAt: toIso(p.unlockAtMs) })),
    held: balance.held,
    expiringSoon: balance.expiringSoon.map((e) => ({ credits: e.credits, expiresAt: toIso(e.expiresAtMs) })),
    lifetimeEarned: balance.lifetimeEarned,
    debt: balance.debt,
    closed: balance.closed,
    policyVersion: balance.policyVersion,
  };
}

const buckets = z.object({ available: z.number().int(), pending: z.number().int(), held: z.number().int(), debt: z.number().int() });

const memberHistoryEntry = z.object({
  id: z.string(),
  version: z.number().int(),
  kind: z.string(),
  reason: z.string(),
  at: iso,
  credits: z.number().int(),
  changes: buckets,
  balanceAfter: buckets,
  orderId: z.string().nullable(),
  orderLineId: z.string().nullable(),
  caseId: z.string().nullable(),
});

/** Agents also see the adjustment's note and author and the policy version (CR-21, CR-6). */
const agentHistoryEntry = memberHistoryEntry.extend({
  holdId: z.string().nullable(),
  lotId: z.string().nullable(),
  policyVersion: z.number().int(),
  adjustment: z.object({ reasonCode: z.string(), note: z.string().nullable(), actorId: z.string().nullable(), actorRole: z.string().nullable() }).nullable(),
});

export const memberHistoryView = z.object({ entries: z.array(memberHistoryEntry), nextCursor: z.string().nullable() });
export const agentHistoryView = z.object({ entries: z.array(agentHistoryEntry), nextCursor: z.string().nullable() });

function toMemberEntry(entry: HistoryEntry): z.infer<typeof memberHistoryEntry> {
  return {
    id: entry.id,
    version: entry.version,
    kind: entry.kind,
    reason: entry.reason,
    at: toIso(entry.atMs),
    credits: entry.credits,
    changes: entry.changes,
    balanceAfter: entry.balanceAfter,
    orderId: entry.orderId,
    orderLineId: entry.orderLineId,
    caseId: entry.caseId,
  };
}

export function toMemberHistoryView(page: HistoryPage): z.infer<typeof memberHistoryView> {
  return { entries: page.entries.map(toMemberEntry), nextCursor: page.nextCursor };
}

export function toAgentHistoryView(page: HistoryPage): z.infer<typeof agentHistoryView> {
  return {
    entries: page.entries.map((entry) => ({ ...toMemberEntry(entry), holdId: entry.holdId, lotId: entry.lotId, policyVersion: entry.policyVersion, adjustment: entry.adjustment })),
    nextCursor: page.nextCursor,
  };
}

export const adjustmentBody = z.strictObject({
  credits: z.number().int().min(-1_000_000).max(1_000_000).refine((n) => n !== 0, 'an adjustment moves at least one credit'),
  reasonCode: z.enum(adjustmentReasonCodes),
  note: z.string().trim().min(3).max(1000),
});


export const adjustmentView = z.object({
  transactionId: z.string(),
  memberId: z.string(),
  credits: z.number().int(),
  reasonCode: z.enum(adjustmentReasonCodes),
  lotId: z.string().nullable(),
});

export function toAdjustmentView(result: AdjustCreditsResult): z.infer<typeof adjustmentView> {
  return { transactionId: result.transactionId, memberId: result.memberId, credits: result.credits, reasonCode: result.reasonCode, lotId: result.lotId };
}

/** The service's own schema with its bounds (policy.rules.ts), so HTTP refuses with 400 what the service would refuse. */
/** A request above the policy's threshold, waiting for a second staff member or decided by one (CR-21). */
export const adjustmentRequestView = z.object({
  id: z.string(),
  memberId: z.string(),
  credits: z.number().int(),
  reasonCode: z.enum(adjustmentReasonCodes),
  note: z.string(),
  policyVersion: z.number().int(),
  thresholdCredits: z.number().int(),
  requestedBy: z.string(),
  requestedByRole: z.enum(['agent', 'admin']),
  requestedAt: iso,
  status: z.enum(adjustmentRequestStatuses),
  decidedBy: z.string().nullable(),
  decidedByRole: z.enum(['agent', 'admin']).nullable(),
  decidedAt: iso.nullable(),
  decisionNote: z.string().nullable(),
  transactionId: z.string().nullable(),
});

export function toAdjustmentRequestView(request: AdjustmentRequest): z.infer<typeof adjustmentRequestView> {
  const { requestedAtMs, decidedAtMs, ...rest } = request;
  return { ...rest, requestedAt: toIso(requestedAtMs), decidedAt: decidedAtMs === null ? null : toIso(decidedAtMs) };
}

export const adjustmentRequestList = z.object({ requests: z.array(adjustmentRequestView) });

export const adjustmentRequestsQuery = z.strictObject({
  status: z.enum(adjustmentRequestStatuses).optional(),
  memberId: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const adjustmentRequestParams = z.strictObject({ requestId: z.string().min(1).max(100) });

export const approveAdjustmentBody = z.strictObject({ note: z.string().trim().min(3).max(1000).nullable().default(null) });
export const rejectAdjustmentBody = z.strictObject({ note: z.string().trim().min(3).max(1000) });

export const policyBody = policySettingsSchema.extend({
  note: z.string().trim().min(1).max(500).nullable().default(null),
});

export const policyView = z.object({
  version: z.number().int(),
  earnCreditsPerMajorUnit: z.number().int(),
  spendCreditsPerMajorUnit: z.number().int(),
  registrationBonusCredits: z.number().int(),
  profileBonusCredits: z.number().int(),
  pendingPeriodMs: z.number().int(),
  lifetimeMs: z.number().int(),
  expiryWarningMs: z.number().int(),
  holdTimeoutMs: z.number().int(),
  plusMultiplier: z.number().int(),
  adjustmentApprovalThresholdCredits: z.number().int(),
  publishedAt: iso,
  publishedBy: z.string().nullable(),
  note: z.string().nullable(),
});

export const policyListView = z.object({ policies: z.array(policyView) });

export function toPolicyView(policy: Policy): z.infer<typeof policyView> {
  const { publishedAtMs, ...rest } = policy;
  return { ...rest, publishedAt: toIso(publishedAtMs) };
}

export const auditRunView = z.object({
  id: z.string(),
  trigger: z.string(),
  actorId: z.string().nullable(),
  startedAt: iso,
  finishedAt: iso,
  ok: z.boolean(),
  membersChecked: z.number().int(),
  transactionsChecked: z.number().int(),
  problemCount: z.number().int(),
  problems: z.array(z.object({ memberId: z.string().nullable(), check: z.string(), detail: z.string() })),
  totals: z.object({
    issued: z.number().int(),
    adjusted: z.number().int(),
    spent: z.number().int(),
    expired: z.number().int(),
    reversed: z.number().int(),
    forfeited: z.number().int(),
    outstanding: z.number().int(),
    memberPostings: z.number().int(),
    accountBalances: z.number().int(),
    lotRemainingMinusDebt: z.number().int(),
  }),
});

export const auditRunListView = z.object({ runs: z.array(auditRunView) });

export const auditRunsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20) });

export function toAuditRunView(report: AuditReport): z.infer<typeof auditRunView> {
  const { startedAtMs, finishedAtMs, ...rest } = report;
  return { ...rest, startedAt: toIso(startedAtMs), finishedAt: toIso(finishedAtMs) };
}
