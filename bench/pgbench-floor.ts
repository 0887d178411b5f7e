// PF-7's floor on PostgreSQL without Node: PostgreSQL's own load generator (pgbench, C, another process, prepared
// statements) calling the point-in-time function alone, and a primary-key read, paced at the rate PF-7 measures its
// p99 at: what the database answers at that rate with no Node in the way. Not a strict floor: pgbench takes its 10
// connections in turn, where node-postgres's pool reuses its most recently released one, so fewer backends wake per
// read (session 35 measured the service's p99 at 2.79 ms against pgbench's 3.29 ms for the function alone).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from './ceilings.ts';

export interface PgbenchFloor {
  /** The point-in-time function alone, called as the service calls it. */
  pointInTime: { p50Ms: number; p99Ms: number; perSecond: number };
  /** A primary-key read of an account. */
  primaryKey: { p50Ms: number; p99Ms: number; perSecond: number };
}

/** Whether pgbench is on the PATH (Debian ships it with the server, postgresql-15). */
export function hasPgbench(): boolean {
  return spawnSync('pgbench', ['--version'], { encoding: 'utf8' }).status === 0;
}

/**
 * Runs each statement at `rate` per second for `warmupSeconds + seconds` from 10 connections (2 threads), counting
 * only what was scheduled after the warm-up (pgbench's first transactions wait for its connections to open, ~0.1 s,
 * and would otherwise fill the tail). Latency as pgbench logs it under `--rate`: from the scheduled start, so its
 * lag counts, as measurePaced counts it.
 */
export function pgbenchFloor(options: { url: string; schema?: string; rate: number; seconds: number; warmupSeconds?: number; members: number; atMs: number }): PgbenchFloor {
  const member = `'mem_' || lpad(:m::text, 26, '0')`;
  const pick = `\\set m random(0, ${options.members - 1})\n`;
  return {
    pointInTime: run(options, `${pick}select credits_point_in_time(${member}, ${options.atMs});\n`),
    primaryKey: run(options, `${pick}select * from credit_accounts where member_id = ${member};\n`),
  };
}

function run(options: { url: string; schema?: string; rate: number; seconds: number; warmupSeconds?: number }, script: string): PgbenchFloor['pointInTime'] {
  const dir = mkdtempSync(join(tmpdir(), 'patron-pgbench-'));
  try {
    writeFileSync(join(dir, 'script.sql'), script);
    const warmup = options.warmupSeconds ?? 2;
    const args = ['-n', '-M', 'prepared', '-f', join(dir, 'script.sql'), '-R', String(Math.max(1, Math.round(options.rate))), '-T', String(Math.ceil(warmup + options.seconds)),
      '-c', '10', '-j', '2', '--log', `--log-prefix=${join(dir, 'log')}`, options.url];
    const env = { ...process.env, ...(options.schema ? { PGOPTIONS: `-c search_path=${options.schema}` } : {}) };
    const result = spawnSync('pgbench', args, { env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`pgbench failed: ${result.stderr.trim().split('\n').at(-1) ?? result.status}`);
    // Log lines: client, transaction, latency µs, script, epoch s, µs[, lag µs].
    const rows = readdirSync(dir).filter((name) => name.startsWith('log')).flatMap((name) => readFileSync(join(dir, name), 'utf8').trim().split('\n'))
      .map((line) => line.split(' ').map(Number)).map(([, , latencyUs, , epochS, us]) => ({ latencyMs: latencyUs! / 1000, at: epochS! + us! / 1e6 }));
    const first = Math.min(...rows.map((row) => row.at));
    const counted = rows.filter((row) => row.at >= first + warmup);
    const latencies = counted.map((row) => row.latencyMs).sort((a, b) => a - b);
    const span = Math.max(...counted.map((row) => row.at)) - (first + warmup);
    return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), perSecond: counted.length / Math.max(span, 1e-3) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
