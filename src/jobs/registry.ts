// Collects every module's job handlers and schedules. Built on first use, not at import: modules import
// src/jobs/index.ts to enqueue, so reading their exports while the import graph is still loading would fail.
import * as jobsUpkeep from './prune.jobs.ts';
import * as accounts from '../modules/accounts/index.ts';
import * as audit from '../modules/audit/index.ts';
import * as notifications from '../modules/notifications/index.ts';
import * as credits from '../modules/credits/index.ts';
import * as store from '../modules/store/index.ts';
import * as flows from '../flows/index.ts';
import type { JobHandler, Schedule } from './queue.ts';
import type { JobRegistry } from './worker.ts';

interface JobModule {
  jobHandlers: Readonly<Record<string, JobHandler>>;
  schedules?: readonly Schedule[];
}

/** One line per module that has jobs. */
function jobModules(): JobModule[] {
  return [jobsUpkeep, accounts, audit, notifications, credits, store, flows];
}

/** Refuses two handlers for one type and a schedule without a handler: both are wiring bugs found at start. */
export function buildJobRegistry(modules: readonly JobModule[]): JobRegistry {
  const handlers: Record<string, JobHandler> = {};
  const schedules: Schedule[] = [];
  for (const module of modules) {
    for (const [type, handler] of Object.entries(module.jobHandlers)) {
      if (Object.hasOwn(handlers, type)) throw new Error(`two modules register a handler for job type ${type}`);
      handlers[type] = handler;
    }
    schedules.push(...(module.schedules ?? []));
  }
  const scheduled = new Set<string>();
  for (const schedule of schedules) {
    if (!Object.hasOwn(handlers, schedule.type)) throw new Error(`schedule ${schedule.type} has no job handler`);
    if (scheduled.has(schedule.type)) throw new Error(`job type ${schedule.type} is scheduled twice`);
    scheduled.add(schedule.type);
  }
  return { handlers: Object.freeze(handlers), schedules: Object.freeze(schedules) };
}

let registry: JobRegistry | undefined;

export function jobRegistry(): JobRegistry {
  registry ??= buildJobRegistry(jobModules());
  return registry;
}
