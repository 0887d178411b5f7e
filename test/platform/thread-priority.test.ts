// PF-8 (online p99 while background work runs): background threads lower their own CPU priority, and only their
// own — the server's thread keeps its place. Checked in a worker thread, which is what the SQLite checkpointer and the
// bench's sweep are; on Linux a thread's nice value is its own (`/proc/thread-self`).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { lowerThreadPriority } from '../../src/platform/thread-priority.ts';

const workerCode = `
const { parentPort } = require('node:worker_threads');
const { readlinkSync } = require('node:fs');
const { getPriority } = require('node:os');
parentPort.once('message', async ({ url, nice }) => {
  const { lowerThreadPriority } = await import(url);
  const lowered = lowerThreadPriority(nice);
  const self = lowered ? getPriority(Number(readlinkSync('/proc/thread-self').split('/').pop())) : null;
  parentPort.postMessage({ lowered, self });
});`;

test('PF-8 a background thread lowers its own CPU priority and leaves the server thread as it was', async () => {
  const before = getPriority();
  const worker = new Worker(workerCode, { eval: true });
  try {
    const answer = await new Promise<{ lowered: boolean; self: number | null }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage({ url: new URL('../../src/platform/thread-priority.ts', import.meta.url).href, nice: 7 });
    });
    assert.equal(answer.lowered, existsSync('/proc/thread-self'), 'lowered wherever threads have their own nice value');
    if (answer.lowered) assert.equal(answer.self, Math.max(7, before), 'the worker thread now runs at nice 7');
    assert.equal(getPriority(), before, 'the calling (server) thread keeps its priority');
  } finally {
    await worker.terminate();
  }
});

test('nice 0 changes nothing and values outside 0–19 are refused', () => {
  const before = getPriority();
  assert.equal(lowerThreadPriority(0), false);
  assert.equal(getPriority(), before);
  assert.throws(() => lowerThreadPriority(20), RangeError);
  assert.throws(() => lowerThreadPriority(-1), RangeError);
  assert.throws(() => lowerThreadPriority(1.5), RangeError);
});
