// `npm run bench -- membership [--size XS|S|M]`: Plus renewals (issue 8 point 8). N monthly subscriptions all due in
// the same minute are seeded with set-based inserts straight into the membership tables (one paid period, one
// history row and the renewal reminder's notice each, as a join and its reminder leave them), then the real
// `runMembershipRenewals` renews them: the gateway is called outside any transaction and the outcome is written in one
// short transaction. Printed per database, next to a plain insert+update ceiling measured in the same run:
//
//   sandbox      the sandbox gateway answering in process (it keeps its own books in tables, two transactions of its
//                own per renewal: authorize, capture), as the issue asks;
//   fake gw      an in-memory PaymentGateway that approves at once, so the figure is Patron's own renewal path;
//   two runs     PostgreSQL: two renewal runs at once, each with its own pool and worker ID (two instances);
//   plusStatusAt a member with 10 years of monthly renewals and some pauses among everyone else's history.
//
// After every run each renewed subscription must have exactly 2 periods and exactly one authorization and one
// capture under its period's key; a run that breaks that is a failed run (exit code 1). PostgreSQL parts run when
// PATRON_BENCH_DATABASE_URL (or PATRON_TEST_DATABASE_URL) is set, in a schema of their own dropped at the end.
import { measure } from './load-measure.ts';
import { percentile, sqliteReadCeiling, sqliteWriteCeiling } from './ceilings.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type KyselyPlugin, type OperationNode, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import type { Deps, Ports } from '../src/deps.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { memberBonuses } from '../src/flows/member-bonuses.ts';
import { installationPersonalData } from '../src/adapters.ts';
import { memberContacts } from '../src/modules/accounts/index.ts';
import { plusStatusAt, runMembershipRenewals, type RenewalReport } from '../src/modules/membership/index.ts';
import { createSandboxGateway } from '../src/modules/payments/index.ts';
import { DAY_MS, MINUTE_MS, createSimulatedClock } from '../src/platform/clock.ts';
import { createIdGenerator } from '../src/platform/ids.ts';
import { createLogger } from '../src/platform/logger.ts';
import type { GatewayPayment, GatewayResult, PaymentGateway } from '../src/ports/index.ts';
import { createMemoryFileStorage } from '../src/ports/local-file-storage.ts';

type Size = 'XS' | 'S' | 'M';

const sizes: Record<Size, { subscriptions: number; seconds: number }> = {
  XS: { subscriptions: 2_000, seconds: 1 },
  S: { subscriptions: 100_000, seconds: 3 },
  M: { subscriptions: 1_000_000, seconds: 5 },
};

/** The renewal run's settings: those of the scheduled job (batches of 100, 4 charges in flight), without its cap of 50 batches. */
const batchSize = 100;
const concurrency = 4;
/** The gateway-latency variant: a fixed, small batch (its time is the latency's, not the database's). */
const slowCount = 400;
const slowGatewayMs = 50;

/** Batch `k` of seeded subscriptions falls due in the minute starting at 2026-03-(2+k) 17:00 UTC; they joined a month before. */
const dueMinuteMs = (batch: number) => Date.UTC(2026, 2, 2 + batch, 17, 0, 0);
const joinedMs = (batch: number) => Date.UTC(2026, 1, 2 + batch, 17, 0, 0);

const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------------------------
// Ceilings: a transaction that inserts one row (unique key) and updates another, the shape of a renewal's outcome
// write (period, payment, history, voucher and notice job inserted; the subscription updated), at the run's concurrency.

interface PgCeilings {
  /** One statement (one round trip) inserting a row and updating another, at the run's concurrency (PERFORMANCE.md C_pg). */
  cPg: number;
  /** The same at 16 connections, PERFORMANCE.md's reference point. */
  cPg16: number;
  /** BEGIN; INSERT; UPDATE; COMMIT as four round trips, at the run's concurrency: the outcome write's shape. */
  cPgTx: number;
  /** Raw primary-key reads at the run's concurrency. */
  cRead: number;
}

async function pgCeilings(url: string, schema: string, seconds: number): Promise<PgCeilings> {
  const pool = new pg.Pool({ connectionString: url, max: 16, options: `-c search_path=${schema}` });
  try {
    await pool.query('create table ceiling_entries (key text primary key, amount integer not null)');
    await pool.query('create table ceiling_balances (id integer primary key, balance bigint not null)');
    await pool.query('insert into ceiling_balances select g, 0 from generate_series(0, 9999) g');
    await pool.query('checkpoint');
    const single = (tag: string) => (w: number, i: number) =>
      pool.query('with e as (insert into ceiling_entries values ($1, 1)) update ceiling_balances set balance = balance + 1 where id = $2', [`${tag}-${String(i).padStart(10, '0')}-${w}`, (w * 7919 + i) % 10_000]);
    const cPg = (await measure(seconds, concurrency, single('s'))).perSecond;
    const cPg16 = (await measure(seconds, 16, single('m'))).perSecond;
    const cPgTx = (
      await measure(seconds, concurrency, async (w, i) => {
        const client = await pool.connect();
        try {
          await client.query('begin');
          await client.query('insert into ceiling_entries values ($1, 1)', [`t-${String(i).padStart(10, '0')}-${w}`]);
          await client.query('update ceiling_balances set balance = balance + 1 where id = $1', [(w * 7919 + i) % 10_000]);
          await client.query('commit');
        } finally {
          client.release();
        }
      })
    ).perSecond;
    const cRead = (await measure(seconds, concurrency, (w, i) => pool.query('select * from ceiling_balances where id = $1', [(w * 7919 + i) % 10_000]))).perSecond;
    await pool.query('drop table ceiling_entries, ceiling_balances');
    return { cPg, cPg16, cPgTx, cRead };
  } finally {
    await pool.end();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Seeding: set-based inserts of what a monthly join and its renewal reminder leave behind (migration 0600's columns).

export async function seedDueBatch(database: Database, batch: number, count: number): Promise<void> {
  const db = database.db;
  const pgDialect = database.dialect === 'postgres';
  const tag = String.fromCharCode(97 + batch); // a, b, c…: one ID prefix per batch
  const params = { count, due: dueMinuteMs(batch), joined: joinedMs(batch), week: 7 * DAY_MS };
  const fill = (text: string) => text.replace(/:(\w+)/g, (match, name: string) => (Object.hasOwn(params, name) ? String(params[name as keyof typeof params]) : match));
  const id = (prefix: string) => (pgDialect ? `'${prefix}_${tag}_' || lpad(cast(s.i as text), 24, '0')` : `printf('${prefix}_${tag}_%024d', s.i)`);
  const series = pgDialect ? 'generate_series(cast(0 as bigint), :count - 1) as s(i)' : 's';
  const recursive = pgDialect ? '' : 'with recursive s(i) as (select 0 union all select i + 1 from s where i < :count - 1) ';
  // Spread over the minute, in no particular order.
  const offset = '((s.i * 7919) % 60000)';
  await sql.raw(fill(`${recursive}insert into membership_subscriptions (id, member_id, state, plan, next_plan, auto_renew, policy_version, currency, payment_method,
      anchor_ms, anchor_seq, period_count, current_period_id, current_period_end_ms, paused_at_ms, resume_at_ms, past_due_since_ms, reminder_due_at_ms,
      retries_done, next_retry_at_ms, claimed_by, claimed_until_ms, created_at_ms, updated_at_ms, ended_at_ms, end_reason)
    select ${id('sub')}, ${id('mem')}, 'active', 'monthly', null, 1, 1, 'USD', 'tok_approve',
      :joined + ${offset}, 0, 1, ${id('mbp')}, :due + ${offset}, null, null, null, null,
      0, null, null, null, :joined + ${offset}, :due - :week + ${offset}, null, null
    from ${series}`)).execute(db);
  await sql.raw(fill(`${recursive}insert into membership_periods (id, subscription_id, member_id, seq, plan, starts_at_ms, ends_at_ms, price_minor, currency, gateway, gateway_payment_id, paid_at_ms, created_at_ms)
    select ${id('mbp')}, ${id('sub')}, ${id('mem')}, 0, 'monthly', :joined + ${offset}, :due + ${offset}, 999, 'USD', 'sandbox', ${id('sbx_pay_seed')}, :joined + ${offset}, :joined + ${offset}
    from ${series}`)).execute(db);
  await sql.raw(fill(`${recursive}insert into membership_history (id, member_id, subscription_id, event, from_state, to_state, plan, period_id, period_ends_at_ms, effective_at_ms, recorded_at_ms, actor_role, actor_id, reason)
    select ${id('mbh')}, ${id('mem')}, ${id('sub')}, 'joined', 'pending_payment', 'active', 'monthly', ${id('mbp')}, :due + ${offset}, :joined + ${offset}, :joined + ${offset}, 'member', ${id('mem')}, null
    from ${series}`)).execute(db);
  // The reminder a week before (MB-3): the renewal charges the price it stated.
  const dedupe = pgDialect ? `'renewal_reminder:' || ${id('mbp')} || ':monthly'` : `'renewal_reminder:' || ${id('mbp')} || ':monthly'`;
  await sql.raw(fill(`${recursive}insert into membership_notices (id, member_id, subscription_id, kind, dedupe_key, plan, price_minor, renews_at_ms, message_id, sent_to_member, created_at_ms)
    select ${id('mbn')}, ${id('mem')}, ${id('sub')}, 'renewal_reminder', ${dedupe}, 'monthly', 999, :due + ${offset}, null, 1, :due - :week + ${offset}
    from ${series}`)).execute(db);
  // Measure through a checkpoint (PERFORMANCE.md: a cold cache right after a bulk load showed 1-second stalls).
  await sql`analyze`.execute(db);
  if (pgDialect) await sql`checkpoint`.execute(db);
  else await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
}

// ---------------------------------------------------------------------------------------------------------------
// Gateways and per-renewal timing

/** An in-memory gateway that approves at once, idempotent per key like the port requires. */
function createFakeGateway(clock: { nowMs(): number }, latencyMs = 0): PaymentGateway {
  const answers = new Map<string, GatewayResult<GatewayPayment>>();
  const payments = new Map<string, { amountMinor: number; captured: number }>();
  let n = 0;
  const once = async (key: string, work: () => GatewayResult<GatewayPayment>) => {
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    let answer = answers.get(key);
    if (!answer) answers.set(key, (answer = work()));
    return answer;
  };
  const payment = (paymentId: string, status: GatewayPayment['status']): GatewayResult<GatewayPayment> => {
    const p = payments.get(paymentId)!;
    return { ok: true, paymentId, status, amountMinor: p.amountMinor, capturedMinor: p.captured, refundedMinor: 0, confirmedAtMs: clock.nowMs() };
  };
  return {
    name: 'fake',
    authorize: (input) =>
      once(input.idempotencyKey, () => {
        const paymentId = `fake_pay_${String(++n).padStart(10, '0')}`;
        payments.set(paymentId, { amountMinor: input.amountMinor, captured: 0 });
        return payment(paymentId, 'authorized');
      }),
    capture: (input) =>
      once(input.idempotencyKey, () => {
        const p = payments.get(input.paymentId);
        if (!p) return { ok: false, code: 'invalid_request', message: 'No such payment.' };
        p.captured = input.amountMinor;
        return payment(input.paymentId, 'captured');
      }),
    void: (input) => once(input.idempotencyKey, () => payment(input.paymentId, 'voided')),
    refund: () => Promise.resolve({ ok: false, code: 'invalid_request', message: 'The fake gateway does not refund.' }),
  };
}

/**
 * Counts every authorization and capture per key (exactly once per period is the check) and notes when each
 * subscription's charge began; `RenewalTimer` notes when its outcome's last write (the renewed notice's job) is done.
 */
function counting(inner: PaymentGateway, starts: Map<string, number>, keys: Map<string, number>): PaymentGateway {
  const count = (key: string) => keys.set(key, (keys.get(key) ?? 0) + 1);
  return {
    name: inner.name,
    authorize(input) {
      count(input.idempotencyKey);
      starts.set(input.idempotencyKey.split(':')[1]!, performance.now());
      return inner.authorize(input);
    },
    capture(input) {
      count(input.idempotencyKey);
      return inner.capture(input);
    },
    void: (input) => inner.void(input),
    refund: (input) => inner.refund(input),
  };
}

/** A Kysely plugin that sees the renewal's last statement (the `renewed:<subscription>:<seq>` notice job) complete. */
class RenewalTimer implements KyselyPlugin {
  readonly ends = new Map<string, number>();
  readonly #pending = new Map<string, string>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node;
    if (node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === 'jobs' && node.columns && node.values) {
      const keyAt = node.columns.findIndex((c) => c.column.name === 'key');
      const values = node.values as OperationNode & { values?: readonly (OperationNode & { values?: readonly unknown[] })[] };
      const first = values.values?.[0];
      const raw = first?.kind === 'PrimitiveValueListNode' ? first.values?.[keyAt] : (first?.values?.[keyAt] as { value?: unknown } | undefined)?.value;
      const match = typeof raw === 'string' ? /^membership-notice:renewed:([^:]+):/.exec(raw) : null;
      if (match) this.#pending.set(args.queryId.queryId, match[1]!);
    }
    return node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const sub = this.#pending.get(args.queryId.queryId);
    if (sub) {
      this.#pending.delete(args.queryId.queryId);
      this.ends.set(sub, performance.now());
    }
    return Promise.resolve(args.result);
  }
}

function depsFor(database: Database, nowMs: number, payments: (deps: Pick<Deps, 'database' | 'clock'>) => PaymentGateway, timer: RenewalTimer): Deps {
  const clock = createSimulatedClock(nowMs);
  const config = loadConfig({ PATRON_DATA_DIR: tmpdir(), PATRON_DATABASE_URL: database.dialect === 'sqlite' ? ':memory:' : 'postgres://bench', PATRON_LOG_LEVEL: 'silent', PATRON_PUBLIC_URL: 'http://127.0.0.1', PATRON_SECRET: 'bench-secret-bench-secret-bench-secret-0123' });
  const ports: Ports = { payments: payments({ database, clock }), mail: null, memberContacts, files: createMemoryFileStorage(), memberLifecycle: memberBonuses, personalData: installationPersonalData() };
  return { config, database, db: database.db.withPlugin(timer), clock, ids: createIdGenerator(clock), logger: createLogger('silent'), secret: config.secret!, ports };
}

// ---------------------------------------------------------------------------------------------------------------
// One renewal run (or several at once) over a seeded batch, and the check that every period was charged once.

interface RunResult {
  gateway: string;
  instances: number;
  subscriptions: number;
  seconds: number;
  renewalsPerSecond: number;
  /** This process's CPU time per renewal (Patron, the in-process gateway; not PostgreSQL's): steadier than the rate on a busy machine. */
  cpuMsPerRenewal: number;
  p50Ms: number;
  p99Ms: number;
  report: RenewalReport;
  check: { ok: boolean; problems: string[] };
}

export async function renewBatch(databases: Database[], batch: number, count: number, gateway: 'sandbox' | 'fake', options: { inFlight?: number; gatewayLatencyMs?: number } = {}): Promise<RunResult> {
  const nowMs = dueMinuteMs(batch) + MINUTE_MS; // the end of the minute: everything seeded is due
  const starts = new Map<string, number>();
  const keys = new Map<string, number>();
  const timers = databases.map(() => new RenewalTimer());
  const fakes = new Map<number, PaymentGateway>();
  const deps = databases.map((database, i) =>
    depsFor(
      database,
      nowMs,
      (d) => counting(gateway === 'sandbox' ? createSandboxGateway(d, { failureDelayMs: 0 }) : (fakes.get(i) ?? fakes.set(i, createFakeGateway(d.clock, options.gatewayLatencyMs)).get(i)!), starts, keys),
      timers[i]!,
    ),
  );
  const started = performance.now();
  const cpu = process.cpuUsage();
  const reports = await Promise.all(deps.map((d, i) => runMembershipRenewals(d, { workerId: `bench-${batch}-${i}`, batchSize, concurrency: options.inFlight ?? concurrency, maxBatches: Number.MAX_SAFE_INTEGER })));
  const seconds = (performance.now() - started) / 1000;
  const cpuUsed = process.cpuUsage(cpu);
  const report = reports.reduce<RenewalReport>((sum, r) => {
    for (const key of Object.keys(sum) as (keyof RenewalReport)[]) sum[key] += r[key];
    return sum;
  }, { claimed: 0, renewed: 0, reactivated: 0, failed: 0, lapsed: 0, ended: 0, resumed: 0, unknown: 0 });
  const latencies: number[] = [];
  for (const timer of timers) for (const [sub, end] of timer.ends) if (starts.has(sub)) latencies.push(end - starts.get(sub)!);
  latencies.sort((a, b) => a - b);
  return {
    gateway,
    instances: databases.length,
    subscriptions: count,
    seconds,
    renewalsPerSecond: report.renewed / seconds,
    cpuMsPerRenewal: (cpuUsed.user + cpuUsed.system) / 1000 / Math.max(1, report.renewed),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    report,
    check: await checkBatch(databases[0]!, batch, count, report, keys, gateway),
  };
}

async function checkBatch(database: Database, batch: number, count: number, report: RenewalReport, keys: Map<string, number>, gateway: 'sandbox' | 'fake'): Promise<{ ok: boolean; problems: string[] }> {
  const db = database.db;
  const tag = String.fromCharCode(97 + batch);
  const like = `sub_${tag}_%`;
  const problems: string[] = [];
  if (report.renewed !== count) problems.push(`${report.renewed} renewed of ${count} (${JSON.stringify(report)})`);
  const { rows: periods } = await sql<{ subs: number | string; wrong: number | string; total: number | string }>`
    select count(*) as subs, coalesce(sum(case when n = 2 then 0 else 1 end), 0) as wrong, coalesce(sum(n), 0) as total
    from (select subscription_id, count(*) as n from membership_periods where subscription_id like ${like} group by subscription_id) p`.execute(db);
  const p = periods[0]!;
  if (Number(p.subs) !== count || Number(p.wrong) !== 0 || Number(p.total) !== 2 * count) problems.push(`periods: ${Number(p.subs)} subscriptions, ${Number(p.wrong)} without exactly 2 periods, ${Number(p.total)} periods`);
  const { rows: subs } = await sql<{ n: number | string }>`select count(*) as n from membership_subscriptions where id like ${like} and state = 'active' and period_count = 2 and claimed_by is null`.execute(db);
  if (Number(subs[0]!.n) !== count) problems.push(`${Number(subs[0]!.n)} subscriptions active with 2 periods and no claim, of ${count}`);
  const { rows: paid } = await sql<{ n: number | string }>`select count(*) as n from payments where purpose = 'membership_renewal' and member_id like ${`mem_${tag}_%`}`.execute(db);
  if (Number(paid[0]!.n) !== count) problems.push(`${Number(paid[0]!.n)} renewal payments recorded, of ${count}`);
  // The gateway's side: one authorization and one capture under each period's key, no more (counted in process).
  let authorizations = 0;
  let captures = 0;
  for (const [key, n] of keys) {
    if (n !== 1) problems.push(`gateway key ${key} used ${n} times`);
    if (key.endsWith(':1:0:authorize')) authorizations++;
    if (key.endsWith(':1:0:capture')) captures++;
  }
  if (authorizations !== count || captures !== count) problems.push(`gateway saw ${authorizations} authorizations and ${captures} captures, of ${count}`);
  if (gateway === 'sandbox') {
    // And the sandbox's own books: each period's capture recorded once.
    const { rows } = await sql<{ n: number | string; d: number | string }>`
      select count(*) as n, count(distinct idempotency_key) as d from sandbox_gateway_requests where operation = 'capture' and idempotency_key like ${`membership:${like}`}`.execute(db);
    if (Number(rows[0]!.n) !== count || Number(rows[0]!.d) !== count) problems.push(`sandbox books: ${Number(rows[0]!.n)} captures (${Number(rows[0]!.d)} keys), of ${count}`);
  }
  return { ok: problems.length === 0, problems: problems.slice(0, 10) };
}

// ---------------------------------------------------------------------------------------------------------------
// plusStatusAt on ten years of monthly history (120 renewals, a pause every two years, a few auto-renew toggles).

const historyMember = 'mem_history_ten_years_000000000';
const historyStartMs = Date.UTC(2016, 2, 2, 17, 0, 0);

interface Probe {
  atMs: number;
  expected: 'monthly' | null;
}

async function seedTenYears(database: Database): Promise<{ rows: number; probes: Probe[]; spanMs: number }> {
  const sub = 'sub_history_ten_years_000000000';
  const rows: Record<string, unknown>[] = [];
  const probes: Probe[] = [];
  let n = 0;
  const row = (event: string, from: string | null, to: string, periodSeq: number, periodEndsAtMs: number, effectiveAtMs: number) =>
    rows.push({
      id: `mbh_history_${String(++n).padStart(20, '0')}`,
      member_id: historyMember,
      subscription_id: sub,
      event,
      from_state: from,
      to_state: to,
      plan: 'monthly',
      period_id: `mbp_history_${String(periodSeq).padStart(20, '0')}`,
      period_ends_at_ms: periodEndsAtMs,
      effective_at_ms: effectiveAtMs,
      recorded_at_ms: effectiveAtMs,
      actor_role: event === 'renewed' || event === 'resumed' ? 'system' : 'member',
      actor_id: event === 'renewed' || event === 'resumed' ? null : historyMember,
      reason: null,
    });
  // A calendar month from the anchor, moved out by the time paused so far (MB-5).
  let pausedSoFar = 0;
  const end = (k: number) => {
    const d = new Date(historyStartMs);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k + 1, d.getUTCDate(), 17) + pausedSoFar;
  };
  row('joined', 'pending_payment', 'active', 0, end(0), historyStartMs);
  for (let k = 0; k <= 120; k++) {
    const startsAtMs = k === 0 ? historyStartMs : end(k - 1);
    if (k > 0) row('renewed', 'active', 'active', k, end(k), startsAtMs);
    probes.push({ atMs: startsAtMs + 3 * DAY_MS, expected: 'monthly' });
    if (k % 24 === 12) {
      // A 10-day pause from the middle of the period; benefits stop, then the period's end moves out by 10 days.
      const pausedAtMs = startsAtMs + 14 * DAY_MS;
      row('paused', 'active', 'paused', k, end(k), pausedAtMs);
      probes.push({ atMs: pausedAtMs + DAY_MS, expected: null });
      pausedSoFar += 10 * DAY_MS;
      row('resumed', 'paused', 'active', k, end(k), pausedAtMs + 10 * DAY_MS);
      probes.push({ atMs: pausedAtMs + 11 * DAY_MS, expected: 'monthly' });
    }
    if (k % 36 === 20) {
      row('auto_renew_off', 'active', 'active', k, end(k), startsAtMs + 5 * DAY_MS);
      row('auto_renew_on', 'active', 'active', k, end(k), startsAtMs + 6 * DAY_MS);
    }
  }
  probes.push({ atMs: historyStartMs - DAY_MS, expected: null });
  await database.db.insertInto('membership_history').values(rows).execute();
  await sql`analyze`.execute(database.db);
  return { rows: rows.length, probes, spanMs: end(120) - historyStartMs };
}

interface StatusResult {
  historyRows: number;
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  workers: number;
  /** A member with a single history row, for comparison: the read does not grow with the history. */
  shortCallsPerSecond: number;
  shortP99Ms: number;
  correct: boolean;
}

async function measureStatus(database: Database, seconds: number, workers: number): Promise<StatusResult> {
  const { rows, probes, spanMs } = await seedTenYears(database);
  const ctx = { db: database.db };
  let correct = true;
  for (const probe of probes) {
    const status = await plusStatusAt(ctx, historyMember, probe.atMs);
    if (status.plan !== probe.expected) {
      correct = false;
      process.stdout.write(`  plusStatusAt(${new Date(probe.atMs).toISOString()}) = ${status.plan}, expected ${probe.expected}\n`);
    }
  }
  // Moments spread over the ten years (deterministic), one call per operation.
  const at = (w: number, i: number) => historyStartMs + ((i * 7919 + w * 104_729) % 1000) * (spanMs / 1000);
  const long = await measure(seconds, workers, (w, i) => plusStatusAt(ctx, historyMember, at(w, i)));
  const short = await measure(seconds, workers, (w, i) => plusStatusAt(ctx, `mem_a_${String((i * 31 + w) % 1000).padStart(24, '0')}`, dueMinuteMs(0) + ((i * 7919) % MINUTE_MS)));
  return { historyRows: rows, callsPerSecond: long.perSecond, p50Ms: long.p50Ms, p99Ms: long.p99Ms, workers, shortCallsPerSecond: short.perSecond, shortP99Ms: short.p99Ms, correct };
}

// ---------------------------------------------------------------------------------------------------------------

interface Row {
  database: string;
  what: string;
  value: string;
  ratio: string;
  ok: string;
}

export async function runMembershipBench(options: { size: Size }): Promise<void> {
  const size = sizes[options.size];
  const n = size.subscriptions;
  const pgUrl = process.env.PATRON_BENCH_DATABASE_URL ?? process.env.PATRON_TEST_DATABASE_URL;
  const dir = mkdtempSync(join(tmpdir(), 'patron-bench-membership-'));
  const say = (text: string) => process.stdout.write(`${text}\n`);
  const rows: Row[] = [];
  const json: Record<string, unknown> = { bench: 'membership', size: options.size, subscriptions: n, batchSize, concurrency };
  let failed = false;
  const runRow = (database: string, what: string, r: RunResult, ceiling: number, ceilingName: string): Row => {
    failed ||= !r.check.ok;
    if (!r.check.ok) say(`  [${database}] ${what}: CHECK FAILED: ${r.check.problems.join('; ')}`);
    return {
      database,
      what,
      value: `${round(r.renewalsPerSecond)}/s, ${round(r.seconds, 1)} s, p50 ${round(r.p50Ms, 2)} p99 ${round(r.p99Ms, 2)} ms, cpu ${round(r.cpuMsPerRenewal, 3)} ms`,
      ratio: `${round(r.renewalsPerSecond / ceiling, 3)} × ${ceilingName}`,
      ok: r.check.ok ? `2 periods each, charged once` : 'NO',
    };
  };
  const log = (label: string, what: string, r: RunResult) => say(`  [${label}] ${what}: ${r.report.renewed} renewed in ${r.seconds.toFixed(1)} s = ${r.renewalsPerSecond.toFixed(0)}/s (${r.cpuMsPerRenewal.toFixed(3)} ms of this process's CPU each); p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms; check ${r.check.ok ? 'ok' : 'FAILED'}`);
  try {
    // SQLite: a file in WAL mode, the deployment's default.
    say(`ceilings (${size.seconds} s each)…`);
    const cSqlite = sqliteWriteCeiling(dir, { synchronous: 'NORMAL', seconds: size.seconds, begin: 'begin immediate' });
    const cReadSqlite = sqliteReadCeiling(dir, size.seconds);
    say(`  C_sqlite ${cSqlite.toFixed(0)} tx/s (insert + update, WAL, synchronous=NORMAL); C_read_sqlite ${cReadSqlite.toFixed(0)}/s`);
    json.ceilings = { cSqlite, cReadSqlite };
    const sqlite = await openDatabase({ url: join(dir, 'membership.sqlite') });
    try {
      await migrateToLatest(sqlite.db);
      say(`sqlite: seeding ${n} subscriptions due in one minute…`);
      let started = performance.now();
      await seedDueBatch(sqlite, 0, n);
      say(`  seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const sandbox = await renewBatch([sqlite], 0, n, 'sandbox');
      log('sqlite', 'renewals, sandbox gateway', sandbox);
      started = performance.now();
      await seedDueBatch(sqlite, 1, n);
      say(`  seeded a second batch in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const fake = await renewBatch([sqlite], 1, n, 'fake');
      log('sqlite', 'renewals, in-memory fake gateway', fake);
      const status = await measureStatus(sqlite, size.seconds, 1);
      say(`  [sqlite] plusStatusAt, ${status.historyRows} history rows: ${status.callsPerSecond.toFixed(0)}/s p99 ${status.p99Ms.toFixed(3)} ms (one-row member: ${status.shortCallsPerSecond.toFixed(0)}/s p99 ${status.shortP99Ms.toFixed(3)} ms); answers ${status.correct ? 'correct' : 'WRONG'}`);
      failed ||= !status.correct;
      // A real processor answers in tens to hundreds of milliseconds per call: then the charges in flight set the rate.
      const slow: RunResult[] = [];
      for (const [k, inFlight] of [4, 32].entries()) {
        await seedDueBatch(sqlite, 2 + k, slowCount);
        slow.push(await renewBatch([sqlite], 2 + k, slowCount, 'fake', { inFlight, gatewayLatencyMs: slowGatewayMs }));
        log('sqlite', `fake gateway taking ${slowGatewayMs} ms per call, ${inFlight} in flight`, slow[k]!);
      }
      rows.push(
        { database: 'sqlite', what: 'ceiling: insert + update per tx (raw node:sqlite)', value: `${round(cSqlite)} tx/s`, ratio: '', ok: '' },
        runRow('sqlite', `renewals, sandbox gateway (${concurrency} in flight)`, sandbox, cSqlite, 'C_sqlite'),
        runRow('sqlite', `renewals, fake gateway (${concurrency} in flight)`, fake, cSqlite, 'C_sqlite'),
        { database: 'sqlite', what: `plusStatusAt, 10 years (${status.historyRows} rows), 1 caller`, value: `${round(status.callsPerSecond)}/s p50 ${round(status.p50Ms, 3)} ms p99 ${round(status.p99Ms, 3)} ms`, ratio: `${round(status.callsPerSecond / cReadSqlite, 3)} × C_read`, ok: status.correct ? 'answers correct' : 'NO' },
        runRow('sqlite', `fake gateway, ${slowGatewayMs} ms per call, 4 in flight (${slowCount} subs)`, slow[0]!, cSqlite, 'C_sqlite'),
        runRow('sqlite', `fake gateway, ${slowGatewayMs} ms per call, 32 in flight (${slowCount} subs)`, slow[1]!, cSqlite, 'C_sqlite'),
        { database: 'sqlite', what: 'plusStatusAt, member with 1 row, 1 caller', value: `${round(status.shortCallsPerSecond)}/s p99 ${round(status.shortP99Ms, 3)} ms`, ratio: `${round(status.shortCallsPerSecond / cReadSqlite, 3)} × C_read`, ok: '' },
      );
      json.sqlite = { sandbox, fake, status, slowGateway: { latencyMs: slowGatewayMs, inFlight4: slow[0], inFlight32: slow[1] } };
    } finally {
      await sqlite.close();
    }

    if (pgUrl) {
      const schema = `bench_membership_${process.pid}`;
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.query(`create schema ${schema}`);
      try {
        const [setting] = (await admin.query('show synchronous_commit')).rows as { synchronous_commit: string }[];
        const c = await pgCeilings(pgUrl, schema, size.seconds);
        say(`  C_pg ${c.cPg.toFixed(0)} tx/s at ${concurrency} connections (16: ${c.cPg16.toFixed(0)}), one statement, synchronous_commit=${setting?.synchronous_commit}; as BEGIN/INSERT/UPDATE/COMMIT ${c.cPgTx.toFixed(0)} tx/s; C_read ${c.cRead.toFixed(0)}/s`);
        (json.ceilings as Record<string, unknown>).pg = c;
        const open = () => openDatabase({ url: pgUrl, schema, poolSize: 2 * concurrency + 2 });
        const postgres = await open();
        const second = await open();
        try {
          await migrateToLatest(postgres.db);
          say(`postgres: seeding ${n} subscriptions due in one minute…`);
          let started = performance.now();
          await seedDueBatch(postgres, 0, n);
          say(`  seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
          const sandbox = await renewBatch([postgres], 0, n, 'sandbox');
          log('postgres', 'renewals, sandbox gateway', sandbox);
          started = performance.now();
          await seedDueBatch(postgres, 1, n);
          say(`  seeded a second batch in ${((performance.now() - started) / 1000).toFixed(1)} s`);
          const fake = await renewBatch([postgres], 1, n, 'fake');
          log('postgres', 'renewals, in-memory fake gateway', fake);
          await seedDueBatch(postgres, 2, n);
          const two = await renewBatch([postgres, second], 2, n, 'sandbox');
          log('postgres', 'two renewal runs at once (two pools), sandbox gateway', two);
          const status = await measureStatus(postgres, size.seconds, concurrency);
          say(`  [postgres] plusStatusAt, ${status.historyRows} history rows, ${concurrency} callers: ${status.callsPerSecond.toFixed(0)}/s p99 ${status.p99Ms.toFixed(3)} ms (one-row member: ${status.shortCallsPerSecond.toFixed(0)}/s p99 ${status.shortP99Ms.toFixed(3)} ms); answers ${status.correct ? 'correct' : 'WRONG'}`);
          failed ||= !status.correct;
          rows.push(
            { database: 'postgres', what: `ceiling: insert + update, 1 statement, ${concurrency} conns`, value: `${round(c.cPg)} tx/s (16 conns: ${round(c.cPg16)}; as 4-statement tx: ${round(c.cPgTx)})`, ratio: '', ok: '' },
            runRow('postgres', `renewals, sandbox gateway (${concurrency} in flight)`, sandbox, c.cPg, 'C_pg'),
            runRow('postgres', `renewals, fake gateway (${concurrency} in flight)`, fake, c.cPg, 'C_pg'),
            runRow('postgres', `two runs at once (2 pools, ${concurrency} in flight each), sandbox`, two, c.cPg, 'C_pg'),
            { database: 'postgres', what: `plusStatusAt, 10 years (${status.historyRows} rows), ${concurrency} callers`, value: `${round(status.callsPerSecond)}/s p50 ${round(status.p50Ms, 3)} ms p99 ${round(status.p99Ms, 3)} ms`, ratio: `${round(status.callsPerSecond / c.cRead, 3)} × C_read`, ok: status.correct ? 'answers correct' : 'NO' },
            { database: 'postgres', what: `plusStatusAt, member with 1 row, ${concurrency} callers`, value: `${round(status.shortCallsPerSecond)}/s p99 ${round(status.shortP99Ms, 3)} ms`, ratio: `${round(status.shortCallsPerSecond / c.cRead, 3)} × C_read`, ok: '' },
          );
          json.postgres = { sandbox, fake, two, status };
        } finally {
          await second.close();
          await postgres.close();
        }
      } finally {
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      }
    } else {
      say('postgres: skipped (set PATRON_BENCH_DATABASE_URL or PATRON_TEST_DATABASE_URL)');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const widths = [8, 58, 72, 18, 28];
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ');
  say('');
  say(line(['database', 'what', 'measured', 'ratio', 'check']));
  say(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) say(line([row.database, row.what, row.value, row.ratio, row.ok]));
  json.ok = !failed;
  say(JSON.stringify(json));
  if (failed) {
    say('FAILED: a period was not charged exactly once, or plusStatusAt answered wrong.');
    process.exitCode = 1;
  }
}
