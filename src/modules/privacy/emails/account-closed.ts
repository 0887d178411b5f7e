// Confirms an account closure (AC-10, PV-32): what ended, what was forfeited, and that the data is kept, storage-only,
// for the legal period before it is deleted. Sent to the address the account had, queued in the closure's transaction.
import { z } from 'zod';
import { defineTemplate, formatCredits, formatDateTimeUtc, greeting, templateFields } from '../../notifications/index.ts';

const { firstName } = templateFields;

export const accountClosedEmail = defineTemplate(
  'account-closed',
  z.strictObject({ firstName, closedAt: z.iso.datetime(), creditsForfeited: z.number().int().min(0).max(1_000_000_000), plusEnded: z.boolean() }),
  (data) => ({
    subject: 'Your account is closed',
    blocks: [
      greeting(data.firstName),
      { kind: 'paragraph', text: `Your account was closed on ${formatDateTimeUtc(data.closedAt)}, as you asked. You have left the rewards program and can no longer sign in.` },
      ...(data.plusEnded ? [{ kind: 'paragraph' as const, text: 'Your Plus membership ended at the same time. Membership fees are not refunded.' }] : []),
      {
        kind: 'paragraph',
        text: data.creditsForfeited > 0 ? `${formatCredits(data.creditsForfeited)} in your account were forfeited.` : 'Your account held no rewards credits.',
      },
      {
        kind: 'note',
        text: 'We keep your records, used for nothing else, only as long as the law requires (for example tax records of your orders), and delete them afterwards. You can still ask us for a copy of your data or its erasure. You are welcome to join again with a new account; the sign-up bonus is given once per person.',
      },
    ],
  }),
  { closedAt: '2026-05-02T17:00:00.000Z', creditsForfeited: 1250, plusEnded: true, firstName: 'Ada' },
);
