// Store benchmarks (PF-10): checkout with credits end to end over HTTP, and storefront webhook earns end to end over
// HTTP, each against the same operation as a service call, on SQLite (a file, WAL) and on PostgreSQL when
// PATRON_TEST_DATABASE_URL is set. Prints a table and one JSON line; ends with the ledger auditor (LG-5).
//
//   checkout   one order per operation: 1 product, 100 credits applied as money (hold → sandbox authorize and
//              capture → capture the hold, earn, shipment); service = the checkout flow called in process,
//              HTTP = POST /api/v1/store/orders with a session cookie, CSRF token and Idempotency-Key over a socket.
//   webhook    one storefront orders/paid event per operation carrying the member ID: verify, store, enqueue, then
//              the job applies it and earns; service = receiveStorefrontWebhook in process, HTTP = the signed POST
//              over a socket; in both, a worker loop applies the events as they arrive (as in `patron serve`), and
//              the figure runs from the first delivery to the last event applied.
// Each member has its own worker, so the figures measure the path, not contention on one member. The server (and the
// job worker) run in the benchmark's process, as `patron serve` runs them in one process; the HTTP load comes from a
// client child process (this file with --client), so the client does not share the server's event loop.
import { createDefaultPorts } from '../src/adapters.ts';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { transact, type Deps } from '../src/deps.ts';
import type { ZodApp } from '../src/http/types.ts';
import { buildJobRegistry, runDueJobs } from '../src/jobs/index.ts';
import { createMemberForSeed } from '../src/modules/accounts/index.ts';
import { adjustCredits, runCreditsAudit } from '../src/modules/credits/index.ts';
import * as store from '../src/modules/store/index.ts';
import { checkout } from '../src/flows/checkout.ts';
import { createSystemClock } from '../src/platform/clock.ts';
import { createIdGenerator } from '../src/platform/ids.ts';
import { createLogger } from '../src/platform/logger.ts';
import { openTestDatabase, postgresTestUrl, type TestDialect } from '../test/support/databases.ts';

const workers = 4;
const rounds = 3;
const checkoutsPerRound = 200;
const webhooksPerRound = 600;
/** Requests the client sends before measuring (quotes, or webhooks with a wrong signature): no side effects. */
const clientWarmUp = 200;
const password = 'bench password for the store';

interface Measured {
  elapsedMs: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function measure(total: number, run: (worker: number, index: number) => Promise<void>): Promise<Measured> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (;;) {
        const index = next++;
        if (index >= total) return;
        const t0 = performance.now();
        await run(worker, index);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { elapsedMs, opsPerSecond: Math.round((total / elapsedMs) * 1000), p50Ms: Math.round(percentile(latencies, 50) * 10) / 10, p99Ms: Math.round(percentile(latencies, 99) * 10) / 10 };
}

const benchSecret = 'bench-secret-bench-secret-bench-secret-0123';

function depsFor(database: Deps['database'], dataDir: string, dialect: TestDialect): Deps {
  const clock = createSystemClock();
  const config = loadConfig({ PATRON_DATA_DIR: dataDir, PATRON_DATABASE_URL: dialect === 'sqlite' ? join(dataDir, 'bench.sqlite') : 'postgres://bench', PATRON_LOG_LEVEL: 'silent', PATRON_PUBLIC_URL: 'http://127.0.0.1' });
  return { config, database, db: database.db, clock, ids: createIdGenerator(clock), logger: createLogger('silent'), secret: benchSecret, ports: createDefaultPorts({ config, database, clock }) };
}

async function openDeps(dialect: TestDialect): Promise<{ deps: Deps; close(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'patron-bench-store-'));
  const database = await openTestDatabase(dialect, { file: join(dataDir, 'bench.sqlite'), poolSize: 16 });
  return {
    deps: depsFor(database, dataDir, dialect),
    async close() {
      await database.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function startServer(deps: Deps): Promise<{ app: ZodApp; baseUrl: string }> {
  const app = await buildApp(deps);
  if (!app.hasRoute({ method: 'GET', url: '/api/v1/store/categories' })) await app.register(async (api) => store.registerRoutes(api as ZodApp, deps), { prefix: '/api/v1' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

type ClientJob =
  | { mode: 'checkout'; baseUrl: string; total: number; tag: string; members: { cookie: string; csrf: string }[]; body: unknown }
  | { mode: 'webhook'; baseUrl: string; total: number; secret: string; memberIds: string[]; firstOrderNumber: number };

/** Client-process mode: sends the HTTP load described in PATRON_BENCH_CLIENT and prints its measurements. */
async function runClient(): Promise<void> {
  const job = JSON.parse(process.env.PATRON_BENCH_CLIENT!) as ClientJob;
  const clock = createSystemClock();
  let measured: Measured;
  if (job.mode === 'checkout') {
    const quote = JSON.stringify({ ...(job.body as object), paymentToken: undefined });
    await measure(clientWarmUp, async (w) => {
      const member = job.members[w]!;
      const response = await fetch(`${job.baseUrl}/api/v1/store/checkout/quote`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: member.cookie, 'x-csrf-token': member.csrf }, body: quote });
      await response.arrayBuffer();
    });
    let keyCounter = 0;
    measured = await measure(job.total, async (w) => {
      const member = job.members[w]!;
      const response = await fetch(`${job.baseUrl}/api/v1/store/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: member.cookie, 'x-csrf-token': member.csrf, 'idempotency-key': `bench-${job.tag}-${++keyCounter}-${w}-key` },
        body: JSON.stringify(job.body),
      });
      if (response.status !== 201) throw new Error(`HTTP checkout ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    });
  } else {
    await measure(clientWarmUp, async (w) => {
      const { raw, headers } = storefrontEvent(clock.nowMs(), 'not-the-secret', job.memberIds[w]!, 0);
      const response = await fetch(`${job.baseUrl}/api/v1/webhooks/storefront`, { method: 'POST', headers, body: new Uint8Array(raw) });
      await response.arrayBuffer();
    });
    let orderNumber = job.firstOrderNumber;
    measured = await measure(job.total, async (w) => {
      const { raw, headers } = storefrontEvent(clock.nowMs(), job.secret, job.memberIds[w]!, ++orderNumber);
      const response = await fetch(`${job.baseUrl}/api/v1/webhooks/storefront`, { method: 'POST', headers, body: new Uint8Array(raw) });
      if (response.status !== 200) throw new Error(`HTTP webhook ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    });
  }
  process.stdout.write(`${JSON.stringify(measured)}\n`);
}

async function runClientProcess(job: ClientJob): Promise<Measured> {
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--client'], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', PATRON_BENCH_CLIENT: JSON.stringify(job) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const last = output.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`bench client failed (${code}):\n${output}`);
  return JSON.parse(last) as Measured & { elapsedMs: number };
}

interface BenchMember {
  memberId: string;
  cookie: string;
  csrf: string;
}

async function prepareMembers(deps: Deps, baseUrl: string, tag: string): Promise<BenchMember[]> {
  const members: BenchMember[] = [];
  for (let i = 0; i < workers; i++) {
    const email = `bench-${tag}-${i}@example.com`;
    const { memberId } = await createMemberForSeed(deps, { email, password, country: 'US', dateOfBirth: '1990-01-01', emailVerified: true });
    await adjustCredits(deps, { memberId, credits: 1_000_000, reasonCode: 'goodwill', note: 'bench credits', actor: { id: 'mem_bench', role: 'admin' }, idempotencyKey: `bench-${tag}-${i}` });
    const response = await fetch(`${baseUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { csrfToken: string };
    members.push({ memberId, cookie: response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; '), csrf: body.csrfToken });
  }
  return members;
}

/**
 * Runs `send` while a worker loop applies the queued events, like the worker inside `patron serve`. The elapsed time
 * is the send phase as measured by the sender plus the tail until the queue is empty.
 */
async function withWorker(deps: Deps, registry: ReturnType<typeof buildJobRegistry>, send: () => Promise<Measured>): Promise<Measured & { endToEndPerSecond: number }> {
  let sending = true;
  const scheduleMemo = new Map<string, string>(); // as `patron serve`'s worker keeps it
  const worker = (async () => {
    for (;;) {
      const ran = await runDueJobs(deps, { registry, limit: 50, scheduleMemo });
      if (ran === 0) {
        if (!sending) return;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }
  })();
  const receive = await send();
  const tailStarted = performance.now();
  sending = false;
  await worker;
  return { ...receive, endToEndPerSecond: Math.round((webhooksPerRound / (receive.elapsedMs + performance.now() - tailStarted)) * 1000) };
}

function storefrontEvent(nowMs: number, secret: string, memberId: string, orderNumber: number): { raw: Buffer; headers: Record<string, string> } {
  const nowIso = new Date(nowMs).toISOString();
  const event = {
    id: `evt-bench-${orderNumber}`,
    topic: 'orders/paid',
    created_at: nowIso,
    shop_domain: 'bench.example.com',
    order: {
      id: orderNumber,
      created_at: nowIso,
      processed_at: nowIso,
      currency: 'USD',
      note_attributes: [{ name: 'patron_member_id', value: memberId }],
      line_items: [{ id: orderNumber * 10, sku: 'CH-30W-NANO', title: 'Nano Charger 30 W', quantity: 1, price: '19.99', tax_lines: [{ price: '1.45' }] }],
      total_price: '21.44',
    },
  };
  const raw = Buffer.from(JSON.stringify(event));
  return {
    raw,
    headers: {
      'content-type': 'application/json',
      'x-storefront-topic': event.topic,
      'x-storefront-event-id': event.id,
      'x-storefront-triggered-at': nowIso,
      'x-storefront-shop-domain': event.shop_domain,
      'x-storefront-hmac-sha256': store.signStorefrontBody(secret, raw),
    },
  };
}

async function benchDialect(dialect: TestDialect): Promise<Record<string, number>> {
  const { deps, close } = await openDeps(dialect);
  const registry = buildJobRegistry([store]);
  await transact(deps, (trx) => store.seedStoreDemoData(trx));
  const { app, baseUrl } = await startServer(deps);
  try {
    const product = (await store.listProducts(deps, { category: 'cables' }))[0]!;
    await transact(deps, (trx) => store.changeProduct(trx, { id: null, role: 'system' }, product.id, { stock: 1_000_000 }));
    // Fresh members per phase: a member's ledger grows with every order, so no phase inherits another's history.
    const group = async (phase: string) => prepareMembers(deps, baseUrl, `${dialect}-${phase}`);
    const [warm, checkoutServiceMembers, checkoutHttpMembers, webhookServiceMembers, webhookHttpMembers] = [await group('warm'), await group('cs'), await group('ch'), await group('ws'), await group('wh')];
    const orderBody = { lines: [{ productId: product.id, quantity: 1 }], shippingAddress: { name: 'Bench Shopper', line1: '1 Ferry Building', city: 'San Francisco', region: 'US-CA', postalCode: '94111', country: 'US' as const }, credits: 100, paymentToken: 'tok_approve' };

    // Warm-up of the in-process path (the client warms up its own).
    await measure(20, (w) => checkout(deps, { memberId: warm[w]!.memberId, guestEmail: null, ...orderBody, discountCode: null, fromCart: false }).then(() => undefined));

    const secret = store.storefrontWebhookSecret(deps.secret);
    let orderNumber = 1_000_000;
    const checkoutService = async () =>
      measure(checkoutsPerRound, async (w) => {
        const result = await checkout(deps, { memberId: checkoutServiceMembers[w]!.memberId, guestEmail: null, ...orderBody, discountCode: null, fromCart: false });
        if (result.payment.outcome !== 'approved') throw new Error(`checkout ${result.payment.outcome}`);
      });
    let round = 0;
    const checkoutHttp = async () =>
      runClientProcess({ mode: 'checkout', baseUrl, total: checkoutsPerRound, tag: `${dialect}-${round}`, members: checkoutHttpMembers.map(({ cookie, csrf }) => ({ cookie, csrf })), body: orderBody });
    // End to end: the worker applies events while they arrive, as in `patron serve`; the figure is events per second
    // from the first delivery of the measured phase until the last one is applied (earned).
    const webhookService = async () =>
      withWorker(deps, registry, () =>
        measure(webhooksPerRound, async (w) => {
          const { raw, headers } = storefrontEvent(deps.clock.nowMs(), secret, webhookServiceMembers[w]!.memberId, ++orderNumber);
          await store.receiveStorefrontWebhook(deps, { rawBody: raw, headers });
        }),
      );
    const webhookHttp = async () => {
      const first = orderNumber;
      orderNumber += webhooksPerRound;
      return withWorker(deps, registry, () => runClientProcess({ mode: 'webhook', baseUrl, total: webhooksPerRound, secret, memberIds: webhookHttpMembers.map((m) => m.memberId), firstOrderNumber: first }));
    };

    // The machine is shared and noisy: rounds alternate which path goes first, and the medians are reported.
    const checkouts: { service: Measured; http: Measured }[] = [];
    const webhooks: { service: Measured & { endToEndPerSecond: number }; http: Measured & { endToEndPerSecond: number } }[] = [];
    for (round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        const service = await checkoutService();
        checkouts.push({ service, http: await checkoutHttp() });
        const webhookFirst = await webhookService();
        webhooks.push({ service: webhookFirst, http: await webhookHttp() });
      } else {
        const http = await checkoutHttp();
        checkouts.push({ http, service: await checkoutService() });
        const webhookFirst = await webhookHttp();
        webhooks.push({ http: webhookFirst, service: await webhookService() });
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const ratio = (value: number) => Math.round(value * 100) / 100;

    const audit = await runCreditsAudit(deps, { trigger: 'manual', actorId: null });
    if (!audit.ok) throw new Error(`ledger auditor found ${audit.problemCount} problems after the ${dialect} store bench`);
    return {
      rounds,
      checkoutServicePerSecond: median(checkouts.map((c) => c.service.opsPerSecond)),
      checkoutServiceP99Ms: median(checkouts.map((c) => c.service.p99Ms)),
      checkoutHttpPerSecond: median(checkouts.map((c) => c.http.opsPerSecond)),
      checkoutHttpP99Ms: median(checkouts.map((c) => c.http.p99Ms)),
      checkoutRatio: ratio(median(checkouts.map((c) => c.http.opsPerSecond / c.service.opsPerSecond))),
      webhookServicePerSecond: median(webhooks.map((c) => c.service.endToEndPerSecond)),
      webhookHttpPerSecond: median(webhooks.map((c) => c.http.endToEndPerSecond)),
      webhookReceiveServicePerSecond: median(webhooks.map((c) => c.service.opsPerSecond)),
      webhookReceiveHttpPerSecond: median(webhooks.map((c) => c.http.opsPerSecond)),
      webhookRatio: ratio(median(webhooks.map((c) => c.http.endToEndPerSecond / c.service.endToEndPerSecond))),
      auditMembers: audit.membersChecked,
    };
  } finally {
    await app.close();
    await close();
  }
}

export async function runStoreBench(): Promise<void> {
  const dialects: TestDialect[] = postgresTestUrl ? ['sqlite', 'postgres'] : ['sqlite'];
  const rows: Array<[string, string, string, string]> = [];
  const results: Record<string, Record<string, number>> = {};
  for (const dialect of dialects) {
    const r = await benchDialect(dialect);
    results[dialect] = r;
    rows.push(['PF-10', `checkout with credits, ${dialect}, ${workers} members, median of ${rounds}: service call`, `${r.checkoutServicePerSecond}/s (p99 ${r.checkoutServiceP99Ms} ms)`, '']);
    rows.push(['PF-10', `checkout with credits, ${dialect}: HTTP end to end`, `${r.checkoutHttpPerSecond}/s (p99 ${r.checkoutHttpP99Ms} ms) = ${r.checkoutRatio}×`, '≥ 0.7×']);
    rows.push(['PF-10', `webhook earn, ${dialect}: service call, received + processed`, `${r.webhookServicePerSecond}/s`, '']);
    rows.push(['PF-10', `webhook earn, ${dialect}: HTTP end to end, received + processed`, `${r.webhookHttpPerSecond}/s = ${r.webhookRatio}×`, '≥ 0.7×']);
  }
  if (!postgresTestUrl) rows.push(['PF-10', 'PostgreSQL: set PATRON_TEST_DATABASE_URL to measure it too', '-', '']);
  const width = [6, 66, 40, 8];
  process.stdout.write(`${['id', 'what', 'measured', 'target'].map((h, i) => h.padEnd(width[i]!)).join(' ')}\n`);
  for (const row of rows) process.stdout.write(`${row.map((c, i) => c.padEnd(width[i]!)).join(' ')}\n`);
  process.stdout.write(`${JSON.stringify({ bench: 'store', ...results })}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--client')) await runClient();
  else await runStoreBench();
}
