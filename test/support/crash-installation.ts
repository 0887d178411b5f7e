// What the crash tests share: an installation (a data folder and, on PostgreSQL, a schema of its own selected by the
// connection URL's search_path), a child process of test/support/crash-flow-child.ts that must die by SIGKILL at the
// point its scenario names, and restarts of the runtime on the same installation with its stored simulated clock.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import type { Deps } from '../../src/deps.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { advanceSimulatedClock } from '../../src/db/simulated-clock-store.ts';
import type { SimulatedClock } from '../../src/platform/clock.ts';
import { adminQuery, dropTestSchema, postgresTestUrl, type TestDialect } from './databases.ts';

export interface Installation {
  environment: Record<string, string>;
  /** PostgreSQL: the application_name of every connection to this installation (its schema's name). */
  applicationName?: string;
  dispose(): Promise<void>;
}

export async function newInstallation(dialect: TestDialect, name: string): Promise<Installation> {
  const dataDir = await mkdtemp(join(tmpdir(), `patron-${name}-`));
  const environment: Record<string, string> = {
    PATRON_DATA_DIR: dataDir,
    PATRON_LOG_LEVEL: 'silent',
    PATRON_DEMO_DATA: 'false',
    PATRON_CLOCK: 'simulated',
    PATRON_CLOCK_START: '2026-03-02T17:00:00Z',
  };
  let schema: string | undefined;
  if (dialect === 'postgres') {
    assert.ok(postgresTestUrl);
    schema = `${name.replaceAll('-', '_')}_${process.pid}_${randomBytes(4).toString('hex')}`;
    await adminQuery(`create schema ${schema}`);
    const url = new URL(postgresTestUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    url.searchParams.set('application_name', schema);
    environment.PATRON_DATABASE_URL = url.toString();
  }
  return {
    environment,
    ...(schema ? { applicationName: schema } : {}),
    async dispose() {
      if (schema) await dropTestSchema(schema);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs one scenario phase of the crash child, which must die by SIGKILL between two steps. */
export function runCrashChild(installation: Installation, scenario: string, phase: string): void {
  const child = spawnSync(process.execPath, ['test/support/crash-flow-child.ts', scenario, phase], {
    env: { ...process.env, ...installation.environment, NODE_NO_WARNINGS: '1' },
    encoding: 'utf8',
  });
  assert.equal(child.signal, 'SIGKILL', `${scenario} ${phase}: the child should die by SIGKILL between two steps (status ${child.status}): ${child.stderr}`);
}

/** A restarted process: the runtime from the same configuration, its clock as the last process left it. */
export async function withRestart<T>(installation: Installation, work: (deps: Deps, runtime: Runtime) => Promise<T>): Promise<T> {
  if (installation.applicationName) await awaitBackendsGone(installation.applicationName);
  const runtime = await createRuntime(loadConfig(installation.environment));
  try {
    return await work(runtime.deps, runtime);
  } finally {
    await runtime.close();
  }
}

/**
 * A killed process's PostgreSQL sessions live on until the server notices the closed socket: a statement in flight
 * still runs to its end and commits. What a restart reads is checked only after they are gone, or two reads of the
 * checks could straddle such a commit (seen: an earn's event counted, its transaction read just before it committed).
 */
async function awaitBackendsGone(applicationName: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [row] = await adminQuery<{ n: number }>(`select count(*)::int as n from pg_stat_activity where application_name = '${applicationName}'`);
    if (row?.n === 0) return;
    assert.ok(Date.now() < deadline, `the killed process's PostgreSQL sessions (${applicationName}) did not end`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Moves the installation's stored simulated clock, so the next process starts from there too. */
export async function advanceStoredClock(deps: Deps, ms: number): Promise<void> {
  await advanceSimulatedClock(deps.db, deps.clock as SimulatedClock, ms);
}

export function crashDialects(): TestDialect[] {
  return postgresTestUrl ? ['sqlite', 'postgres'] : ['sqlite'];
}
