// Failed sign-in throttling (AC-4, PL-16): 5 failures within 15 minutes lock the account or address for 15 minutes.
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
