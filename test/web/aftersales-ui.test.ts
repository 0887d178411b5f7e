// The after-sales pages' own logic against the server's (AS-1, AS-2): the captcha solver answers an ALTCHA challenge
// the way altcha-lib verifies it, its SHA-256 matches Node's, and the serial preview reads a serial as the server does.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { createChallenge, verifySolution } from 'altcha-lib/v1';
import { isValidSerial as serverIsValidSerial, normalizeSerial as serverNormalizeSerial } from '../../src/modules/aftersales/index.ts';
import { altchaPayload, solveAltcha } from '../../web/src/lib/altcha-solver.ts';
import { sha256HexOfText } from '../../web/src/lib/sha256.ts';
import { isValidSerial, normalizeSerial } from '../../web/src/lib/serials.ts';

test('AS-1 the browser’s SHA-256 matches Node’s on both sides of every padding boundary', () => {
  for (const length of [0, 1, 3, 54, 55, 56, 57, 63, 64, 65, 119, 120, 200]) {
    const text = 'ab9?'.repeat(64).slice(0, length);
    assert.equal(sha256HexOfText(text), createHash('sha256').update(text).digest('hex'), `length ${length}`);
  }
  assert.equal(sha256HexOfText('ü€'), createHash('sha256').update('ü€').digest('hex'), 'UTF-8 text');
});

test('AS-1 the captcha solver’s payload passes altcha-lib’s verification (the protocol the server checks)', async () => {
  const hmacKey = 'test-hmac-key';
  const challenge = await createChallenge({ algorithm: 'SHA-256', hmacKey, maxnumber: 5_000 });
  const number = solveAltcha(challenge);
  assert.notEqual(number, null, 'a number up to maxnumber solves it');
  const payload = altchaPayload(challenge, number!, 12);
  assert.equal(await verifySolution(payload, hmacKey, false), true);
  assert.equal(await verifySolution(altchaPayload(challenge, number! + 1, 12), hmacKey, false), false, 'a wrong number fails');
  assert.throws(() => solveAltcha({ ...challenge, algorithm: 'SHA-1' }), /SHA-1/);
});

test('AS-2 the form previews a serial exactly as the server reads it', () => {
  for (const typed of ['A1B2C3D4', ' a1b2c3d4 ', 'SN: A1B2C3D4', 'sn:a1b2c3d4', 'Sn :  a7k2m9q4', 'SN A1B2C3D4', 'A1B2C3', 'B1234567', 'A1B2C3D4E', '']) {
    assert.equal(normalizeSerial(typed), serverNormalizeSerial(typed), typed);
    assert.equal(isValidSerial(normalizeSerial(typed)), serverIsValidSerial(serverNormalizeSerial(typed)), typed);
  }
});
