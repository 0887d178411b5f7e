// Foundation benchmarks: cold start to ready (PF-12) and signed-in GET /api/v1/me on SQLite (PF-9 style).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Started {
  child: ChildProcess;
  baseUrl: string;
  readyMs: number;
  output: () => string;
}

/** Starts `patron serve` on a fresh data folder and waits until /readyz answers 200. */
export async function startServer(dataDir: string, extraEnv: Record<string, string> = {}): Promise<Started> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  const child = spawn(process.execPath, ['src/cli/main.ts', 'serve'], {
    env: {
      ...process.env,
      NODE_NO_WARNINGS: '1',
      PATRON_DATA_DIR: dataDir,
      PATRON_PORT: String(port),
      PATRON_HOST: '127.0.0.1',
      PATRON_PUBLIC_URL: baseUrl,
      PATRON_LOG_LEVEL: 'warn',
      PATRON_WORKER: 'false',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      const response = await fetch(`${baseUrl}/readyz`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - startedAt > 120_000) throw new Error(`server not ready after 120 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { child, baseUrl, readyMs: performance.now() - startedAt, output: () => output };
}

export async function stopServer(started: Started): Promise<void> {
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await exited;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function runFoundationBench(): Promise<void> {
  const rows: Array<[string, string, string, string]> = [];
  const results: Record<string, number> = {};

  // PF-12: cold start on an empty data folder (migrations + demo data), measured five times.
  const coldStarts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'patron-bench-'));
    const started = await startServer(dataDir);
    coldStarts.push(started.readyMs);
    await stopServer(started);
    await rm(dataDir, { recursive: true, force: true });
  }
  coldStarts.sort((a, b) => a - b);
  results.coldStartMedianMs = Math.round(percentile(coldStarts, 50));
  results.coldStartMaxMs = Math.round(coldStarts.at(-1)!);
  rows.push(['PF-12', 'cold start to ready (fresh data dir, migrations + demo data), median', `${results.coldStartMedianMs} ms (max ${results.coldStartMaxMs})`, '≤ 2000 ms']);

  // Signed-in GET /api/v1/me on SQLite, at saturation and at half of it.
  const dataDir = await mkdtemp(join(tmpdir(), 'patron-bench-'));
  const started = await startServer(dataDir, { PATRON_DEMO_DATA: 'true' });
  try {
    const email = /demo member\s+(\S+)\s+\/\s+(\S+)/.exec(started.output());
    if (!email) throw new Error(`no demo member in the start banner:\n${started.output()}`);
    const signIn = await fetch(`${started.baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: email[1], password: email[2] }),
    });
    if (signIn.status !== 200) throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const run = (options: { connections: number; overallRate?: number }) =>
      autocannon({ url: `${started.baseUrl}/api/v1/me`, headers: { cookie }, duration: 8, ...options });
    await run({ connections: 10 }); // warm-up
    const saturated = await run({ connections: 32 });
    if (saturated.non2xx > 0) throw new Error(`${saturated.non2xx} non-2xx answers`);
    results.meRps = Math.round(saturated.requests.average);
    results.meP99SaturatedMs = saturated.latency.p99;
    const half = await run({ connections: 16, overallRate: Math.max(1, Math.floor(results.meRps / 2)) });
    results.meP99HalfMs = half.latency.p99;
    rows.push(['PF-9', 'signed-in GET /api/v1/me, SQLite, 32 connections', `${results.meRps} req/s (p99 ${results.meP99SaturatedMs} ms)`, '≥ 5000 req/s']);
    rows.push(['PF-9', 'signed-in GET /api/v1/me at half that rate', `p99 ${results.meP99HalfMs} ms`, 'p99 ≤ 10 ms']);
  } finally {
    await stopServer(started);
    await rm(dataDir, { recursive: true, force: true });
  }

  const width = [6, 70, 34, 14];
  process.stdout.write(`${['id', 'what', 'measured', 'target'].map((h, i) => h.padEnd(width[i]!)).join(' ')}\n`);
  for (const row of rows) process.stdout.write(`${row.map((c, i) => c.padEnd(width[i]!)).join(' ')}\n`);
  process.stdout.write(`${JSON.stringify({ bench: 'foundation', ...results })}\n`);
}
