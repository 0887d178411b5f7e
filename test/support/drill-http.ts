// The drills' HTTP client: plain fetch against a real Patron process, with a session (cookie and CSRF token) per
// signed-in person, and every outcome classified instead of thrown, so a load loop can count them.
import { setTimeout as sleep } from 'node:timers/promises';
import { storefrontHeaders, signStorefrontBody } from '../../src/modules/store/index.ts';

export interface DrillSession {
  memberId: string;
  cookie: string;
  csrfToken: string;
}

export type DrillOutcome =
  /** A 2xx answer with its parsed body. */
  | { kind: 'ack'; status: number; body: unknown; replayed: boolean }
  /** No answer: the connection failed or was cut (the process died), or no answer within the request timeout. */
  | { kind: 'no_answer'; error: string }
  /** Any other status. */
  | { kind: 'status'; status: number; body: unknown; retryAfter: string | null };

/** Requests that hang would hang the drill: each one gives up after this long (and counts as `no_answer`). */
export const requestTimeoutMs = 30_000;

export async function send(url: string, init: { method: string; session?: DrillSession | null; body?: unknown; rawBody?: Buffer; headers?: Record<string, string> }): Promise<DrillOutcome> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.session) {
    headers.cookie = init.session.cookie;
    headers['x-csrf-token'] = init.session.csrfToken;
  }
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (init.rawBody) body = new Uint8Array(init.rawBody);
  else if (init.body !== undefined) body = JSON.stringify(init.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method: init.method, headers, body, signal: AbortSignal.timeout(requestTimeoutMs) });
    text = await response.text();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { kind: 'no_answer', error: cause ?? (error as Error).name ?? String(error) };
  }
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's page, say): kept as text for the report.
  }
  if (response.status >= 200 && response.status < 300) return { kind: 'ack', status: response.status, body: parsed, replayed: response.headers.get('idempotent-replayed') === 'true' };
  return { kind: 'status', status: response.status, body: parsed, retryAfter: response.headers.get('retry-after') };
}

/** Signs in with email and password; retries while the server is unavailable. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<DrillSession> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    const text = await response.text();
    if (response.status === 200) {
      const body = JSON.parse(text) as { member: { id: string }; csrfToken: string };
      const cookie = response.headers
        .getSetCookie()
        .map((line) => line.split(';')[0]!)
        .join('; ');
      return { memberId: body.member.id, cookie, csrfToken: body.csrfToken };
    }
    if (attempt >= 5) throw new Error(`sign-in of ${email} answered ${response.status}: ${text}`);
    await sleep(500);
  }
}

/** A signed storefront `orders/paid` delivery (docs/WEBHOOKS.md) for one member's order of one line. */
export function storefrontOrderPaid(input: { secret: string; eventId: string; orderId: number; memberId: string; sku: string; priceText: string; nowIso: string; shopDomain: string }): { rawBody: Buffer; headers: Record<string, string> } {
  const event = {
    id: input.eventId,
    topic: 'orders/paid',
    created_at: input.nowIso,
    shop_domain: input.shopDomain,
    order: {
      id: input.orderId,
      name: `#${input.orderId}`,
      created_at: input.nowIso,
      processed_at: input.nowIso,
      currency: 'USD',
      note_attributes: [{ name: 'patron_member_id', value: input.memberId }],
      line_items: [{ id: input.orderId * 10 + 1, sku: input.sku, title: 'Drill charger', quantity: 1, price: input.priceText, gift_card: false }],
      total_price: input.priceText,
    },
  };
  const rawBody = Buffer.from(JSON.stringify(event));
  return {
    rawBody,
    headers: {
      'content-type': 'application/json',
      [storefrontHeaders.topic]: event.topic,
      [storefrontHeaders.eventId]: event.id,
      [storefrontHeaders.triggeredAt]: input.nowIso,
      [storefrontHeaders.shopDomain]: input.shopDomain,
      [storefrontHeaders.signature]: signStorefrontBody(input.secret, rawBody),
    },
  };
}
