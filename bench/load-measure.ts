// Load loops for the benchmarks: a closed loop (N callers, each starting its next call when the last one ends: the
// saturated rate, whose latencies are mostly queueing once the callers outnumber what the server does at once) and
// an open loop paced at a fixed rate (latencies at a load the server keeps up with: PF-7 and PF-9 judge p99 there).
import { percentile } from './ceilings.ts';
import { AppError } from '../src/platform/errors.ts';

export interface Measured {
  perSecond: number;
  ops: number;
  failures: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs `op` from `workers` concurrent loops for `seconds`; an op that throws AppError counts as a failure. */
export async function measure(seconds: number, workers: number, op: (worker: number, i: number) => Promise<unknown>): Promise<Measured> {
  const latencies: number[] = [];
  let failures = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        try {
          await op(worker, i);
          latencies.push(performance.now() - t);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          failures += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / elapsed, ops: latencies.length, failures, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

/**
 * Starts `op` at `rate` per second for `seconds`, whether or not earlier calls have finished (an open loop). Each
 * latency counts from the moment the call was due, not from when it started, so a stalled loop shows in the
 * percentiles instead of hiding (no coordinated omission). Between calls the loop yields with setImmediate (timers
 * are ~1 ms coarse, longer than the gap between calls at these rates). The loop keeps a count of the calls in flight
 * and one preallocated array of latencies, not a promise per call: those would survive every young-generation GC of
 * the run and lengthen the pauses it is measuring.
 */
export async function measurePaced(seconds: number, rate: number, op: (i: number) => Promise<unknown>): Promise<Measured> {
  const total = Math.max(1, Math.floor(seconds * rate));
  const recorded = new Float64Array(total);
  let done = 0;
  let failures = 0;
  let inFlight = 0;
  let failed: unknown;
  let drained = () => {};
  const allSettled = new Promise<void>((resolve) => (drained = resolve));
  const gapMs = 1000 / rate;
  const start = performance.now();
  let issued = 0;
  const settle = () => {
    inFlight -= 1;
    if (issued === total && inFlight === 0) drained();
  };
  while (issued < total) {
    const now = performance.now();
    while (issued < total && start + issued * gapMs <= now) {
      const due = start + issued * gapMs;
      inFlight += 1;
      issued += 1;
      op(issued - 1).then(
        () => {
          recorded[done++] = performance.now() - due;
          settle();
        },
        (error: unknown) => {
          if (error instanceof AppError) failures += 1;
          else failed ??= error;
          settle();
        },
      );
    }
    const wait = start + issued * gapMs - performance.now();
    await new Promise((resolve) => (wait > 2 ? setTimeout(resolve, wait - 1) : setImmediate(resolve)));
  }
  if (inFlight > 0) await allSettled;
  if (failed !== undefined) throw failed;
  const elapsed = (performance.now() - start) / 1000;
  const latencies = Array.from(recorded.subarray(0, done)).sort((a, b) => a - b);
  return { perSecond: latencies.length / elapsed, ops: latencies.length, failures, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}
