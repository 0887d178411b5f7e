// The credits module's public face: the ledger operations (each one transaction and one idempotency key), reads,
// the auditor, the sweep, snapshot and audit jobs, and the HTTP routes. Nothing else of this folder is imported elsewhere.
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import type { RegisterRoutes } from '../../http/types.ts';
import { registerCreditsRoutes } from './credits.routes.ts';
import { creditsJobHandlers, creditsSchedules } from './sweep.jobs.ts';
import { snapshotJobHandlers, snapshotSchedules } from './snapshot.jobs.ts';
import { creditsUnlockedEmail } from './emails/credits-unlocked.ts';
import { creditsExpiringEmail } from './emails/credits-expiring.ts';
import { creditsExpiredEmail } from './emails/credits-expired.ts';

export { grantBonus, earnForOrder, bonusKinds, type BonusKind, type GrantBonusInput, type GrantBonusResult, type EarnForOrderInput, type EarnForOrderResult } from './earn.service.ts';
export { placeHold, captureHold, releaseHold, type PlaceHoldInput, type PlaceHoldResult, type CaptureHoldInput, type CaptureHoldResult, type ReleaseHoldInput, type ReleaseHoldResult } from './holds.service.ts';
export { spendCredits, spendCredits as spend, type SpendInput, type SpendResult } from './spend.service.ts';
export { reverseForRefund, restoreSpend, type ReverseForRefundInput, type ReverseForRefundResult, type RestoreSpendInput, type RestoreSpendResult } from './reversal.service.ts';
export { requestAdjustment, decideAdjustmentRequest, listAdjustmentRequests, adjustmentRequestStatuses, type AdjustmentRequest, type RequestAdjustmentInput, type RequestAdjustmentOutcome, type DecideAdjustmentInput } from './adjustment-requests.service.ts';
export { adjustCredits, adjustCredits as adjust, forfeitOnClosure, adjustmentReasonCodes, type AdjustmentReasonCode, type AdjustCreditsInput, type AdjustCreditsResult, type ForfeitInput, type ForfeitResult } from './adjust.service.ts';
export { importMigratedBalance, migratedReasonCode, type ImportMigratedBalanceInput, type ImportMigratedBalanceResult } from './import.service.ts';
export { getBalance, getBalanceAt, getHistory, type CreditBalance, type HistoryEntry, type HistoryPage } from './balance.service.ts';
export { getCurrentPolicy, getPolicyVersion, listPolicies, publishPolicy, type PublishPolicyInput } from './policy.service.ts';
export { computeOrderEarnings, creditsToMinor, cumulativeReversalTarget, defaultPolicySettings, minorPerMajorUnit, needsSecondApproval, type Policy, type PolicySettings, type PolicySettingsInput } from './policy.rules.ts';
export { runCreditsAudit, auditCreditsLedger, listAuditRuns, type AuditReport, type AuditProblem, type AuditTotals } from './auditor.ts';
export { configureGroupCommit, groupCommitStats, defaultGroupCommit, inLedgerTransaction, type GroupCommitOptions } from './group-commit.ts';
export { runCreditsSweep, creditsSweepJobType, creditsAuditJobType, type SweepReport } from './sweep.jobs.ts';
export { takeCreditEvents, skipCreditEvents, readCreditFeed, creditFeedEnd, rebaseCreditFeed, creditFeedStatus, unreadCountLimit, type CreditFeedPage, type CreditFeedConsumer, type CreditFeedStatus } from './event-feed.ts';
export { creditEventId } from './credit-events.ts';
export { runCreditsSnapshots, creditsSnapshotJobType, type SnapshotReport } from './snapshot.jobs.ts';
export { ledgerTablesBytes } from './storage.repository.ts';

export const registerRoutes: RegisterRoutes = (app, deps) => registerCreditsRoutes(app, deps);

export const jobHandlers: Record<string, JobHandler> = { ...creditsJobHandlers, ...snapshotJobHandlers };

export const schedules: Schedule[] = [...creditsSchedules, ...snapshotSchedules];

/** This module's emails (src/modules.ts lists them for the mail preview and the template test). */
export const templates = [creditsUnlockedEmail, creditsExpiringEmail, creditsExpiredEmail];

/** Scrape-time metrics for /metrics (src/http/metrics.ts; listed in app.ts). */
export { ledgerMetrics as metrics } from './credit-metrics.ts';

/** The personal-data columns of this module's tables (PV-16; docs/PERSONAL-DATA.md). */
export { creditsPersonalData as personalData } from './credits.data-map.ts';
