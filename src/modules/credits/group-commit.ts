// Group commit for ledger operations (issue 12, PF-1..PF-5): operations that would each open their own transaction
// queue briefly and commit together, each in a savepoint of its own, so one commit (and, on PostgreSQL, one WAL
// flush; on SQLite, one write of each shared page) serves many callers. See docs/PERFORMANCE.md, "Group commit".
//
// - Only operations that open their own transaction are grouped: a caller that already holds a transaction (a flow,
//   the storefront webhook job) runs its ledger call inline, in that transaction, exactly as before.
// - A group starts at the end of the current turn of the event loop when a commit slot is free (so a lone caller
//   waits for nothing), or as soon as a slot frees; it never waits longer than `maxWaitMs` for more members once it
//   could start, and holds at most `maxGroupSize` operations.
// - Each operation runs in a savepoint: if it throws, its writes are rolled back to that savepoint and only its
//   caller sees the error; the others commit. A caller's promise settles only after the group's COMMIT returned
//   (durable at the database's configured durability).
// - On PostgreSQL operations run in member order within a group (account rows are locked in one order, so two
//   groups never deadlock on them); a deadlock or serialization failure of one operation retries that operation in
//   a later group, a failed COMMIT retries the whole group (each operation is idempotent by its key, LG-3).
// - Appends (earnings, bonuses) and spends go in groups of their own kind: an append group is one
//   statement (or one synchronous SQLite transaction), a spend group one statement as well; inside them each
//   operation is isolated by the database function itself (see runOneCallGroup).
// - The queue is bounded: when `maxQueued` operations wait, a new caller waits for room (back-pressure).
import { transact, type Ctx } from '../../deps.ts';
import { isPostgres, type Executor } from '../../db/database.ts';
import { databaseMemo } from '../../db/database-memo.ts';
import { executeRaw, hasRawSqlite } from '../../db/sqlite-raw.ts';
import { callAppendGroup, callSpendGroup, isRetryable, type FastAnswer } from './ledger.repository.ts';
import { sqliteAppendGroup } from './sqlite-append.repository.ts';
import { sqliteSpendGroup } from './sqlite-spend.repository.ts';

export interface GroupCommitOptions {
  /** Longest a startable group waits for more members (ms); 0 means the end of the current event-loop turn. */
  maxWaitMs: number;
  maxGroupSize: number;
  /** Operations waiting for a group; more callers wait for room. */
  maxQueued: number;
  /** Groups committing at once (SQLite has one writer: 1). */
  maxConcurrentGroups: number;
  /**
   * Append groups committing at once, besides the general groups. PostgreSQL: one statement each, whose cost is
   * mostly fixed (round trip, WAL flush), so fewer and fuller groups serve more operations. SQLite: one synchronous
   * write transaction each (sqlite-append.repository.ts); its one writer takes them and the general groups in turn.
   * PostgreSQL's spend groups (one call for a group of spends, migration 0424) have as many slots again.
   */
  maxConcurrentAppendGroups: number;
  /** Attempts for an operation that hit a deadlock or serialization failure. */
  maxAttempts: number;
  /** Off: every operation commits alone (the previous behaviour; for comparisons). */
  enabled: boolean;
}

export const defaultGroupCommit = {
  sqlite: { maxWaitMs: 0, maxGroupSize: 64, maxQueued: 10_000, maxConcurrentGroups: 1, maxConcurrentAppendGroups: 1, maxAttempts: 5, enabled: true },
  // 48 keeps a group's subtransactions under PostgreSQL's 64-entry per-backend cache (no subtrans overflow). Three
  // general groups at once rather than six: spends from 16 callers on 20,000 members, alternating in one process,
  // 2,105–2,235/s (p99 16.5–17.1 ms) against 1,643–1,880/s (p99 24.9–26.2 ms); each group's round trips (BEGIN, a
  // savepoint per operation, COMMIT) are shared by more operations.
  postgres: { maxWaitMs: 0, maxGroupSize: 48, maxQueued: 10_000, maxConcurrentGroups: 3, maxConcurrentAppendGroups: 2, maxAttempts: 5, enabled: true },
} satisfies Record<string, GroupCommitOptions>;

/** An append-only operation packed for credits_append (ledger.service.ts prepareAppend). */
export interface AppendWork {
  payload: Record<string, unknown>;
}

/** A spend packed for credits_spend (spend.service.ts). */
export interface SpendWork {
  payload: Record<string, unknown>;
}

interface Item {
  ctx: Ctx;
  memberId: string;
  work: (trx: Ctx) => Promise<unknown>;
  /** An append the group sends with the others in one call (runOneCallGroup) instead of `work`. */
  append?: AppendWork;
  /** A spend the group sends with the others in one call (runOneCallGroup) instead of `work`. */
  spend?: SpendWork;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  attempt: number;
}

interface Committer {
  options: GroupCommitOptions;
  queue: Item[];
  running: number;
  runningAppends: number;
  runningSpends: number;
  scheduled: boolean;
  roomWaiters: (() => void)[];
  groups: number;
  grouped: number;
  /** Spends carried by spend groups (of `grouped`). */
  spendsGrouped: number;
}

const committerOf = databaseMemo((): Committer => ({ options: { ...defaultGroupCommit.sqlite }, queue: [], running: 0, runningAppends: 0, runningSpends: 0, scheduled: false, roomWaiters: [], groups: 0, grouped: 0, spendsGrouped: 0 }));
const configuredOf = databaseMemo((): { done: boolean } => ({ done: false }));

function committer(db: Executor): Committer {
  const c = committerOf(db);
  const configured = configuredOf(db);
  if (!configured.done) {
    configured.done = true;
    c.options = { ...(isPostgres(db) ? defaultGroupCommit.postgres : defaultGroupCommit.sqlite) };
  }
  return c;
}

/** Changes the group-commit settings of one database (benchmarks, tests). */
export function configureGroupCommit(db: Executor, options: Partial<GroupCommitOptions>): void {
  const c = committer(db);
  c.options = { ...c.options, ...options };
}

/** Groups committed, operations they carried, and of those the spends in spend groups (for benchmarks and tests). */
export function groupCommitStats(db: Executor): { groups: number; operations: number; spendGroupOperations: number } {
  const c = committer(db);
  return { groups: c.groups, operations: c.grouped, spendGroupOperations: c.spendsGrouped };
}

/**
 * Runs `work` in a transaction: the caller's, when it holds one; otherwise a group's, in a savepoint of its own.
 * Resolves after the commit.
 */
export async function inLedgerTransaction<R>(ctx: Ctx, memberId: string, work: (trx: Ctx) => Promise<R>): Promise<R> {
  if (ctx.db.isTransaction) return work(ctx);
  const c = committer(ctx.db);
  if (!c.options.enabled) return alone(ctx, work, c.options.maxAttempts);
  while (c.queue.length >= c.options.maxQueued) await new Promise<void>((resolve) => c.roomWaiters.push(resolve));
  return new Promise<R>((resolve, reject) => {
    c.queue.push({ ctx, memberId, work: work as Item['work'], resolve: resolve as Item['resolve'], reject, attempt: 1 });
    schedule(c);
  });
}

/**
 * Queues an append-only operation for the next append group and resolves with its answer after the group committed.
 * PostgreSQL: the group's operations go to the database in one autocommit statement (migration 0406); SQLite: in one
 * synchronous write transaction of prepared statements (sqlite-append.repository.ts). Undefined when there is no such
 * group to join (the caller holds a transaction, group commit is off, or a SQLite handle without its raw
 * connection): the caller then takes the general path.
 */
export function appendInGroup(ctx: Ctx, memberId: string, append: AppendWork): Promise<FastAnswer> | undefined {
  if (ctx.db.isTransaction || !(isPostgres(ctx.db) || hasRawSqlite(ctx.db))) return undefined;
  const c = committer(ctx.db);
  if (!c.options.enabled) return undefined;
  return queueForOneCall(c, { ctx, memberId, append });
}

/**
 * Queues a spend for the next spend group (PostgreSQL: one `credits_spend_group` call; SQLite: one synchronous write
 * transaction, sqlite-spend.repository.ts) and resolves with its answer after the group committed. Undefined where
 * there is no such group (a caller holding a transaction, group commit off, a SQLite handle without its raw
 * connection): the caller takes its usual path.
 */
export function spendInGroup(ctx: Ctx, memberId: string, prepare: () => Promise<SpendWork>): Promise<FastAnswer> | undefined {
  if (ctx.db.isTransaction || !(isPostgres(ctx.db) || hasRawSqlite(ctx.db))) return undefined;
  const c = committer(ctx.db);
  if (!c.options.enabled) return undefined;
  return (async () => queueForOneCall(c, { ctx, memberId, spend: await prepare() }))();
}

/** Queues an append or a spend for its kind of group; resolves with its answer after the group committed. */
async function queueForOneCall(c: Committer, item: Pick<Item, 'ctx' | 'memberId' | 'append' | 'spend'>): Promise<FastAnswer> {
  while (c.queue.length >= c.options.maxQueued) await new Promise<void>((resolve) => c.roomWaiters.push(resolve));
  return new Promise<FastAnswer>((resolve, reject) => {
    const work = () => Promise.reject(new Error('an append or spend item runs through its group'));
    c.queue.push({ ...item, work, resolve: resolve as Item['resolve'], reject, attempt: 1 });
    schedule(c);
  });
}

async function alone<R>(ctx: Ctx, work: (trx: Ctx) => Promise<R>, maxAttempts: number): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transact(ctx, work);
    } catch (error) {
      if (attempt >= maxAttempts || !isRetryable(error)) throw error;
    }
  }
}

function schedule(c: Committer): void {
  const full = c.running >= c.options.maxConcurrentGroups && c.runningAppends >= c.options.maxConcurrentAppendGroups && c.runningSpends >= c.options.maxConcurrentAppendGroups;
  if (c.scheduled || c.queue.length === 0 || full) return;
  c.scheduled = true;
  const start = () => {
    c.scheduled = false;
    startGroups(c);
  };
  if (c.queue.length >= c.options.maxGroupSize) queueMicrotask(start);
  else if (c.options.maxWaitMs > 0) setTimeout(start, c.options.maxWaitMs);
  else setImmediate(start);
}

/**
 * Splits what waits evenly over the free commit slots: on PostgreSQL several connections work in parallel (the
 * server has more than one core) while each still shares its commit; on SQLite (one slot) it is one group.
 */
function startGroups(c: Committer): void {
  if (c.queue.length === 0) return;
  // Appends, spends and general operations go in groups of their own kind: an append group is one statement, a
  // spend group one call.
  const appends = c.queue.filter((item) => item.append);
  const spends = c.queue.filter((item) => item.spend);
  const general = appends.length + spends.length === 0 ? c.queue : c.queue.filter((item) => !item.append && !item.spend);
  start(appends, c.options.maxConcurrentAppendGroups - c.runningAppends, (group) => runOneCallGroup(c, group, 'append'), (n) => (c.runningAppends += n));
  start(spends, c.options.maxConcurrentAppendGroups - c.runningSpends, (group) => runOneCallGroup(c, group, 'spend'), (n) => (c.runningSpends += n));
  start(general, c.options.maxConcurrentGroups - c.running, (group) => runGroup(c, group), (n) => (c.running += n));
  c.queue = [...appends, ...spends, ...general];
  while (c.roomWaiters.length > 0 && c.queue.length < c.options.maxQueued) c.roomWaiters.shift()!();

  function start(items: Item[], free: number, run: (group: Item[]) => Promise<void>, count: (n: number) => void): void {
    if (items.length === 0 || free <= 0) return;
    const size = Math.min(c.options.maxGroupSize, Math.ceil(items.length / free));
    for (let n = 0; n < free && items.length > 0; n++) {
      const group = items.splice(0, size);
      count(1);
      void run(group).finally(() => {
        count(-1);
        schedule(c);
      });
    }
  }
}

/** How each kind of one-call group reaches the database: one answer per payload, in order. */
const oneCall = {
  append: (db: Executor, payloads: Record<string, unknown>[]) => (isPostgres(db) ? callAppendGroup(db, payloads) : sqliteAppendGroup(db, payloads)),
  spend: (db: Executor, payloads: Record<string, unknown>[]) => (isPostgres(db) ? callSpendGroup(db, payloads) : sqliteSpendGroup(db, payloads)),
};

/**
 * An append or spend group: one autocommit call (PostgreSQL: `credits_append_group`, migration 0406, or
 * `credits_spend_group`, migration 0424) or one SQLite write transaction (sqlite-append / sqlite-spend.repository.ts)
 * applies every operation; the credits events are read from the ledger rows later (event-feed.ts), so nothing else is
 * written with them. Appends go in member order. An operation answered `retry` (an append's key repeated within a
 * PostgreSQL group) goes back to the queue; on PostgreSQL a spend that raised inside the call left nothing and answers
 * `fallback` (its caller takes the general path). A failed group wrote nothing (afterFailedGroupCall).
 */
async function runOneCallGroup(c: Committer, group: Item[], kind: keyof typeof oneCall): Promise<void> {
  if (kind === 'append') group.sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const payloads = group.map((item) => (kind === 'append' ? item.append! : item.spend!).payload);
  let answers: (FastAnswer | { status: 'retry' })[];
  try {
    answers = await oneCall[kind](group[0]!.ctx.db, payloads);
  } catch (error) {
    return afterFailedGroupCall(c, group, error, (one) => runOneCallGroup(c, one, kind));
  }
  c.groups += 1;
  c.grouped += group.length;
  if (kind === 'spend') c.spendsGrouped += group.length;
  group.forEach((item, i) => {
    const answer = answers[i]!;
    if (answer.status === 'retry') {
      c.queue.push(item);
      schedule(c);
    } else item.resolve(answer);
  });
}

/**
 * An append or spend group that failed wrote nothing: a retryable failure retries the group; any other failure is
 * re-run one operation per group, so it reaches only the caller whose operation causes it.
 */
async function afterFailedGroupCall(c: Committer, group: Item[], error: unknown, runOne: (group: Item[]) => Promise<void>): Promise<void> {
  if (group.length > 1 && !isRetryable(error)) {
    for (const item of group) await runOne([item]);
    return;
  }
  for (const item of group) retryOrReject(c, item, error);
}

const exec = (db: Executor, text: string) => executeRaw(db, text);

/** The one operation of a group of one failed: its transaction rolls back as a whole. */
class LoneFailure {
  readonly cause: unknown;
  constructor(cause: unknown) {
    this.cause = cause;
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

async function runGroup(c: Committer, group: Item[]): Promise<void> {
  const first = group[0]!;
  const postgres = isPostgres(first.ctx.db);
  // Account rows are locked in member order in every group: no deadlock between groups on them.
  if (postgres) group.sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const outcomes: Outcome[] = [];
  try {
    await transact(first.ctx, async (trx) => {
      // A group of one needs no savepoint: its failure rolls the whole (its own) transaction back.
      const savepoints = group.length > 1;
      for (const item of group) {
        const itemCtx: Ctx = { ...item.ctx, db: trx.db };
        if (savepoints) await exec(trx.db, 'savepoint credits_op');
        try {
          const value = await item.work(itemCtx);
          // PostgreSQL keeps released and unreleased savepoints alike until COMMIT: not releasing saves a round trip.
          if (savepoints && !postgres) await exec(trx.db, 'release savepoint credits_op');
          outcomes.push({ ok: true, value });
        } catch (error) {
          if (!savepoints) throw new LoneFailure(error);
          await exec(trx.db, 'rollback to savepoint credits_op');
          if (!postgres) await exec(trx.db, 'release savepoint credits_op');
          outcomes.push({ ok: false, error });
        }
      }
    });
  } catch (error) {
    // The group did not commit: nothing of it exists. Retry a retryable failure, otherwise every caller learns it.
    for (const item of group) retryOrReject(c, item, error instanceof LoneFailure ? error.cause : error);
    return;
  }
  c.groups += 1;
  c.grouped += group.length;
  group.forEach((item, i) => {
    const outcome = outcomes[i]!;
    if (outcome.ok) item.resolve(outcome.value);
    else retryOrReject(c, item, outcome.error);
  });
}

function retryOrReject(c: Committer, item: Item, error: unknown): void {
  if (isRetryable(error) && item.attempt < c.options.maxAttempts) {
    item.attempt += 1;
    c.queue.push(item);
    schedule(c);
    return;
  }
  item.reject(error);
}

