// Builds the job registry from the modules' descriptors (src/modules.ts lists them; this folder imports no module).
import type { JobHandler, Schedule } from './queue.ts';
import type { JobRegistry } from './worker.ts';

/** The part of a module descriptor (src/module-descriptor.ts) the queue reads. */
export interface JobModule {
  readonly jobHandlers?: Readonly<Record<string, JobHandler>>;
  readonly schedules?: readonly Schedule[];
}

/** Refuses two handlers for one type and a schedule without a handler: both are wiring bugs found at start. */
export function buildJobRegistry(modules: readonly JobModule[]): JobRegistry {
  const handlers: Record<string, JobHandler> = {};
  const schedules: Schedule[] = [];
  for (const module of modules) {
    for (const [type, handler] of Object.entries(module.jobHandlers ?? {})) {
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
