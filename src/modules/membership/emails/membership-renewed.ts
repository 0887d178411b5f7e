// Sent after a renewal payment succeeds (MB-3), including one that succeeded on a retry (MB-4).
import { z } from 'zod';
import { defineTemplate, formatDateTimeUtc, greeting } from '../../notifications/index.ts';
import { amount, firstName, isoTime, link, planLabel, planName } from './fields.ts';

export const membershipRenewedEmail = defineTemplate(
  'membership-renewed',
  z.strictObject({ firstName, plan: planName, price: amount, renewsAt: isoTime, manageLink: link }),
  (data) => ({
    subject: `Your ${planLabel(data.plan)} membership was renewed`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `We charged ${data.price} and your ${planLabel(data.plan)} membership continues. The next renewal is on ${formatDateTimeUtc(data.renewsAt)}.` },
      { kind: 'action', label: 'Manage your membership', url: data.manageLink },
    ],
  }),
  { firstName: 'Ada', plan: 'monthly', price: '$9.99', renewsAt: '2026-04-02T17:00:00.000Z', manageLink: 'https://shop.example/account/membership' },
);
