// PV-3: a denial or a partial answer carries the reason, the legal basis, how to appeal and which authority the
// subject may complain to.
import { z } from 'zod';
import { defineTemplate, greeting } from '../../notifications/index.ts';
import { firstName, link, requestId, requestType, requestTypeLabel, safeText } from './fields.ts';

export const requestDeniedEmail = defineTemplate(
  'privacy-request-denied',
  z.strictObject({
    firstName,
    requestId,
    type: requestType,
    partial: z.boolean(),
    reason: safeText,
    legalBasis: z.string().trim().min(1).max(500),
    appealInstructions: safeText,
    appealLink: link,
    authorityName: safeText,
    authorityUrl: link,
  }),
  (data) => ({
    subject: data.partial ? `We could only partly complete your ${requestTypeLabel(data.type)} (${data.requestId})` : `We cannot complete your ${requestTypeLabel(data.type)} (${data.requestId})`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: data.partial ? `We carried out part of your ${requestTypeLabel(data.type)} (${data.requestId}), but not all of it.` : `We cannot carry out your ${requestTypeLabel(data.type)} (${data.requestId}).` },
      { kind: 'table', columns: ['', ''], rows: [['Reason', data.reason], ['Legal basis', data.legalBasis]] },
      { kind: 'paragraph', text: data.appealInstructions },
      { kind: 'action', label: 'Appeal this decision', url: data.appealLink },
      { kind: 'paragraph', text: `You also have the right to complain to ${data.authorityName}: ${data.authorityUrl}` },
    ],
  }),
  {
    firstName: 'Ada',
    requestId: 'prq_01J0000000000000000000',
    type: 'erase',
    partial: true,
    reason: 'We must keep some records by law.',
    legalBasis: '26 U.S.C. § 6001 (tax records)',
    appealInstructions: 'You can appeal this decision: use the appeal link below or reply to this email.',
    appealLink: 'https://shop.example/privacy/requests/prq_01J/appeal?t=abc',
    authorityName: 'California Privacy Protection Agency',
    authorityUrl: 'https://cppa.ca.gov/webapplications/complaint',
  },
);
