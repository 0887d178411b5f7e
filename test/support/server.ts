// A real Patron server for end-to-end tests: in-process, on a free loopback port, with the UI, the job worker
// (unless a test runs the jobs itself), a simulated clock and a throwaway data folder.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Deps } from '../../src/deps.ts';
import { startWorker } from '../../src/modules.ts';
import { createStaffUser } from '../../src/modules/accounts/index.ts';
import { createRuntime } from '../../src/runtime.ts';

const webIndex = fileURLToPath(new URL('../../web/dist/index.html', import.meta.url));

export interface TestServer {
  /** `http://127.0.0.1:<port>`, also the server's configured public URL (links in emails point here). */
  url: string;
  deps: Deps;
  agent: { email: string; password: string };
  close(): Promise<void>;
}

/** Asks the system for a free port, so the public URL (used in emails) can be configured before listening. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export interface TestServerOptions {
  /**
   * Start the job worker (default true). A test that must see the state before a job ran (credits read exactly
   * before the sweep, CR-9) passes false and runs the jobs itself with `runDueJobs(server.deps)`.
   */
  worker?: boolean;
  /** More configuration (PATRON_REGION_HEADER for the consent tests, say), on top of the test server's own. */
  environment?: Record<string, string>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  if (!existsSync(webIndex)) {
    throw new Error(`The UI is not built (${webIndex} is missing). Run \`npm run build:web\`, or run the tests with \`npm test\`, which builds it.`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'patron-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    PATRON_DATA_DIR: dataDir,
    PATRON_CLOCK: 'simulated',
    PATRON_LOG_LEVEL: 'silent',
    PATRON_DEMO_DATA: 'false',
    PATRON_HOST: '127.0.0.1',
    PATRON_PORT: String(port),
    PATRON_PUBLIC_URL: url,
    // An opt-out region, so the cookie banner (PV-23) does not cover the pages the other walks click through; the
    // consent test sets a region header of its own.
    PATRON_DEFAULT_REGION: 'US',
    ...options.environment,
  });
  const runtime = await createRuntime(config);
  const { deps } = runtime;
  const app = await buildApp(deps, { serveWeb: true });
  let worker: ReturnType<typeof startWorker> | undefined;
  try {
    await app.listen({ host: '127.0.0.1', port });
    if (options.worker !== false) worker = startWorker(deps);
    const agent = { email: 'agent@patron.test', password: 'agent-password-for-e2e-tests' };
    await createStaffUser(deps, { email: agent.email, password: agent.password, role: 'agent' });
    return {
      url,
      deps,
      agent,
      async close() {
        await app.close();
        await worker?.stop();
        await runtime.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await app.close();
    await worker?.stop();
    await runtime.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
