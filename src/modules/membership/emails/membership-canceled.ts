// Sent when a membership is canceled (MB-6: benefits end at once, nothing is refunded) or ends because auto-renewal
// was off at the end of the period.
import { z } from 'zod';
import { defineTemplate, formatDateTimeUtc, greeting } from '../../notifications/index.ts';
import { firstName, isoTime, link, planLabel, planName } from './fields.ts';

export const membershipCanceledEmail = defineTemplate(
  'membership-canceled',
  z.strictObject({ firstName, plan: planName, endedAt: isoTime, reason: z.enum(['canceled', 'not_renewed']), joinLink: link }),
  (data) => ({
    subject: `Your ${planLabel(data.plan)} membership has ended`,
    blocks: [
      greeting(data.firstName),
      {
        kind: 'paragraph',
        text:
          data.reason === 'canceled'
            ? `Your ${planLabel(data.plan)} membership was canceled on ${formatDateTimeUtc(data.endedAt)} and its benefits ended then. Membership fees are not refunded.`
            : `Your ${planLabel(data.plan)} membership ended on ${formatDateTimeUtc(data.endedAt)} because auto-renewal was off.`,
      },
      { kind: 'paragraph', text: 'Your rewards credits are not affected.' },
      { kind: 'action', label: 'Join Plus again', url: data.joinLink },
    ],
  }),
  { firstName: 'Ada', plan: 'annual', endedAt: '2026-05-02T17:00:00.000Z', reason: 'canceled', joinLink: 'https://shop.example/account/membership' },
);
