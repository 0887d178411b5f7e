// Reads a file through once so that its pages sit in the operating system's page cache: SQLite's counterpart of
// prewarmSchema (postgres-schema.ts). At M the ledger file is ~4.5 GB and the machine holds it, its two copies for the
// earn-rows ceilings and PostgreSQL's 8 GB only in part: read at random members from a half-evicted copy, the earn
// rows by raw statements measured 2.9k/s at M against 14k/s at S, below the service on the same data (6.2k/s). A
// ledger in use has its pages in memory.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';

/** Megabytes read: `path` and its WAL, if any, start to end. */
export function readIntoPageCache(path: string): number {
  const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
  let bytes = 0;
  for (const file of [path, `${path}-wal`]) {
    if (!existsSync(file)) continue;
    const fd = openSync(file, 'r');
    try {
      for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) bytes += n;
    } finally {
      closeSync(fd);
    }
  }
  return bytes / 1024 / 1024;
}
