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
    environment.PATRON_DATABASE_URL = url.toString();
  }
  return {
    environment,
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
  const runtime = await createRuntime(loadConfig(installation.environment));
  try {
    return await work(runtime.deps, runtime);
  } finally {
    await runtime.close();
  }
}

/** Moves the installation's stored simulated clock, so the next process starts from there too. */
export async function advanceStoredClock(deps: Deps, ms: number): Promise<void> {
  await advanceSimulatedClock(deps.db, deps.clock as SimulatedClock, ms);
}

export function crashDialects(): TestDialect[] {
  return postgresTestUrl ? ['sqlite', 'postgres'] : ['sqlite'];
}
