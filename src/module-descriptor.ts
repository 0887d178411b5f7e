// What a module contributes to the running service. src/modules.ts lists one descriptor per module in dependency
// order; app.ts, the worker and the CLI read that list and nothing else, so adding a module is one line there.
import type { PersonalDataMap } from './db/personal-data.ts';
import type { RegisterRoutes } from './http/types.ts';
import type { JobHandler, Schedule } from './jobs/queue.ts';

/** An email template as the notifications module defines them (structural, so lower modules need not import it). */
export interface TemplateDescriptor {
  readonly name: string;
  render(data: unknown): { subject: string; html: string; text: string };
  /** Data that renders, for the console's template preview and the test that renders every template. */
  readonly sample: unknown;
}

/** What a module's index.ts exports under these names; src/modules.ts picks them into a descriptor. */
export interface ModuleParts {
  readonly registerRoutes?: RegisterRoutes;
  /**
   * Routes and hooks at the site root, outside /api/v1 (well-known files, scripts a storefront embeds, a hook every
   * request passes): registered on the root instance after the route guards, so request.principal is known.
   */
  readonly registerSiteRoutes?: RegisterRoutes;
  readonly jobHandlers?: Readonly<Record<string, JobHandler>>;
  readonly schedules?: readonly Schedule[];
  readonly templates?: readonly TemplateDescriptor[];
  readonly personalData?: PersonalDataMap;
}

export interface ModuleDescriptor extends ModuleParts {
  readonly name: string;
}

/** Picks the named parts out of a module's index.ts namespace, so a descriptor carries nothing else. */
export function describeModule(name: string, parts: ModuleParts): ModuleDescriptor {
  const { registerRoutes, registerSiteRoutes, jobHandlers, schedules, templates, personalData } = parts;
  return Object.freeze({ name, registerRoutes, registerSiteRoutes, jobHandlers, schedules, templates, personalData });
}
