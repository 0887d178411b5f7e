// Sent at each change of a case's state that is not its resolution (AS-12): the new state, what it means, and for
// "needs info" what we are asking. The message text is an agent's question or our own wording, escaped by the layout.
import { z } from 'zod';
import { defineTemplate, greeting } from '../../notifications/index.ts';
import { caseId, caseKind, caseKindLabel, caseState, caseStateLabel, firstName, link } from './fields.ts';
import type { CaseState } from '../cases.rules.ts';

const nextStep: Record<CaseState, string> = {
  submitted: 'We will look at it soon.',
  under_review: 'An agent is looking at it.',
  needs_info: 'We need a little more information before we can decide. Please answer on the case page.',
  approved: 'It is approved. We will tell you the next step.',
  awaiting_return: 'Please send the item back. Your case page says how.',
  received: 'We received the item and inspected it. We will resolve the case next.',
  resolved: 'It is resolved.',
  rejected: 'We could not approve it.',
  canceled: 'It is canceled. Nothing more will happen with it.',
  expired: 'It was closed because we did not hear back in time. You can open a new case if you still need help.',
};

export const caseStatusChangedEmail = defineTemplate(
  'aftersales-case-status-changed',
  z.strictObject({ firstName, caseId, kind: caseKind, state: caseState, message: z.string().trim().min(1).max(2000).optional(), statusLink: link }),
  (data) => ({
    subject: `Your ${caseKindLabel(data.kind)} ${data.caseId}: ${caseStateLabel(data.state).toLowerCase()}`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `Your ${caseKindLabel(data.kind)} ${data.caseId} is now: ${caseStateLabel(data.state)}. ${nextStep[data.state]}` },
      ...(data.message ? [{ kind: 'note' as const, text: data.message }] : []),
      { kind: 'action', label: data.state === 'needs_info' ? 'Answer on your case page' : 'See your case', url: data.statusLink },
    ],
  }),
  { firstName: 'Ada', caseId: 'cas_01J0000000000000000000', kind: 'return', state: 'needs_info', message: 'Could you send a photo of the serial number label?', statusLink: 'https://shop.example/returns/status/cas_01J0000000000000000000?t=abc' },
);
