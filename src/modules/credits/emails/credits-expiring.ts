// Warns that credits will expire soon (NT-3): the total and the soonest expiry, and, when several lots are warned
// together (CR-10, one email per member per sweep batch), each lot's amount and expiry.
import { z } from 'zod';
import { defineTemplate, formatCredits, formatDateTimeUtc, greeting, type Block, templateFields } from '../../notifications/index.ts';

const { credits, firstName } = templateFields;

/** The most lots one warning lists; the caller sends none (just the total) when there are more. */
export const maxExpiringLots = 50;

const expiresAt = z.iso.datetime({ offset: true });

export const creditsExpiringEmail = defineTemplate(
  'credits-expiring',
  z.strictObject({ credits, expiresAt, firstName, lots: z.array(z.strictObject({ credits, expiresAt })).max(maxExpiringLots).optional() }),
  (data) => {
    const lots = data.lots ?? [];
    const breakdown: Block[] =
      lots.length > 1
        ? [
            { kind: 'paragraph', text: 'They expire as follows:' },
            { kind: 'table', columns: ['Credits', 'Expires on'], rows: lots.map((lot) => [formatCredits(lot.credits), formatDateTimeUtc(lot.expiresAt)]) },
          ]
        : [];
    return {
      subject: 'Your rewards credits expire soon',
      blocks: [
        greeting(data.firstName),
        { kind: 'paragraph', text: `${formatCredits(data.credits)} in your account will expire on ${formatDateTimeUtc(data.expiresAt)}.` },
        ...breakdown,
        { kind: 'paragraph', text: 'Use them on an order before then to keep their value.' },
      ],
    };
  },
  { credits: 1, expiresAt: '2026-04-01T07:00:00.000Z' },
);
