// Asks the member to confirm their address; carries the single-use verification link (NT-3, NT-4).
import { z } from 'zod';
import { defineTemplate, greeting, templateFields } from '../../notifications/index.ts';

const { firstName, link } = templateFields;

export const verificationEmail = defineTemplate(
  'verify-email',
  z.strictObject({ link, firstName }), (data) => ({
  subject: 'Confirm your email address',
  blocks: [
    greeting(data.firstName),
    { kind: 'paragraph', text: 'Please confirm that this is your email address. The link works once.' },
    { kind: 'action', label: 'Confirm email address', url: data.link },
    { kind: 'note', text: 'If you did not sign up, you can ignore this email.' },
  ],
}),
  { link: 'https://shop.example/verify?token=abc' },
);
