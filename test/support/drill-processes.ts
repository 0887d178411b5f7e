// Real Patron processes for the reliability drills (issue 13 part 4): `patron serve` / `patron worker` children on a
// free loopback port, killed with SIGKILL or stopped with SIGTERM, their JSON log lines kept for counting, and waits
// on conditions (never on time alone) with generous limits.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Deps } from '../../src/deps.ts';
import { readSimulatedMs } from '../../src/db/simulated-clock-store.ts';
import { scheduleKey } from '../../src/jobs/index.ts';
import { creditsSweepJobType } from '../../src/modules/credits/index.ts';
import { MINUTE_MS } from '../../src/platform/clock.ts';
import { newInstallation, type Installation } from './crash-installation.ts';
import { freePort } from './server.ts';
import { adminQuery, postgresTestUrl, type TestDialect } from './databases.ts';

/**
 * An installation for a drill: on SQLite a data folder (crash-installation.ts); on PostgreSQL a database of its own
 * next to the test database rather than a schema in it, because the drill's server processes migrate on start, and
 * Kysely's migrator introspects every schema of its database, which other test processes create and drop meanwhile.
 */
export async function newDrillInstallation(dialect: TestDialect, name: string): Promise<Installation> {
  const installation = await newInstallation('sqlite', name);
  if (dialect === 'sqlite') return installation;
  if (!postgresTestUrl) throw new Error('PATRON_TEST_DATABASE_URL is not set');
  const database = `${name.replaceAll('-', '_')}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${database}`);
  const url = new URL(postgresTestUrl);
  url.pathname = `/${database}`;
  installation.environment.PATRON_DATABASE_URL = url.toString();
  return {
    environment: installation.environment,
    async dispose() {
      await adminQuery(`drop database if exists ${database} with (force)`);
      await installation.dispose();
    },
  };
}

/**
 * Polls `check` until it returns a value other than undefined/false, at most `timeoutMs` (generous: a slow shared
 * machine must not fail a drill, only a condition that never comes true does). The pause between polls is not an
 * assertion about time.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await sleep(options.pollMs ?? 100);
  }
}

export interface PatronProcess {
  readonly name: string;
  /** `http://127.0.0.1:<port>` (serve only). */
  readonly url: string;
  readonly child: ChildProcess;
  /** Every JSON log line the process printed, parsed. */
  readonly logs: Record<string, unknown>[];
  /** The last 20,000 characters the process wrote to stderr. */
  stderr(): string;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a clean shutdown), then waits for the exit. */
  stop(): Promise<void>;
}

export interface StartOptions {
  command?: 'serve' | 'worker';
  name?: string;
  /** Wait for `/readyz` to answer 200 (serve only; default true). */
  waitReady?: boolean;
}

/** Starts `patron serve` (or `patron worker`) with the installation's environment and waits until it is ready. */
export async function startPatron(environment: Record<string, string>, options: StartOptions = {}): Promise<PatronProcess> {
  const command = options.command ?? 'serve';
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['src/cli/main.ts', command], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...environment, PATRON_HOST: '127.0.0.1', PATRON_PORT: String(port), PATRON_PUBLIC_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let pending = '';
  let workerRunning = false;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    if (chunk.includes('worker running')) workerRunning = true;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A banner line that happens to start with a brace is not a log line.
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitedAlready = false;
  void exited.then(() => (exitedAlready = true));
  const name = options.name ?? command;

  const processHandle: PatronProcess = {
    name,
    url,
    child,
    logs,
    stderr: () => stderr,
    async kill() {
      if (!exitedAlready) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!exitedAlready) child.kill('SIGTERM');
      await exited;
    },
  };
  if (command === 'serve' && options.waitReady !== false) {
    try {
      await waitFor(`${name} to be ready`, async () => {
        if (exitedAlready) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}): ${stderr}`);
        const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
        return response.status === 200;
      }, { timeoutMs: 120_000 });
    } catch (error) {
      await processHandle.kill();
      throw new Error(`${String(error)}\n${stderr}`, { cause: error });
    }
  } else if (command === 'worker') {
    await waitFor(`${name} to start`, () => {
      if (exitedAlready) throw new Error(`${name} exited: ${stderr}`);
      return workerRunning;
    });
  }
  return processHandle;
}

/**
 * Whether the workers have caught up with the stored (simulated) time and have nothing left to do: the minute
 * schedule's job for the current slot exists (a worker saw the time), no job is due or running, no outbox message
 * waits to be sent, and no storefront delivery waits to be processed. Right after the clock moved, "nothing due" alone
 * would be true before any worker noticed.
 */
export async function queueIsQuiet(deps: Deps): Promise<boolean> {
  const nowMs = (await readSimulatedMs(deps.db)) ?? 0;
  const caughtUp = await deps.db.selectFrom('jobs').select('id').where('key', '=', scheduleKey({ type: creditsSweepJobType, everyMs: MINUTE_MS }, nowMs)).executeTakeFirst();
  if (!caughtUp) return false;
  const busy = await deps.db
    .selectFrom('jobs')
    .select('id')
    .where((eb) => eb.or([eb('state', '=', 'running'), eb.and([eb('state', '=', 'queued'), eb('run_at_ms', '<=', nowMs)])]))
    .limit(1)
    .executeTakeFirst();
  if (busy) return false;
  const mail = await deps.db.selectFrom('outbox_messages').select('id').where('state', '=', 'queued').limit(1).executeTakeFirst();
  const delivery = await deps.db.selectFrom('store_webhook_events').select('id').where('status', '=', 'received').limit(1).executeTakeFirst();
  return !mail && !delivery;
}
