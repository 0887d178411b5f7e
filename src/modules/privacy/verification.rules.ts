// Identity verification of rights requests (PV-11..PV-13) as pure rules: the emailed code's lifetime, tries and
// resend bounds, its keyed hash and constant-time check, the facts a requester can match against the store's
// records, and when a request counts as verified.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DAY_MS, MINUTE_MS } from '../../platform/clock.ts';
import { factsRequired, type VerificationLevel } from './requests.rules.ts';

/** PV-12: a code works for 10 minutes and 3 tries; the 4th try is refused even with the right code. */
export const codeLifetimeMs = 10 * MINUTE_MS;
export const maxCodeAttempts = 3;
/** A new code at most once a minute and 5 times an hour per request (the per-IP route limit sits in front). */
export const codeResendIntervalMs = MINUTE_MS;
export const maxCodesPerHour = 5;
/** PV-13: at most 5 tries of the matching facts per request; past that the request waits for the 7-day close. */
export const maxFactsAttempts = 5;
/** PV-12: a request still unverified 7 days after receipt closes. */
export const unverifiedRequestLifetimeDays = 7;
export const unverifiedRequestLifetimeMs = unverifiedRequestLifetimeDays * DAY_MS;

/** The stored form of a code: HMAC-SHA256 under the server secret, bound to the request. */
export function hashCode(secret: string, requestId: string, code: string): string {
  return createHmac('sha256', secret).update(`privacy-verification-code\n${requestId}\n${code}`).digest('hex');
}

/** Constant-time comparison of a typed code with the stored hash. */
export function codeMatches(secret: string, requestId: string, code: string, storedHash: string): boolean {
  const given = Buffer.from(hashCode(secret, requestId, code), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function formatCode(value: number): string {
  return String(value).padStart(6, '0');
}

/** What a requester tells us about an order, matched against the store's record of it (PV-13). */
export interface OfferedFacts {
  orderNumber?: string;
  shipToZip?: string;
  /** `YYYY-MM-DD`, the UTC date the order was placed. */
  orderDate?: string;
  amountMinor?: number;
}

/** What the store's records say about that order, when the order is the subject's. */
export interface RecordedOrder {
  shipToZip: string | null;
  placedDate: string;
  totalMinor: number;
}

const zip = (value: string) => value.replace(/[\s-]/g, '').toUpperCase().slice(0, 5);

/**
 * How many facts match, at most 3: the order number (when it names an order of the subject's), the ship-to zip
 * (first 5 characters, spaces and dashes ignored), and the order's date or its amount (either counts once: the spec
 * lists them as one fact). Without an order of the subject's nothing else can be compared, so 0.
 */
export function countMatchingFacts(offered: OfferedFacts, order: RecordedOrder | undefined): number {
  if (!order) return 0;
  let matches = 1;
  if (offered.shipToZip && order.shipToZip && zip(offered.shipToZip) === zip(order.shipToZip)) matches++;
  const dateMatches = offered.orderDate !== undefined && offered.orderDate === order.placedDate;
  const amountMatches = offered.amountMinor !== undefined && offered.amountMinor === order.totalMinor;
  if (dateMatches || amountMatches) matches++;
  return matches;
}

export interface VerificationProgress {
  level: VerificationLevel;
  codeVerified: boolean;
  factsMatched: number;
  declarationSigned: boolean;
  agentConfirmationRequired: boolean;
  agentConfirmed: boolean;
  hasAgentDocument: boolean;
  authorizedAgent: boolean;
}

/** What is still missing before the request is verified; empty when it is. */
export function missingVerificationSteps(progress: VerificationProgress): ('code' | 'facts' | 'declaration' | 'agent_document' | 'subject_confirmation')[] {
  const missing: ('code' | 'facts' | 'declaration' | 'agent_document' | 'subject_confirmation')[] = [];
  if (progress.authorizedAgent && !progress.hasAgentDocument) missing.push('agent_document');
  if (progress.agentConfirmationRequired && !progress.agentConfirmed) missing.push('subject_confirmation');
  if (progress.level === 'none') return missing;
  if (!progress.codeVerified) missing.push('code');
  if (progress.factsMatched < factsRequired(progress.level)) missing.push('facts');
  if (progress.level === 'code_three_facts_declaration' && !progress.declarationSigned) missing.push('declaration');
  return missing;
}
