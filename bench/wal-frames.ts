// What a workload's commits wrote to a SQLite WAL: the file decoded frame by frame, each frame's page named by the
// B-tree it belongs to (dbstat). Shared by ledger-wal-frames.ts (grouped earns) and sweep-wal-frames.ts (a day's
// sweep); run with checkpoints off, or the WAL starts over and loses the frames.
import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any database's handle: only dbstat is read
export async function walPagesByTree(db: Kysely<any>, file: string): Promise<{ pages: number; perTree: Map<string, number> }> {
  // WAL format: a 32-byte header (page size at offset 8), then frames of a 24-byte header (page number first) and a page.
  const wal = readFileSync(`${file}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const pages: number[] = [];
  for (let offset = 32; offset + 24 + pageSize <= wal.length; offset += 24 + pageSize) pages.push(wal.readUInt32BE(offset));
  const treeOf = new Map<number, string>();
  for (const row of (await sql<{ name: string; pageno: number }>`select name, pageno from dbstat`.execute(db)).rows) treeOf.set(Number(row.pageno), row.name);
  const perTree = new Map<string, number>();
  for (const page of pages) {
    const tree = treeOf.get(page) ?? '(freelist)';
    perTree.set(tree, (perTree.get(tree) ?? 0) + 1);
  }
  return { pages: pages.length, perTree };
}

/** One line per B-tree, most pages first, in pages per unit of work (`units`: the earns or events that wrote them). */
export function pagesPerUnitLines(perTree: Map<string, number>, units: number): string {
  return [...perTree].sort((a, b) => b[1] - a[1]).map(([tree, count]) => `  ${(count / units).toFixed(3).padStart(7)}  ${tree}\n`).join('');
}
