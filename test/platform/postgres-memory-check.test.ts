// `patron doctor`'s PostgreSQL memory check (src/cli/doctor.ts): the credits tables against shared_buffers, and
// huge pages for a large shared_buffers (docs/OPERATIONS.md; measured in docs/PERFORMANCE.md, "Session 34").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hugePagesFromBytes, postgresMemoryCheck } from '../../src/cli/doctor.ts';

const MB = 1024 ** 2;
const GB = 1024 ** 3;

test('PF-7 doctor warns when the credits tables do not fit in shared_buffers, and names both sizes', () => {
  const check = postgresMemoryCheck({ sharedBuffersBytes: 128 * MB, hugePages: 'try', ledgerBytes: 1.3 * GB });
  assert.equal(check.status, 'warn');
  assert.equal(check.name, 'postgres memory');
  assert.match(check.detail, /^shared_buffers 128 MB, the credits tables 1\.3 GB: ledger reads copy pages from the OS cache/);
  assert.match(check.detail, /docs\/OPERATIONS\.md/);
});

test('PF-7 doctor warns when a large shared_buffers runs without huge pages, not when it may have them', () => {
  const big = { sharedBuffersBytes: 4 * GB, ledgerBytes: 1.3 * GB };
  assert.equal(postgresMemoryCheck({ ...big, hugePages: 'off' }).status, 'warn');
  assert.match(postgresMemoryCheck({ ...big, hugePages: 'off' }).detail, /huge_pages off: each connection takes a page fault/);
  assert.equal(postgresMemoryCheck({ ...big, hugePages: 'try' }).status, 'ok');
  assert.equal(postgresMemoryCheck({ ...big, hugePages: 'on' }).status, 'ok');
  // Below the threshold the faults are few: the default 128 MB without huge pages is fine for a small ledger.
  assert.equal(postgresMemoryCheck({ sharedBuffersBytes: hugePagesFromBytes - 1, hugePages: 'off', ledgerBytes: 100 * MB }).status, 'ok');
});

test('PF-7 doctor is content when the credits tables fit: a new installation on the default settings', () => {
  const check = postgresMemoryCheck({ sharedBuffersBytes: 128 * MB, hugePages: 'try', ledgerBytes: 2 * MB });
  assert.deepEqual(check, { name: 'postgres memory', status: 'ok', detail: 'shared_buffers 128 MB, the credits tables 2 MB, huge_pages try' });
});
