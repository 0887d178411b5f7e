// Background work below the server in the CPU's queue (issue 12, PF-8: "online p99 at most doubles while the sweep
// runs"). On a host whose cores the server shares with a job worker or a checkpointer, the scheduler gives every
// runnable thread its turn; a thread of background work at a higher nice value yields to the server's thread
// whenever both want a core. Measured at 100,000 members on 2 cores, a 30-day sweep backlog in a worker thread beside
// four online readers: the readers' p99 3.66 ms at nice 0, 1.16 ms at nice 10 (docs/PERFORMANCE.md, session 20).
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Raises the calling thread's nice value (lowers its CPU priority) to `nice`, 0–19. Linux only: there a thread is a
 * task with an ID of its own (`/proc/thread-self`), so only this thread changes, not the process's other threads.
 * Answers whether it did (false elsewhere, or for 0). Raising one's own nice value needs no privilege.
 */
export function lowerThreadPriority(nice: number): boolean {
  if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new RangeError('nice is an integer from 0 to 19');
  if (nice === 0) return false;
  let threadId: number;
  try {
    threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return false;
  }
  if (!Number.isInteger(threadId) || threadId <= 0) return false;
  setPriority(threadId, nice);
  return true;
}
