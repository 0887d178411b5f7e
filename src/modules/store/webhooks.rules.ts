// Storefront webhook signatures (ST-8) and the storefront's decimal money strings, as pure functions.
//
// A delivery is signed like a widely used storefront platform's order webhooks: the header
// X-Storefront-Hmac-Sha256 carries base64(HMAC-SHA256(secret, raw request body)). The signature is compared in
// constant time on the decoded bytes, and X-Storefront-Triggered-At (which must equal the signed body's
// `created_at`) must lie within five minutes of our clock, so a captured delivery cannot be replayed later.
// docs/WEBHOOKS.md documents the shape.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { MINUTE_MS } from '../../platform/clock.ts';

export const webhookToleranceMs = 5 * MINUTE_MS;

export const storefrontHeaders = {
  signature: 'x-storefront-hmac-sha256',
  topic: 'x-storefront-topic',
  eventId: 'x-storefront-event-id',
  triggeredAt: 'x-storefront-triggered-at',
  shopDomain: 'x-storefront-shop-domain',
} as const;

/** The per-installation webhook secret: derived from the server secret, so it needs no configuration of its own. */
export function storefrontWebhookSecret(serverSecret: string): string {
  return `whsec_${createHmac('sha256', serverSecret).update('storefront-webhook').digest('base64url')}`;
}

export function signStorefrontBody(secret: string, body: Buffer): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

export type SignatureCheck = { ok: true; triggeredAtMs: number } | { ok: false; reason: 'bad_signature' | 'stale' };

export function verifyStorefrontSignature(input: { secret: string; body: Buffer; signature: string | undefined; triggeredAt: string | undefined; nowMs: number }): SignatureCheck {
  const expected = createHmac('sha256', input.secret).update(input.body).digest();
  const given = Buffer.from(input.signature ?? '', 'base64');
  // Comparing lengths first leaks only the length of a well-formed signature, which is public (32 bytes).
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  const triggeredAtMs = input.triggeredAt && /^\d{4}-\d{2}-\d{2}T/.test(input.triggeredAt) ? Date.parse(input.triggeredAt) : Number.NaN;
  if (!Number.isFinite(triggeredAtMs) || Math.abs(input.nowMs - triggeredAtMs) > webhookToleranceMs) return { ok: false, reason: 'stale' };
  return { ok: true, triggeredAtMs };
}

/** `"19.99"` → 1999: the storefront sends money as decimal strings; parsed by text, never through a float. */
export function parseDecimalMinor(text: string): number {
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new RangeError(`"${text}" is not an amount like 19.99`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}
