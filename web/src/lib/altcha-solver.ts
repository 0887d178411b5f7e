// ALTCHA's proof of work (the documented protocol): find the number n ≤ maxnumber with hash(salt + n) = challenge,
// then answer base64(JSON {algorithm, challenge, number, salt, signature}). Pure, so the worker and tests share it.
import { sha256HexOfText } from './sha256.ts';

export interface AltchaChallenge {
  algorithm: string;
  challenge: string;
  salt: string;
  signature: string;
  maxnumber?: number;
}

/** ALTCHA's default when the challenge names no bound. */
const defaultMaxNumber = 1_000_000;

/** The number that solves the challenge, or null when none up to its bound does. Only SHA-256, the server's algorithm. */
export function solveAltcha(challenge: AltchaChallenge): number | null {
  if (challenge.algorithm.toUpperCase() !== 'SHA-256') throw new Error(`The captcha uses ${challenge.algorithm}, which this page cannot solve.`);
  const target = challenge.challenge.toLowerCase();
  const max = challenge.maxnumber ?? defaultMaxNumber;
  for (let number = 0; number <= max; number += 1) {
    if (sha256HexOfText(`${challenge.salt}${number}`) === target) return number;
  }
  return null;
}

/** The widget's payload for a solved challenge. */
export function altchaPayload(challenge: AltchaChallenge, number: number, tookMs: number): string {
  return btoa(JSON.stringify({ algorithm: challenge.algorithm, challenge: challenge.challenge, number, salt: challenge.salt, signature: challenge.signature, took: tookMs }));
}
