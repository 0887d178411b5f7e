// Sent when a case is resolved (AS-12): the remedy in customer words (a refund, a replacement, credits back).
import { z } from 'zod';
import { defineTemplate, greeting } from '../../notifications/index.ts';
import { remedies, type Remedy } from '../cases.rules.ts';
import { caseId, caseKind, caseKindLabel, firstName, link, safeText } from './fields.ts';

const remedyText: Record<Remedy, string> = {
  refund: 'We refunded the item to your original payment method. Banks usually show it within 5 to 10 business days.',
  exchange: 'We are sending you the exchange item at no charge. You will get its shipping details separately.',
  replacement: 'We are sending you a replacement at no charge. You will get its shipping details separately.',
  credit_restore: 'We put the credits you spent on this item back into your account.',
  none: 'No further action is needed.',
};

export const caseResolvedEmail = defineTemplate(
  'aftersales-case-resolved',
  z.strictObject({ firstName, caseId, kind: caseKind, remedy: z.enum(remedies), detail: safeText.optional(), statusLink: link }),
  (data) => ({
    subject: `Your ${caseKindLabel(data.kind)} ${data.caseId} is resolved`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `Your ${caseKindLabel(data.kind)} ${data.caseId} is resolved. ${remedyText[data.remedy]}` },
      ...(data.detail ? [{ kind: 'paragraph' as const, text: data.detail }] : []),
      { kind: 'action', label: 'See your case', url: data.statusLink },
    ],
  }),
  { firstName: 'Ada', caseId: 'cas_01J0000000000000000000', kind: 'return', remedy: 'refund', detail: '$49.00 refunded; 49 credits earned on the item were reversed.', statusLink: 'https://shop.example/account/returns/cas_01J0000000000000000000' },
);
