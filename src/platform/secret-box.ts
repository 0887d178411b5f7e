// Small secrets encrypted at rest (AES-256-GCM, node:crypto): a key derived from the server secret, a random IV per value.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const formatVersion = 'v1';
const ivBytes = 12;
const tagBytes = 16;

/** A 256-bit key for one purpose, derived from the server secret with HKDF-SHA256 (`info` names the purpose). */
export function deriveKey(serverSecret: string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), info, 32));
}

/** True for a value written by encryptText (`v1:<iv>:<tag>:<ciphertext>`, base64url). */
export function isEncryptedText(stored: string): boolean {
  return stored.startsWith(`${formatVersion}:`);
}

/** Encrypts `plaintext` under `key` with a fresh random 12-byte IV: `v1:<iv b64url>:<tag b64url>:<ciphertext b64url>`. */
export function encryptText(key: Uint8Array, plaintext: string): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [formatVersion, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join(':');
}

/** Decrypts a value from encryptText; throws on a malformed value, a wrong key or a tampered value (GCM authentication). */
export function decryptText(key: Uint8Array, stored: string): string {
  const parts = stored.split(':');
  if (parts.length !== 4 || parts[0] !== formatVersion) throw new Error('Not an encrypted value (expected v1:<iv>:<tag>:<ciphertext>).');
  const iv = Buffer.from(parts[1]!, 'base64url');
  const tag = Buffer.from(parts[2]!, 'base64url');
  if (iv.length !== ivBytes || tag.length !== tagBytes) throw new Error('Malformed encrypted value.');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(Buffer.from(parts[3]!, 'base64url')), decipher.final()]).toString('utf8');
}
