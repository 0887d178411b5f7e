// Worker heartbeats and queue readings for operators (`patron doctor`, the /metrics gauges; PL-12): a worker writes
// its row at most every `heartbeatEveryMs`, and the readings are index seeks on `jobs (state, run_at_ms)`.
import { sql } from 'kysely';
import { tables, type Executor } from '../db/database.ts';
import { jobTables } from './queue.ts';

interface HeartbeatRow {
  worker_id: string;
  started_at_ms: number;
  seen_at_ms: number;
}

function heartbeatTables(db: Executor) {
  return tables<{ worker_heartbeats: HeartbeatRow }>(db);
}

export const heartbeatEveryMs = 10_000;
/** Rows of workers not seen for a day are removed by the next beat of any worker. */
const forgetAfterMs = 24 * 60 * 60 * 1000;

export async function beatHeart(db: Executor, workerId: string, startedAtMs: number, nowMs: number): Promise<void> {
  await heartbeatTables(db)
    .insertInto('worker_heartbeats')
    .values({ worker_id: workerId, started_at_ms: startedAtMs, seen_at_ms: nowMs })
    .onConflict((oc) => oc.column('worker_id').doUpdateSet({ seen_at_ms: nowMs }))
    .execute();
  await heartbeatTables(db).deleteFrom('worker_heartbeats').where('seen_at_ms', '<', nowMs - forgetAfterMs).execute();
}

export async function stopHeartbeat(db: Executor, workerId: string): Promise<void> {
  await heartbeatTables(db).deleteFrom('worker_heartbeats').where('worker_id', '=', workerId).execute();
}

export interface WorkerSeen {
  workerId: string;
  seenAtMs: number;
  startedAtMs: number;
}

/** Workers seen within the last day, most recent first. */
export async function listWorkers(db: Executor): Promise<WorkerSeen[]> {
  const rows = await heartbeatTables(db).selectFrom('worker_heartbeats').selectAll().orderBy('seen_at_ms', 'desc').limit(50).execute();
  return rows.map((row) => ({ workerId: row.worker_id, seenAtMs: Number(row.seen_at_ms), startedAtMs: Number(row.started_at_ms) }));
}

export interface QueueReading {
  /** Queued jobs whose time has come (the backlog). */
  due: number;
  /** Queued jobs for later (retries with backoff, scheduled work). */
  scheduled: number;
  running: number;
  /** Jobs that used up their attempts (dead letters): nothing retries them. */
  failed: number;
  /** How long the oldest due job has been waiting; 0 without a backlog. */
  oldestDueAgeMs: number;
}

/** Counts by state with `run_at_ms` bounds: each is a range of the `jobs (state, run_at_ms)` index. */
export async function readQueue(db: Executor, nowMs: number): Promise<QueueReading> {
  const jobs = jobTables(db);
  const count = async (state: string, from: 'due' | 'later' | 'all') => {
    let query = jobs.selectFrom('jobs').select(sql<number>`count(*)`.as('n')).where('state', '=', state as 'queued');
    if (from === 'due') query = query.where('run_at_ms', '<=', nowMs);
    if (from === 'later') query = query.where('run_at_ms', '>', nowMs);
    return Number((await query.executeTakeFirstOrThrow()).n);
  };
  const oldest = await jobs.selectFrom('jobs').select('run_at_ms').where('state', '=', 'queued').where('run_at_ms', '<=', nowMs).orderBy('run_at_ms').limit(1).executeTakeFirst();
  return {
    due: await count('queued', 'due'),
    scheduled: await count('queued', 'later'),
    running: await count('running', 'all'),
    failed: await count('failed', 'all'),
    oldestDueAgeMs: oldest ? Math.max(0, nowMs - Number(oldest.run_at_ms)) : 0,
  };
}
