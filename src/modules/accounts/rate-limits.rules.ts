// Per-address request limits on the routes people or scripts could hammer (PL-16), via @fastify/rate-limit.
// They sit in front of the per-account lockout (throttle.rules.ts), which is what stops password guessing.
import { MINUTE_MS } from '../../platform/clock.ts';

export const rateLimits = {
  signUp: { max: 20, timeWindow: 10 * MINUTE_MS },
  signIn: { max: 30, timeWindow: MINUTE_MS },
  codeEntry: { max: 10, timeWindow: MINUTE_MS },
  passwordReset: { max: 10, timeWindow: 15 * MINUTE_MS },
  emailLink: { max: 20, timeWindow: MINUTE_MS },
  oidc: { max: 30, timeWindow: MINUTE_MS },
} as const satisfies Record<string, { max: number; timeWindow: number }>;
