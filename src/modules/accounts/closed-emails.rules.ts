// The keyed hash of a closed account's address (CR-1): HMAC-SHA-256 under a key derived from the server secret, of
// the address in its normal form (AC-1: trimmed, lower-cased). Without the server secret it cannot be recomputed
// from a guessed address, and it names no member, so it is all that stays of the address after erasure.
import { createHmac } from 'node:crypto';
import { deriveKey } from '../../platform/secret-box.ts';
import { memoize } from '../../platform/memo.ts';
import { normalizeEmail } from './profile.rules.ts';

const digestKeyFor = memoize((serverSecret: string): Buffer => deriveKey(serverSecret, 'patron:closed-email:v1'));

export function closedEmailDigest(serverSecret: string, email: string): string {
  return createHmac('sha256', digestKeyFor(serverSecret)).update(normalizeEmail(email)).digest('base64url');
}

/**
 * What a closed account's unique email column holds once the address is freed: not an address anyone can own
 * (`.invalid` is reserved, RFC 2606), unique per member, and already in normal form.
 */
export function closedEmailPlaceholder(memberId: string): string {
  return `closed.${memberId.toLowerCase()}@closed.invalid`;
}
