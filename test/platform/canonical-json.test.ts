// The one canonical JSON (src/platform/canonical-json.ts) that audit hashes (PV-33) and idempotency fingerprints
// (PL-4, LG-3) share: what it writes and what it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '../../src/platform/canonical-json.ts';
import fc from 'fast-check';
import { InvariantError } from '../../src/platform/assert.ts';

test('PL-4 PV-33 canonical JSON sorts keys at every depth, so key order never changes a hash', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' } }), '{"a":{"c":"x","d":[true,null]},"b":1}');
  assert.equal(canonicalJson({ z: [{ y: 1, x: 2 }], Z: 0, é: 1 }), canonicalJson({ é: 1, Z: 0, z: [{ x: 2, y: 1 }] }));
  assert.equal(canonicalJson({ B: 1, a: 2, _: 3 }), '{"B":1,"_":3,"a":2}', 'UTF-16 code unit order, upper case first');
  assert.equal(canonicalJson(Object.assign(Object.create(null) as object, { k: 'v' })), '{"k":"v"}');
});

test('PL-4 canonical JSON leaves out undefined properties: an absent optional field and an undefined one are the same request', () => {
  assert.equal(canonicalJson({ a: 1, note: undefined }), canonicalJson({ a: 1 }));
  assert.equal(canonicalJson({ nested: { note: undefined } }), '{"nested":{}}');
});

test('PL-4 PV-33 canonical JSON refuses what JSON would silently change: undefined in arrays, holes, non-finite numbers, bigint, non-plain objects, functions', () => {
  const holey: unknown[] = [1];
  holey[2] = 3;
  const refused: unknown[] = [[undefined], holey, undefined, Number.NaN, Infinity, 10n, new Date(0), new Map(), Buffer.from('x'), () => 1, Symbol('s'), { when: new Date(0) }, [{ n: 1n }]];
  for (const value of refused) assert.throws(() => canonicalJson(value), InvariantError, String(typeof value));
  assert.notEqual(canonicalJson([null]), '[]');
});

test('PL-2 canonical JSON writes -0 as 0 and keeps integers and strings exact', () => {
  assert.equal(canonicalJson(-0), '0');
  assert.equal(canonicalJson({ amountMinor: -0 }), canonicalJson({ amountMinor: 0 }));
  assert.equal(canonicalJson([Number.MAX_SAFE_INTEGER, -25, 2.5, 'a"\u0000']), '[9007199254740991,-25,2.5,"a\\"\\u0000"]');
});

/** The implementation every stored hash was written with (entries filtered, sorted and joined), kept to compare. */
function firstImplementation(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvariantError('non-finite');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown) => {
      if (item === undefined) throw new InvariantError('undefined element');
      return firstImplementation(item);
    }).join(',')}]`;
  }
  if (typeof value === 'object') {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) throw new InvariantError('not plain');
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${firstImplementation(item)}`).join(',')}}`;
  }
  throw new InvariantError('not JSON');
}

test('PL-4 PV-33 canonical JSON writes exactly what the first implementation wrote, so stored request hashes and audit entries still match', () => {
  const key = fc.oneof(fc.string(), fc.constantFrom('0', '1', '10', '2', '-1', '__proto__x', 'é', 'Z', 'a', '\u{1F600}', '\uffff'));
  const leaf = fc.oneof(fc.constant(null), fc.boolean(), fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(-0), fc.constant(Number.MAX_SAFE_INTEGER));
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 5 }),
    object: fc.dictionary(key, fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 6 }),
  }));
  fc.assert(
    fc.property(value, (v) => {
      assert.equal(canonicalJson(v), firstImplementation(v));
    }),
    { numRuns: 2000 },
  );
});
