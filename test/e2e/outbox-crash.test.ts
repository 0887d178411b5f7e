// NT-1 with a real process: the process that committed the email is killed before sending; a restart delivers once.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../../src/config.ts';
import { runDueJobs } from '../../src/modules.ts';
import { createRuntime } from '../../src/runtime.ts';

test('NT-1 killing the process between commit and send, then restarting, delivers the email exactly once', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'patron-crash-'));
  const received: string[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      let text = '';
      stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
      stream.on('end', () => {
        received.push(text);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as { port: number }).port;
  const environment = {
    PATRON_DATA_DIR: dataDir,
    PATRON_LOG_LEVEL: 'silent',
    PATRON_DEMO_DATA: 'false',
    PATRON_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
  };
  try {
    const child = spawnSync(process.execPath, ['test/support/crash-after-commit.ts'], {
      env: { ...process.env, ...environment, NODE_NO_WARNINGS: '1' },
      encoding: 'utf8',
    });
    assert.equal(child.signal, 'SIGKILL', `the child should die by SIGKILL after committing: ${child.stderr}`);
    assert.equal(received.length, 0, 'nothing was sent before the crash');

    for (let restart = 0; restart < 2; restart++) {
      const runtime = await createRuntime(loadConfig(environment));
      try {
        await runDueJobs(runtime.deps, { limit: 100 });
        await runDueJobs(runtime.deps, { limit: 100 });
      } finally {
        await runtime.close();
      }
    }
    assert.equal(received.length, 1, 'delivered exactly once across two restarts');
    assert.match(received[0]!, /crash\.test@example\.com/);
    assert.match(received[0]!, /Message-ID: <msg_[0-9a-z]+@patron>/i);
  } finally {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await rm(dataDir, { recursive: true, force: true });
  }
});
