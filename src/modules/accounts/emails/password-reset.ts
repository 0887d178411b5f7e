// Carries the single-use password reset link (NT-3, NT-4).
import { z } from 'zod';
import { defineTemplate, greeting, templateFields } from '../../notifications/index.ts';

const { firstName, link } = templateFields;

export const passwordResetEmail = defineTemplate(
  'password-reset',
  z.strictObject({ link, firstName }), (data) => ({
  subject: 'Reset your password',
  blocks: [
    greeting(data.firstName),
    { kind: 'paragraph', text: 'Someone asked to reset the password of your account. If it was you, choose a new password with the link below. It works once and expires soon.' },
    { kind: 'action', label: 'Choose a new password', url: data.link },
    { kind: 'note', text: 'If it was not you, ignore this email: your password stays as it is.' },
  ],
}),
  { link: 'https://shop.example/reset?token=def', firstName: 'Ada' },
);
