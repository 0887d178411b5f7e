// Warns that credits will expire soon (NT-3).
import { z } from 'zod';
import { defineTemplate, formatCredits, formatDateTimeUtc, greeting } from './layout.ts';
import { credits, firstName } from './fields.ts';

export const creditsExpiring = defineTemplate(z.strictObject({ credits, expiresAt: z.iso.datetime({ offset: true }), firstName }), (data) => ({
  subject: 'Your rewards credits expire soon',
  blocks: [
    greeting(data.firstName),
    { kind: 'paragraph', text: `${formatCredits(data.credits)} in your account will expire on ${formatDateTimeUtc(data.expiresAt)}.` },
    { kind: 'paragraph', text: 'Use them on an order before then to keep their value.' },
  ],
}));
