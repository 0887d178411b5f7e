// Double opt-in (PV-26): the single-use link that confirms a newsletter sign-up where the region asks for it.
import { z } from 'zod';
import { defineTemplate, templateFields } from '../../notifications/index.ts';

export const confirmSubscriptionEmail = defineTemplate(
  'marketing-confirm-subscription',
  z.strictObject({ link: templateFields.link }),
  (data) => ({
    subject: 'Confirm your newsletter subscription',
    blocks: [
      { kind: 'paragraph', text: 'Please confirm that you want to receive our news and special offers by email. You can unsubscribe at any time.' },
      { kind: 'action', label: 'Confirm my subscription', url: data.link },
      { kind: 'note', text: 'If you did not sign up, ignore this email: without your confirmation you will not hear from us again.' },
    ],
  }),
  { link: 'https://shop.example/newsletter/confirm?token=sample' },
);
