// Field schemas the membership emails share.
import { z } from 'zod';
import { templateFields } from '../../notifications/index.ts';

export const { firstName, link } = templateFields;
export const planName = z.enum(['monthly', 'annual']);
export const isoTime = z.iso.datetime({ offset: true });
/** An amount already formatted for people ("$99.99"): the template never does money arithmetic. */
export const amount = z.string().regex(/^\$[0-9,]+\.[0-9]{2}$/);

export function planLabel(plan: 'monthly' | 'annual'): string {
  return plan === 'monthly' ? 'Plus Monthly' : 'Plus Annual';
}
