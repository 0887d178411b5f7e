// Every module's email templates by name, from the composition root, for tests that queue or render one.
import type { z } from 'zod';
import type { EmailTemplate } from '../../src/modules/notifications/index.ts';
import { modules } from '../../src/modules.ts';

export const allTemplates = modules.flatMap((module) => (module.templates ?? []) as readonly EmailTemplate<z.ZodType>[]);

export function emailTemplate(name: string): EmailTemplate<z.ZodType> {
  const found = allTemplates.find((template) => template.name === name);
  if (!found) throw new Error(`no email template named ${name}`);
  return found;
}
