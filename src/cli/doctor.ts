// `patron doctor [--json]` (issue 13): checks what an operator would check by hand, without changing anything (no
// migration is applied, no secret is generated): configuration, the database, pending migrations, PostgreSQL's
// autovacuum and memory, the SMTP server, the job workers' heartbeats, the job backlog and the email outbox.
// Exit codes: 0 nothing wrong (warnings allowed), 1 at least one problem, 2 usage.
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.ts';
import { sql } from 'kysely';
import { openDatabase, pingDatabase, dialectOf, isPostgres, type Database } from '../db/database.ts';
import { pendingMigrations } from '../db/migrate.ts';
import { loadSimulatedClock } from '../db/simulated-clock-store.ts';
import { listWorkers, readQueue, heartbeatEveryMs } from '../jobs/index.ts';
import { createSystemClock, MINUTE_MS } from '../platform/clock.ts';
import { metrics as outboxMetrics, verifySmtp } from '../modules/notifications/index.ts';
import { creditFeedStatus, ledgerTablesBytes, unreadCountLimit, type CreditFeedStatus } from '../modules/credits/index.ts';

export const doctorUsage = 'usage: patron doctor [--json]';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
}

/** A worker not seen for this long is taken as stopped (it writes every heartbeatEveryMs while polling). */
export const workerSilentAfterMs = 6 * heartbeatEveryMs;
/** A due job waiting longer than this means the workers are stopped or cannot keep up. */
export const backlogProblemAfterMs = 5 * MINUTE_MS;
/** An email queued for longer than this has not left (the SMTP server refuses it, or no worker sends). */
export const outboxProblemAfterMs = 15 * MINUTE_MS;
/** A writing transaction open this long holds the credits events (webhooks, metrics) back noticeably (PostgreSQL). */
export const writerOpenWarnAfterMs = 5 * MINUTE_MS;

/** Huge pages matter from this much shared memory on (docs/OPERATIONS.md: a page fault per 4 kB page per backend). */
export const hugePagesFromBytes = 1024 ** 3;

const size = (bytes: number) => (bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`);

/**
 * PostgreSQL's buffer cache against the ledger: its reads by member want the credits tables in `shared_buffers`, and
 * a large `shared_buffers` wants huge pages (measured: a ledger read 2–5× slower without either, docs/OPERATIONS.md).
 */
export function postgresMemoryCheck(server: { sharedBuffersBytes: number; hugePages: string; ledgerBytes: number }): Check {
  const { sharedBuffersBytes, hugePages, ledgerBytes } = server;
  const held = `shared_buffers ${size(sharedBuffersBytes)}, the credits tables ${size(ledgerBytes)}`;
  if (ledgerBytes > sharedBuffersBytes) {
    return { name: 'postgres memory', status: 'warn', detail: `${held}: ledger reads copy pages from the OS cache; give PostgreSQL a shared_buffers near the credits tables' size, in huge pages (docs/OPERATIONS.md)` };
  }
  if (sharedBuffersBytes >= hugePagesFromBytes && hugePages === 'off') {
    return { name: 'postgres memory', status: 'warn', detail: `${held}, huge_pages off: each connection takes a page fault per 4 kB of shared_buffers it touches; reserve huge pages and set huge_pages = try (docs/OPERATIONS.md)` };
  }
  return { name: 'postgres memory', status: 'ok', detail: `${held}, huge_pages ${hugePages}` };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]!.slice(0, 300) : String(error);
}

/** Hides the password of a database or SMTP URL. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: Math.round(performance.now() - started) };
}

export async function runDoctor(environment: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  const checks: Check[] = [];
  let config: Readonly<Config>;
  try {
    config = loadConfig(environment);
    checks.push({ name: 'configuration', status: 'ok', detail: `data folder ${config.dataDir}, ${dialectOf(config.database.url)} database, clock ${config.clock.mode}, public URL ${config.http.publicUrl}` });
  } catch (error) {
    checks.push({ name: 'configuration', status: 'fail', detail: (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ').slice(0, 500) });
    return checks;
  }

  let database: Database | undefined;
  try {
    const { ms } = await timed(async () => {
      database = await openDatabase({ url: config.database.url, poolSize: 1 });
      await pingDatabase(database.db);
    });
    checks.push({ name: 'database', status: 'ok', detail: `${redactUrl(config.database.url)} answered in ${ms} ms` });
  } catch (error) {
    checks.push({ name: 'database', status: 'fail', detail: `${redactUrl(config.database.url)}: ${describe(error)}` });
    await database?.close().catch(() => undefined);
    database = undefined;
  }

  if (config.mail.smtpUrl) {
    try {
      const { ms } = await timed(() => verifySmtp(config.mail.smtpUrl!));
      checks.push({ name: 'smtp', status: 'ok', detail: `${redactUrl(config.mail.smtpUrl)} greeted in ${ms} ms` });
    } catch (error) {
      checks.push({ name: 'smtp', status: 'fail', detail: `${redactUrl(config.mail.smtpUrl)}: ${describe(error)}` });
    }
  } else {
    checks.push({ name: 'smtp', status: 'warn', detail: 'PATRON_SMTP_URL is not set: emails are held in the outbox (console mail view), not sent' });
  }

  if (!database) return checks;
  const db = database.db;
  try {
    const pending = await pendingMigrations(db);
    checks.push(
      pending.length === 0
        ? { name: 'migrations', status: 'ok', detail: 'all applied' }
        : { name: 'migrations', status: 'fail', detail: `${pending.length} pending (${pending.slice(0, 5).join(', ')}${pending.length > 5 ? ', …' : ''}): run \`patron migrate\`, or start the server, which migrates` },
    );
    if (pending.length > 0) return checks;

    if (isPostgres(db)) {
      // The ledger's one-statement writes are planned from table statistics; without autovacuum's ANALYZE a growing
      // table keeps the plans of its empty days (measured: earns 4× slower, docs/OPERATIONS.md).
      const { rows } = await sql<{ autovacuum: string }>`select current_setting('autovacuum') as autovacuum`.execute(db);
      checks.push(
        rows[0]?.autovacuum === 'on'
          ? { name: 'autovacuum', status: 'ok', detail: 'on (table statistics stay current)' }
          : { name: 'autovacuum', status: 'warn', detail: 'off: table statistics go stale and ledger writes get slow plans; turn it on, or run ANALYZE on a schedule (docs/OPERATIONS.md)' },
      );
      const memory = await sql<{ shared_buffers: number | string; huge_pages: string }>`select
          (select setting::bigint * current_setting('block_size')::bigint from pg_settings where name = 'shared_buffers') as shared_buffers,
          current_setting('huge_pages') as huge_pages`.execute(db);
      const settings = memory.rows[0]!;
      checks.push(postgresMemoryCheck({ sharedBuffersBytes: Number(settings.shared_buffers), hugePages: settings.huge_pages, ledgerBytes: (await ledgerTablesBytes(db)) ?? 0 }));
    }

    const nowMs = config.clock.mode === 'simulated' ? (await loadSimulatedClock(db, config.clock.startMs ?? createSystemClock().nowMs())).nowMs() : createSystemClock().nowMs();
    const workers = await listWorkers(db);
    const alive = workers.filter((worker) => nowMs - worker.seenAtMs <= workerSilentAfterMs);
    if (alive.length > 0) checks.push({ name: 'worker', status: 'ok', detail: `${alive.length} worker(s) alive, last heartbeat ${Math.round((nowMs - alive[0]!.seenAtMs) / 1000)} s ago` });
    else if (workers.length > 0) checks.push({ name: 'worker', status: 'fail', detail: `no heartbeat for ${Math.round((nowMs - workers[0]!.seenAtMs) / 1000)} s (worker ${workers[0]!.workerId}): start \`patron serve\` or \`patron worker\`` });
    else checks.push({ name: 'worker', status: 'fail', detail: 'no job worker has run in the last day: start `patron serve` or `patron worker`' });

    const queue = await readQueue(db, nowMs);
    const backlog = `${queue.due} due, ${queue.scheduled} scheduled, ${queue.running} running; oldest due job waiting ${Math.round(queue.oldestDueAgeMs / 1000)} s`;
    if (queue.oldestDueAgeMs > backlogProblemAfterMs) checks.push({ name: 'jobs', status: 'fail', detail: `${backlog} (more than ${backlogProblemAfterMs / MINUTE_MS} min: workers stopped or overloaded)` });
    else checks.push({ name: 'jobs', status: 'ok', detail: backlog });
    if (queue.failed > 0) checks.push({ name: 'failed jobs', status: 'warn', detail: `${queue.failed} job(s) used up their attempts; see their last_error in the jobs table` });

    const [counts, age] = await Promise.all(outboxMetrics.map((metric) => metric.read(db, nowMs)));
    const waiting = (counts ?? []).map((reading) => `${reading.value} ${reading.labels?.state}`).join(', ');
    const oldestSeconds = age?.[0]?.value ?? 0;
    checks.push(
      oldestSeconds * 1000 > outboxProblemAfterMs
        ? { name: 'outbox', status: 'fail', detail: `${waiting}; the oldest queued email has waited ${Math.round(oldestSeconds / 60)} min` }
        : { name: 'outbox', status: 'ok', detail: `${waiting}; oldest queued ${Math.round(oldestSeconds)} s` },
    );

    checks.push(creditFeedCheck(await creditFeedStatus(db, 'webhooks')));
  } catch (error) {
    checks.push({ name: 'database', status: 'fail', detail: `reading the installation's state failed: ${describe(error)}` });
  } finally {
    await database.close();
  }
  return checks;
}

/** The ledger's credits events as the webhook fan-out reads them (src/modules/credits/event-feed.ts). */
function creditFeedCheck(status: CreditFeedStatus): Check {
  const name = 'credits feed';
  if (status.moved) {
    return { name, status: 'fail', detail: 'the database was restored into another PostgreSQL cluster and the credits events stopped: run `patron restore --reapply-only` to rebase them' };
  }
  const unread = `${status.unread >= unreadCountLimit ? `${unreadCountLimit} or more` : status.unread} ledger transaction(s) not yet read by the webhook fan-out`;
  if (status.oldestWriterOpenMs !== null && status.oldestWriterOpenMs > writerOpenWarnAfterMs) {
    return { name, status: 'warn', detail: `${unread}; a writing transaction has been open ${Math.round(status.oldestWriterOpenMs / MINUTE_MS)} min and holds later credits events back until it ends (idle_in_transaction_session_timeout bounds that)` };
  }
  return { name, status: 'ok', detail: unread };
}

export async function doctorCommand(args: string[], out: (text: string) => void): Promise<number> {
  let json: boolean;
  try {
    json = parseArgs({ args, options: { json: { type: 'boolean', default: false } } }).values.json ?? false;
  } catch {
    out(doctorUsage);
    return 2;
  }
  const checks = await runDoctor();
  const ok = checks.every((check) => check.status !== 'fail');
  if (json) {
    out(JSON.stringify({ ok, checks }, null, 2));
  } else {
    const marks: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };
    for (const check of checks) out(`${marks[check.status]}  ${check.name.padEnd(13)} ${check.detail}`);
    out(ok ? 'no problems found' : `${checks.filter((check) => check.status === 'fail').length} problem(s) found`);
  }
  return ok ? 0 : 1;
}
