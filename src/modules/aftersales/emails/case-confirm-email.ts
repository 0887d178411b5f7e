// Sent to a guest right after they open a case (AS-1): the single-use link that confirms the address is theirs.
// Until it is followed the case waits outside the agent queue and nothing else is sent to the address.
import { z } from 'zod';
import { defineTemplate, greeting } from '../../notifications/index.ts';
import { caseId, caseKind, caseKindLabel, firstName, link } from './fields.ts';

export const caseConfirmEmail = defineTemplate(
  'aftersales-case-confirm-email',
  z.strictObject({ firstName, caseId, kind: caseKind, link, validHours: z.number().int().min(1).max(168) }),
  (data) => ({
    subject: `Confirm your email to send your ${caseKindLabel(data.kind)} (${data.caseId})`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `We have your ${caseKindLabel(data.kind)} ${data.caseId}. Please confirm that this email address is yours, so we can start working on it and write to you about it.` },
      { kind: 'action', label: 'Confirm my email', url: data.link },
      { kind: 'paragraph', text: `The link works once and for ${data.validHours} hours. If you did not ask for this, ignore this email and nothing will happen.` },
    ],
  }),
  { firstName: 'Ada', caseId: 'cas_01J0000000000000000000', kind: 'warranty_claim', link: 'https://shop.example/returns/confirm?token=abc', validHours: 24 },
);
