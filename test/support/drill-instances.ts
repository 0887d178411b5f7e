// Drill (c), issue 13 part 4: three Patron instances (two `patron serve`, one `patron worker`) on one PostgreSQL
// database (PL-7). Storefront webhooks arrive at both servers, the simulated clock is moved forward in steps so every
// schedule fires many times (and the earned credits unlock, which sends notices by email), and then the executions
// are counted three independent ways: the jobs table (one row per slot and job, done after one attempt), the
// instances' own logs (each job finished by exactly one instance, once), and a sandbox SMTP server (each outbox
// message received exactly once, by its Message-ID). Used by test/e2e/drill-instances.test.ts (short) and
// bench/drill-instances.ts (long).
import { SMTPServer } from 'smtp-server';
import { readSimulatedMs } from '../../src/db/simulated-clock-store.ts';
import { runCreditsAudit } from '../../src/modules/credits/index.ts';
import { advanceStoredClock, withRestart, type Installation } from './crash-installation.ts';
import { parseDurationMs } from '../../src/platform/clock.ts';
import { newOperations, prepareWorld, sendOperation, type Senders } from './drill-crash.ts';
import { signIn } from './drill-http.ts';
import { newDrillInstallation, queueIsQuiet, startPatron, waitFor, type PatronProcess } from './drill-processes.ts';

export interface InstancesDrillOptions {
  /** Storefront `orders/paid` deliveries (each processed by a job, each earning credits that later unlock). */
  webhooks: number;
  /** Clock steps; each moves the clock and waits until the three instances have done everything due. */
  clockSteps: string[];
  members?: number;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface InstancesDrillReport {
  instances: string[];
  webhooksAcknowledged: number;
  clockSteps: number;
  jobs: number;
  scheduledJobs: number;
  scheduleTypes: number;
  /** The fewest slots any schedule fired at. */
  fewestSlotsPerSchedule: number;
  /** Jobs by the instance whose log says it finished them. */
  finishedBy: Record<string, number>;
  /** Jobs not done after one attempt, with their state. */
  notDoneOnce: string[];
  /** Jobs no instance's log reports, or more than one report (with the count). */
  executionsOffByOne: string[];
  leaseLost: number;
  outboxMessages: number;
  outboxNotSent: number;
  smtpReceived: number;
  /** Message-IDs the SMTP server received more than once, and sent messages it never received. */
  smtpDuplicates: number;
  smtpMissing: number;
  domainEvents: number;
  auditorOk: boolean;
  elapsedMs: number;
}

const password = 'a long password for the crash drill';

/** A sandbox SMTP server that keeps the Message-ID of each message it accepts. */
async function startSandboxSmtp(): Promise<{ url: string; messageIds: string[]; close(): Promise<void> }> {
  const messageIds: string[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let text = '';
      stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
      stream.on('end', () => {
        messageIds.push(/^Message-ID:\s*(\S+)/im.exec(text)?.[1] ?? '(none)');
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as { port: number }).port;
  return { url: `smtp://127.0.0.1:${port}`, messageIds, close: () => new Promise<void>((resolve) => smtp.close(() => resolve())) };
}

interface SeenJob {
  id: string;
  type: string;
  key: string;
  state: string;
  attempts: number;
}

/**
 * Waits until nothing is due or running in the queue and no outbox message waits to be sent, then notes every job
 * row (the daily jobs-prune deletes old done jobs, so the rows are collected as they go).
 */
async function waitForQuiet(installation: Installation, seen: Map<string, SeenJob>): Promise<void> {
  await withRestart(installation, async (deps) => {
    await waitFor('the three instances to finish what is due', () => queueIsQuiet(deps), { timeoutMs: 300_000, pollMs: 250 });
    for (const job of await deps.db.selectFrom('jobs').select(['id', 'type', 'key', 'state', 'attempts']).execute()) {
      seen.set(String(job.id), { id: String(job.id), type: String(job.type), key: String(job.key), state: String(job.state), attempts: Number(job.attempts) });
    }
  });
}

export async function runInstancesDrill(options: InstancesDrillOptions): Promise<InstancesDrillReport> {
  const startedMs = Date.now();
  const log = options.log ?? (() => undefined);
  const smtp = await startSandboxSmtp();
  const installation = await newDrillInstallation('postgres', 'drill-instances');
  const instances: PatronProcess[] = [];
  const report: InstancesDrillReport = {
    instances: [],
    webhooksAcknowledged: 0,
    clockSteps: 0,
    jobs: 0,
    scheduledJobs: 0,
    scheduleTypes: 0,
    fewestSlotsPerSchedule: 0,
    finishedBy: {},
    notDoneOnce: [],
    executionsOffByOne: [],
    leaseLost: 0,
    outboxMessages: 0,
    outboxNotSent: 0,
    smtpReceived: 0,
    smtpDuplicates: 0,
    smtpMissing: 0,
    domainEvents: 0,
    auditorOk: false,
    elapsedMs: 0,
  };
  try {
    // Debug logs carry each job's "job done" line with its ID: the instances' own account of what they ran.
    installation.environment.PATRON_LOG_LEVEL = 'debug';
    installation.environment.PATRON_SMTP_URL = smtp.url;
    const world = await prepareWorld(installation, options.members ?? 4);
    const seenJobs = new Map<string, SeenJob>();
    instances.push(await startPatron(installation.environment, { name: 'serve-1' }));
    instances.push(await startPatron(installation.environment, { name: 'serve-2' }));
    instances.push(await startPatron(installation.environment, { command: 'worker', name: 'worker-3' }));
    report.instances = instances.map((instance) => `${instance.name} (pid ${instance.child.pid})`);
    const servers = instances.slice(0, 2);
    const agent = await signIn(servers[0]!.url, 'drill.agent@example.com', password);

    // Storefront orders arrive at both servers in turn; each is processed by a job on whichever instance claims it.
    const operations = newOperations(world, options.webhooks * 3, 'instances').filter((operation) => operation.kind === 'webhook');
    let next = 0;
    const nowIso = new Date((await withRestart(installation, (deps) => readSimulatedMs(deps.db))) ?? Date.parse('2026-03-02T17:00:00Z')).toISOString();
    const loop = async () => {
      for (let operation = operations[next++]; operation; operation = operations[next++]) {
        const senders: Senders = { base: servers[operation.index % 2]!.url, world, members: [], agent, nowIso };
        const outcome = await sendOperation(senders, operation);
        if (outcome.kind !== 'ack') throw new Error(`a storefront delivery was refused: ${JSON.stringify(outcome)}`);
        report.webhooksAcknowledged++;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, () => loop()));
    await waitForQuiet(installation, seenJobs);
    log(`${report.webhooksAcknowledged} storefront deliveries acknowledged and processed`);

    for (const duration of options.clockSteps) {
      // As `patron clock advance` does: the stored time moves, and every instance picks it up (PL-1).
      await withRestart(installation, (deps) => advanceStoredClock(deps, parseDurationMs(duration)));
      report.clockSteps++;
      await waitForQuiet(installation, seenJobs);
    }
    log(`${report.clockSteps} clock steps done`);
    // A clean stop, so every instance's last log lines are written before they are counted.
    for (const instance of instances) await instance.stop();

    await withRestart(installation, async (deps) => {
      const jobs = [...seenJobs.values()];
      report.jobs = jobs.length;
      const scheduled = jobs.filter((job) => /:\d{4}-\d{2}-\d{2}(T[\d:]+)?$/.test(job.key));
      report.scheduledJobs = scheduled.length;
      report.scheduleTypes = new Set(scheduled.map((job) => job.type)).size;
      const slots = new Map<string, number>();
      for (const job of scheduled) slots.set(job.type, (slots.get(job.type) ?? 0) + 1);
      report.fewestSlotsPerSchedule = Math.min(...slots.values());
      for (const job of jobs) if (job.state !== 'done' || job.attempts !== 1) report.notDoneOnce.push(`${job.key}: ${job.state} after ${job.attempts} attempt(s)`);
      // The instances' own account: each job finished (done or failed) by exactly one instance, once.
      const finishedBy = new Map<string, string[]>();
      for (const instance of instances) {
        for (const line of instance.logs) {
          if (line.msg === 'job lease was lost before the job finished; its outcome was not recorded') report.leaseLost++;
          if (typeof line.jobId !== 'string' || !['job done', 'job failed; it will be retried', 'job failed for the last time'].includes(String(line.msg))) continue;
          finishedBy.set(line.jobId, [...(finishedBy.get(line.jobId) ?? []), instance.name]);
        }
      }
      for (const [jobId, by] of finishedBy) {
        if (by.length !== 1) report.executionsOffByOne.push(`${seenJobs.get(jobId)?.key ?? jobId}: finished ${by.length} times (${by.join(', ')})`);
        for (const name of by) report.finishedBy[name] = (report.finishedBy[name] ?? 0) + 1;
      }
      for (const job of jobs) if (!finishedBy.has(job.id)) report.executionsOffByOne.push(`${job.key}: in the jobs table, but no instance finished it`);
      const messages = await deps.db.selectFrom('outbox_messages').select(['id', 'state']).execute();
      report.outboxMessages = messages.length;
      report.outboxNotSent = messages.filter((message) => message.state !== 'sent').length;
      report.smtpReceived = smtp.messageIds.length;
      const received = new Map<string, number>();
      for (const id of smtp.messageIds) received.set(id, (received.get(id) ?? 0) + 1);
      report.smtpDuplicates = [...received.values()].filter((count) => count > 1).length;
      report.smtpMissing = messages.filter((message) => message.state === 'sent' && !received.has(`<${message.id}@patron>`)).length;
      report.domainEvents = Number((await deps.db.selectFrom('domain_events').select((eb) => eb.fn.countAll().as('count')).executeTakeFirst())?.count ?? 0);
      report.auditorOk = (await runCreditsAudit(deps)).ok;
    });
  } finally {
    for (const instance of instances) await instance.kill();
    await installation.dispose();
    await smtp.close();
  }
  report.elapsedMs = Date.now() - startedMs;
  return report;
}

export function formatInstancesDrillReport(report: InstancesDrillReport): string {
  return [
    `drill (c) three instances on one PostgreSQL: ${report.instances.join(', ')}; ${(report.elapsedMs / 1000).toFixed(1)} s`,
    `  storefront deliveries acknowledged ${report.webhooksAcknowledged}; clock steps ${report.clockSteps}`,
    `  jobs ${report.jobs} (scheduled ${report.scheduledJobs} of ${report.scheduleTypes} schedules, each at ${report.fewestSlotsPerSchedule} slots or more); finished by ${JSON.stringify(report.finishedBy)}`,
    `  not done after exactly one attempt ${report.notDoneOnce.length}${report.notDoneOnce.length > 0 ? `: ${report.notDoneOnce.slice(0, 5).join('; ')}` : ''}; run other than once by the logs ${report.executionsOffByOne.length}${report.executionsOffByOne.length > 0 ? `: ${report.executionsOffByOne.slice(0, 5).join('; ')}` : ''}; leases lost ${report.leaseLost}`,
    `  outbox messages ${report.outboxMessages} (not sent ${report.outboxNotSent}); SMTP received ${report.smtpReceived}, duplicates ${report.smtpDuplicates}, missing ${report.smtpMissing}; domain events written ${report.domainEvents}`,
    `  auditor ${report.auditorOk ? 'clean' : 'FOUND PROBLEMS'}`,
  ].join('\n');
}
