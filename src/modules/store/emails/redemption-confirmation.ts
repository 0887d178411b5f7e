// Confirms a rewards redemption (NT-3, CR-13): final at confirmation, ships separately.
import { z } from 'zod';
import { defineTemplate, formatCredits, greeting, templateFields } from '../../notifications/index.ts';

const { credits, firstName } = templateFields;

export const redemptionConfirmationEmail = defineTemplate(
  'redemption-confirmation',
  z.strictObject({ firstName, itemName: z.string().trim().min(1).max(200), quantity: z.number().int().min(1).max(1000), credits, redemptionId: z.string().min(1).max(100) }),
  (data) => ({
    subject: 'Your reward is confirmed',
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `You redeemed ${data.quantity} × ${data.itemName} for ${formatCredits(data.credits)} (redemption ${data.redemptionId}).` },
      { kind: 'paragraph', text: 'It ships on its own, right away; we will email you the tracking number as soon as it leaves the warehouse.' },
      { kind: 'note', text: 'Redemptions are final: they cannot be cancelled, returned or exchanged. If it arrives damaged, contact us within 7 days.' },
    ],
  }),
  { itemName: 'USB-C Cable', quantity: 1, credits: 1500, redemptionId: 'ord_1' },
);
