// PF-7: the balance snapshot job. Every snapshotEvery-th transaction of a member gets a snapshot, so a point-in-time
// read sums at most about one period of postings. Off the hot path: operations write nothing for it (the partial
// index on every 200th transaction is the work list), and the job takes what is due in bounded batches. A period is
// counted in transactions, not days: a read costs what it sums, and a quiet member's whole history is short.
import { z } from 'zod';
import type { Ctx, Deps } from '../../deps.ts';
import { MINUTE_MS } from '../../platform/clock.ts';
import { yieldBetweenBatches } from '../../db/batches.ts';
import type { JobHandler, Schedule } from '../../jobs/index.ts';
import { computeSnapshot, insertSnapshot, snapshotsDue } from './snapshot.repository.ts';

export interface SnapshotOptions {
  /** Snapshots per batch. */
  batchSize?: number;
  /** Upper bound on batches per call; the next run continues. */
  maxBatches?: number;
}

export interface SnapshotReport {
  taken: number;
  /** True when the run stopped at maxBatches with work left. */
  more: boolean;
}

/**
 * How far before the newest snapshot's transaction the work list is read again: a transaction is recorded (its
 * recorded_at_ms) before it commits, so one recorded a little earlier may become visible after a later one.
 */
export const snapshotLagMs = 60 * MINUTE_MS;

export async function runCreditsSnapshots(ctx: Ctx, options: SnapshotOptions = {}): Promise<SnapshotReport> {
  const batchSize = options.batchSize ?? 500;
  const maxBatches = options.maxBatches ?? 20;
  const report: SnapshotReport = { taken: 0, more: false };
  for (let batch = 0; ; batch++) {
    if (batch > 0) await yieldBetweenBatches();
    const due = await snapshotsDue(ctx.db, snapshotLagMs, batchSize);
    if (due.length === 0) return report;
    if (batch >= maxBatches) {
      report.more = true;
      return report;
    }
    // Oldest first: a member's snapshot at 400 is built on the one at 200 taken just before it.
    for (const { member_id, version } of due) {
      const row = await computeSnapshot(ctx.db, member_id, version, ctx.clock.nowMs());
      if (row) {
        await insertSnapshot(ctx.db, row);
        report.taken += 1;
      }
    }
  }
}

const snapshotPayload = z.object({ batchSize: z.number().int().min(1).max(5000).optional() }).nullable();

/** Idempotent: a snapshot already taken is no longer due, and one taken twice is kept once. */
export const creditsSnapshotJob: JobHandler = async (deps: Deps, payload) => {
  const parsed = snapshotPayload.parse(payload ?? null);
  await runCreditsSnapshots(deps, { batchSize: parsed?.batchSize });
};

export const creditsSnapshotJobType = 'credits-snapshots';

export const snapshotJobHandlers: Record<string, JobHandler> = { [creditsSnapshotJobType]: creditsSnapshotJob };

export const snapshotSchedules: Schedule[] = [{ type: creditsSnapshotJobType, everyMs: 5 * MINUTE_MS }];
