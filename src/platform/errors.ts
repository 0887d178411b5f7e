// One error type for everything a caller can cause (PL-9); the status table is exhaustive by construction.

export const errorStatus = {
  validation: 400,
  bad_request: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  two_factor_required: 401,
  forbidden: 403,
  // A sensitive action (closing the account) needs a sign-in less than 10 minutes old; the UI offers to sign in again.
  reauthentication_required: 403,
  csrf: 403,
  not_found: 404,
  conflict: 409,
  idempotency_conflict: 409,
  already_exists: 409,
  invalid_state: 409,
  insufficient_credits: 409,
  not_eligible: 422,
  payment_declined: 402,
  weak_password: 422,
  payload_too_large: 413,
  locked: 423,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
  gone: 410,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

export const notFound = (what: string) => new AppError('not_found', `${what} was not found.`);
