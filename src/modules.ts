// The composition root: every module, in the dependency order of docs/ARCHITECTURE.md (each may import only those
// above it in this list). app.ts, the worker and the CLI read this list and nothing else, so adding a module is one
// line here (plus its UI pages).
import { platformPersonalData } from './db/platform.data-map.ts';
import { buildJobRegistry, personalData as jobsPersonalData, runDueJobs as runJobsOnce, startWorker as startJobsWorker, upkeepJobHandlers, upkeepSchedules, type RunDueJobsOptions, type Worker } from './jobs/index.ts';
import type { Deps } from './deps.ts';
import * as httpIdempotency from './http/idempotency.jobs.ts';
import { idempotencyPersonalData } from './http/idempotency.table.ts';
import { describeModule, type ModuleDescriptor } from './module-descriptor.ts';
import * as audit from './modules/audit/index.ts';
import * as events from './modules/events/index.ts';
import * as notifications from './modules/notifications/index.ts';
import * as accounts from './modules/accounts/index.ts';
import * as credits from './modules/credits/index.ts';
import * as payments from './modules/payments/index.ts';
import * as membership from './modules/membership/index.ts';
import * as store from './modules/store/index.ts';
import * as aftersales from './modules/aftersales/index.ts';
import * as privacy from './modules/privacy/index.ts';
import * as webhooks from './modules/webhooks/index.ts';
import * as marketing from './modules/marketing/index.ts';
import * as flows from './flows/index.ts';

export const modules: readonly ModuleDescriptor[] = Object.freeze([
  describeModule('platform', { personalData: platformPersonalData }),
  describeModule('jobs', { jobHandlers: upkeepJobHandlers, schedules: upkeepSchedules, personalData: jobsPersonalData }),
  describeModule('http', { ...httpIdempotency, personalData: idempotencyPersonalData }),
  describeModule('audit', audit),
  describeModule('events', events),
  describeModule('notifications', notifications),
  describeModule('accounts', accounts),
  describeModule('credits', credits),
  describeModule('payments', payments),
  describeModule('membership', membership),
  describeModule('store', store),
  describeModule('aftersales', aftersales),
  describeModule('privacy', privacy),
  describeModule('webhooks', webhooks),
  describeModule('marketing', marketing),
  describeModule('flows', flows),
]);

/** Every module's job handlers and schedules; built at start, so a wiring mistake stops the start. */
export const jobRegistry = buildJobRegistry(modules);

/** Runs what is due now with every module's handlers (the CLI's `jobs run`; tests after moving the clock). */
export function runDueJobs(deps: Deps, options: Partial<RunDueJobsOptions> = {}): Promise<number> {
  return runJobsOnce(deps, { ...options, registry: options.registry ?? jobRegistry });
}

/** The job worker with every module's handlers (`patron serve` and `patron worker`). */
export function startWorker(deps: Deps, options: { pollMs?: number; workerId?: string; leaseMs?: number } = {}): Worker {
  return startJobsWorker(deps, { ...options, registry: jobRegistry });
}
