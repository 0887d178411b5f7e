import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, pathOnly } from '../../src/platform/logger.ts';

test('PL-12 AC-3 logs redact passwords, tokens, emails and what database errors quote', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger('info', sink);
  const dbError = Object.assign(new Error('duplicate key value violates unique constraint'), { detail: 'Key (email)=(ada@example.com) already exists.' });
  logger.info({ password: 'hunter2-hunter2', body: { token: 'tok-secret', email: 'ada@example.com' } }, 'sign-in');
  logger.error({ err: dbError }, 'unexpected error');
  const output = lines.join('');
  assert.doesNotMatch(output, /hunter2|tok-secret|ada@example\.com/);
  assert.match(output, /duplicate key value/, 'the message itself stays, to find the bug');
  assert.equal(pathOnly('/verify-email?token=abc'), '/verify-email');
});
