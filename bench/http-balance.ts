// `npm run bench -- http-balance`: PF-9, a signed-in member's `GET /api/v1/me/credits` over HTTP on SQLite, measured
// with autocannon on loopback against `patron serve` (a child process, the worker off, rate limits as configured),
// at saturation and at half of that rate, next to a bare Fastify server answering a body of the same size (the
// ceiling) in the same run. The ledger bench calls measureHttpBalance for its PF-9 row.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, startServer, stopServer } from './foundation.ts';

export interface HttpBalanceOptions {
  /** Seconds per measured run (default 8). */
  durationS?: number;
  /** Connections at saturation (default 32). */
  connections?: number;
}

export interface HttpBalanceResult {
  rps: number;
  p99SaturatedMs: number;
  /** p99 at half the saturated rate (PF-9: ≤ 10 ms). */
  p99HalfMs: number;
  ceilingRps: number;
  ratioToCeiling: number;
  non2xx: number;
}

async function saturate(url: string, headers: Record<string, string>, durationS: number, connections: number) {
  return autocannon({ url, headers, duration: durationS, connections, pipelining: 1 });
}

async function measureCeiling(durationS: number, connections: number): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bench/raw-fastify-server.ts'], { env: { ...process.env, NODE_NO_WARNINGS: '1', PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await once(child.stdout!, 'data');
    const url = `http://127.0.0.1:${port}/api/v1/me/credits`;
    await saturate(url, {}, Math.min(3, durationS), connections); // warm-up
    return Math.round((await saturate(url, {}, durationS, connections)).requests.average);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

export async function measureHttpBalance(options: HttpBalanceOptions = {}): Promise<HttpBalanceResult> {
  const durationS = options.durationS ?? 8;
  const connections = options.connections ?? 32;
  const dataDir = await mkdtemp(join(tmpdir(), 'patron-bench-http-'));
  // SQLite in the data folder (PF-9 is the embedded default), whatever database the calling shell names.
  const started = await startServer(dataDir, { PATRON_DATABASE_URL: join(dataDir, 'patron.sqlite'), PATRON_DEMO_DATA: 'true', PATRON_LOG_LEVEL: 'warn' });
  try {
    const demo = /demo member\s+(\S+)\s+\/\s+(\S+)/.exec(started.output());
    if (!demo) throw new Error(`no demo member in the start banner:\n${started.output()}`);
    const signIn = await fetch(`${started.baseUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: demo[1], password: demo[2] }) });
    if (signIn.status !== 200) throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);
    const cookie = signIn.headers.getSetCookie().map((value) => value.split(';')[0]).join('; ');
    const url = `${started.baseUrl}/api/v1/me/credits`;
    const check = await fetch(url, { headers: { cookie } });
    if (check.status !== 200) throw new Error(`GET ${url}: ${check.status} ${await check.text()}`);
    await saturate(url, { cookie }, Math.min(3, durationS), connections); // warm-up (JIT, page cache)
    const saturated = await saturate(url, { cookie }, durationS, connections);
    const rps = Math.round(saturated.requests.average);
    const half = await autocannon({ url, headers: { cookie }, duration: durationS, connections: Math.max(1, connections / 2), overallRate: Math.max(1, Math.floor(rps / 2)) });
    const ceilingRps = await measureCeiling(durationS, connections);
    return {
      rps,
      p99SaturatedMs: saturated.latency.p99,
      p99HalfMs: half.latency.p99,
      ceilingRps,
      ratioToCeiling: Math.round((rps / ceilingRps) * 100) / 100,
      non2xx: saturated.non2xx + half.non2xx,
    };
  } finally {
    await stopServer(started);
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function runHttpBalanceBench(options: HttpBalanceOptions = {}): Promise<void> {
  const result = await measureHttpBalance(options);
  const rows: Array<[string, string, string]> = [
    ['signed-in GET /api/v1/me/credits, SQLite, saturation', `${result.rps} req/s (p99 ${result.p99SaturatedMs} ms)`, '≥ 5000 req/s'],
    ['the same at half that rate', `p99 ${result.p99HalfMs} ms`, 'p99 ≤ 10 ms'],
    ['bare Fastify, same body (ceiling, same run)', `${result.ceilingRps} req/s`, ''],
    ['ratio to the ceiling', `${result.ratioToCeiling}`, ''],
  ];
  for (const [what, measured, target] of rows) process.stdout.write(`PF-9  ${what.padEnd(56)} ${measured.padEnd(28)} ${target}\n`);
  process.stdout.write(`${JSON.stringify({ bench: 'http-balance', ...result })}\n`);
  if (result.non2xx > 0) {
    process.stdout.write(`FAILED: ${result.non2xx} non-2xx answers\n`);
    process.exitCode = 1;
  }
}
