// The privacy module's public face (PV-1..PV-34, AC-10): rights requests with their deadlines and verification,
// access and portability exports, erasure, restriction and rectification, retention. It executes the personal-data
// map every module declares, which reaches it as `ctx.ports.personalData` from the composition root.
import type { PersonalDataMap } from '../../db/personal-data.ts';
import type { RegisterRoutes } from '../../http/types.ts';
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { closurePersonalData } from './closure.data-map.ts';
import { consentPersonalData } from './consent.data-map.ts';
import { registerClosureRoutes } from './closure.routes.ts';
import { registerCookieRoutes } from './cookies.routes.ts';
import { registerGpcSiteRoutes } from './gpc.routes.ts';
import { accountClosedEmail } from './emails/account-closed.ts';
import { requestsPersonalData } from './requests.data-map.ts';
import { registerRequestRoutes } from './requests.routes.ts';
import { requestJobHandlers, requestSchedules } from './requests.jobs.ts';
import { requestAcknowledgedEmail } from './emails/request-acknowledged.ts';
import { verificationCodeEmail } from './emails/verification-code.ts';
import { agentConfirmationEmail } from './emails/agent-confirmation.ts';
import { requestExtendedEmail } from './emails/request-extended.ts';
import { requestCompletedEmail } from './emails/request-completed.ts';
import { requestDeniedEmail } from './emails/request-denied.ts';
import { requestClosedUnverifiedEmail } from './emails/request-closed-unverified.ts';
import { appealDecidedEmail } from './emails/appeal-decided.ts';
import { exportPersonalData } from './export.data-map.ts';
import { exportJobHandlers, exportSchedules } from './export.jobs.ts';
import { registerExportRoutes } from './export.routes.ts';
import { exportDownloadCodeEmail } from './emails/export-download-code.ts';
import { erasurePersonalData } from './erasure.data-map.ts';
import { erasureCompletedEmail, erasureEmailData } from './emails/erasure-completed.ts';

export { recordConsent, currentConsents, consentHistory, currentNoticeVersions, publishConsentNotice, type ConsentRecord, type ConsentSubject, type PurposeState, type RecordConsentInput } from './consent.service.ts';
// Cookie banner, GPC and advertising audiences (PV-23..PV-25).
export { visitorConsent, saveCookieChoices, honourGpc, mergeDeviceConsents, resolveRegion, regionFromHeader, isUnderSixteen, type Visitor, type VisitorConsent, type CookieChoiceInput } from './cookies.service.ts';
export { advertisingAudience, advertisingAudiencePage, mayUseForAdvertising, type AdvertisingAudience } from './consent-audience.service.ts';
export { advertisingBlock, effectiveCategories, mergedChoice, bannerAsks, advertisingOptOuts, advertisingMinimumAgeYears, type AdvertisingBlock, type CookieCategories, type CookiePurpose } from './cookies.rules.ts';
export { audienceReadScope } from './cookies.routes.ts';
export { gpcLastUpdate } from './gpc.routes.ts';
export { consentPurposes, cookiePurposes, marketingPurposes, consentChoices, consentMethods, consentRegime, defaultChoice, regionPattern, type ConsentChoice, type ConsentMethod, type ConsentPurpose, type ConsentRegime } from './consent.rules.ts';

/** The personal-data columns of this module's own tables (PV-16; docs/PERSONAL-DATA.md). */
export const personalData: PersonalDataMap = [...requestsPersonalData, ...exportPersonalData, ...erasurePersonalData, ...closurePersonalData, ...consentPersonalData];

/** This module's HTTP routes. */
export const registerRoutes: RegisterRoutes = async (app, deps) => {
  await registerRequestRoutes(app, deps);
  registerExportRoutes(app, deps);
  registerClosureRoutes(app, deps);
  registerCookieRoutes(app, deps);
};

/** The GPC hook, /.well-known/gpc.json and the embeddable banner script, at the site root (PV-23, PV-24). */
export const registerSiteRoutes: RegisterRoutes = (app, deps) => registerGpcSiteRoutes(app, deps);

/** Background work. */
export const jobHandlers: Record<string, JobHandler> = { ...requestJobHandlers, ...exportJobHandlers };
export const schedules: Schedule[] = [...requestSchedules, ...exportSchedules];

/** This module's emails (src/modules.ts lists them for the mail preview and the template test). */
export const templates = [
  requestAcknowledgedEmail,
  verificationCodeEmail,
  agentConfirmationEmail,
  requestExtendedEmail,
  requestCompletedEmail,
  requestDeniedEmail,
  requestClosedUnverifiedEmail,
  appealDecidedEmail,
  exportDownloadCodeEmail,
  erasureCompletedEmail,
  accountClosedEmail,
];

// Rights requests (PV-1..PV-14): the model, the one state-change function, fulfilment with a per-type step.
export * from './requests.rules.ts';
export { acknowledgementDueDate, responseDueDate, extendDueDate, appealDueDate, dueStatus, addBusinessDays, addMonthsClamped, calendarDateOf, type DueFlag, type ExtensionOutcome } from './deadlines.rules.ts';
export { moveRequest, systemRequestActor, type MoveRequestInput, type RequestActor, type RequestCtx } from './request-transitions.service.ts';
export { openRequest, type IntakeSource, type RequestForm } from './requests.service.ts';
export { fulfilRequest, fulfilmentSteps, extendRequest, appealRequest, decideAppeal, completeDeferredFulfilment, eraseForRequestJobType } from './fulfilment.service.ts';
export { recipientsOf, firstNameOf } from './request-transitions.service.ts';
export { findRequest } from './requests.repository.ts';
export { subjectChoices, applyOptOut, type SubjectChoices } from './optouts.service.ts';
export { closeUnverifiedRequests, type UnverifiedSweepReport } from './request-expiry.service.ts';
export { requestToken, isRequestToken } from './request-links.rules.ts';
export type { PrivacyRequest, RequestEvent, RequestDocument } from './requests.repository.ts';

// Access and portability exports, know (PV-15..PV-17).
export { buildSubjectExport, queueSubjectExport, requestOwnExport, know, exportSchema, expireDueExports, exportJobType, exportExpiryJobType, type SubjectExport, type ExportFile, type KnowReport } from './export.service.ts';

// Erasure, the registry of erased subjects, retention (PV-18, PV-19, PV-30, PV-31).
export { clearExpiredRecordValues, expiringRecordCategories, expiredEmail, type ExpiredValuesResult } from './record-retention.service.ts';
export { executeErasure, expireKeptRecords, planErasure, subjectExists, erasedText, erasedEmail, type ErasureReport, type KeptColumn, type ErasedColumns } from './erasure.executor.ts';
export { deleteSubjectFiles, eraseSubjectRows, erasureReportSchema, journalErasure, recordErasure } from './erasure.service.ts';
export { findErasure, findErasureOfMember, closedAccountsDueForErasure, erasedAmong, erasedMemberIds, erasuresWithRecordsDue, markRecordsExpired, erasureReasons, type ErasureReason, type ErasureRecord } from './erasures.repository.ts';
export { appendErasureJournal, readErasureJournal, erasureJournalPath, type JournalEntry } from './erasure-journal.ts';
export { retentionRules, retentionPeriodMs, keptUntil, type RetentionRule } from './retention.rules.ts';
export { expirePrivacyRecords, type RecordRetentionResult } from './request-retention.service.ts';
export { erasureCompletedEmail, erasureEmailData };

// Restriction (PV-20), account closure records (AC-10) and the closure email, for the flows layer and later modules.
export { isRestricted, excludeRestricted, setRestriction, getRestriction, getRestrictionHistory, type Restriction, type RestrictionEvent, type SetRestrictionInput, type RestrictionActor } from './restriction.service.ts';
export { restrictionReasons, type RestrictionReason } from './closure.table.ts';
export { recordClosure, findClosureOfMember, type ClosureRecord } from './closure.service.ts';
export { accountClosedEmail };
export { closeAccountBody, agentCloseAccountBody, closureView, toClosureView, tags as privacyTags } from './closure.schemas.ts';
