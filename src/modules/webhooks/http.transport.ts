// POSTs one signed webhook message and reports what came back: the status, the time it took and the first characters
// of the answer. Redirects are not followed (a 3xx is a failure, as in the Standard Webhooks guidance: the endpoint
// should be updated instead), and every call is bounded by a timeout.
import { monotonicMs } from '../../platform/clock.ts';
import { excerptOf } from './signing.rules.ts';

export interface PostResult {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  /** `http_503`, `timeout`, `redirect_301`, `connection_refused`, `connection_failed`: a short code for the log. */
  failureCode: string | null;
  responseExcerpt: string | null;
}

/** Endpoints answer within 15 seconds or the attempt counts as failed (receivers should queue work and answer at once). */
export const requestTimeoutMs = 15_000;
/** At most this much of a response is read, for the excerpt. */
const maxResponseBytes = 4096;

async function readStart(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxResponseBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(parts).subarray(0, maxResponseBytes).toString('utf8');
}

function failureCodeOf(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
    const cause = (error as { cause?: { code?: unknown } }).cause;
    if (cause && typeof cause.code === 'string' && /^E[A-Z_]{1,40}$/.test(cause.code)) return cause.code === 'ECONNREFUSED' ? 'connection_refused' : `connection_${cause.code.slice(1).toLowerCase()}`;
  }
  return 'connection_failed';
}

export async function postWebhook(url: string, headers: Record<string, string>, body: string, timeoutMs = requestTimeoutMs): Promise<PostResult> {
  const started = monotonicMs();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Patron-Webhooks/1', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await readStart(response).catch(() => '');
    const ok = response.status >= 200 && response.status < 300;
    return { ok, statusCode: response.status, durationMs: Math.round(monotonicMs() - started), failureCode: ok ? null : response.status >= 300 && response.status < 400 ? `redirect_${response.status}` : `http_${response.status}`, responseExcerpt: excerptOf(text) };
  } catch (error) {
    return { ok: false, statusCode: null, durationMs: Math.round(monotonicMs() - started), failureCode: failureCodeOf(error), responseExcerpt: null };
  }
}
