// PV-3: the decision on an appeal, made by a different person, with the authority to complain to.
import { z } from 'zod';
import { defineTemplate, greeting } from '../../notifications/index.ts';
import { firstName, link, requestId, requestType, requestTypeLabel, safeText } from './fields.ts';

export const appealDecidedEmail = defineTemplate(
  'privacy-appeal-decided',
  z.strictObject({ firstName, requestId, type: requestType, decision: z.enum(['upheld', 'reversed', 'partially_reversed']), reason: safeText, authorityName: safeText, authorityUrl: link }),
  (data) => ({
    subject: `The decision on your appeal (${data.requestId})`,
    blocks: [
      greeting(data.firstName),
      {
        kind: 'paragraph',
        text:
          data.decision === 'upheld'
            ? `We reviewed your appeal about your ${requestTypeLabel(data.type)} (${data.requestId}) and kept our decision.`
            : data.decision === 'reversed'
              ? `We reviewed your appeal about your ${requestTypeLabel(data.type)} (${data.requestId}) and changed our decision: we will carry out your request.`
              : `We reviewed your appeal about your ${requestTypeLabel(data.type)} (${data.requestId}) and changed part of our decision.`,
      },
      { kind: 'paragraph', text: `Reason: ${data.reason}` },
      { kind: 'paragraph', text: `If you are not satisfied, you can complain to ${data.authorityName}: ${data.authorityUrl}` },
    ],
  }),
  { firstName: 'Ada', requestId: 'prq_01J0000000000000000000', type: 'erase', decision: 'upheld', reason: 'We must keep some records by law.', authorityName: 'Virginia Attorney General', authorityUrl: 'https://www.oag.state.va.us/' },
);
