// `npm test`: builds the UI if needed, then runs every test file with Node's test runner, on SQLite and
// (when PATRON_TEST_DATABASE_URL is set) PostgreSQL.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const filters = process.argv.slice(2);
const patterns = filters.length > 0 ? filters : ['src/**/*.test.ts', 'test/**/*.test.ts'];

if (!existsSync('web/dist/index.html') || process.env.CI === 'true') {
  const build = spawnSync('npm', ['run', '-s', 'build:web'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

process.stdout.write(`databases: sqlite${process.env.PATRON_TEST_DATABASE_URL ? ' + postgres' : ' (set PATRON_TEST_DATABASE_URL to add postgres)'}\n`);
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=300000', ...patterns],
  // Every test file runs in a process of its own and most load the app's module graph, as do the CLI processes the
  // tests start: Node's compile cache lets each read the stripped and compiled modules instead of redoing the work.
  { stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1', NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'node-compile-cache') } },
);
process.exit(result.status ?? 1);
