// Child process for the NT-1 crash test: queues one email, commits, then dies by SIGKILL before any worker runs.
import { loadConfig } from '../../src/config.ts';
import { transact } from '../../src/deps.ts';
import { createRuntime } from '../../src/runtime.ts';
import { queueEmail } from '../../src/modules/notifications/index.ts';
import { emailTemplate } from './templates.ts';

const runtime = await createRuntime(loadConfig());
await transact(runtime.deps, (ctx) =>
  queueEmail(ctx, { memberId: null, to: 'crash.test@example.com', template: emailTemplate('password-reset'), data: { link: 'https://patron.test/reset-password?token=t' } }),
);
process.kill(process.pid, 'SIGKILL');
