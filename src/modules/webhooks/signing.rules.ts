// The Standard Webhooks signing scheme (https://www.standardwebhooks.com, spec v1) and the delivery timing rules —
// pure functions, so the tests check them without a database.
import { createHmac } from 'node:crypto';
import { assert } from '../../platform/assert.ts';
import { DAY_MS, HOUR_MS } from '../../platform/clock.ts';

export const secretPrefix = 'whsec_';
/** 24 random bytes, as the reference libraries generate (the spec asks for 24 to 64). */
export const secretByteCount = 24;

/** `whsec_` + standard base64 of the key bytes, from random bytes the caller supplies (platform/ids.ts). */
export function formatSecret(keyBytes: Uint8Array): string {
  assert(keyBytes.length >= 24 && keyBytes.length <= 64, 'a webhook secret has 24 to 64 bytes');
  return `${secretPrefix}${Buffer.from(keyBytes).toString('base64')}`;
}

/** The key bytes of a `whsec_…` secret. */
export function secretKeyBytes(secret: string): Buffer {
  assert(secret.startsWith(secretPrefix), 'a webhook secret starts with whsec_');
  return Buffer.from(secret.slice(secretPrefix.length), 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` for one secret. */
export function signatureOf(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKeyBytes(secret)).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/**
 * The `webhook-signature` header: one signature per secret in force, space-separated, so during a rotation's grace
 * period a receiver that still holds the old secret verifies the message as well as one that has the new secret.
 */
export function signatureHeader(secrets: readonly string[], messageId: string, timestampSeconds: number, body: string): string {
  assert(secrets.length >= 1, 'a message is signed with at least one secret');
  return secrets.map((secret) => signatureOf(secret, messageId, timestampSeconds, body)).join(' ');
}

/** After a rotation the old secret keeps signing for a day, so receivers can switch over without losing messages. */
export const rotationGraceMs = DAY_MS;

/** Exponential backoff from 10 seconds, doubling, capped at 4 hours. */
export const retryBaseDelayMs = 10_000;
export const retryMaxDelayMs = 4 * HOUR_MS;
/**
 * Attempts per delivery before it is given up: with the delays below about 2.4 days of trying, so an outage of an
 * hour (drill d) or a weekend costs nothing; the endpoint is disabled after `disableAfterDays` of failing (3 by default).
 */
export const maxAttempts = 24;
/** Each delay is spread by ±20 %, so deliveries that failed together do not all come back at the same second. */
export const jitterFraction = 0.2;

/**
 * The wait after the `failedAttempts`-th failed attempt (1-based), given `unit` in [0, 1) from the caller's
 * randomness: 10 s, 20 s, 40 s, … up to 4 h, each ±20 %.
 */
export function retryDelayMs(failedAttempts: number, unit: number): number {
  assert(Number.isInteger(failedAttempts) && failedAttempts >= 1, 'retry delays count from the first failed attempt');
  assert(unit >= 0 && unit < 1, 'the jitter unit is in [0, 1)');
  const base = Math.min(retryMaxDelayMs, retryBaseDelayMs * 2 ** Math.min(failedAttempts - 1, 30));
  return Math.round(base * (1 - jitterFraction + 2 * jitterFraction * unit));
}

/** Payload bodies: an envelope with the event's type, time and data (IDs and amounts only). */
export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** Response bodies are not kept; the log shows at most this many characters of one. */
export const responseExcerptLength = 200;

export function excerptOf(text: string): string | null {
  const trimmed = text.replace(/\s+/g, ' ').trim();
  if (trimmed === '') return null;
  return trimmed.length > responseExcerptLength ? `${trimmed.slice(0, responseExcerptLength - 1)}…` : trimmed;
}

/**
 * Endpoint URLs: https, or plain http to this machine only (local development and tests). No credentials in the
 * URL, at most 2,000 characters. Returns a sentence when the URL is refused.
 */
export function urlProblem(text: string): string | null {
  if (text.length > 2000) return 'The URL is longer than 2,000 characters.';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'The URL is not a valid absolute URL.';
  }
  if (url.username !== '' || url.password !== '') return 'The URL must not contain a user name or password; authenticate with the signature instead.';
  if (url.protocol === 'https:') return null;
  const localHosts = new Set(['localhost', '127.0.0.1', '[::1]']);
  if (url.protocol === 'http:' && localHosts.has(url.hostname)) return null;
  return 'The URL must use https (plain http is allowed for localhost only).';
}
