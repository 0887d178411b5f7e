// Session lifetimes (AC-4): members stay signed in for weeks; staff consoles expire within a working day.
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../platform/clock.ts';
import type { Role } from '../../http/principal.ts';

export interface SessionLifetime {
  /** Without a request for this long, the session ends. */
  idleTimeoutMs: number;
  /** From sign-in, whatever the activity. */
  absoluteMs: number;
}

export const sessionLifetimes = {
  member: { idleTimeoutMs: 14 * DAY_MS, absoluteMs: 30 * DAY_MS },
  agent: { idleTimeoutMs: 2 * HOUR_MS, absoluteMs: 12 * HOUR_MS },
  admin: { idleTimeoutMs: 2 * HOUR_MS, absoluteMs: 12 * HOUR_MS },
} as const satisfies Record<Role, SessionLifetime>;

/**
 * A session's last-seen time is written at most once a minute: the authenticator runs on every request, and a
 * write per request would cost more than the read. The idle timeout is therefore exact to within a minute.
 */
export const sessionTouchIntervalMs = MINUTE_MS;

export function isSessionAlive(session: { last_seen_at_ms: number; idle_timeout_ms: number; expires_at_ms: number }, nowMs: number): boolean {
  return nowMs < session.expires_at_ms && nowMs < session.last_seen_at_ms + session.idle_timeout_ms;
}

/** The user agent kept with a session so a member can tell their devices apart; bounded, never required. */
export function trimUserAgent(userAgent: string | undefined): string | null {
  if (!userAgent) return null;
  return userAgent.slice(0, 200);
}
