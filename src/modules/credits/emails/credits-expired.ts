// Tells the member that credits have expired (NT-3).
import { z } from 'zod';
import { defineTemplate, formatCredits, greeting, templateFields } from '../../notifications/index.ts';

const { credits, firstName } = templateFields;

export const creditsExpiredEmail = defineTemplate(
  'credits-expired',
  z.strictObject({ credits, firstName }), (data) => ({
  subject: 'Some of your rewards credits have expired',
  blocks: [
    greeting(data.firstName),
    { kind: 'paragraph', text: `${formatCredits(data.credits)} in your account reached their expiry date and are no longer available.` },
  ],
}),
  { credits: 20 },
);
