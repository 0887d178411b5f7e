// Moves SQLite's WAL checkpoints off the commit path (issue 12, PF-1). With automatic checkpoints the commit that
// crosses the threshold copies the whole WAL into the database file on the event loop: measured with 16 concurrent
// earners, commits averaged 1.6 ms and the periodic checkpoint took a third of the write time (docs/PERFORMANCE.md).
// Here a worker thread with a connection of its own runs PASSIVE checkpoints (they never wait for or block a writer)
// every `intervalMs`, on the other core; the writer keeps a far higher automatic threshold only as a safety net, in
// case the worker cannot keep up or has stopped.
import { Worker } from 'node:worker_threads';

/** WAL pages after which the writer checkpoints by itself (the safety net): 64 MB of 4 kB pages. */
export const safetyNetCheckpointPages = 16_000;

// The thread takes nice 10 (platform/thread-priority.ts, loaded by URL: this code is evaluated as it stands): copying
// the WAL into the database file can wait while the server's thread wants the core.
const workerCode = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
import(workerData.priorityModule).then(({ lowerThreadPriority }) => lowerThreadPriority(10), () => { /* the same priority */ });
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA busy_timeout = 1000');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try { checkpoint.get(); } catch { /* busy or closing: the next tick tries again */ }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { checkpoint.get(); } catch { /* the writer closes the database next */ }
  db.close();
  parentPort.postMessage('stopped');
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Starts the background checkpoints of the SQLite file at `path` (a file in WAL mode, not `:memory:`). */
export function startCheckpointer(path: string, intervalMs = 250): Checkpointer {
  const priorityModule = new URL('../platform/thread-priority.ts', import.meta.url).href;
  const worker = new Worker(workerCode, { eval: true, workerData: { path, intervalMs, priorityModule } });
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
