// The append-only journal of erasures outside the database (PV-19): `<data folder>/privacy/erasures.jsonl`, one JSON
// line per erasure ({ memberId, erasedAtMs }: a pseudonymous ID and a time). A backup restored later misses the
// erasures made after it; `patron restore` reads this journal and erases again every subject the restored registry
// does not list. Appending twice is harmless (restore reads a set).
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const entry = z.object({ memberId: z.string().min(1).max(100), erasedAtMs: z.number().int() });
export type JournalEntry = z.infer<typeof entry>;

export function erasureJournalPath(dataDir: string): string {
  return join(dataDir, 'privacy', 'erasures.jsonl');
}

export function appendErasureJournal(dataDir: string, line: JournalEntry): void {
  const path = erasureJournalPath(dataDir);
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(entry.parse(line))}\n`, { flush: true });
}

/** Every journaled erasure, first per member; a torn last line (a crash while appending) is skipped. */
export function readErasureJournal(dataDir: string): JournalEntry[] {
  const path = erasureJournalPath(dataDir);
  if (!existsSync(path)) return [];
  const seen = new Map<string, JournalEntry>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let parsed: JournalEntry;
    try {
      parsed = entry.parse(JSON.parse(line));
    } catch {
      continue;
    }
    if (!seen.has(parsed.memberId)) seen.set(parsed.memberId, parsed);
  }
  return [...seen.values()];
}
