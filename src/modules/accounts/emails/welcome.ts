// Sent after sign-up (NT-3).
import { z } from 'zod';
import { defineTemplate, greeting, templateFields } from '../../notifications/index.ts';

const { firstName } = templateFields;

export const welcomeEmail = defineTemplate(
  'welcome',
  z.strictObject({ firstName }), (data) => ({
  subject: 'Welcome to your new account',
  blocks: [
    greeting(data.firstName),
    { kind: 'paragraph', text: 'Your account is ready. Sign in any time to see your rewards credits, your membership and your orders.' },
    { kind: 'note', text: 'If you did not create this account, reply to this email and we will look into it.' },
  ],
}),
  { firstName: 'Ada' },
);
