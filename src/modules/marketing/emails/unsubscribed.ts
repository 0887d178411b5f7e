// The unsubscribe confirmation (NT-3, PV-27): sent at most once per unsubscribe; a transactional message.
import { z } from 'zod';
import { defineTemplate } from '../../notifications/index.ts';

export const unsubscribedEmail = defineTemplate(
  'marketing-unsubscribed',
  z.strictObject({ scope: z.enum(['campaign', 'all']), campaignName: z.string().trim().min(1).max(200) }),
  (data) => ({
    subject: 'You are unsubscribed',
    blocks: [
      {
        kind: 'paragraph',
        text: data.scope === 'all' ? 'You will no longer receive promotional email from us.' : `You will no longer receive email from the campaign “${data.campaignName}”. Other news and offers still reach you.`,
      },
      { kind: 'paragraph', text: 'Emails about your account, orders and requests still reach you: they are not promotional.' },
      { kind: 'note', text: 'Changed your mind? You can subscribe again under Communication preferences in your account or on our newsletter form.' },
    ],
  }),
  { scope: 'all', campaignName: 'Spring sale' },
);
