// `npm run bench -- aftersales-queue [--size XS|S|M]`: the agent queue (issue 9 point 9, AS-10) on N open cases
// (100k at S, 2k at XS, 1M at M) plus a fifth as many closed ones and some unconfirmed guest cases, seeded with
// multi-row inserts: mixed priority (1 in 10), kinds, reasons and open states, a third with a serial (some serials on
// granted cases, so the AS-2 flag query finds something). Measured per database:
//
//   first page      GET /api/v1/agent/cases?limit=50 through inject as a signed-in agent, and the service alone;
//   deep pages      the whole queue walked by keyset cursor, 50 a page (the last pages are as deep as it gets);
//   filtered walks  kind=warranty_claim, and state=resolved (a closed state, index aftersales_cases_state_queue);
//   plan            the band query's plan: it must read the partial index aftersales_cases_agent_queue (0720).
//
// Printed: p50/p95/p99 per page in ms and pages/s, next to raw primary-key reads measured in the same run (C_read).
// Every walk must return each seeded open, known-requester case exactly once and in queue order: a run that does not
// is a failed run (exit code 1). PostgreSQL runs when PATRON_BENCH_DATABASE_URL (or PATRON_TEST_DATABASE_URL) is set,
// in a schema of its own dropped at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Deps, Ports } from '../src/deps.ts';
import { openDatabase, type Database, type Executor } from '../src/db/database.ts';
import { withPostgresBenchSchema } from './postgres-schema.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { memberBonuses } from '../src/flows/member-bonuses.ts';
import { installationPersonalData } from '../src/adapters.ts';
import { createStaffUser, memberContacts } from '../src/modules/accounts/index.ts';
import { listAgentQueue } from '../src/modules/aftersales/agent-cases.service.ts';
import { caseKinds, reasonCodes, type CaseState, type EligibilityDecision } from '../src/modules/aftersales/index.ts';
import { createSandboxGateway } from '../src/modules/payments/index.ts';
import { createSimulatedClock } from '../src/platform/clock.ts';
import { createIdGenerator } from '../src/platform/ids.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createMemoryFileStorage } from '../src/ports/local-file-storage.ts';
import { percentile, sqliteReadCeiling, sqliteWriteCeiling } from './ceilings.ts';

type Size = 'XS' | 'S' | 'M';
const sizes: Record<Size, number> = { XS: 2_000, S: 100_000, M: 1_000_000 };
const pageSize = 50;
const startMs = Date.UTC(2026, 2, 2, 17, 0, 0);
const openStates = ['submitted', 'under_review', 'needs_info', 'approved', 'awaiting_return', 'received'] as const satisfies readonly CaseState[];
const closedStates = ['resolved', 'rejected', 'canceled', 'expired'] as const satisfies readonly CaseState[];
const remediesByKind = { return: 'refund', exchange: 'exchange', warranty_claim: 'replacement', damage_report: 'refund', support: 'none' } as const;
const eligibility: EligibilityDecision = { outcome: 'eligible', allowedRemedies: ['refund', 'exchange'], moneyMoves: true, creditsMove: true, requiresProofImage: false, trace: [{ rule: 'AS-3', decided: 'Inside the 30-day window.', customerText: 'Within 30 days of delivery.' }] };
const eligibilityJson = JSON.stringify(eligibility);

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
const pad = (n: number) => String(n).padStart(9, '0');

interface Seeded {
  /** The IDs the queue must list, in queue order (priority desc, created asc, id asc). */
  expected: string[];
  expectedWarranty: string[];
  /** The resolved cases (a closed state, listed when asked for by name), in queue order. */
  expectedResolved: string[];
}

/** Deterministic rows: case i is open unless i % 6 === 5 (closed), an unconfirmed guest's when i % 50 === 7. */
async function seed(db: Executor, n: number): Promise<Seeded> {
  const total = n + Math.floor(n / 5);
  const rows: Record<string, unknown>[] = [];
  const expected: { id: string; priority: number; createdAtMs: number; kind: string }[] = [];
  const resolved: typeof expected = [];
  let seeded = 0;
  let open = 0;
  const flush = async () => {
    if (rows.length === 0) return;
    await db.insertInto('aftersales_cases' as never).values(rows as never).execute();
    rows.length = 0;
  };
  for (let i = 0; seeded < total; i++) {
    const closed = open >= n || i % 6 === 5;
    const kind = caseKinds[i % caseKinds.length]!;
    const guest = i % 50 === 7;
    const priority = i % 10 === 3 ? 1 : 0;
    const createdAtMs = startMs + i * 1000 - (i % 3) * 1000; // some equal creation times, so the ID breaks ties
    const id = `cas_${pad(i)}`;
    const state = closed ? closedStates[Math.floor(i / 6) % closedStates.length]! : openStates[i % openStates.length]!;
    const serial = i % 3 === 0 ? `A${String(i % 40_000).padStart(7, '0')}` : null;
    rows.push({
      id,
      member_id: guest ? null : `mem_${pad(i % 20_000)}`,
      guest_email: guest ? `guest${i}@example.com` : null,
      contact_name: 'Bench Person',
      kind,
      state,
      reason: kind === 'warranty_claim' ? 'defective' : reasonCodes[i % reasonCodes.length]!,
      remedy: remediesByKind[kind],
      order_ref: `ord_${pad(i)}`,
      order_source: 'store',
      order_line_id: `oln_${pad(i)}`,
      product_sku: `SKU-${i % 100}`,
      serial,
      details: 'Seeded for the queue benchmark.',
      priority,
      eligibility: eligibilityJson,
      state_entered_at_ms: createdAtMs,
      created_at_ms: createdAtMs,
      updated_at_ms: createdAtMs,
      resolved_at_ms: state === 'resolved' ? createdAtMs : null,
      email_confirmed_at_ms: null,
    });
    seeded++;
    if (!closed) open++;
    if (!closed && !guest) expected.push({ id, priority, createdAtMs, kind });
    if (state === 'resolved' && !guest) resolved.push({ id, priority, createdAtMs, kind });
    if (rows.length === 500) await flush();
  }
  await flush();
  const byQueueOrder = (a: (typeof expected)[number], b: (typeof expected)[number]) => b.priority - a.priority || a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  expected.sort(byQueueOrder);
  resolved.sort(byQueueOrder);
  return { expected: expected.map((e) => e.id), expectedWarranty: expected.filter((e) => e.kind === 'warranty_claim').map((e) => e.id), expectedResolved: resolved.map((e) => e.id) };
}

/** Records the SQL of the queries a call runs, so the bench can ask the database for their plans. */
class QueryCapture implements KyselyPlugin {
  readonly nodes: { node: RootOperationNode; queryId: PluginTransformQueryArgs['queryId'] }[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.nodes.push({ node: args.node, queryId: args.queryId });
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

function depsFor(database: Database): Deps {
  const clock = createSimulatedClock(startMs + 400 * 86_400_000);
  const config = loadConfig({ PATRON_DATA_DIR: tmpdir(), PATRON_DATABASE_URL: database.dialect === 'sqlite' ? ':memory:' : 'postgres://bench', PATRON_LOG_LEVEL: 'silent', PATRON_PUBLIC_URL: 'http://127.0.0.1', PATRON_SECRET: 'bench-secret-bench-secret-bench-secret-0123' });
  const ports: Ports = { payments: createSandboxGateway({ database, clock }), mail: null, memberContacts, files: createMemoryFileStorage(), memberLifecycle: memberBonuses, personalData: installationPersonalData() };
  return { config, database, db: database.db, clock, ids: createIdGenerator(clock), logger: createLogger('silent'), secret: config.secret!, ports };
}

interface Walk {
  pages: number;
  ids: string[];
  latenciesMs: number[];
  seconds: number;
}

async function walk(fetchPage: (cursor: string | null) => Promise<{ ids: string[]; nextCursor: string | null }>): Promise<Walk> {
  const ids: string[] = [];
  const latenciesMs: number[] = [];
  let cursor: string | null = null;
  const started = performance.now();
  do {
    const t = performance.now();
    const page = await fetchPage(cursor);
    latenciesMs.push(performance.now() - t);
    ids.push(...page.ids);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return { pages: latenciesMs.length, ids, latenciesMs, seconds: (performance.now() - started) / 1000 };
}

function stats(latencies: number[]): { p50: number; p95: number; p99: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: round(percentile(sorted, 50), 3), p95: round(percentile(sorted, 95), 3), p99: round(percentile(sorted, 99), 3) };
}

const sameOrder = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((id, i) => id === b[i]);

interface DatabaseResult {
  firstPageHttp: ReturnType<typeof stats>;
  firstPageService: ReturnType<typeof stats>;
  deepHttp: ReturnType<typeof stats> & { pagesPerSecond: number; pages: number; lastPagesP50: number };
  deepService: ReturnType<typeof stats> & { pagesPerSecond: number; pages: number; lastPagesP50: number };
  filtered: ReturnType<typeof stats> & { pagesPerSecond: number; pages: number };
  resolvedWalk: ReturnType<typeof stats> & { pagesPerSecond: number; pages: number };
  plan: string;
  resolvedPlan: string;
  usesIndex: boolean;
  ok: boolean;
}

async function measure(database: Database, n: number, say: (text: string) => void): Promise<DatabaseResult> {
  say(`  seeding ${n} open cases (+${Math.floor(n / 5)} closed, 1 in 50 an unconfirmed guest's)…`);
  let t = performance.now();
  const seeded = await seed(database.db, n);
  say(`  seeded in ${((performance.now() - t) / 1000).toFixed(1)} s; ${seeded.expected.length} in the queue`);
  if (database.dialect === 'postgres') await database.db.executeQuery(CompiledQuery.raw('analyze aftersales_cases'));
  else await database.db.executeQuery(CompiledQuery.raw('analyze'));

  const deps = depsFor(database);
  await createStaffUser(deps, { email: 'bench.agent@example.com', password: 'bench-agent-password-77', role: 'agent' });
  const app = await buildApp(deps);
  await app.ready();
  try {
    const signIn = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { email: 'bench.agent@example.com', password: 'bench-agent-password-77' }, remoteAddress: '10.250.0.1' });
    const cookie = signIn.cookies.find((c) => c.name === 'patron_session')!.value;
    const headers = { cookie: `patron_session=${cookie}` };
    const httpPage = async (query: string, cursor: string | null) => {
      const response = await app.inject({ method: 'GET', url: `/api/v1/agent/cases?limit=${pageSize}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, headers });
      if (response.statusCode !== 200) throw new Error(`queue page: ${response.statusCode} ${response.body}`);
      const body = response.json() as { cases: { id: string }[]; nextCursor: string | null };
      return { ids: body.cases.map((c) => c.id), nextCursor: body.nextCursor };
    };
    const servicePage = async (cursor: string | null, kind?: 'warranty_claim', state?: 'resolved') => {
      const page = await listAgentQueue(deps, { limit: pageSize, kind, state, ...(cursor ? { cursor } : {}) });
      return { ids: page.entries.map((e) => e.record.id), nextCursor: page.nextCursor };
    };

    const firstHttp: number[] = [];
    const firstService: number[] = [];
    for (let i = 0; i < 300; i++) {
      t = performance.now();
      await httpPage('', null);
      firstHttp.push(performance.now() - t);
      t = performance.now();
      await servicePage(null);
      firstService.push(performance.now() - t);
    }
    const deepService = await walk((cursor) => servicePage(cursor));
    const deepHttp = await walk((cursor) => httpPage('', cursor));
    const filtered = await walk((cursor) => servicePage(cursor, 'warranty_claim'));
    const resolvedWalk = await walk((cursor) => servicePage(cursor, undefined, 'resolved'));
    const ok = sameOrder(deepService.ids, seeded.expected) && sameOrder(deepHttp.ids, seeded.expected) && sameOrder(filtered.ids, seeded.expectedWarranty) && sameOrder(resolvedWalk.ids, seeded.expectedResolved);
    if (!ok) {
      say(`  CHECK FAILED: a walk did not return every listed case once in queue order (service ${deepService.ids.length}, http ${deepHttp.ids.length}, warranty ${filtered.ids.length}, resolved ${resolvedWalk.ids.length}; expected ${seeded.expected.length} / ${seeded.expectedWarranty.length} / ${seeded.expectedResolved.length})`);
    }

    // The plans of a deep page's band query and of a closed-state page, as the service builds them.
    const middle = seeded.expected[Math.floor(seeded.expected.length / 2)]!;
    const plan = await planOf(deps, { limit: pageSize, cursor: await walkTo(deps, middle) });
    const resolvedPlan = await planOf(deps, { limit: pageSize, state: 'resolved' });
    const usesIndex = plan.includes('aftersales_cases_agent_queue') && resolvedPlan.includes('aftersales_cases_state_queue');
    const lastPagesP50 = (w: Walk) => round(percentile([...w.latenciesMs.slice(-20)].sort((a, b) => a - b), 50), 3);
    return {
      firstPageHttp: stats(firstHttp),
      firstPageService: stats(firstService),
      deepHttp: { ...stats(deepHttp.latenciesMs), pagesPerSecond: round(deepHttp.pages / deepHttp.seconds, 0), pages: deepHttp.pages, lastPagesP50: lastPagesP50(deepHttp) },
      deepService: { ...stats(deepService.latenciesMs), pagesPerSecond: round(deepService.pages / deepService.seconds, 0), pages: deepService.pages, lastPagesP50: lastPagesP50(deepService) },
      filtered: { ...stats(filtered.latenciesMs), pagesPerSecond: round(filtered.pages / filtered.seconds, 0), pages: filtered.pages },
      resolvedWalk: { ...stats(resolvedWalk.latenciesMs), pagesPerSecond: round(resolvedWalk.pages / resolvedWalk.seconds, 0), pages: resolvedWalk.pages },
      plan,
      resolvedPlan,
      usesIndex,
      ok: ok && usesIndex,
    };
  } finally {
    await app.close();
  }
}

/** The database's plan for the first query listAgentQueue runs for `request`. */
async function planOf(deps: Deps, request: Parameters<typeof listAgentQueue>[1]): Promise<string> {
  const capture = new QueryCapture();
  await listAgentQueue({ ...deps, db: deps.db.withPlugin(capture) }, request);
  const compiled = deps.db.getExecutor().compileQuery(capture.nodes[0]!.node, capture.nodes[0]!.queryId);
  const explain = deps.database.dialect === 'postgres' ? `explain ${compiled.sql}` : `explain query plan ${compiled.sql}`;
  const rows = (await deps.db.executeQuery(CompiledQuery.raw(explain, [...compiled.parameters]))).rows as Record<string, unknown>[];
  return rows.map((row) => String(row['QUERY PLAN'] ?? row.detail ?? JSON.stringify(row))).join(' | ');
}

/** The cursor of the page that ends just before `caseId` (walks the service; used once, for the plan). */
async function walkTo(deps: Deps, caseId: string): Promise<string> {
  let cursor: string | undefined;
  for (;;) {
    const page = await listAgentQueue(deps, { limit: pageSize, ...(cursor ? { cursor } : {}) });
    if (page.entries.some((e) => e.record.id === caseId) || page.nextCursor === null) return cursor ?? page.nextCursor!;
    cursor = page.nextCursor;
  }
}

function report(label: string, r: DatabaseResult, cRead: number, say: (text: string) => void): void {
  const line = (what: string, s: { p50: number; p95: number; p99: number }, extra = '') => say(`  [${label}] ${what}: p50 ${s.p50} / p95 ${s.p95} / p99 ${s.p99} ms${extra}`);
  line('first page, HTTP (inject)', r.firstPageHttp, ` (${round(1000 / r.firstPageHttp.p50, 0)} pages/s at p50)`);
  line('first page, service', r.firstPageService, ` (rows read per second at p50: ${round((pageSize * 1000) / r.firstPageService.p50 / cRead, 3)} × C_read)`);
  line(`every page by cursor, HTTP (${r.deepHttp.pages} pages)`, r.deepHttp, `; ${r.deepHttp.pagesPerSecond} pages/s; last 20 pages p50 ${r.deepHttp.lastPagesP50} ms`);
  line(`every page by cursor, service (${r.deepService.pages} pages)`, r.deepService, `; ${r.deepService.pagesPerSecond} pages/s; last 20 pages p50 ${r.deepService.lastPagesP50} ms`);
  line(`kind=warranty_claim, every page, service (${r.filtered.pages} pages)`, r.filtered, `; ${r.filtered.pagesPerSecond} pages/s`);
  line(`state=resolved (closed), every page, service (${r.resolvedWalk.pages} pages)`, r.resolvedWalk, `; ${r.resolvedWalk.pagesPerSecond} pages/s`);
  say(`  [${label}] plan of a deep page: ${r.plan}`);
  say(`  [${label}] plan of a state=resolved page: ${r.resolvedPlan}`);
  say(`  [${label}] indexes aftersales_cases_agent_queue and aftersales_cases_state_queue used: ${r.usesIndex ? 'yes' : 'NO'}; order and completeness check: ${r.ok ? 'ok' : 'FAILED'}`);
}

export async function runAftersalesQueueBench(options: { size: Size }): Promise<void> {
  const n = sizes[options.size];
  const pgUrl = process.env.PATRON_BENCH_DATABASE_URL ?? process.env.PATRON_TEST_DATABASE_URL;
  const dir = mkdtempSync(join(tmpdir(), 'patron-bench-queue-'));
  const say = (text: string) => process.stdout.write(`${text}\n`);
  const json: Record<string, unknown> = { bench: 'aftersales-queue', size: options.size, openCases: n, pageSize };
  let failed = false;
  try {
    sqliteWriteCeiling(dir, { synchronous: 'NORMAL', seconds: 1 });
    const cReadSqlite = sqliteReadCeiling(dir, 1);
    say(`C_read_sqlite ${cReadSqlite.toFixed(0)} primary-key reads/s`);
    const sqlite = await openDatabase({ url: join(dir, 'queue.sqlite') });
    try {
      await migrateToLatest(sqlite.db);
      say('sqlite (file, WAL):');
      const result = await measure(sqlite, n, say);
      report('sqlite', result, cReadSqlite, say);
      failed ||= !result.ok;
      json.sqlite = { ...result, cRead: cReadSqlite };
    } finally {
      await sqlite.close();
    }

    if (pgUrl) {
      await withPostgresBenchSchema(pgUrl, 'bench_queue', { poolSize: 4 }, async (postgres) => {
        await migrateToLatest(postgres.db);
        const reads: number[] = [];
        const started = performance.now();
        while (performance.now() - started < 1000) {
          const t = performance.now();
          await postgres.db.executeQuery(CompiledQuery.raw('select 1 from schema_migrations where name = $1', ['0720-aftersales-agent']));
          reads.push(performance.now() - t);
        }
        const cReadPg = reads.length / ((performance.now() - started) / 1000);
        say(`postgresql (1 client; C_read ${cReadPg.toFixed(0)} primary-key reads/s on one connection):`);
        const result = await measure(postgres, n, say);
        report('postgres', result, cReadPg, say);
        failed ||= !result.ok;
        json.postgres = { ...result, cRead: cReadPg };
      });
    } else {
      say('postgresql: skipped (set PATRON_BENCH_DATABASE_URL=postgres://…)');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  say(JSON.stringify(json));
  if (failed) process.exitCode = 1;
}
