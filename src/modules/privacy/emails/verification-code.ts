// PV-12: the 6-digit code that verifies a rights request, sent to the subject's email address only.
import { z } from 'zod';
import { defineTemplate, greeting } from '../../notifications/index.ts';
import { firstName, requestId, requestType, requestTypeLabel } from './fields.ts';

export const verificationCodeEmail = defineTemplate(
  'privacy-verification-code',
  z.strictObject({ firstName, requestId, type: requestType, code: z.string().regex(/^\d{6}$/), validMinutes: z.number().int().min(1).max(60) }),
  (data) => ({
    subject: `Your verification code: ${data.code}`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `Someone asked us to act on a ${requestTypeLabel(data.type)} about this email address (reference ${data.requestId}). To confirm it is you, enter this code on the request page:` },
      { kind: 'paragraph', text: data.code },
      { kind: 'note', text: `The code works for ${data.validMinutes} minutes and for 3 tries. If you did not ask for this, ignore this email: nothing happens without the code.` },
    ],
  }),
  { firstName: 'Ada', requestId: 'prq_01J0000000000000000000', type: 'erase', code: '048213', validMinutes: 10 },
);
