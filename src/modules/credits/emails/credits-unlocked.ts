// Credits earned on an order have become spendable (NT-3).
import { z } from 'zod';
import { defineTemplate, formatCredits, greeting, templateFields } from '../../notifications/index.ts';

const { credits, firstName } = templateFields;

export const creditsUnlockedEmail = defineTemplate(
  'credits-unlocked',
  z.strictObject({ credits, firstName }), (data) => ({
  subject: 'Your rewards credits are ready to use',
  blocks: [
    greeting(data.firstName),
    { kind: 'paragraph', text: `${formatCredits(data.credits)} just became available in your account. You can use them on your next order.` },
  ],
}),
  { credits: 1500 },
);
