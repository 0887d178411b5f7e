// Field schemas and wording the privacy-request emails share: the request's type in plain words.
import { z } from 'zod';
import { templateFields } from '../../notifications/index.ts';
import { requestTypes, type RequestType } from '../requests.rules.ts';

export const { firstName, link } = templateFields;
export const requestId = z.string().min(1).max(100);
export const requestType = z.enum(requestTypes);
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
/** Text we wrote (a reason's label, an authority's name), never a requester's own. */
export const safeText = z.string().trim().min(1).max(1000);

const typeLabels: Record<RequestType, string> = {
  access: 'request for a copy of your personal data',
  portability: 'request for your personal data in a portable format',
  know: 'request to know what personal data we process',
  rectify: 'request to correct your personal data',
  erase: 'request to delete your personal data',
  restrict: 'request to restrict the processing of your personal data',
  object: 'objection to direct marketing',
  withdraw_consent: 'withdrawal of consent',
  optout_sale_share: 'opt-out of the sale or sharing of your personal data',
  optout_targeted_ads: 'opt-out of targeted advertising',
  limit_sensitive: 'request to limit the use of your sensitive personal data',
  complaint: 'privacy complaint',
  appeal: 'appeal of a privacy decision',
};

export function requestTypeLabel(type: RequestType): string {
  return typeLabels[type];
}

/** A date as people read it: 2025-02-24 → February 24, 2025. */
export function readableDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  return `${months[month! - 1]} ${day}, ${year}`;
}
