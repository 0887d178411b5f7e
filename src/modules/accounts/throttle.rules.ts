// Failed sign-in throttling (AC-4, PL-16): 5 failures within 15 minutes lock the account for 15 minutes; failures
// from one address slow that address down with a growing delay but never lock it.
import { MINUTE_MS } from '../../platform/clock.ts';
import { hashSecret } from './tokens.rules.ts';

export const maxFailedSignIns = 5;
export const failureWindowMs = 15 * MINUTE_MS;
export const lockoutMs = 15 * MINUTE_MS;

export interface ThrottleState {
  failure_count: number;
  window_started_at_ms: number;
  locked_until_ms: number | null;
}

/**
 * Keys are hashed: the table then holds neither the email addresses people tried (which may not belong to any
 * member) nor their IP addresses. An unknown email gets an account key just like a known one, so the lockout
 * behaves the same and does not reveal which emails exist.
 */
export function accountScopeKey(normalizedEmail: string): string {
  return `account:${hashSecret(normalizedEmail)}`;
}

export function addressScopeKey(ip: string): string {
  return `address:${hashSecret(ip)}`;
}

export function isLocked(state: ThrottleState | undefined, nowMs: number): boolean {
  return state?.locked_until_ms != null && nowMs < state.locked_until_ms;
}

/**
 * The state after one more failure. The window is fixed from its first failure; the failure that fills it starts
 * the lockout, so the next attempt (the 6th) is refused for the following 15 minutes. After the lockout the
 * window has also passed, and counting starts again from zero.
 */
export function afterFailure(state: ThrottleState | undefined, nowMs: number): ThrottleState {
  const windowOpen = state !== undefined && nowMs < state.window_started_at_ms + failureWindowMs && !(state.locked_until_ms != null && nowMs >= state.locked_until_ms);
  const failureCount = windowOpen ? state.failure_count + 1 : 1;
  const windowStartedAtMs = windowOpen ? state.window_started_at_ms : nowMs;
  const lockedUntilMs = failureCount >= maxFailedSignIns ? nowMs + lockoutMs : null;
  return { failure_count: failureCount, window_started_at_ms: windowStartedAtMs, locked_until_ms: lockedUntilMs };
}

/**
 * Per address, failures only slow down: one address is often a whole office, school or mobile network behind a NAT
 * or proxy, and a lockout there would lock out everyone behind it because of one person. The first
 * `addressFreeFailures` within the window cost nothing; from then on each failure makes the address wait before its
 * next attempt, 1 second doubling up to a minute. Guessing many accounts from one address is thereby slowed to about
 * one try a minute, while each account's own lockout still stops guessing any one password.
 */
export const addressFreeFailures = 10;
export const addressMaxDelayMs = MINUTE_MS;

export function addressDelayMs(failureCount: number): number {
  if (failureCount < addressFreeFailures) return 0;
  return Math.min(addressMaxDelayMs, 1000 * 2 ** Math.min(failureCount - addressFreeFailures, 30));
}

/** The address's state after one more failure: `locked_until_ms` is when it may try again (null: at once). */
export function afterAddressFailure(state: ThrottleState | undefined, nowMs: number): ThrottleState {
  // The same window as the account's, so the hourly clean-up (which forgets rows past that window) agrees.
  const windowOpen = state !== undefined && nowMs < state.window_started_at_ms + failureWindowMs;
  const failureCount = windowOpen ? state.failure_count + 1 : 1;
  const delayMs = addressDelayMs(failureCount);
  return { failure_count: failureCount, window_started_at_ms: windowOpen ? state.window_started_at_ms : nowMs, locked_until_ms: delayMs > 0 ? nowMs + delayMs : null };
}

/** How long an address must still wait before its next attempt (0: it may try now). */
export function addressWaitMs(state: ThrottleState | undefined, nowMs: number): number {
  return state?.locked_until_ms != null ? Math.max(0, state.locked_until_ms - nowMs) : 0;
}
