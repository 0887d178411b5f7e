// The operator's commands of issue 13 as real processes on one installation, on SQLite and PostgreSQL: `patron import`
// (progress lines off a terminal, rejected rows by line, exit codes, re-run), `patron export member` (the privacy
// access export's ZIP) and `patron doctor` (exit codes 0 / 1 / 2, human and --json output; on PostgreSQL a credits
// event feed stopped by a restore into another cluster, and `patron restore --reapply-only` rebasing it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { assertManifest, readZip } from '../support/export-zip.ts';
import { findImportedMemberId } from '../../src/modules/accounts/index.ts';
import { adminQuery, testDialects } from '../support/databases.ts';
import { newInstallation, withRestart, type Installation } from '../support/crash-installation.ts';

for (const dialect of testDialects()) {
  describe(`patron import, export member, doctor [${dialect}]`, () => {
    let installation: Installation;
    before(async () => {
      installation = await newInstallation(dialect, 'cli-ops');
    });
    after(async () => installation.dispose());

    const patron = (args: string[], environment: Record<string, string> = {}) => {
      const result = spawnSync(process.execPath, ['src/cli/main.ts', ...args], {
        env: { ...process.env, NODE_NO_WARNINGS: '1', ...installation.environment, ...environment },
        encoding: 'utf8',
      });
      return { code: result.status, out: result.stdout, err: result.stderr };
    };
    const dataFile = (name: string) => join(installation.environment.PATRON_DATA_DIR!, name);

    test('PL-11 patron import members: progress lines, rejected rows by line, exit 1; a dry run and a re-run change nothing', async () => {
      const file = dataFile('members.csv');
      await writeFile(file, ['email,first_name,country,date_of_birth,credits', 'ann@example.com,Ann,US,1990-04-12,250', 'bad-email,X,US,1990-01-01,5', 'bob@example.com,Bob,FR,1985-01-30,0'].join('\n'));
      const dry = patron(['import', 'members', file, '--dry-run']);
      assert.equal(dry.code, 1, dry.err);
      assert.match(dry.out, /dry run \(nothing written\)/);
      assert.match(dry.out, /2 would be imported/);

      const first = patron(['import', 'members', file]);
      assert.equal(first.code, 1, first.err);
      assert.match(first.err, /^progress: .*3 rows/m, 'plain progress lines when stderr is not a terminal');
      assert.match(first.out, /2 imported, 0 already there, 1 rejected/);
      assert.match(first.out, /line 3: "bad-email" is not an email address/);
      assert.match(first.out, /credits posted as migrated lots: 250/);
      assert.match(first.out, /peak RSS: \d+ MB/);

      const again = patron(['import', 'members', file]);
      assert.match(again.out, /0 imported, 2 already there, 1 rejected/);
      assert.match(again.out, /credits posted as migrated lots: 0/);
      const audit = patron(['credits', 'audit']);
      assert.equal(audit.code, 0, audit.out);
      // LG-5: pages in parallel (PostgreSQL; SQLite audits one at a time) check the same members.
      const parallel = patron(['credits', 'audit', '--concurrency', '3']);
      assert.equal(parallel.code, 0, parallel.out);
      assert.equal(/ledger consistent: (\d+ member\(s\), \d+ transaction\(s\))/.exec(parallel.out)?.[1], /ledger consistent: (\d+ member\(s\), \d+ transaction\(s\))/.exec(audit.out)?.[1]);
      for (const bad of [['--concurrency', '0'], ['--concurrency', 'many'], ['--pages']]) assert.equal(patron(['credits', 'audit', ...bad]).code, 2, bad.join(' '));

      assert.equal(patron(['import', 'members']).code, 2);
      assert.equal(patron(['import', 'customers', file]).code, 2);
      await writeFile(dataFile('bad-header.csv'), 'mail,points\nx@example.com,1\n');
      const badHeader = patron(['import', 'members', dataFile('bad-header.csv')]);
      assert.equal(badHeader.code, 2);
      assert.match(badHeader.out, /unknown column/);
    });

    test('PL-11 PV-15 patron export member writes the privacy access export ZIP; an unknown member is exit 1', async () => {
      const file = dataFile('ann.csv');
      await writeFile(file, 'email,first_name,country,date_of_birth,credits\nann.export@example.com,Ann,US,1990-04-12,40\n');
      assert.equal(patron(['import', 'members', file]).code, 0);
      const memberId = await withRestart(installation, async (deps) => findImportedMemberId(deps, 'ann.export@example.com'));
      assert.ok(memberId);
      const zipFile = dataFile('ann.zip');
      const written = patron(['export', 'member', memberId, '--to', zipFile]);
      assert.equal(written.code, 0, written.out + written.err);
      assert.match(written.out, /export pex_\w+ written/);
      const entries = await readZip(await readFile(zipFile));
      const manifest = assertManifest(entries);
      assert.equal(manifest.memberId, memberId);
      const data = JSON.parse(entries.get('data.json')!.toString('utf8')) as { subject: { memberId: string }; entities: Record<string, unknown[]> };
      assert.equal(data.subject.memberId, memberId);
      assert.match(entries.get('data.json')!.toString('utf8'), /ann\.export@example\.com/);
      assert.equal(patron(['export', 'member', memberId, '--to', zipFile]).code, 2, 'an existing file is not overwritten');
      const unknown = patron(['export', 'member', 'mem_unknown', '--to', dataFile('none.zip')]);
      assert.equal(unknown.code, 1);
      assert.match(unknown.out, /no member/);
      assert.equal(existsSync(dataFile('none.zip')), false);
      assert.equal(patron(['export', 'orders']).code, 2);
    });

    test('issue 13 patron doctor: problems exit 1 (no worker yet), --json, usage exit 2, a bad configuration exit 1; PostgreSQL without autovacuum warns', async () => {
      const report = patron(['doctor']);
      assert.equal(report.code, 1, report.out + report.err);
      assert.match(report.out, /^ok +configuration/m);
      assert.match(report.out, /^ok +database/m);
      assert.match(report.out, /^ok +migrations +all applied/m);
      assert.match(report.out, /^WARN +smtp/m);
      assert.match(report.out, /^FAIL +worker/m);
      assert.match(report.out, /problem\(s\) found/);
      if (dialect === 'postgres') {
        // A warning, not a problem: it names the setting as the server reports it.
        const autovacuum = (await adminQuery<{ autovacuum: string }>('show autovacuum'))[0]!.autovacuum;
        assert.match(report.out, autovacuum === 'on' ? /^ok +autovacuum +on/m : /^WARN +autovacuum +off/m);
        // The server's buffer cache against the credits tables (a new installation's fit in any shared_buffers).
        const hugePages = (await adminQuery<{ huge_pages: string }>('show huge_pages'))[0]!.huge_pages;
        const memory = /^(ok|WARN) +postgres memory +shared_buffers \d+(\.\d)? [MG]B, the credits tables \d+ MB/m.exec(report.out);
        assert.ok(memory, report.out);
        if (hugePages !== 'off') assert.equal(memory[1], 'ok', report.out);
      } else assert.doesNotMatch(report.out, /autovacuum|postgres memory/);
      assert.match(report.out, /^ok +credits feed +\d+ ledger transaction\(s\) not yet read by the webhook fan-out/m);
      if (dialect === 'postgres') {
        // The credits event feed's position taken on a cluster whose transaction IDs ran far ahead (a pg_restore into
        // another cluster): doctor names the problem and the command; the command rebases the feed.
        await withRestart(installation, (deps) => sql`update credit_event_cursors set cursor = '999999999|mem_elsewhere|1' where key = 'webhooks'`.execute(deps.db));
        const moved = patron(['doctor']);
        assert.match(moved.out, /^FAIL +credits feed +the database was restored into another PostgreSQL cluster.*patron restore --reapply-only/m);
        const rebased = patron(['restore', '--reapply-only']);
        assert.equal(rebased.code, 0, rebased.out + rebased.err);
        assert.match(rebased.out, /credits event feed rebased/);
        assert.match(patron(['doctor']).out, /^ok +credits feed/m);
      }
      const json = patron(['doctor', '--json']);
      assert.equal(json.code, 1);
      const parsed = JSON.parse(json.out) as { ok: boolean; checks: { name: string; status: string }[] };
      assert.equal(parsed.ok, false);
      assert.deepEqual(parsed.checks.find((check) => check.name === 'worker')?.status, 'fail');
      assert.equal(patron(['doctor', '--frobnicate']).code, 2);
      const badConfig = patron(['doctor'], { PATRON_PORT: 'eighty' });
      assert.equal(badConfig.code, 1);
      assert.match(badConfig.out, /FAIL +configuration .*PATRON_PORT/);
      const unreachableSmtp = patron(['doctor', '--json'], { PATRON_SMTP_URL: 'smtp://127.0.0.1:1' });
      assert.equal(JSON.parse(unreachableSmtp.out).checks.find((check: { name: string }) => check.name === 'smtp').status, 'fail');
    });

    test('issue 13 patron doctor exits 0 once a worker beats and nothing is behind', async () => {
      // One poll of `patron worker` writes the heartbeat; it stops on SIGTERM.
      const { spawn } = await import('node:child_process');
      const worker = spawn(process.execPath, ['src/cli/main.ts', 'worker'], { env: { ...process.env, NODE_NO_WARNINGS: '1', ...installation.environment }, stdio: ['ignore', 'pipe', 'pipe'] });
      let doctor = patron(['doctor']);
      for (let attempt = 0; attempt < 60 && doctor.code !== 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        doctor = patron(['doctor']);
      }
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker.once('exit', resolve));
      assert.equal(doctor.code, 0, doctor.out);
      assert.match(doctor.out, /^ok +worker +1 worker\(s\) alive/m);
      assert.match(doctor.out, /no problems found/);
    });
  });
}

