// Sent when the first payment succeeds and Plus starts (MB-2).
import { z } from 'zod';
import { defineTemplate, formatDateTimeUtc, greeting } from '../../notifications/index.ts';
import { amount, firstName, isoTime, link, planLabel, planName } from './fields.ts';

export const membershipJoinedEmail = defineTemplate(
  'membership-joined',
  z.strictObject({ firstName, plan: planName, price: amount, renewsAt: isoTime, manageLink: link }),
  (data) => ({
    subject: `Welcome to ${planLabel(data.plan)}`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `Your ${planLabel(data.plan)} membership is active now: member discounts, extra credits on Plus products and next-day delivery vouchers apply from your next order.` },
      { kind: 'paragraph', text: `It renews automatically on ${formatDateTimeUtc(data.renewsAt)} for ${data.price}. We will remind you before then.` },
      { kind: 'action', label: 'Manage your membership', url: data.manageLink },
      { kind: 'note', text: 'Membership fees are not refunded. You can turn off auto-renewal at any time and keep your benefits to the end of the period.' },
    ],
  }),
  { firstName: 'Ada', plan: 'annual', price: '$99.99', renewsAt: '2027-03-02T17:00:00.000Z', manageLink: 'https://shop.example/account/membership' },
);
