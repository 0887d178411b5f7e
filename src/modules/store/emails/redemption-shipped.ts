// A redeemed reward has shipped, with its tracking number (NT-3, CR-13).
import { z } from 'zod';
import { defineTemplate, greeting, templateFields } from '../../notifications/index.ts';

const { firstName } = templateFields;

export const redemptionShippedEmail = defineTemplate(
  'redemption-shipped',
  z.strictObject({ firstName, tracking: z.string().trim().min(1).max(100), carrier: z.string().trim().min(1).max(100).optional(), itemName: z.string().trim().min(1).max(200).optional() }),
  (data) => ({
    subject: 'Your reward is on its way',
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `${data.itemName ?? 'Your reward'} has shipped${data.carrier ? ` with ${data.carrier}` : ''}.` },
      { kind: 'paragraph', text: `Tracking number: ${data.tracking}` },
    ],
  }),
  { tracking: 'PP1234567890', carrier: 'Patron Post' },
);
