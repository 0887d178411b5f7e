// A campaign's audience filter and content limits (PV-26, NT-5), validated at the boundary and stored as JSON.
import { z } from 'zod';

export const audienceSchema = z.discriminatedUnion('kind', [
  /** Every contact subscribed to the campaign's channel. */
  z.strictObject({ kind: z.literal('all') }),
  /** Subscribed contacts who are Plus members at the moment of sending. */
  z.strictObject({ kind: z.literal('plus') }),
  /** Subscribed contacts whose region is in this country (ISO 3166-1 alpha-2). */
  z.strictObject({ kind: z.literal('country'), country: z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/, 'a two-letter country code') }),
]);
export type Audience = z.infer<typeof audienceSchema>;

/** Bounded batches (CONVENTIONS: bound everything): one transaction per batch, then the next batch's job. */
export const sendBatchSize = 500;
/** Texts are billed per 160-character segment; a campaign text stays within three. */
export const maxTextLength = 480;

export function parseAudience(text: string): Audience {
  return audienceSchema.parse(JSON.parse(text));
}

export function describeAudience(audience: Audience): string {
  switch (audience.kind) {
    case 'all':
      return 'Everyone subscribed';
    case 'plus':
      return 'Plus members';
    case 'country':
      return `Subscribers in ${audience.country}`;
  }
}
