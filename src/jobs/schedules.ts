// Recurring jobs: each schedule is enqueued once per time slot under a deterministic key (CONVENTIONS 12), so any
// number of workers polling at once still create one job per slot.
import type { Ctx } from '../deps.ts';
import { DAY_MS, MINUTE_MS } from '../platform/clock.ts';
import { assert } from '../platform/assert.ts';
import { enqueueJob, type Schedule } from './queue.ts';

/** Slots start at multiples of `everyMs` since the epoch, so daily slots begin at 00:00 UTC. */
export function slotStartMs(everyMs: number, nowMs: number): number {
  assert(Number.isSafeInteger(everyMs) && everyMs >= 1000, `a schedule repeats every whole second or more, got ${everyMs} ms`);
  return Math.floor(nowMs / everyMs) * everyMs;
}

/** `2026-11-21` for daily (or longer) slots, `2026-11-21T10:00` for minute-aligned ones, full seconds otherwise. */
export function slotLabel(everyMs: number, startMs: number): string {
  const iso = new Date(startMs).toISOString();
  if (everyMs % DAY_MS === 0) return iso.slice(0, 10);
  if (everyMs % MINUTE_MS === 0) return iso.slice(0, 16);
  return iso.slice(0, 19);
}

export function scheduleKey(schedule: Schedule, nowMs: number): string {
  return `${schedule.type}:${slotLabel(schedule.everyMs, slotStartMs(schedule.everyMs, nowMs))}`;
}

/**
 * Enqueues the current slot of every schedule (a slot missed while no worker ran is not made up: the next one
 * does the same work). `memo` remembers, per long-running worker, the keys already written, to spare the database
 * an insert per schedule per poll. Returns how many new jobs were written.
 */
export async function enqueueDueSchedules(ctx: Ctx, schedules: readonly Schedule[], memo?: Map<string, string>): Promise<number> {
  const nowMs = ctx.clock.nowMs();
  let written = 0;
  for (const schedule of schedules) {
    const key = scheduleKey(schedule, nowMs);
    if (memo?.get(schedule.type) === key) continue;
    const runAtMs = slotStartMs(schedule.everyMs, nowMs);
    if (await enqueueJob(ctx, { type: schedule.type, payload: schedule.payload ?? null, key, runAtMs })) written++;
    memo?.set(schedule.type, key);
  }
  return written;
}
