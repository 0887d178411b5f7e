// `npm run bench -- import [--size XS|S|M]`: PL-11 / issue 13's import acceptance. Generates a members file in
// Patron's format (XS 2k, S 100k, M 1M members, every tenth without a balance, deterministic), imports it with the
// real command line (`patron import members`, a child process on a fresh SQLite data folder, progress lines on its
// stderr), reports rows/s and the importer's peak RSS, imports it a second time (which must change nothing), and
// runs the credits auditor (`patron credits audit`) at the end. A failed expectation exits 1.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const maxHeapMb = 96;
const youngGenerationMb = 32;
const sizes = { XS: 2_000, S: 100_000, M: 1_000_000 } as const;

/** Writes `count` members to `file` (streamed: the generator holds one line at a time). */
export async function writeMembersFile(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('email,first_name,last_name,country,date_of_birth,credits,credits_expire_on\n');
  for (let index = 1; index <= count; index++) {
    const year = 1950 + (index % 50);
    const month = String(1 + (index % 12)).padStart(2, '0');
    const day = String(1 + (index % 28)).padStart(2, '0');
    const credits = index % 10 === 0 ? 0 : 10 + ((index * 7919) % 5000);
    const expires = index % 3 === 0 ? '2027-12-31' : '';
    const line = `member${index}@import.example.com,First${index},"Last, ${index}",${index % 4 === 0 ? 'FR' : 'US'},${year}-${month}-${day},${credits},${expires}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

interface RunResult {
  code: number | null;
  seconds: number;
  out: string;
  progressLines: number;
}

function patronEnv(dataDir: string): NodeJS.ProcessEnv {
  // The embedded default (SQLite in the data folder), whatever database the calling shell names.
  const { PATRON_DATABASE_URL: _ignored, ...environment } = process.env;
  return { ...environment, NODE_NO_WARNINGS: '1', PATRON_DATA_DIR: dataDir, PATRON_LOG_LEVEL: 'silent', PATRON_CLOCK: 'simulated', PATRON_CLOCK_START: '2026-03-02T17:00:00Z' };
}

async function runImport(dataDir: string, file: string): Promise<RunResult> {
  const started = performance.now();
  // The old generation capped at 96 MB: an importer whose memory grew with the file would die here, not pass slowly.
  const child = spawn(process.execPath, [`--max-old-space-size=${maxHeapMb}`, 'src/cli/main.ts', 'import', 'members', file], { env: patronEnv(dataDir), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let progressLines = 0;
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.startsWith('progress:')) {
        progressLines += 1;
        process.stdout.write(`  ${line}\n`);
      }
    }
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, seconds: (performance.now() - started) / 1000, out, progressLines };
}

export async function runImportBench(options: { size: keyof typeof sizes }): Promise<void> {
  const count = sizes[options.size];
  const folder = mkdtempSync(join(tmpdir(), 'patron-import-bench-'));
  let failed = false;
  const expect = (ok: boolean, what: string) => {
    if (!ok) {
      failed = true;
      process.stdout.write(`  FAILED: ${what}\n`);
    }
  };
  try {
    const file = join(folder, 'members.csv');
    const dataDir = join(folder, 'data');
    await writeMembersFile(file, count);
    process.stdout.write(`members file: ${count.toLocaleString('en-US')} rows, ${(statSync(file).size / 1024 / 1024).toFixed(1)} MB\n`);
    const migrate = spawnSync(process.execPath, ['src/cli/main.ts', 'migrate'], { env: patronEnv(dataDir), encoding: 'utf8' });
    expect(migrate.status === 0, `migrate: ${migrate.stderr}`);

    const first = await runImport(dataDir, file);
    const peak = (run: RunResult) => Number(/peak RSS: (\d+) MB/.exec(run.out)?.[1] ?? Number.NaN);
    const heap = (run: RunResult) => Number(/peak heap: (\d+) MB/.exec(run.out)?.[1] ?? Number.NaN);
    process.stdout.write(`first run:  exit ${first.code}, ${first.seconds.toFixed(1)} s, ${Math.round(count / first.seconds).toLocaleString('en-US')} rows/s, peak RSS ${peak(first)} MB, peak heap ${heap(first)} MB, ${first.progressLines} progress line(s)\n${first.out.replace(/^/gm, '  ')}`);
    expect(first.code === 0, 'the first run imports every row');
    expect(new RegExp(`: ${count} imported, 0 already there, 0 rejected`).test(first.out), 'every row imported');

    const second = await runImport(dataDir, file);
    process.stdout.write(`second run: exit ${second.code}, ${second.seconds.toFixed(1)} s, ${Math.round(count / second.seconds).toLocaleString('en-US')} rows/s, peak RSS ${peak(second)} MB, peak heap ${heap(second)} MB\n${second.out.replace(/^/gm, '  ')}`);
    expect(second.code === 0 && new RegExp(`: 0 imported, ${count} already there, 0 rejected`).test(second.out), 'the second run changes nothing');
    expect(/credits posted as migrated lots: 0/.test(second.out), 'no credits posted the second time');

    const audit = spawnSync(process.execPath, ['src/cli/main.ts', 'credits', 'audit'], { env: patronEnv(dataDir), encoding: 'utf8' });
    process.stdout.write(`auditor: ${audit.stdout.trim()}\n`);
    expect(audit.status === 0, 'the auditor is clean');
    // RSS = the runtime (~185 MB) + SQLite's page cache (64 MB) + its mmap window (256 MB), each bounded by
    // configuration; the importer's own memory is the heap, capped at maxHeapMb for the child.
    expect(peak(first) <= 185 + 64 + 256 + 64, 'peak RSS within the runtime plus SQLite\'s configured cache and mmap window');
    // heapUsed also counts the young generation, which --max-old-space-size does not cap: allow it on top.
    expect(heap(first) <= maxHeapMb + youngGenerationMb && heap(second) <= maxHeapMb + youngGenerationMb, `peak heap ≤ ${maxHeapMb} + ${youngGenerationMb} MB`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}
