// Sent when the retries of a failed renewal are used up and the membership lapses (MB-4).
import { z } from 'zod';
import { defineTemplate, greeting } from '../../notifications/index.ts';
import { firstName, link, planLabel, planName } from './fields.ts';

export const membershipLapsedEmail = defineTemplate(
  'membership-lapsed',
  z.strictObject({ firstName, plan: planName, joinLink: link }),
  (data) => ({
    subject: `Your ${planLabel(data.plan)} membership has ended`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `We could not collect the renewal payment after several tries, so your ${planLabel(data.plan)} membership has ended. Your rewards credits are not affected.` },
      { kind: 'action', label: 'Join Plus again', url: data.joinLink },
    ],
  }),
  { firstName: 'Ada', plan: 'monthly', joinLink: 'https://shop.example/account/membership' },
);
