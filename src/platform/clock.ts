// The one source of time (PL-1). Everything else receives a Clock; nothing reads the system time directly.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
  readonly mode: 'system' | 'simulated';
}

export interface SimulatedClock extends Clock {
  readonly mode: 'simulated';
  advanceMs(durationMs: number): number;
  setMs(epochMs: number): void;
}

export function createSystemClock(): Clock {
  return { mode: 'system', nowMs: () => Date.now() };
}

/**
 * A clock that only moves when told to. `offsetMs` lets several processes share one simulated time:
 * the stored offset is added to real time when `frozen` is false, or used as the absolute time when frozen.
 */
export function createSimulatedClock(startMs: number): SimulatedClock {
  let current = startMs;
  return {
    mode: 'simulated',
    nowMs: () => current,
    advanceMs(durationMs: number) {
      if (!Number.isInteger(durationMs) || durationMs < 0) throw new RangeError('a clock only moves forward by whole milliseconds');
      current += durationMs;
      return current;
    },
    setMs(epochMs: number) {
      if (epochMs < current) throw new RangeError('a simulated clock never goes back');
      current = epochMs;
    },
  };
}

/** The wall clock, for measuring durations in logs and benchmarks (never for business time). */
export function monotonicMs(): number {
  return performance.now();
}

const durationUnitsMs = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `30d`, `12h`, `90m`, `45s` (or a sum like `1d12h`) into milliseconds. */
export function parseDurationMs(text: string): number {
  const trimmed = text.trim();
  const pattern = /(\d+)([smhd])/g;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(pattern)) {
    const amount = Number(match[1]);
    const unit = match[2] as keyof typeof durationUnitsMs;
    total += amount * durationUnitsMs[unit];
    consumed += match[0].length;
  }
  if (consumed === 0 || consumed !== trimmed.length) {
    throw new RangeError(`"${text}" is not a duration like 30d, 12h, 90m or 45s`);
  }
  return total;
}

export const DAY_MS = durationUnitsMs.d;
export const HOUR_MS = durationUnitsMs.h;
export const MINUTE_MS = durationUnitsMs.m;
