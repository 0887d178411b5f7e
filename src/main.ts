// `patron serve`: migrate, load demo data on first start, serve HTTP and run the job worker, shut down cleanly.
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { startWorker } from './modules.ts';
import { monotonicMs } from './platform/clock.ts';
import { createRuntime } from './runtime.ts';
import { seedDemoDataOnFirstStart } from './cli/seed.ts';

export async function serve(config: Readonly<Config>, options: { worker?: boolean } = {}): Promise<void> {
  const startedMs = monotonicMs();
  const runtime = await createRuntime(config);
  const { deps } = runtime;
  const seeded = config.demoData ? await seedDemoDataOnFirstStart(deps) : undefined;
  const app = await buildApp(deps, { serveWeb: true });
  await app.listen({ host: config.http.host, port: config.http.port });
  const worker = (options.worker ?? config.worker) ? startWorker(deps) : undefined;
  const readyMs = Math.round(monotonicMs() - startedMs);
  deps.logger.info({ readyMs, migrations: runtime.migrationsApplied.length, clock: deps.clock.mode, dialect: deps.database.dialect }, 'ready');
  if (seeded) process.stdout.write(seeded.banner);
  process.stdout.write(`\nPatron is running: ${config.http.publicUrl}\n  member center  ${config.http.publicUrl}/\n  agent console  ${config.http.publicUrl}/console\n  API reference  ${config.http.publicUrl}/api/v1/docs\n\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.logger.info({ signal }, 'shutting down');
    await app.close();
    await worker?.stop();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
