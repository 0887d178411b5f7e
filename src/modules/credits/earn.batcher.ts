// Micro-batching for recording writes (PF-5): concurrent earn calls (webhook deliveries) wait a moment and share one
// commit. Each caller still gets its own result or error; a batch is at most `maxBatch` earnings.
import type { Ctx } from '../../deps.ts';
import { earnForOrders, type EarnForOrderInput, type EarnForOrderResult } from './earn.service.ts';

export interface EarnBatcher {
  earn(input: EarnForOrderInput): Promise<EarnForOrderResult>;
  /** Writes what is waiting now. */
  flush(): Promise<void>;
}

interface Waiting {
  input: EarnForOrderInput;
  resolve(result: EarnForOrderResult): void;
  reject(error: unknown): void;
}

export function createEarnBatcher(ctx: Ctx, options: { maxBatch?: number; maxWaitMs?: number } = {}): EarnBatcher {
  const maxBatch = options.maxBatch ?? 100;
  const maxWaitMs = options.maxWaitMs ?? 2;
  let waiting: Waiting[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const inFlight = new Set<Promise<void>>();

  const run = async (batch: Waiting[]): Promise<void> => {
    try {
      const outcomes = await earnForOrders(ctx, batch.map((w) => w.input));
      outcomes.forEach((outcome, i) => (outcome.ok ? batch[i]!.resolve(outcome.result) : batch[i]!.reject(outcome.error)));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  };

  const flush = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, maxBatch);
      waiting = waiting.slice(maxBatch);
      const job = run(batch);
      inFlight.add(job);
      void job.finally(() => inFlight.delete(job));
    }
    await Promise.all([...inFlight]);
  };

  return {
    earn(input) {
      return new Promise<EarnForOrderResult>((resolve, reject) => {
        waiting.push({ input, resolve, reject });
        if (waiting.length >= maxBatch) void flush();
        else timer ??= setTimeout(() => void flush(), maxWaitMs);
      });
    },
    flush,
  };
}
