// Every email template by name (NT-3, NT-4): HTML and plain-text parts, user data escaped, data checked by zod.
import type { z } from 'zod';
import type { EmailTemplate, RenderedEmail } from './layout.ts';
import { welcome } from './welcome.ts';
import { verifyEmail } from './verify-email.ts';
import { passwordReset } from './password-reset.ts';
import { creditsUnlocked } from './credits-unlocked.ts';
import { creditsExpiring } from './credits-expiring.ts';
import { creditsExpired } from './credits-expired.ts';
import { redemptionConfirmation } from './redemption-confirmation.ts';
import { redemptionShipped } from './redemption-shipped.ts';

export const templates = {
  welcome,
  'verify-email': verifyEmail,
  'password-reset': passwordReset,
  'credits-unlocked': creditsUnlocked,
  'credits-expiring': creditsExpiring,
  'credits-expired': creditsExpired,
  'redemption-confirmation': redemptionConfirmation,
  'redemption-shipped': redemptionShipped,
} as const;

export type TemplateName = keyof typeof templates;

export const templateNames = Object.keys(templates) as [TemplateName, ...TemplateName[]];

/** The data a template accepts, as the caller writes it. */
export type TemplateData<N extends TemplateName> = (typeof templates)[N] extends EmailTemplate<infer S> ? z.input<S> : never;

export function renderTemplate(name: TemplateName, data: unknown): RenderedEmail {
  return templates[name].render(data);
}

export { escapeHtml } from './escape.ts';
export { maxExpiringLots } from './credits-expiring.ts';
export type { RenderedEmail } from './layout.ts';
