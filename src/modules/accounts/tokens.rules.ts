// Secret tokens (session cookies, email links, API keys, recovery codes): how they look and how they are stored.
import { createHash } from 'node:crypto';
import { randomInt, randomToken } from '../../platform/ids.ts';

/** Tokens carry 256 random bits, so a fast SHA-256 is enough to store them: there is nothing to brute-force. */
export function hashSecret(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newSecretToken(): string {
  return randomToken(32);
}

export const apiKeyPrefix = 'pk_live_';

export function newApiKey(): string {
  return `${apiKeyPrefix}${randomToken(32)}`;
}

/** The start of a key, shown in lists so an admin can tell keys apart without the key itself. */
export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, apiKeyPrefix.length + 6);
}

const recoveryAlphabet = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32: no i, l, o, u to misread.
export const recoveryCodeCount = 10;

/** `xxxx-xxxx-xxxx-xxxx`: 16 base32 characters, 80 bits, readable aloud and typed with or without dashes. */
export function newRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < 16; i++) {
    if (i > 0 && i % 4 === 0) code += '-';
    code += recoveryAlphabet[randomInt(recoveryAlphabet.length)];
  }
  return code;
}

/** Lower case, no spaces or dashes, and the letters people confuse with digits mapped the Crockford way. */
export function normalizeRecoveryCode(code: string): string {
  return code
    .toLowerCase()
    .replace(/[\s-]/g, '')
    .replace(/[io]/g, (c) => (c === 'i' ? '1' : '0'))
    .replace(/l/g, '1');
}

export function looksLikeRecoveryCode(code: string): boolean {
  return /^[0-9a-hjkmnp-tv-z]{16}$/.test(normalizeRecoveryCode(code));
}
