// Pure marketing rules: SMS keywords (PV-28), signed unsubscribe and tracking tokens (PV-27, PV-29), the inbound SMS
// webhook signature (NT-6), the newsletter's one-code-per-address key (ST-10) and the RFC 8058 headers.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { MINUTE_MS } from '../../platform/clock.ts';

/**
 * The stop words of PV-28 (the CTIA/carrier list). A text is a keyword only when the whole message is one, in any
 * case and with any spacing ("Stop", " opt   out "), optionally followed by punctuation: "please stop texting me
 * about the sale" is a message for a person, not an opt-out (carriers treat keywords the same way).
 */
export const stopKeywords = ['STOP', 'QUIT', 'END', 'REVOKE', 'OPT OUT', 'CANCEL', 'UNSUBSCRIBE'] as const;
/** START and UNSTOP re-subscribe a number that texted a stop word (the carriers' re-opt-in words). */
export const startKeywords = ['START', 'UNSTOP'] as const;
export const helpKeywords = ['HELP', 'INFO'] as const;

export type SmsKeyword = 'stop' | 'start' | 'help';

function squash(text: string): string {
  return text.replace(/\s+/g, '').replace(/[.!?]+$/, '').toUpperCase();
}

export function smsKeywordOf(body: string): SmsKeyword | null {
  const word = squash(body);
  if (stopKeywords.some((stop) => squash(stop) === word)) return 'stop';
  if (startKeywords.some((start) => squash(start) === word)) return 'start';
  if (helpKeywords.some((help) => squash(help) === word)) return 'help';
  return null;
}

// Signed tokens: `<id>.<mac>`, where the ID is a random delivery ID (no personal data in the URL) and the MAC binds it
// to its use, so an unsubscribe token cannot be replayed as a tracking token and an ID alone is worth nothing.
export type TokenUse = 'unsubscribe' | 'open' | 'click';

function tokenMac(secret: string, use: TokenUse, id: string): string {
  return createHmac('sha256', secret).update(`marketing:${use}:${id}`).digest('base64url').slice(0, 22);
}

export function signToken(secret: string, use: TokenUse, id: string): string {
  return `${id}.${tokenMac(secret, use, id)}`;
}

/** The delivery ID a token names, or null when it is malformed or its MAC does not match. */
export function verifyToken(secret: string, use: TokenUse, token: string): string | null {
  const match = /^([a-z]{3}_[0-9a-z]{6,40})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!match) return null;
  const expected = Buffer.from(tokenMac(secret, use, match[1]!));
  const given = Buffer.from(match[2]!);
  return expected.length === given.length && timingSafeEqual(expected, given) ? match[1]! : null;
}

/** Single-use confirmation links store only this hash of their random token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The key of an address in the newsletter-code register (ST-10): an HMAC of the normalized address, so the register
 * proves "this address already had its code" without keeping the address, and survives unsubscribing and erasure.
 */
export function newsletterEmailKey(secret: string, normalizedEmail: string): string {
  return createHmac('sha256', secret).update(`newsletter-code:${normalizedEmail}`).digest('hex');
}

/** RFC 2369 / RFC 8058 headers of one promotional email (PV-27). */
export function listUnsubscribeHeaders(oneClickUrl: string, mailto: string | null): Record<'List-Unsubscribe' | 'List-Unsubscribe-Post', string> {
  return {
    'List-Unsubscribe': mailto ? `<${oneClickUrl}>, <mailto:${mailto}>` : `<${oneClickUrl}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

// Inbound SMS webhook signature (NT-6), like the storefront's (docs/WEBHOOKS.md): X-Patron-Sms-Signature carries
// base64(HMAC-SHA256(secret, `${timestamp}.${raw body}`)) and X-Patron-Sms-Timestamp the Unix time in seconds, which
// must lie within five minutes of our clock so a captured delivery cannot be replayed later.
export const smsWebhookToleranceMs = 5 * MINUTE_MS;
export const smsWebhookHeaders = { signature: 'x-patron-sms-signature', timestamp: 'x-patron-sms-timestamp' } as const;

/** The webhook secret: configured, or derived from the server secret so it needs no configuration of its own. */
export function smsWebhookSecret(configured: string | undefined, serverSecret: string): string {
  return configured ?? `smswh_${createHmac('sha256', serverSecret).update('sms-webhook').digest('base64url')}`;
}

export function signSmsWebhook(secret: string, timestampSeconds: number, body: Buffer): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('base64');
}

export type SmsSignatureCheck = { ok: true } | { ok: false; reason: 'bad_signature' | 'stale' };

export function verifySmsWebhook(input: { secret: string; body: Buffer; signature: string | undefined; timestamp: string | undefined; nowMs: number }): SmsSignatureCheck {
  const seconds = input.timestamp && /^\d{9,11}$/.test(input.timestamp) ? Number(input.timestamp) : Number.NaN;
  const expected = Buffer.from(signSmsWebhook(input.secret, Number.isFinite(seconds) ? seconds : 0, input.body), 'base64');
  const given = Buffer.from(input.signature ?? '', 'base64');
  if (!Number.isFinite(seconds) || given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  if (Math.abs(input.nowMs - seconds * 1000) > smsWebhookToleranceMs) return { ok: false, reason: 'stale' };
  return { ok: true };
}

/** Links in a campaign's text body: web addresses only (tracked links redirect to exactly these, never elsewhere). */
export function linksOf(body: string): string[] {
  return [...body.matchAll(/https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)]/g)].map((m) => m[0]);
}
