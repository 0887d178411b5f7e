// `patron import members|orders FILE.csv [--dry-run] [--country XX]` (PL-11): streams the file through the flows
// layer's importer, draws a progress bar on a terminal (rows, rate, share of the file, ETA) or prints a plain
// progress line every few seconds otherwise, then a summary and the rejected rows by line.
// Exit codes: 0 every row imported or already there, 1 some rows rejected, 2 usage or an unusable file.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Deps } from '../deps.ts';
import { runImport, ImportFileError, type ImportProgress, type ImportReport } from '../flows/import.ts';
import { importKinds, type ImportKind } from '../flows/import.rules.ts';

export const importUsage = `usage: patron import members|orders FILE.csv [--dry-run] [--country XX]
  members: Patron's format or a Smile.io customer export (docs/OPERATIONS.md); --country for rows without one
  orders:  Patron's orders format, one row per order line`;

interface Output {
  out: (text: string) => void;
  err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const whole = Math.round(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  return `${h > 0 ? `${h}:${String(m).padStart(2, '0')}` : String(m)}:${String(s).padStart(2, '0')}`;
}

/** One progress line: rows, rate, and (when the file's size is known) the share done and the time left. */
export function progressText(progress: ImportProgress, elapsedSeconds: number, totalBytes: number, barWidth: number): string {
  const rate = elapsedSeconds > 0 ? progress.rows / elapsedSeconds : 0;
  const share = totalBytes > 0 ? Math.min(1, progress.bytesRead / totalBytes) : 0;
  const etaSeconds = share > 0 ? (elapsedSeconds * (1 - share)) / share : Number.NaN;
  const filled = Math.round(share * barWidth);
  const bar = barWidth > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ` : '';
  return `${bar}${(share * 100).toFixed(0).padStart(3)}%  ${progress.rows.toLocaleString('en-US')} rows  ${Math.round(rate).toLocaleString('en-US')}/s  ETA ${formatDuration(etaSeconds)}  (${progress.created} new, ${progress.unchanged} unchanged, ${progress.rejected} rejected)`;
}

export function summaryText(report: ImportReport, elapsedSeconds: number): string[] {
  const lines = [
    `${report.dryRun ? 'dry run (nothing written): ' : ''}${report.kind} (${report.format} format): ${report.rows} row(s) in ${formatDuration(elapsedSeconds)}, ` +
      `${Math.round(report.rows / Math.max(elapsedSeconds, 0.001))}/s: ${report.created} ${report.dryRun ? 'would be imported' : 'imported'}, ${report.unchanged} already there, ${report.rejected} rejected`,
  ];
  if (report.kind === 'members') lines.push(`credits ${report.dryRun ? 'that would be ' : ''}posted as migrated lots: ${report.creditsImported}`);
  if (report.rejected > 0) {
    lines.push('rejected rows (nothing of these rows was imported):');
    for (const row of report.rejectedRows) lines.push(`  line ${row.line}: ${row.reason}`);
    if (report.rejected > report.rejectedRows.length) lines.push(`  … and ${report.rejected - report.rejectedRows.length} more`);
  }
  return lines;
}

export async function importCommand(deps: Deps, args: string[], io: Output): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { 'dry-run': { type: 'boolean', default: false }, country: { type: 'string' } } });
  } catch (error) {
    io.out(`${error instanceof Error ? error.message : String(error)}\n${importUsage}`);
    return 2;
  }
  const [kind, file, ...extra] = parsed.positionals;
  if (!kind || !(importKinds as readonly string[]).includes(kind) || !file || extra.length > 0) {
    io.out(importUsage);
    return 2;
  }
  const country = parsed.values.country?.toUpperCase() ?? null;
  if (country !== null && !/^[A-Z]{2}$/.test(country)) {
    io.out('--country takes a two-letter ISO country code such as US');
    return 2;
  }
  let totalBytes: number;
  try {
    totalBytes = (await stat(file)).size;
  } catch {
    io.out(`cannot read ${file}`);
    return 2;
  }
  const tty = io.err.isTTY === true;
  const rssBeforeMb = Math.round(process.memoryUsage.rss() / 1024 / 1024);
  const started = performance.now();
  let lastDrawn = 0;
  let peakHeapBytes = process.memoryUsage().heapUsed;
  const elapsed = () => (performance.now() - started) / 1000;
  const draw = (progress: ImportProgress, final: boolean) => {
    peakHeapBytes = Math.max(peakHeapBytes, process.memoryUsage().heapUsed);
    const now = performance.now();
    if (!final && now - lastDrawn < (tty ? 100 : 5000)) return;
    lastDrawn = now;
    if (tty) {
      const width = Math.max(10, Math.min(30, (io.err.columns ?? 100) - 90));
      io.err.write(`\r${progressText(progress, elapsed(), totalBytes, width)}\u001b[K${final ? '\n' : ''}`);
    } else {
      io.err.write(`progress: ${progressText(progress, elapsed(), totalBytes, 0)}\n`);
    }
  };
  try {
    const report = await runImport(deps, {
      kind: kind as ImportKind,
      source: createReadStream(file, { highWaterMark: 64 * 1024 }),
      dryRun: parsed.values['dry-run'],
      defaultCountry: country,
      onProgress: (progress) => draw(progress, false),
    });
    draw(report, true);
    for (const line of summaryText(report, elapsed())) io.out(line);
    // RSS includes SQLite's page cache (64 MB) and its memory-mapped database file (up to 256 MB), both bounded by
    // configuration (src/db/node-sqlite-adapter.ts); the heap is the importer's own memory.
    io.out(`peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (${rssBeforeMb} MB when the import started); peak heap: ${Math.round(peakHeapBytes / 1024 / 1024)} MB`);
    return report.rejected > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof ImportFileError) {
      io.out(`${file}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
