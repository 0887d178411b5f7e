// Pure marketing rules: SMS keywords (PV-28), signed tokens without personal data (PV-27, PV-29), the inbound SMS
// webhook signature (NT-6) and campaign links (no open redirect).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linksOf } from '../../src/modules/marketing/marketing.rules.ts';
import { listUnsubscribeHeaders, newsletterEmailKey, signSmsWebhook, signToken, smsKeywordOf, stopKeywords, verifyToken } from '../../src/modules/marketing/index.ts';
import { verifySmsWebhook } from '../../src/modules/marketing/marketing.rules.ts';

test('PV-28 every stop word in any case and spacing is a stop; sentences and other words are not', () => {
  for (const word of stopKeywords) {
    for (const spelling of [word, word.toLowerCase(), ` ${word} `, `${word[0]}${word.slice(1).toLowerCase()}`, word.split('').join(' '), `${word}!`]) assert.equal(smsKeywordOf(spelling), 'stop', JSON.stringify(spelling));
  }
  assert.equal(smsKeywordOf(' opt   out '), 'stop');
  assert.equal(smsKeywordOf('Help'), 'help');
  assert.equal(smsKeywordOf('unstop'), 'start');
  for (const text of ['please stop', 'stopp', 'stop it', 'yes', '']) assert.equal(smsKeywordOf(text), null, text);
});

test('PV-27 PV-29 tokens name a delivery, not a person, and are bound to their use', () => {
  const secret = 'test-secret-test-secret-test-secret-0123456789';
  const token = signToken(secret, 'unsubscribe', 'dlv_01abcdefgh');
  assert.match(token, /^dlv_01abcdefgh\.[A-Za-z0-9_-]{22}$/);
  assert.equal(verifyToken(secret, 'unsubscribe', token), 'dlv_01abcdefgh');
  assert.equal(verifyToken(secret, 'open', token), null, 'an unsubscribe token is no tracking token');
  assert.equal(verifyToken('another-secret-another-secret-0123456789', 'unsubscribe', token), null);
  assert.equal(verifyToken(secret, 'unsubscribe', 'dlv_01abcdefgh.AAAAAAAAAAAAAAAAAAAAAA'), null);
  assert.deepEqual(listUnsubscribeHeaders('https://shop.example/api/v1/u/t', 'unsubscribe@shop.example'), { 'List-Unsubscribe': '<https://shop.example/api/v1/u/t>, <mailto:unsubscribe@shop.example>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
});

test('ST-10 the newsletter register key is the same for one address however written once normalized, and reveals nothing', () => {
  const secret = 'test-secret-test-secret-test-secret-0123456789';
  assert.equal(newsletterEmailKey(secret, 'ada@example.com'), newsletterEmailKey(secret, 'ada@example.com'));
  assert.notEqual(newsletterEmailKey(secret, 'ada@example.com'), newsletterEmailKey(secret, 'bob@example.com'));
  assert.doesNotMatch(newsletterEmailKey(secret, 'ada@example.com'), /ada|example/);
});

test('NT-6 the inbound SMS signature covers the timestamp and the body, within five minutes', () => {
  const secret = 'smswh_test-secret-test-secret-0123456789';
  const body = Buffer.from('{"messageId":"m1","from":"+15551234567","body":"STOP"}');
  const nowMs = Date.UTC(2026, 2, 2, 17);
  const ts = nowMs / 1000;
  const signature = signSmsWebhook(secret, ts, body);
  assert.deepEqual(verifySmsWebhook({ secret, body, signature, timestamp: String(ts), nowMs }), { ok: true });
  assert.deepEqual(verifySmsWebhook({ secret, body: Buffer.from(`${body.toString()} `), signature, timestamp: String(ts), nowMs }), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifySmsWebhook({ secret, body, signature, timestamp: String(ts + 1), nowMs }), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifySmsWebhook({ secret, body, signature, timestamp: String(ts), nowMs: nowMs + 301_000 }), { ok: false, reason: 'stale' });
  assert.deepEqual(verifySmsWebhook({ secret, body, signature: undefined, timestamp: undefined, nowMs }), { ok: false, reason: 'bad_signature' });
});

test('PV-29 a campaign’s links are its web addresses, in order, without trailing punctuation', () => {
  assert.deepEqual(linksOf('See https://shop.example/spring. Or http://shop.example/a?b=c, then javascript:alert(1)'), ['https://shop.example/spring', 'http://shop.example/a?b=c']);
});
