// Sent when someone asks to download an access/portability export without signing in (PV-12, PV-15): the 6-digit code
// that unlocks the download for 10 minutes (3 tries).
import { z } from 'zod';
import { defineTemplate, greeting, templateFields } from '../../notifications/index.ts';

export const exportDownloadCodeEmail = defineTemplate(
  'privacy-export-download-code',
  z.strictObject({ firstName: templateFields.firstName, code: z.string().regex(/^\d{6}$/), validMinutes: z.number().int().min(1).max(60) }),
  (data) => ({
    subject: `Your code to download your personal data: ${data.code}`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `Use this code to download the copy of your personal data you asked for: ${data.code}` },
      { kind: 'paragraph', text: `It works once, for ${data.validMinutes} minutes, and allows 3 tries. If you did not ask for it, ignore this email: nobody can download your data without the code.` },
    ],
  }),
  { firstName: 'Ada', code: '123456', validMinutes: 10 },
);
