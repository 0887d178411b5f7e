// Drill (b), issue 13 part 4: PostgreSQL is stopped and started again under mixed load while one `patron serve`
// keeps running. While the database is down every request is answered at once with 503, a problem body and
// Retry-After (not 500, not a hang), `/readyz` says 503; once it is back Patron serves again without a restart, and
// the requests refused meanwhile, retried with the same keys, are each done exactly once. The PostgreSQL is a private
// one (test/support/private-postgres.ts), never the machine's shared cluster. Used by test/e2e/drill-pg-restart.test.ts
// (short) and bench/drill-pg-restart.ts (long).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Installation } from './crash-installation.ts';
import { ackOf, newOperations, prepareWorld, sendOperation, unverified, verifyWorld, waitForIdleQueue, type Operation, type Senders, type Verification } from './drill-crash.ts';
import { send, signIn } from './drill-http.ts';
import { startPatron, waitFor, type PatronProcess } from './drill-processes.ts';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';

export interface PostgresRestartDrillOptions {
  operations: number;
  /** How many times PostgreSQL is stopped and started during the load. */
  outages: number;
  /** Answers to collect while PostgreSQL is down, per outage, before it is started again. */
  answersWhileDown: number;
  concurrency: number;
  members?: number;
  log?: (line: string) => void;
}

export interface PostgresRestartDrillReport extends Verification {
  sent: number;
  attempts: number;
  acknowledged: number;
  /** Checkouts answered (2xx) with an order the outage interrupted and that was undone. */
  answeredNotCompleted: number;
  outages: number;
  /** Answers to requests sent while PostgreSQL was down, by what they were. */
  whileDown: { answered: number; unavailable503: number; withProblemBody: number; withRetryAfter: number; status500: number; otherStatus: Record<string, number>; noAnswer: number };
  /** `/readyz` while PostgreSQL was down / after it was back. */
  readyWhileDown: number[];
  /** From PostgreSQL accepting connections again to Patron's first 2xx, per outage (a figure, not asserted). */
  recoveryMs: number[];
  /** The same process served before, during and after (its PID never changed, it never exited). */
  sameProcess: boolean;
  serverErrorsWhileUp: number;
  refused: number;
  refusals: { kind: string; status: number; body: unknown }[];
  elapsedMs: number;
}

async function privateInstallation(postgres: PrivatePostgres): Promise<Installation> {
  const dataDir = await mkdtemp(join(tmpdir(), 'patron-drill-pg-'));
  return {
    environment: {
      PATRON_DATA_DIR: dataDir,
      PATRON_DATABASE_URL: postgres.url,
      PATRON_LOG_LEVEL: 'silent',
      PATRON_DEMO_DATA: 'false',
      PATRON_CLOCK: 'simulated',
      PATRON_CLOCK_START: '2026-03-02T17:00:00Z',
    },
    dispose: () => rm(dataDir, { recursive: true, force: true }),
  };
}

export async function runPostgresRestartDrill(options: PostgresRestartDrillOptions): Promise<PostgresRestartDrillReport> {
  const startedMs = Date.now();
  const log = options.log ?? (() => undefined);
  const report: PostgresRestartDrillReport = {
    sent: 0,
    attempts: 0,
    acknowledged: 0,
    answeredNotCompleted: 0,
    outages: 0,
    whileDown: { answered: 0, unavailable503: 0, withProblemBody: 0, withRetryAfter: 0, status500: 0, otherStatus: {}, noAnswer: 0 },
    readyWhileDown: [],
    recoveryMs: [],
    sameProcess: false,
    serverErrorsWhileUp: 0,
    refused: 0,
    refusals: [],
    ...unverified(),
    elapsedMs: 0,
  };
  const postgres = await startPrivatePostgres();
  let installation: Installation | undefined;
  let server: PatronProcess | undefined;
  try {
    installation = await privateInstallation(postgres);
    const world = await prepareWorld(installation, options.members ?? 4);
    const operations = newOperations(world, options.operations, 'pg-drill');
    server = await startPatron(installation.environment, { name: 'serve' });
    const pid = server.child.pid;
    const base = server.url;
    const admin = await signIn(base, 'drill.admin@example.com', 'a long password for the crash drill');
    const senders: Senders = {
      base,
      world,
      members: [],
      agent: await signIn(base, 'drill.agent@example.com', 'a long password for the crash drill'),
      nowIso: '2026-03-02T17:00:00.000Z',
    };
    for (let index = 0; index < world.memberIds.length; index++) senders.members.push(await signIn(base, `drill.${index}@example.com`, 'a long password for the crash drill'));

    // The load: each loop takes the next request (or one to send again) until every request is answered for good.
    let state = 'up' as 'up' | 'down' | 'recovering';
    let startedAgainMs = 0;
    let nextNew = 0;
    const again: Operation[] = [];
    const ackedCheckouts: string[] = [];
    let refundTurn = 0;
    let settled = 0;
    const take = (): Operation | undefined => {
      const retry = again.shift();
      if (retry) return retry;
      if (nextNew >= operations.length) return undefined;
      const operation = operations[nextNew++]!;
      if (operation.kind === 'refund') {
        if (ackedCheckouts.length === 0) operation.kind = 'checkout';
        else operation.orderId = ackedCheckouts[refundTurn++ % ackedCheckouts.length];
      }
      report.sent++;
      return operation;
    };
    const loop = async (): Promise<void> => {
      while (settled < operations.length) {
        const operation = take();
        if (!operation) {
          await sleep(50); // others' requests may still come back to be sent again
          continue;
        }
        const stateAtSend = state;
        report.attempts++;
        const outcome = await sendOperation(senders, operation);
        const child = server!.child;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`Patron exited during the drill (${child.exitCode ?? child.signalCode}): it must ride out the outage: ${server!.stderr()}`);
        const down = stateAtSend === 'down' && state === 'down';
        if (down) {
          if (outcome.kind === 'no_answer') report.whileDown.noAnswer++;
          else {
            report.whileDown.answered++;
            if (outcome.kind === 'status' && outcome.status === 503) {
              report.whileDown.unavailable503++;
              const error = (outcome.body as { error?: { code?: unknown; message?: unknown; requestId?: unknown } } | null)?.error;
              if (error && error.code === 'unavailable' && typeof error.message === 'string' && typeof error.requestId === 'string') report.whileDown.withProblemBody++;
              if (outcome.retryAfter) report.whileDown.withRetryAfter++;
            } else if (outcome.kind === 'status' && outcome.status === 500) report.whileDown.status500++;
            else {
              const label = outcome.kind === 'ack' ? `${outcome.status} (acknowledged)` : String(outcome.status);
              report.whileDown.otherStatus[label] = (report.whileDown.otherStatus[label] ?? 0) + 1;
            }
          }
        }
        if (outcome.kind === 'ack') {
          if (!operation.ack) {
            operation.ack = ackOf(operation, outcome.body, report.outages);
            report.acknowledged++;
            if (!operation.ack.completed) report.answeredNotCompleted++;
            if (operation.kind === 'checkout' && operation.ack.completed) ackedCheckouts.push(operation.ack.id);
            if (state === 'recovering') {
              report.recoveryMs.push(Date.now() - startedAgainMs);
              state = 'up';
            }
          }
          settled++;
        } else if (outcome.kind === 'no_answer' || (outcome.kind === 'status' && (outcome.status === 503 || outcome.status === 409 || outcome.status === 500))) {
          // Refused for now (the database is away, or a request it interrupted still holds its key): again later.
          if (outcome.kind === 'status' && outcome.status === 500 && !down) report.serverErrorsWhileUp++;
          again.push(operation);
          await sleep(down ? 100 : 20);
        } else {
          report.refused++;
          report.refusals.push({ kind: operation.kind, status: outcome.status, body: outcome.body });
          settled++;
        }
      }
    };

    const driver = async (): Promise<void> => {
      for (let outage = 1; outage <= options.outages; outage++) {
        const quota = Math.ceil((options.operations * outage) / (options.outages + 1));
        await waitFor('requests acknowledged before the outage', () => report.acknowledged >= quota || settled >= operations.length, { timeoutMs: 600_000 });
        log(`outage ${outage}: stopping PostgreSQL after ${report.acknowledged} acknowledged requests`);
        await postgres.stop();
        state = 'down';
        report.outages++;
        const answeredBefore = report.whileDown.answered + report.whileDown.noAnswer;
        await waitFor('answers while PostgreSQL is down', () => report.whileDown.answered + report.whileDown.noAnswer - answeredBefore >= options.answersWhileDown, { timeoutMs: 300_000 });
        report.readyWhileDown.push((await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(30_000) })).status);
        log(`outage ${outage}: starting PostgreSQL again`);
        state = 'recovering';
        await postgres.start();
        startedAgainMs = Date.now();
        await waitFor('Patron ready again', async () => (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(30_000) })).status === 200, { timeoutMs: 120_000 });
        // Requests the outage cut off mid-way hold their Idempotency-Key for its lease (60 s of the clock).
        const advanced = await send(`${base}/api/v1/admin/clock/advance`, { method: 'POST', session: admin, body: { duration: '2m' } });
        if (advanced.kind === 'ack') senders.nowIso = (advanced.body as { now: string }).now;
      }
      // The last requests: keep moving the clock until the ones the outage interrupted got through.
      while (settled < operations.length) {
        await waitFor('the load to settle or stall', async () => settled >= operations.length || again.length > 0, { timeoutMs: 600_000 });
        if (settled >= operations.length) break;
        const advanced = await send(`${base}/api/v1/admin/clock/advance`, { method: 'POST', session: admin, body: { duration: '2m' } });
        if (advanced.kind === 'ack') senders.nowIso = (advanced.body as { now: string }).now;
        await sleep(200);
      }
    };
    await Promise.all([driver(), ...Array.from({ length: options.concurrency }, () => loop())]);
    if (state === 'recovering') state = 'up';

    for (const duration of ['40m', '5m', '5m']) {
      await send(`${base}/api/v1/admin/clock/advance`, { method: 'POST', session: admin, body: { duration } });
      await waitForIdleQueue(installation);
    }
    report.sameProcess = server.child.pid === pid && server.child.exitCode === null && server.child.signalCode === null;
    Object.assign(report, await verifyWorld(world, operations));
    await server.stop();
  } finally {
    await server?.kill();
    await installation?.dispose();
    postgres.dispose();
  }
  report.elapsedMs = Date.now() - startedMs;
  return report;
}

export function formatPostgresRestartDrillReport(report: PostgresRestartDrillReport): string {
  const down = report.whileDown;
  return [
    `drill (b) PostgreSQL restarted under load (private instance): ${report.outages} outage(s), ${(report.elapsedMs / 1000).toFixed(1)} s`,
    `  requests sent ${report.sent} (HTTP attempts ${report.attempts}); acknowledged 2xx ${report.acknowledged} (checkouts answered as not completed ${report.answeredNotCompleted}); refused for good ${report.refused}${report.refusals.length > 0 ? `: ${JSON.stringify(report.refusals.slice(0, 3))}` : ''}`,
    `  while down: ${down.answered} answered (503 ${down.unavailable503}, with problem body ${down.withProblemBody}, with Retry-After ${down.withRetryAfter}, 500 ${down.status500}, other ${JSON.stringify(down.otherStatus)}), no answer ${down.noAnswer}; /readyz ${report.readyWhileDown.join(', ')}`,
    `  recovered without a restart: ${report.sameProcess ? 'yes' : 'NO'}; first 2xx after PostgreSQL was back: ${report.recoveryMs.map((ms) => `${ms} ms`).join(', ')}; 500s while up ${report.serverErrorsWhileUp}`,
    `  lost ${report.lost}, duplicated ${report.duplicated}${report.duplicates.length > 0 ? `: ${report.duplicates.slice(0, 5).join('; ')}` : ''}`,
    `  auditor ${report.auditorOk ? 'clean' : `FOUND ${report.auditorProblems} PROBLEM(S)`}`,
  ].join('\n');
}
