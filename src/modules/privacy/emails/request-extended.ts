// PV-9: the notice of an extension, queued in the transaction that extends the due date.
import { z } from 'zod';
import { defineTemplate, greeting } from '../../notifications/index.ts';
import { firstName, isoDate, readableDate, requestId, requestType, requestTypeLabel } from './fields.ts';

export const requestExtendedEmail = defineTemplate(
  'privacy-request-extended',
  z.strictObject({ firstName, requestId, type: requestType, previousDueDate: isoDate, dueDate: isoDate, reason: z.string().trim().min(1).max(2000) }),
  (data) => ({
    subject: `We need more time for your ${requestTypeLabel(data.type)} (${data.requestId})`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `We need more time to answer your ${requestTypeLabel(data.type)} (${data.requestId}). Instead of ${readableDate(data.previousDueDate)}, we will answer by ${readableDate(data.dueDate)} at the latest.` },
      { kind: 'paragraph', text: `Why: ${data.reason}` },
    ],
  }),
  { firstName: 'Ada', requestId: 'prq_01J0000000000000000000', type: 'access', previousDueDate: '2025-03-17', dueDate: '2025-05-01', reason: 'Your data is spread over several of our systems and we need to collect it from each.' },
);
