// Keeps the simulated clock in the database so the CLI, the server and its worker all see one time (PL-1).
import type { Executor } from './database.ts';
import { tables } from './database.ts';
import { AppError } from '../platform/errors.ts';
import { createSimulatedClock, type SimulatedClock } from '../platform/clock.ts';

interface ClockTables {
  simulated_clock: { id: string; now_ms: number };
}

const rowId = 'clock';

export async function readSimulatedMs(db: Executor): Promise<number | undefined> {
  const row = await tables<ClockTables>(db).selectFrom('simulated_clock').select('now_ms').where('id', '=', rowId).executeTakeFirst();
  return row?.now_ms;
}

/** Loads the stored simulated time, or stores `startMs` when there is none yet. */
export async function loadSimulatedClock(db: Executor, startMs: number): Promise<SimulatedClock> {
  const stored = await readSimulatedMs(db);
  if (stored !== undefined) return createSimulatedClock(stored);
  await tables<ClockTables>(db).insertInto('simulated_clock').values({ id: rowId, now_ms: startMs }).execute();
  return createSimulatedClock(startMs);
}

/** Picks up an advance made by another process; the clock never goes back. */
export async function syncSimulatedClock(db: Executor, clock: SimulatedClock): Promise<void> {
  const stored = await readSimulatedMs(db);
  if (stored !== undefined && stored > clock.nowMs()) clock.setMs(stored);
}

export async function advanceSimulatedClock(db: Executor, clock: SimulatedClock, durationMs: number): Promise<number> {
  if (durationMs <= 0) throw new AppError('validation', 'The clock only moves forward.');
  await syncSimulatedClock(db, clock);
  const nowMs = clock.advanceMs(durationMs);
  await tables<ClockTables>(db)
    .insertInto('simulated_clock')
    .values({ id: rowId, now_ms: nowMs })
    .onConflict((oc) => oc.column('id').doUpdateSet({ now_ms: nowMs }))
    .execute();
  return nowMs;
}
