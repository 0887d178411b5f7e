// The notice before each renewal (MB-3): the date, the price and how to cancel, sent 7 (monthly) or 30 (annual)
// days ahead. Its outbox row is the proof of notice the subscription keeps.
import { z } from 'zod';
import { defineTemplate, formatDateTimeUtc, greeting } from '../../notifications/index.ts';
import { amount, firstName, isoTime, link, planLabel, planName } from './fields.ts';

export const membershipRenewalReminderEmail = defineTemplate(
  'membership-renewal-reminder',
  z.strictObject({ firstName, plan: planName, price: amount, renewsAt: isoTime, manageLink: link }),
  (data) => ({
    subject: `Your ${planLabel(data.plan)} membership renews on ${formatDateTimeUtc(data.renewsAt)}`,
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `Your ${planLabel(data.plan)} membership renews automatically on ${formatDateTimeUtc(data.renewsAt)}. We will charge ${data.price} to your saved payment method.` },
      { kind: 'paragraph', text: 'To stop the renewal, turn off auto-renewal or cancel on your membership page before that date. Turning off auto-renewal keeps your benefits to the end of the period; canceling ends them at once. Fees already paid are not refunded.' },
      { kind: 'action', label: 'Manage or cancel your membership', url: data.manageLink },
    ],
  }),
  { firstName: 'Ada', plan: 'annual', price: '$99.99', renewsAt: '2027-03-02T17:00:00.000Z', manageLink: 'https://shop.example/account/membership' },
);
