// `patron backup` and `patron restore` (PL-8, PV-19) as an operator runs them, each a real process against one data
// folder: a backup taken before an erasure and restored re-applies the erasure (from the journal in the data folder),
// a second restore ends the same, the wrong file is refused, and PostgreSQL gets the documented pg_dump path.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { createRuntime } from '../../src/runtime.ts';
import { eraseSubject } from '../../src/flows/index.ts';

let dataDir: string;
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'patron-backup-'));
});
after(async () => rm(dataDir, { recursive: true, force: true }));

const environment = () => ({ NODE_NO_WARNINGS: '1', PATRON_DATA_DIR: dataDir, PATRON_LOG_LEVEL: 'silent', PATRON_CLOCK: 'simulated', PATRON_CLOCK_START: '2026-03-02T17:00:00Z' });

function patron(args: string[], extra: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['src/cli/main.ts', ...args], { env: { ...process.env, ...environment(), ...extra }, encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

async function withRuntime<T>(work: (deps: Awaited<ReturnType<typeof createRuntime>>['deps']) => Promise<T>): Promise<T> {
  const runtime = await createRuntime(loadConfig(environment()));
  try {
    return await work(runtime.deps);
  } finally {
    await runtime.close();
  }
}

const demoEmail = 'demo.member@patron.localhost';

async function demoMember(): Promise<{ id: string; email: string; status: string }> {
  return withRuntime(async (deps) => {
    const rows = await sql<{ id: string; email: string; status: string }>`select id, email, status from members where role = 'member' order by created_at_ms limit 1`.execute(deps.db);
    return { ...rows.rows[0]! };
  });
}

test('PV-19 PL-8 a backup taken before an erasure and restored re-applies the erasure; restoring again ends the same; exit codes', async () => {
  assert.equal(patron(['migrate']).code, 0);
  const seed = patron(['seed']);
  assert.equal(seed.code, 0, seed.err);
  const backupFile = join(dataDir, 'before-erasure.sqlite');
  const backup = patron(['backup', '--to', backupFile]);
  assert.equal(backup.code, 0, backup.err);
  assert.match(backup.out, /backup written: .*before-erasure\.sqlite/);
  assert.ok(existsSync(backupFile));
  assert.equal(patron(['backup', '--to', backupFile]).code, 2, 'an existing file is not overwritten');
  const defaultBackup = patron(['backup']);
  assert.equal(defaultBackup.code, 0, defaultBackup.err);
  assert.match(defaultBackup.out, /backups\/patron-20260302T170000Z\.sqlite/);

  const member = await demoMember();
  assert.equal(member.email, demoEmail);
  await withRuntime((deps) => eraseSubject(deps, { memberId: member.id, requestId: null, reason: 'agent' }));
  assert.equal((await demoMember()).email, `erased+${member.id}@invalid`);

  // The server is stopped; the operator restores the backup from before the erasure.
  const restored = patron(['restore', backupFile]);
  assert.equal(restored.code, 0, restored.out + restored.err);
  assert.match(restored.out, /restored .*before-erasure\.sqlite \(the previous database is kept as .*patron\.sqlite\.before-restore\)/);
  assert.match(restored.out, /re-applied 1 erasure\(s\) made after the backup/);
  const after = await demoMember();
  assert.deepEqual(after, { id: member.id, email: `erased+${member.id}@invalid`, status: 'closed' });
  await withRuntime(async (deps) => {
    const registry = await sql<{ reason: string }>`select reason from privacy_erasures where member_id = ${member.id}`.execute(deps.db);
    assert.equal(registry.rows[0]?.reason, 'restore');
  });

  const again = patron(['restore', '--reapply-only']);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /re-applied 0 erasure/, 'idempotent: the registry lists the subject now');

  const wrong = patron(['restore', join(dataDir, 'secrets.json')]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.out, /is not a Patron SQLite backup/);
  assert.equal(patron(['restore']).code, 2);
});

test('PL-8 PostgreSQL: backup and restore print the documented pg_dump / pg_restore path and exit 2', () => {
  const pg = { PATRON_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
  const backup = patron(['backup'], pg);
  assert.equal(backup.code, 2);
  assert.match(backup.out, /pg_dump --format=custom/);
  const restore = patron(['restore', 'x.dump'], pg);
  assert.equal(restore.code, 2);
  assert.match(restore.out, /pg_restore --clean/);
  assert.match(restore.out, /patron restore --reapply-only/);
});
