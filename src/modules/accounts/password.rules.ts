// The password policy (AC-3): at least 10 characters, not a common password, not the email address.
import { readFileSync } from 'node:fs';
import { AppError } from '../../platform/errors.ts';

export const minimumPasswordLength = 10;
/** Bounded so nobody can make the server hash a megabyte (PL-13). */
export const maximumPasswordLength = 256;

const commonPasswords: ReadonlySet<string> = new Set(
  readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#')),
);

/** One form of every password, so the same characters typed on two devices hash alike. */
export function normalizePassword(password: string): string {
  return password.normalize('NFC');
}

function characterCount(text: string): number {
  return [...text].length;
}

/**
 * Common passwords are refused as typed, and also once the digits and symbols people tack on to pass a
 * length rule are taken off the end ("sunshine2024!" is "sunshine").
 */
export function isCommonPassword(password: string): boolean {
  const lower = normalizePassword(password).toLowerCase();
  if (commonPasswords.has(lower)) return true;
  const core = lower.replace(/[\d\W_]+$/u, '');
  if (core.length >= 4 && commonPasswords.has(core)) return true;
  // A single character repeated, or one short unit repeated ("abcabcabcabc"), is as guessable as a listed one.
  return /^(.{1,3})\1+$/su.test(lower);
}

/** Throws a weak_password AppError naming the first rule the password breaks. */
export function assertPasswordAcceptable(password: string, context: { email?: string } = {}): void {
  const normalized = normalizePassword(password);
  const length = characterCount(normalized);
  if (length < minimumPasswordLength) {
    throw new AppError('weak_password', `Choose a password of at least ${minimumPasswordLength} characters.`);
  }
  if (length > maximumPasswordLength) {
    throw new AppError('weak_password', `Choose a password of at most ${maximumPasswordLength} characters.`);
  }
  if (isCommonPassword(normalized)) {
    throw new AppError('weak_password', 'This password is too common and easy to guess. Choose a less predictable one.');
  }
  if (context.email) {
    const lower = normalized.toLowerCase();
    const email = context.email.toLowerCase();
    const localPart = email.split('@')[0] ?? '';
    if (lower === email || (localPart.length >= 4 && lower.replace(/[\d\W_]+$/u, '') === localPart)) {
      throw new AppError('weak_password', 'Your password must not be your email address.');
    }
  }
}
