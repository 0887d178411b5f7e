// Bounded sweeps (CONVENTIONS 12): upkeep jobs delete old rows a batch at a time, so one run never holds a long
// transaction or an unbounded lock, and the next scheduled run takes whatever is left.
export interface BatchLimits {
  batchSize: number;
  maxBatches: number;
}

export const defaultBatchLimits: BatchLimits = { batchSize: 500, maxBatches: 20 };

/** Calls `deleteBatch(batchSize)` until a batch deletes fewer rows than asked or `maxBatches` ran; the total deleted. */
export async function deleteInBatches(deleteBatch: (limit: number) => Promise<number>, limits: BatchLimits = defaultBatchLimits): Promise<number> {
  let deleted = 0;
  for (let batch = 0; batch < limits.maxBatches; batch++) {
    const count = await deleteBatch(limits.batchSize);
    deleted += count;
    if (count < limits.batchSize) break;
  }
  return deleted;
}
