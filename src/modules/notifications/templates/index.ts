// The email building blocks other modules define their templates with (NT-3, NT-4): HTML and plain-text parts from
// one list of blocks, user data escaped, data checked by zod. Each module owns its templates (src/modules/*/emails/).
export { defineTemplate, formatCredits, formatDateTimeUtc, greeting, type Block, type EmailTemplate, type RenderedEmail } from './layout.ts';
export { escapeHtml } from './escape.ts';
export * as templateFields from './fields.ts';
