// Builds the dependencies from configuration: data folder, secrets, database, migrations, clock, logger.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.ts';
import type { Deps } from './deps.ts';
import { createDefaultPorts } from './adapters.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createSystemClock, type Clock } from './platform/clock.ts';
import { createIdGenerator, randomToken } from './platform/ids.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { loadSimulatedClock } from './db/simulated-clock-store.ts';

/** The embedded default keeps a generated secret in the data folder, never in the repository (PL-17). */
async function loadOrCreateSecret(config: Readonly<Config>): Promise<string> {
  if (config.secret) return config.secret;
  const path = join(config.dataDir, 'secrets.json');
  try {
    const stored = JSON.parse(await readFile(path, 'utf8')) as { secret?: unknown };
    if (typeof stored.secret === 'string' && stored.secret.length >= 32) return stored.secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomToken(48);
  await writeFile(path, JSON.stringify({ secret }, null, 2), { mode: 0o600 });
  await chmod(path, 0o600);
  return secret;
}

export interface Runtime {
  deps: Deps;
  migrationsApplied: string[];
  close(): Promise<void>;
}

export async function createRuntime(config: Readonly<Config>, logger: Logger = createLogger(config.logLevel)): Promise<Runtime> {
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = await loadOrCreateSecret(config);
  const database = await openDatabase({
    url: config.database.url,
    poolSize: config.database.poolSize,
    onConnectionError: (error) => logger.warn({ errorCode: (error as { code?: unknown }).code ?? null, reason: error.message }, 'database connection lost; it is reconnected on next use'),
  });
  try {
    const { applied } = await migrateToLatest(database.db);
    const systemClock = createSystemClock();
    const clock: Clock =
      config.clock.mode === 'simulated' ? await loadSimulatedClock(database.db, config.clock.startMs ?? systemClock.nowMs()) : systemClock;
    const ports = createDefaultPorts({ config, database, clock });
    const deps: Deps = { config, database, db: database.db, clock, ids: createIdGenerator(clock), logger, secret, ports };
    return { deps, migrationsApplied: applied, close: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}
