// The one API client: JSON over fetch with the session cookie, the CSRF header on writes, typed errors.

export interface FieldIssue {
  /** Field path as the server names it, without the `body.` prefix: `email`, `address.postalCode`. */
  path: string;
  message: string;
  /**
   * `schema` for the request-schema check (the error handler names those paths `body.…`, with a full sentence);
   * `rule` for a business rule, whose error message is the full sentence and whose detail is a short reason.
   */
  source: 'schema' | 'rule';
}

/** An error answered by the API (`{ error: { code, message, details?, requestId } }`) or a network failure. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;
  readonly requestId: string | undefined;
  /** The validation details that name a field, ready to show next to it. */
  readonly fieldIssues: FieldIssue[];
  /**
   * The parsed answer as sent. Most refusals carry `{ error }`; a few carry a result of their own (a declined Plus
   * join answers 402 with the join's outcome), which the endpoint's client reads from here.
   */
  readonly body: unknown;

  constructor(status: number, code: string, message: string, details?: unknown, requestId?: string, body?: unknown) {
    super(message);
    this.body = body;
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId;
    this.fieldIssues = readFieldIssues(details);
  }
}

function readFieldIssues(details: unknown): FieldIssue[] {
  // A business rule about one field may name it as `{ field: 'discountCode', … }` (the store's errors do): the
  // error message is then the explanation for that field.
  if (typeof details === 'object' && details !== null && !Array.isArray(details)) {
    const field = (details as Record<string, unknown>).field;
    return typeof field === 'string' && field !== '' ? [{ path: field, message: field, source: 'rule' }] : [];
  }
  if (!Array.isArray(details)) return [];
  const issues: FieldIssue[] = [];
  for (const item of details as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const record = item as Record<string, unknown>;
    const raw = record.path;
    if (typeof raw !== 'string' || typeof record.message !== 'string') continue;
    const fromSchema = /^(body|querystring|params)(\.|$)/.test(raw);
    issues.push({ path: fromSchema ? raw.replace(/^(body|querystring|params)\.?/, '') : raw, message: record.message, source: fromSchema ? 'schema' : 'rule' });
  }
  return issues;
}

const safeMethods = new Set(['GET', 'HEAD']);
let csrfToken: string | undefined;
let markSessionKnown: () => void = () => undefined;
/**
 * Settles once the first GET /session has answered. A page that writes as soon as it opens (the email
 * confirmation link) must wait for it: with a session cookie, a write without the token is refused.
 */
const sessionKnown = new Promise<void>((resolve) => {
  markSessionKnown = resolve;
});

/** The session's CSRF token, sent as `x-csrf-token` on cookie-authenticated writes (PL-14); undefined when signed out. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
  markSessionKnown();
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

let sessionEnded: () => void = () => undefined;

/** Called when the server says the session is gone (expired, or signed out elsewhere), so the UI can follow. */
export function onSessionEnded(listener: () => void): void {
  sessionEnded = listener;
}

export async function request<T>(method: Method, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
  try {
    return await send<T>(method, path, body, extraHeaders);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'unauthenticated' && csrfToken !== undefined) {
      csrfToken = undefined;
      sessionEnded();
    }
    // The session may have changed in another tab (a new sign-in issues a new token): fetch the current token
    // once and try again. A second refusal is reported.
    if (!(error instanceof ApiError && error.code === 'csrf')) throw error;
    try {
      const session = await send<{ csrfToken?: unknown }>('GET', '/session');
      csrfToken = typeof session.csrfToken === 'string' ? session.csrfToken : undefined;
    } catch {
      throw error;
    }
    return send<T>(method, path, body, extraHeaders);
  }
}

async function send<T>(method: Method, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
  const headers: Record<string, string> = { ...extraHeaders, accept: 'application/json' };
  // A FormData body (photos) is sent as multipart/form-data: the browser writes the content type with its boundary.
  const multipart = body instanceof FormData;
  if (body !== undefined && !multipart) headers['content-type'] = 'application/json';
  if (!safeMethods.has(method)) {
    await sessionKnown;
    if (csrfToken) headers['x-csrf-token'] = csrfToken;
  }
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : multipart ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'Could not reach the server. Check your connection and try again.');
  }
  const text = await response.text();
  let payload: unknown;
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = undefined;
    }
  }
  if (!response.ok) {
    const error = (payload as { error?: { code?: unknown; message?: unknown; details?: unknown; requestId?: unknown } } | undefined)?.error;
    throw new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : 'http_error',
      typeof error?.message === 'string' ? error.message : `The server answered ${response.status}.`,
      error?.details,
      typeof error?.requestId === 'string' ? error.requestId : undefined,
      payload,
    );
  }
  return payload as T;
}

/**
 * Reads a file the API answers with bytes (a case photo): a Blob, or the ApiError the server described. Photos are
 * fetched like this rather than by an <img src> so a refusal is reported, not shown as a broken image.
 */
export async function fetchBlob(path: string): Promise<Blob> {
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, { credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', 'Could not reach the server. Check your connection and try again.');
  }
  if (!response.ok) {
    const payload = (await response.json().catch(() => undefined)) as { error?: { code?: unknown; message?: unknown; details?: unknown; requestId?: unknown } } | undefined;
    const error = payload?.error;
    throw new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : 'http_error',
      typeof error?.message === 'string' ? error.message : `The server answered ${response.status}.`,
      // The details say why (a download refused for an old sign-in carries `reason: reauthentication_required`).
      error?.details,
      typeof error?.requestId === 'string' ? error.requestId : undefined,
      payload,
    );
  }
  return response.blob();
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) => request<T>('POST', path, body ?? {}, headers),
  /** A multipart/form-data POST (fields and files), with the CSRF header like any write. */
  postForm: <T>(path: string, body: FormData, headers?: Record<string, string>) => request<T>('POST', path, body, headers),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body ?? {}),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/**
 * A key for a write the server deduplicates (PL-4, header Idempotency-Key): made once per intended operation and
 * reused when the same submission is retried, so a double click or a lost answer never applies it twice.
 */
export function newIdempotencyKey(): string {
  // getRandomValues, unlike randomUUID, also works on a plain-http address (not a secure context).
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `ui-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/** Builds a query string from the defined values: `query({ q: 'ann', limit: 20 })` → `?q=ann&limit=20`. */
export function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
