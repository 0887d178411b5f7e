// The flows layer's public face (docs/CONTRACTS.md): cross-module operations with outside calls as durable runs
// (checkout, refunds, a reward's shipping fee), their routes and jobs, and the operator's view of runs needing
// attention. It sits above every module and is imported only by the composition root.
import type { JobHandler, Schedule } from '../jobs/index.ts';
import type { RegisterRoutes } from '../http/types.ts';
import type { PersonalDataMap } from '../db/personal-data.ts';
import { flowsPersonalData } from './flows.personal-data.ts';
import { registerCheckoutRoutes } from './checkout.routes.ts';
import { flowsJobHandlers, flowsSchedules } from './flows.jobs.ts';
import { registerRedemptionRoutes } from './redemption.routes.ts';
import { registerRefundRoutes } from './refund.routes.ts';
import { registerFlowRunRoutes } from './runs.routes.ts';
import { registerCaseResolutionRoutes } from './case-resolution.routes.ts';
import { registerAccountClosureRoutes } from './account-closure.routes.ts';
import { registerErasureRoutes } from './erasure.routes.ts';
import { retentionJobHandlers, retentionSchedules } from './retention.ts';
import { erasureRequestJobHandlers } from './erasure-request.ts';

export const registerRoutes: RegisterRoutes = (app, deps) => {
  registerCheckoutRoutes(app, deps);
  registerRefundRoutes(app, deps);
  registerRedemptionRoutes(app, deps);
  registerFlowRunRoutes(app, deps);
  registerCaseResolutionRoutes(app, deps);
  registerAccountClosureRoutes(app, deps);
  registerErasureRoutes(app, deps);
};

export const jobHandlers: Record<string, JobHandler> = { ...flowsJobHandlers, ...retentionJobHandlers, ...erasureRequestJobHandlers };
export const schedules: Schedule[] = [...flowsSchedules, ...retentionSchedules];
export const personalData: PersonalDataMap = flowsPersonalData;

export { checkout, settleStaleCheckout, checkoutFlow, checkoutKey, type CheckoutInput, type CheckoutResult, type PaymentOutcome } from './checkout.ts';
export { refundOrder, refundFlow, refundKey } from './refund.ts';
export { redeemReward, redemptionFeeFlow, redemptionKey } from './redemption.ts';
export { resolveCase, caseResolutionFlow, caseResolutionKey, caseResolutionFlowState, type ResolveCaseInput, type CaseResolutionAnswer } from './case-resolution.ts';
export { flowDefinitions } from './definitions.ts';
export { listRunsNeedingAttention, retryFlowRun, type FlowRunAttention } from './attention.service.ts';
export { startRun, executeRun, resumeDueRuns, retryRunNow, findRunOf, type FlowDefinition, type FlowRun, type FlowStep, type StepResult, type AnyFlowDefinition, type FlowDefinitions } from './runner.ts';
export { FlowStepFailed, CompensationRefused, flowTransitions } from './runner.rules.ts';
export { flowStates, stepStates, type FlowState, type StepState } from './flows.table.ts';
export { closeAccount, reauthenticationRequired, type CloseAccountInput } from './account-closure.ts';
export { eraseSubject, erasureFlow, erasureKey, reapplyJournaledErasures, type EraseSubjectInput, type ReapplyReport } from './erasure.ts';
export { runRetention, retentionJobType, type RetentionResult } from './retention.ts';
export { eraseForRequest, erasedOutcome } from './erasure-request.ts';
