// The audit chain's pure rules (PV-33): the entry hash and what makes details acceptable.
import { createHash } from 'node:crypto';
import { z } from 'zod';
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

/**
 * What an audit string may look like: an ID, a code, an action or field name, an ISO time (`mem_01J…`, `cancelled`,
 * `shippingAddress.region`, `US-CA`, `2026-03-02T17:00:00.000Z`). No spaces and no `@`, so a sentence, a full name,
 * a street address or an email address cannot pass (PV-33: entries hold IDs and codes, never free-text personal data).
 * A single word such as a first name is indistinguishable from a code here; callers record the field's name instead.
 */
export const auditCodePattern = /^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/;
const codeMessage = 'audit entries hold IDs, codes and field names, not free text, names, email or postal addresses';

/** Keys that would carry a personal value; the change is recorded by naming the field (`fields: ['email']`). */
const personalKey = /^(e?mail|emailaddress|(first|last|full|preferred|display|nick|user)?name|phone(number)?|mobile|address(line[12])?|line[12]|street|city|postalcode|zip(code)?|notes?|comments?|message|text|body|html|ip(address)?|useragent|dateofbirth|birthdate|birthday)$/;

const detailKey = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'audit detail keys are identifiers');
const detailCode = z.string().max(100).regex(auditCodePattern, codeMessage);
const detailScalar = z.union([detailCode, z.number().finite(), z.boolean(), z.null()]);
const detailList = z.array(detailScalar).max(100);
/** Details are flat (or one level nested) maps of IDs, codes, numbers, booleans and short lists of them. */
export const auditDetailsSchema = z.record(detailKey, z.union([detailScalar, detailList, z.record(detailKey, z.union([detailScalar, detailList]))]));

function assertNoPersonalKeys(value: unknown, path: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [key, item] of Object.entries(value)) {
    if (personalKey.test(key.replaceAll('_', '').toLowerCase())) {
      throw new InvariantError(`audit ${path}.${key}: this key names a personal field; record the field's name (fields: […]), not its value`);
    }
    assertNoPersonalKeys(item, `${path}.${key}`);
  }
}

/** Throws (a bug in the caller, not a user error) when details carry anything but IDs, codes, numbers and flags. */
export function assertCodesOnly(details: unknown): void {
  assertNoPersonalKeys(details, 'details');
  const parsed = auditDetailsSchema.safeParse(details);
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  throw new InvariantError(`audit details.${issue?.path.join('.') ?? ''}: ${issue?.message ?? codeMessage}`);
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
