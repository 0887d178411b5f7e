// The guests' captcha (AS-1): ALTCHA, a self-hosted proof of work (altcha-lib, protocol v1: SHA-256, the classic
// widget's `challengeurl` JSON). The server signs each challenge with an HMAC key derived from the server secret,
// so nothing is stored when a challenge is handed out; the challenge's salt carries its expiry, which we check
// against the injected clock (the library's own check reads the wall clock). A solved challenge is good once:
// its signature's digest is recorded until the challenge expires, so a replay within its lifetime is refused.
import { createHash, createHmac } from 'node:crypto';
import { createChallenge, extractParams, verifySolution } from 'altcha-lib/v1';
import type { Challenge } from 'altcha-lib/v1/types';
import type { Ctx, Deps } from '../../deps.ts';
import { MINUTE_MS } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { recordCaptchaUse } from './intake.repository.ts';

/** How long a challenge may be solved and submitted. */
export const captchaLifetimeMs = 10 * MINUTE_MS;

/**
 * The work: the client tries numbers up to this bound, about 50,000 SHA-256 hashes on average, a fraction of a second
 * in a browser's Web Crypto and a cost per submission for a script.
 */
export const captchaMaxNumber = 100_000;

export const captchaFailedMessage = 'The anti-robot check failed or expired. Please solve it again and resend the form.';

function captchaKey(secret: string): string {
  return createHmac('sha256', secret).update('aftersales-altcha-hmac-key').digest('hex');
}

export async function createCaptchaChallenge(ctx: Pick<Ctx, 'clock'> & Pick<Deps, 'secret'>): Promise<Challenge> {
  return createChallenge({
    algorithm: 'SHA-256',
    hmacKey: captchaKey(ctx.secret),
    maxnumber: captchaMaxNumber,
    expires: new Date(ctx.clock.nowMs() + captchaLifetimeMs),
  });
}

interface SolvedPayload {
  algorithm: 'SHA-256';
  challenge: string;
  number: number;
  salt: string;
  signature: string;
}

function decodePayload(payload: string): SolvedPayload | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as Partial<SolvedPayload>;
    const ok =
      parsed.algorithm === 'SHA-256' &&
      typeof parsed.challenge === 'string' &&
      typeof parsed.salt === 'string' &&
      typeof parsed.signature === 'string' &&
      typeof parsed.number === 'number' &&
      Number.isInteger(parsed.number) &&
      parsed.number >= 0 &&
      parsed.number <= captchaMaxNumber;
    return ok ? (parsed as SolvedPayload) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks the widget's payload (base64 JSON) and spends it, in the caller's transaction (its own, before anything
 * else is looked at: a solution cannot be reused to probe email and order pairs). Throws `bad_request` when the
 * solution is wrong, forged, expired or used.
 */
export async function spendCaptcha(ctx: Ctx & Pick<Deps, 'secret'>, payload: string): Promise<void> {
  const solved = decodePayload(payload);
  if (!solved) throw new AppError('bad_request', captchaFailedMessage, { field: 'altcha' });
  const nowMs = ctx.clock.nowMs();
  const expiresSeconds = Number(extractParams(solved).expires);
  if (!Number.isFinite(expiresSeconds) || expiresSeconds * 1000 < nowMs) throw new AppError('bad_request', captchaFailedMessage, { field: 'altcha' });
  if (!(await verifySolution(solved, captchaKey(ctx.secret), false))) throw new AppError('bad_request', captchaFailedMessage, { field: 'altcha' });
  const hash = createHash('sha256').update(solved.signature).digest('hex');
  if (!(await recordCaptchaUse(ctx.db, hash, expiresSeconds * 1000, nowMs))) throw new AppError('bad_request', captchaFailedMessage, { field: 'altcha' });
}
