// The one canonical JSON (src/platform/canonical-json.ts) that audit hashes (PV-33) and idempotency fingerprints
// (PL-4, LG-3) share: what it writes and what it refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '../../src/platform/canonical-json.ts';
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
