// Sent when a renewal payment fails (MB-4): benefits are paused and the payment is tried again on a stated date.
import { z } from 'zod';
import { defineTemplate, formatDateTimeUtc, greeting } from '../../notifications/index.ts';
import { amount, firstName, isoTime, link, planLabel, planName } from './fields.ts';

export const membershipPaymentFailedEmail = defineTemplate(
  'membership-payment-failed',
  z.strictObject({ firstName, plan: planName, price: amount, nextTryAt: isoTime.nullable(), manageLink: link }),
  (data) => ({
    subject: `We could not renew your ${planLabel(data.plan)} membership`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `The renewal payment of ${data.price} did not go through, so your Plus benefits are paused.` },
      {
        kind: 'paragraph',
        text: data.nextTryAt
          ? `We will try again on ${formatDateTimeUtc(data.nextTryAt)}. Update your payment method before then to keep your membership.`
          : 'This was the last try.',
      },
      { kind: 'action', label: 'Update your payment method', url: data.manageLink },
    ],
  }),
  { firstName: 'Ada', plan: 'monthly', price: '$9.99', nextTryAt: '2026-04-03T17:00:00.000Z', manageLink: 'https://shop.example/account/membership' },
);
