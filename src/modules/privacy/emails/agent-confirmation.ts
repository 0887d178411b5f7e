// PV-14: an authorized agent sent a signed letter, so the subject confirms separately that the agent acts for them
// before the request proceeds; the link goes to the subject's own address.
import { z } from 'zod';
import { defineTemplate, greeting } from '../../notifications/index.ts';
import { firstName, link, requestId, requestType, requestTypeLabel } from './fields.ts';

export const agentConfirmationEmail = defineTemplate(
  'privacy-agent-confirmation',
  z.strictObject({ firstName, requestId, type: requestType, agentName: z.string().trim().min(1).max(200), link }),
  (data) => ({
    subject: `Confirm that ${data.agentName} may act for you (${data.requestId})`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `${data.agentName} sent us a ${requestTypeLabel(data.type)} on your behalf, with a signed letter of authorization. Before we act on it, please confirm that you gave them permission.` },
      { kind: 'action', label: 'Yes, they act for me', url: data.link },
      { kind: 'note', text: 'If you did not authorize anyone, ignore this email: the request will not proceed, and it closes after 7 days.' },
    ],
  }),
  { firstName: 'Ada', requestId: 'prq_01J0000000000000000000', type: 'access', agentName: 'Privacy Helpers LLC', link: 'https://shop.example/privacy/requests/prq_01J/confirm-agent?t=abc' },
);
