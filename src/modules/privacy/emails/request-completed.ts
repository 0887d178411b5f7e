// PV-3: the answer to a request we fulfilled (an opt-out recorded, a request carried out).
import { z } from 'zod';
import { defineTemplate, greeting } from '../../notifications/index.ts';
import { firstName, requestId, requestType, requestTypeLabel, safeText } from './fields.ts';

export const requestCompletedEmail = defineTemplate(
  'privacy-request-completed',
  z.strictObject({ firstName, requestId, type: requestType, outcome: safeText }),
  (data) => ({
    subject: `Your ${requestTypeLabel(data.type)} is complete (${data.requestId})`,
    blocks: [greeting(data.firstName), { kind: 'paragraph', text: `We have completed your ${requestTypeLabel(data.type)} (${data.requestId}).` }, { kind: 'paragraph', text: data.outcome }],
  }),
  { firstName: 'Ada', requestId: 'prq_01J0000000000000000000', type: 'optout_sale_share', outcome: 'We no longer sell or share your personal data. This took effect when we received your request.' },
);
