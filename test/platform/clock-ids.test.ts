import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSimulatedClock, parseDurationMs } from '../../src/platform/clock.ts';
import { createIdGenerator } from '../../src/platform/ids.ts';

test('PL-1 the simulated clock only moves forward, by parsed durations', () => {
  const clock = createSimulatedClock(1_000);
  assert.equal(clock.nowMs(), 1_000);
  clock.advanceMs(parseDurationMs('30d'));
  assert.equal(clock.nowMs(), 1_000 + 30 * 86_400_000);
  assert.equal(parseDurationMs('1d12h'), 36 * 3_600_000);
  assert.throws(() => parseDurationMs('30 days'), /not a duration/);
  assert.throws(() => clock.setMs(0), /never goes back/);
  assert.throws(() => clock.advanceMs(-1), /forward/);
});

test('PL-3 IDs carry their entity prefix, sort by creation time and are unguessable', () => {
  const clock = createSimulatedClock(Date.parse('2026-01-01T00:00:00Z'));
  const ids = createIdGenerator(clock);
  const generated: string[] = [];
  for (let i = 0; i < 200; i++) {
    generated.push(ids.next('mem'));
    if (i % 7 === 0) clock.advanceMs(1);
  }
  assert.ok(generated.every((id) => /^mem_[0-9a-z]{26}$/.test(id)));
  assert.deepEqual([...generated].sort(), generated, 'IDs from one generator are strictly increasing');
  assert.equal(new Set(generated).size, generated.length);
  const sameMoment = createIdGenerator(createSimulatedClock(5));
  const a = sameMoment.next('ord');
  const other = createIdGenerator(createSimulatedClock(5)).next('ord');
  assert.notEqual(a.slice(16), other.slice(16), 'the random part differs between generators at the same moment');
});

test('PL-3 5,000 IDs made in one millisecond are strictly increasing and unique (the sequence borrows the next millisecond instead of wrapping)', () => {
  const clock = createSimulatedClock(Date.parse('2026-03-02T17:00:00.000Z'));
  const ids = createIdGenerator(clock);
  const made = Array.from({ length: 5000 }, () => ids.next('ltx'));
  assert.equal(new Set(made).size, made.length);
  for (let i = 1; i < made.length; i++) assert.ok(made[i - 1]! < made[i]!, `id ${i} (${made[i]}) sorts after id ${i - 1} (${made[i - 1]})`);
  // Once the clock moves on (or stands still after the borrowing), the next ID still sorts after every earlier one.
  clock.advanceMs(1);
  const later = ids.next('ltx');
  assert.ok(made.at(-1)! < later);
});
