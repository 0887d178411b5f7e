// The one canonical JSON of Patron: audit entry hashes, request fingerprints for idempotency keys (HTTP and ledger)
// and the sandbox gateway's replay hashes all serialise with it, so equal values always give the same text.
import { InvariantError } from './assert.ts';

/**
 * JSON with object keys sorted (by UTF-16 code unit) at every depth. It refuses what JSON cannot carry faithfully
 * instead of writing something else: a silently changed value would make two different requests hash alike, or make
 * an audit entry say what nobody recorded.
 *
 * - Object properties whose value is undefined are left out, as JSON.stringify does, so an optional field that is
 *   absent and one that is undefined are the same request.
 * - Undefined anywhere else (an array element, a hole, the value itself), functions and symbols are refused:
 *   JSON.stringify would write `null` in an array, and `[undefined]` must not hash like `[null]`.
 * - Numbers must be finite; -0 is written `0` (JSON has no negative zero, and for money and credits they are equal).
 * - bigint is refused: convert it on purpose (a string or a checked number), JSON has no integer beyond 2^53.
 * - Only plain objects (prototype Object.prototype or null) and arrays: a Date, Map, Buffer or class instance would
 *   serialise as `{}` or through a toJSON nobody sees here; convert it first.
 *
 * Every value the audit chain's v1 format accepted serialises to the same text as before (that format refused
 * undefined properties outright), so entries written before this function was shared still verify.
 */
export function canonicalJson(value: unknown): string {
  // One pass that appends to a string (no entries, filter, map and join per object): the request hash of every
  // ledger operation runs it (PF-1), and the text is exactly what the entries-sorted-and-joined version wrote.
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new InvariantError('canonical JSON: numbers must be finite');
      // ToString, as JSON.stringify writes a finite number (and -0 as 0).
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? arrayJson(value) : objectJson(value);
    default:
      throw new InvariantError(`canonical JSON: a ${typeof value} is not JSON`);
  }
}

function arrayJson(value: readonly unknown[]): string {
  let out = '[';
  for (let index = 0; index < value.length; index++) {
    const item: unknown = value[index];
    if (item === undefined) throw new InvariantError(`canonical JSON: array element ${index} is undefined`);
    out += index === 0 ? canonicalJson(item) : `,${canonicalJson(item)}`;
  }
  return `${out}]`;
}

function objectJson(value: object): string {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) throw new InvariantError('canonical JSON: only plain objects and arrays are allowed');
  const record = value as Record<string, unknown>;
  // The default sort compares strings by UTF-16 code unit, as the order the format is defined by.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}
