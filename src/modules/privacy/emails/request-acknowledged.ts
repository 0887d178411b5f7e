// PV-6: sent when a rights request is received (at intake, or when an agent enters an emailed one): what we got,
// its reference, when we answer by, and what happens next.
import { z } from 'zod';
import { defineTemplate, greeting } from '../../notifications/index.ts';
import { firstName, isoDate, link, readableDate, requestId, requestType, requestTypeLabel } from './fields.ts';

export const requestAcknowledgedEmail = defineTemplate(
  'privacy-request-acknowledged',
  z.strictObject({ firstName, requestId, type: requestType, dueDate: isoDate, nextStep: z.enum(['verify_code', 'verify_sign_in', 'agent_document', 'none']), statusLink: link.optional() }),
  (data) => ({
    subject: `We received your ${requestTypeLabel(data.type)} (${data.requestId})`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `We received your ${requestTypeLabel(data.type)}. Its reference is ${data.requestId}. We will answer by ${readableDate(data.dueDate)} at the latest.` },
      {
        kind: 'paragraph',
        text:
          data.nextStep === 'verify_code'
            ? 'Before we can act on it we need to confirm the identity of the person it is about: we sent a 6-digit code to their email address.'
            : data.nextStep === 'verify_sign_in'
              ? 'Before we can act on it, please sign in again and confirm the request from your account’s privacy page.'
              : data.nextStep === 'agent_document'
                ? 'As an authorized agent, please upload a power of attorney or a letter signed by the person you act for.'
                : 'No further step is needed from you.',
      },
      ...(data.statusLink ? [{ kind: 'action' as const, label: 'See the request', url: data.statusLink }] : []),
      { kind: 'note', text: 'If you did not make this request, reply to this email and tell us.' },
    ],
  }),
  { firstName: 'Ada', requestId: 'prq_01J0000000000000000000', type: 'access', dueDate: '2025-03-17', nextStep: 'verify_code', statusLink: 'https://shop.example/privacy/requests/prq_01J?t=abc' },
);
