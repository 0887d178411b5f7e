// Sent when a case is opened (AS-12): what was asked, what our rules said in customer words, where to follow it.
import { z } from 'zod';
import { defineTemplate, greeting } from '../../notifications/index.ts';
import { caseId, caseKind, caseKindLabel, firstName, link, safeText } from './fields.ts';

export const caseReceivedEmail = defineTemplate(
  'aftersales-case-received',
  z.strictObject({ firstName, caseId, kind: caseKind, decisionTexts: z.array(safeText).max(10), statusLink: link, autoApproved: z.boolean() }),
  (data) => ({
    subject: `We received your ${caseKindLabel(data.kind)} (${data.caseId})`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: data.autoApproved ? `Your ${caseKindLabel(data.kind)} ${data.caseId} is approved.` : `We received your ${caseKindLabel(data.kind)} ${data.caseId}. We will email you at each step.` },
      ...data.decisionTexts.map((text) => ({ kind: 'paragraph' as const, text })),
      { kind: 'action', label: 'See your case', url: data.statusLink },
    ],
  }),
  { firstName: 'Ada', caseId: 'cas_01J0000000000000000000', kind: 'warranty_claim', decisionTexts: ['Your product is under warranty. An agent will decide between a replacement and a refund.'], statusLink: 'https://shop.example/account/returns/cas_01J0000000000000000000', autoApproved: false },
);
