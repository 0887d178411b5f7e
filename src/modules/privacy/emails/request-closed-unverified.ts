// PV-12: a request whose subject's identity was not verified within 7 days is closed, and the requester told.
import { z } from 'zod';
import { defineTemplate, greeting } from '../../notifications/index.ts';
import { firstName, requestId, requestType, requestTypeLabel } from './fields.ts';

export const requestClosedUnverifiedEmail = defineTemplate(
  'privacy-request-closed-unverified',
  z.strictObject({ firstName, requestId, type: requestType, days: z.number().int().min(1).max(60) }),
  (data) => ({
    subject: `Your ${requestTypeLabel(data.type)} was closed (${data.requestId})`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `We could not verify the identity of the person your ${requestTypeLabel(data.type)} (${data.requestId}) is about within ${data.days} days, so we closed it without acting on it.` },
      { kind: 'paragraph', text: 'You are welcome to send a new request at any time.' },
    ],
  }),
  { firstName: 'Ada', requestId: 'prq_01J0000000000000000000', type: 'access', days: 7 },
);
