// The audit chain's pure rules (PV-33): the entry hash and what makes details acceptable.
import { createHash } from 'node:crypto';
import { InvariantError } from '../../platform/assert.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import type { AuditEntryRow } from './audit.table.ts';

/** The hash the first entry points back to; the migration seeds the chain head with the same value. */
export const genesisHash = '0'.repeat(64);

/**
 * Bumped if the hashed layout ever changes, so old and new entries can never be confused. Still v1 since the
 * canonical JSON became the platform's one (src/platform/canonical-json.ts): every field hashed here is a string, a
 * number or null, which it writes exactly as the audit's own copy did, so entries written before verify unchanged
 * (test/modules/audit.test.ts keeps a chain written by the old code).
 */
const hashFormat = 'patron-audit-v1';

export const maxDetailsLength = 8_192;

/** Keys that would hold a secret; details may name fields ("fields: ['password']") but never carry their values. */
const secretKey = /^(password|new_?password|secret|token|api_?key|otp)$/i;

/** Throws (a bug in the caller, not a user error) when details carry a secret-looking key. */
export function assertNoSecrets(value: unknown, path = 'details'): void {
  if (Array.isArray(value)) value.forEach((item, index) => assertNoSecrets(item, `${path}[${index}]`));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (secretKey.test(key)) throw new InvariantError(`audit ${path}.${key}: audit entries must not carry secrets`);
      assertNoSecrets(item, `${path}.${key}`);
    }
  }
}

export type HashedFields = Omit<AuditEntryRow, 'hash'>;

/** sha256 over a canonical JSON array of every field in a fixed order, the previous entry's hash included. */
export function hashEntry(fields: HashedFields): string {
  const material = canonicalJson([
    hashFormat,
    fields.id,
    fields.seq,
    fields.at_ms,
    fields.actor_id,
    fields.actor_role,
    fields.action,
    fields.member_id,
    fields.subject,
    fields.details,
    fields.prev_hash,
  ]);
  return createHash('sha256').update(material, 'utf8').digest('hex');
}

export type ChainProblem = { entryId: string; reason: string };

/** Checks one entry against the one before it (`expectedSeq`, `expectedPrevHash`); undefined when it is sound. */
export function checkEntry(row: AuditEntryRow, expectedSeq: number, expectedPrevHash: string): ChainProblem | undefined {
  if (row.seq !== expectedSeq) return { entryId: row.id, reason: `entry #${row.seq} follows #${expectedSeq - 1}: entries are missing` };
  if (row.prev_hash !== expectedPrevHash) return { entryId: row.id, reason: `entry #${row.seq} does not point to the hash of the entry before it` };
  const { hash, ...fields } = row;
  if (hashEntry(fields) !== hash) return { entryId: row.id, reason: `entry #${row.seq} does not match its hash: its content was changed` };
  return undefined;
}
