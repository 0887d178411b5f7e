// The command line (PL-11) as an operator runs it: each command is a real process against one data folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

let dataDir: string;
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'patron-cli-'));
});
after(async () => rm(dataDir, { recursive: true, force: true }));

function patron(args: string[], environment: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['src/cli/main.ts', ...args], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', PATRON_DATA_DIR: dataDir, PATRON_LOG_LEVEL: 'silent', PATRON_CLOCK: 'simulated', PATRON_CLOCK_START: '2026-03-02T17:00:00Z', ...environment },
    encoding: 'utf8',
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

test('PL-11 migrate, seed, create-admin, clock, credits sweep and audit work from the command line', () => {
  const migrate = patron(['migrate']);
  assert.equal(migrate.code, 0, migrate.err);
  assert.match(migrate.out, /applied: 0001-platform-clock/);
  assert.match(patron(['migrate']).out, /database is up to date/);

  const seed = patron(['seed']);
  assert.equal(seed.code, 0, seed.err);
  assert.match(seed.out, /demo member\s+demo\.member@patron\.localhost\s+\/\s+demo-\S+/);

  const admin = patron(['user', 'create-admin', '--email', 'ops@example.com']);
  assert.equal(admin.code, 0, admin.err);
  assert.match(admin.out, /password \(shown once\): admin-\S{16}/);

  assert.equal(patron(['clock', 'show']).out.trim(), '2026-03-02T17:00:00.000Z');
  const advanced = patron(['clock', 'advance', '400d']);
  assert.equal(advanced.code, 0, advanced.err);
  assert.match(advanced.out, /2027-04-06T17:00:00\.000Z/);
  assert.equal(patron(['clock', 'show']).out.trim(), '2027-04-06T17:00:00.000Z', 'the advance is stored for every process');

  // The demo member's registration bonus expired a year after sign-up: the sweep writes the expiry posting.
  const sweep = patron(['credits', 'sweep']);
  assert.equal(sweep.code, 0, sweep.err);
  assert.match(sweep.out, /sweep done: [1-9]\d* posting transaction/);
  const audit = patron(['credits', 'audit']);
  assert.equal(audit.code, 0, audit.out + audit.err);
  assert.match(audit.out, /ledger consistent: [1-9]\d* member/);
});

test('PL-1 PL-17 the clock cannot move in system mode, and bad configuration stops with a clear message', () => {
  const system = patron(['clock', 'advance', '1d'], { PATRON_CLOCK: 'system' });
  assert.equal(system.code, 2);
  assert.match(system.out, /PATRON_CLOCK=simulated/);
  const bad = patron(['migrate'], { PATRON_PORT: 'eighty' });
  assert.equal(bad.code, 1);
  assert.match(bad.err, /PATRON_PORT/);
  assert.doesNotMatch(bad.err, /at .*\.ts:\d+/, 'no stack trace for a configuration mistake');
  const usage = patron(['frobnicate']);
  assert.equal(usage.code, 2);
  assert.match(usage.out, /patron <command>/);
});
