// The after-sales module's public face (AS-1..AS-13): the case rules (state machine, kinds, reasons, remedies),
// eligibility with its trace, serial checks, image intake, the types of what its storage holds, and its personal data.
// The repository stays internal to the module.
import { caseReceivedEmail } from './emails/case-received.ts';
import { caseStatusChangedEmail } from './emails/case-status-changed.ts';
import { caseResolvedEmail } from './emails/case-resolved.ts';
import { caseConfirmEmail } from './emails/case-confirm-email.ts';
import type { RegisterRoutes } from '../../http/types.ts';
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { registerIntakeRoutes } from './intake.routes.ts';
import { intakeJobHandlers, intakeSchedules } from './intake.jobs.ts';
import { registerAgentCaseRoutes } from './agent.routes.ts';
import { aftersalesJobHandlers, aftersalesSchedules } from './aftersales.jobs.ts';
export * from './cases.rules.ts';
export { decideEligibility, defaultEligibilitySettings, type EligibilityDecision, type EligibilityFacts, type EligibilityRule, type EligibilitySettings, type OrderSource, type TraceEntry } from './eligibility.rules.ts';
export { normalizeSerial, isValidSerial, readSerial, checkSerialAgainstShipment, serialPattern, serialMessage, type SerialCheck } from './serials.rules.ts';
export { maxImagesPerCase, maxImageBytes, assertImageCount, type StoredImageType } from './images.rules.ts';
export { acceptImage, heicDecodable, heicUnsupportedMessage, type AcceptedImage, type ImageIntakeCtx, type ImageUpload } from './images.service.ts';
export type { Case, CaseResolution, CaseTransition, CaseImage, ShipmentSerial, QueueCursor } from './cases.repository.ts';
export { caseActorRoles, type CaseActorRole } from './aftersales.table.ts';
export { aftersalesPersonalData as personalData } from './aftersales.data-map.ts';
export { moveCase, emailCaseReceived, systemActor, type CaseCtx, type CaseActor, type MoveCaseInput } from './transitions.service.ts';
export { caseStatusToken, isCaseStatusToken, caseStatusUrl } from './case-links.rules.ts';

/** This module's emails (src/modules.ts lists them for the mail preview and the template test). */
export const templates = [caseReceivedEmail, caseStatusChangedEmail, caseResolvedEmail, caseConfirmEmail];

/** The customer side's routes (intake.routes.ts) and the agent side's (agent.routes.ts). */
export const registerRoutes: RegisterRoutes = async (app, deps) => {
  await registerIntakeRoutes(app, deps);
  registerAgentCaseRoutes(app, deps);
};

/** Background work: intake closes unconfirmed guest cases; the agent side expires cases that waited too long. */
export const jobHandlers: Record<string, JobHandler> = { ...intakeJobHandlers, ...aftersalesJobHandlers };
export const schedules: Schedule[] = [...intakeSchedules, ...aftersalesSchedules];
export { getCaseForResolution, claimCaseForResolution, releaseCaseAfterRefusal, refundsLinkedToCases } from './resolution.service.ts';
export {
  assertCaseResolvable,
  resolvableCaseStates,
  refundReasonForCase,
  isRedemptionRef,
  refundDetail,
  marketplaceRefundDetail,
  replacementOrderDetail,
  replacementRedemptionDetail,
  creditRestoreDetail,
} from './resolution.rules.ts';
export { gatherOrderFacts, type Claimant, type OrderClaim, type OrderFacts } from './order-facts.service.ts';
export { expireDueCases, caseExpirySettingsOf, type ExpiryReport } from './case-expiry.service.ts';
export { agentCaseActions, rejectionReasons, inspectionResults, type AgentCaseAction, type RejectionReason, type InspectionResult } from './agent.rules.ts';
export { resolutionFactsView, toResolutionFactsView } from './agent.schemas.ts';
