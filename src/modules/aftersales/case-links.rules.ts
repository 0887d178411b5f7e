// Where a requester follows their case (AS-12): members in the member center, guests through a link that carries a
// keyed token of the case ID. The token is derived, not stored, so every status email can carry the same link
// without keeping a secret per case; it proves possession of a message we sent to the case's address, like the
// order-status links of most stores, and rotating the server secret revokes every link at once.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function caseStatusToken(secret: string, caseId: string): string {
  return createHmac('sha256', secret).update(`aftersales-status\n${caseId}`).digest('base64url').slice(0, 32);
}

/** Constant-time check of a status link's token for the case it names. */
export function isCaseStatusToken(secret: string, caseId: string, token: string): boolean {
  const expected = Buffer.from(caseStatusToken(secret, caseId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function caseStatusUrl(publicUrl: string, secret: string, record: { id: string; memberId: string | null }): string {
  if (record.memberId !== null) return `${publicUrl}/account/returns/${encodeURIComponent(record.id)}`;
  return `${publicUrl}/returns/status/${encodeURIComponent(record.id)}?t=${caseStatusToken(secret, record.id)}`;
}
