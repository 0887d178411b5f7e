// The links a rights request's emails and answers carry. A guest's request is followed with a keyed token of its ID
// (derived, not stored, like after-sales' status links): it proves possession of the intake answer or an email we
// sent, and rotating the server secret revokes every link at once. The agent-confirmation link (PV-14) has its own
// purpose in the key, so the requester's token never confirms for the subject.
import { createHmac, timingSafeEqual } from 'node:crypto';

type TokenPurpose = 'status' | 'confirm-agent';

export function requestToken(secret: string, requestId: string, purpose: TokenPurpose = 'status'): string {
  return createHmac('sha256', secret).update(`privacy-request-${purpose}\n${requestId}`).digest('base64url').slice(0, 32);
}

/** Constant-time check of a request link's token. */
export function isRequestToken(secret: string, requestId: string, token: string, purpose: TokenPurpose = 'status'): boolean {
  const expected = Buffer.from(requestToken(secret, requestId, purpose));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function requestStatusUrl(publicUrl: string, secret: string, request: { id: string; channel: string }): string {
  if (request.channel === 'member_center') return `${publicUrl}/account/privacy/requests/${encodeURIComponent(request.id)}`;
  return `${publicUrl}/privacy/requests/${encodeURIComponent(request.id)}?t=${requestToken(secret, request.id)}`;
}

export function appealUrl(publicUrl: string, secret: string, request: { id: string; channel: string }): string {
  if (request.channel === 'member_center') return `${publicUrl}/account/privacy/requests/${encodeURIComponent(request.id)}/appeal`;
  return `${publicUrl}/privacy/requests/${encodeURIComponent(request.id)}/appeal?t=${requestToken(secret, request.id)}`;
}

export function confirmAgentUrl(publicUrl: string, secret: string, requestId: string): string {
  return `${publicUrl}/privacy/requests/${encodeURIComponent(requestId)}/confirm-agent?t=${requestToken(secret, requestId, 'confirm-agent')}`;
}
