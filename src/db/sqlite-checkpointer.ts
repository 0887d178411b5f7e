// Moves SQLite's WAL checkpoints off the commit path (issue 12, PF-1). With automatic checkpoints the commit that
// crosses the threshold copies the whole WAL into the database file on the event loop: measured with 16 concurrent
// earners, commits averaged 1.6 ms and the periodic checkpoint took a third of the write time (docs/PERFORMANCE.md).
// Here a worker thread with a connection of its own runs PASSIVE checkpoints (they never wait for or block a writer)
// on the other core, often while the writer is busy and four times a second when it is not (CheckpointPace); the
// writer keeps a far higher automatic threshold only as a safety net, in case the worker cannot keep up or has stopped.
import { Worker } from 'node:worker_threads';

/** WAL pages after which the writer checkpoints by itself (the safety net): 64 MB of 4 kB pages. */
export const safetyNetCheckpointPages = 16_000;

// The thread takes nice 10 (platform/thread-priority.ts, loaded by URL: this code is evaluated as it stands): copying
// the WAL into the database file can wait while the server's thread wants the core.
const workerCode = () => `
const { parentPort, workerData } = require('node:worker_threads');
const nextCheckpointDelay = ${nextCheckpointDelay.toString()};
const { DatabaseSync } = require('node:sqlite');
import(workerData.priorityModule).then(({ lowerThreadPriority }) => lowerThreadPriority(10), () => { /* the same priority */ });
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA busy_timeout = 1000');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
let copiedBefore = -1;
let timer;
const tick = () => {
  let delayMs = workerData.idleMs;
  try {
    const result = checkpoint.get();
    delayMs = nextCheckpointDelay(result, copiedBefore, workerData);
    copiedBefore = result.checkpointed;
  } catch { /* busy or closing: the next tick tries again */ }
  timer = setTimeout(tick, delayMs);
};
timer = setTimeout(tick, workerData.idleMs);
parentPort.on('message', () => {
  clearTimeout(timer);
  try { checkpoint.get(); } catch { /* the writer closes the database next */ }
  db.close();
  parentPort.postMessage('stopped');
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * How often the thread checkpoints: every `busyMs` while the writer is adding frames, every `idleMs` once a
 * checkpoint finds nothing new. The WAL starts over only when a checkpoint has copied every frame before the writer's
 * next transaction; run rarely, the thread's checkpoint seldom finishes between a busy writer's commits and the
 * writer's safety net copies the rest on the commit path. Measured with 16 concurrent earners on 20,000 members,
 * checkpointing every 250 ms gave 4.9–5.2k earns/s, every 50 ms 5.6–6.2k, every 10 ms 6.2–6.3k (alternating runs);
 * an idle database is looked at four times a second as before.
 */
export interface CheckpointPace {
  busyMs: number;
  idleMs: number;
}

export const defaultCheckpointPace: CheckpointPace = { busyMs: 10, idleMs: 250 };

/**
 * The wait before the next checkpoint, from what `PRAGMA wal_checkpoint(PASSIVE)` answered (`log`: frames in the WAL,
 * `checkpointed`: how many of them are in the database file) and what the one before had copied: soon while frames
 * are left over or new ones were copied (the writer is at work), at the idle pace otherwise. Runs in the thread (its
 * source is copied into the worker's code), so it uses nothing from outside itself.
 */
export function nextCheckpointDelay(result: { log: number; checkpointed: number }, copiedBefore: number, pace: CheckpointPace): number {
  const busy = result.log > 0 && (result.checkpointed < result.log || result.checkpointed !== copiedBefore);
  return busy ? pace.busyMs : pace.idleMs;
}

/** Starts the background checkpoints of the SQLite file at `path` (a file in WAL mode, not `:memory:`). */
export function startCheckpointer(path: string, pace: CheckpointPace = defaultCheckpointPace): Checkpointer {
  const priorityModule = new URL('../platform/thread-priority.ts', import.meta.url).href;
  const worker = new Worker(workerCode(), { eval: true, workerData: { path, busyMs: pace.busyMs, idleMs: pace.idleMs, priorityModule } });
  // A database left open must not keep the process alive on its own.
  worker.unref();
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        worker.once('message', () => void worker.terminate().then(() => resolve()));
        worker.once('exit', () => resolve());
        worker.once('error', () => resolve());
        worker.postMessage('stop');
      });
      return stopped;
    },
  };
}

/** In memory there is no WAL to checkpoint. */
export function isSqliteFile(path: string): boolean {
  return path !== ':memory:' && path !== '' && !path.startsWith('file::memory:') && !path.includes('mode=memory');
}
