// `npm run bench -- privacy-erasure`: PF-11's erasure half. A member with 10k credit postings, 1k store orders and
// 50 after-sales cases (each with a photo and a timeline) is erased with the erasure flow (eraseSubject: plan, files,
// erase in one transaction, journal, record). Printed per database: the seed counts, the erasure's wall time, and
// the peak RSS growth during the erasure (sampled every 2 ms). SQLite is a file in WAL
// mode; PostgreSQL runs when PATRON_BENCH_DATABASE_URL (or PATRON_TEST_DATABASE_URL) is set, in a schema of its own
// dropped at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { transact, type Deps, type Ports } from '../src/deps.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { memberBonuses } from '../src/flows/member-bonuses.ts';
import { checkout, eraseSubject } from '../src/flows/index.ts';
import { installationPersonalData } from '../src/adapters.ts';
import { createMemberForSeed, memberContacts } from '../src/modules/accounts/index.ts';
import { adjustCredits } from '../src/modules/credits/index.ts';
import { createProduct } from '../src/modules/store/index.ts';
import { insertCase, type NewCase } from '../src/modules/aftersales/cases.repository.ts';
import { createSandboxGateway } from '../src/modules/payments/index.ts';
import { createSimulatedClock } from '../src/platform/clock.ts';
import { createIdGenerator } from '../src/platform/ids.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createMemoryFileStorage } from '../src/ports/local-file-storage.ts';

const startMs = Date.UTC(2026, 2, 2, 17, 0, 0);
const target = { postings: 10_000, orders: 1_000, cases: 50 };
const say = (line: string) => process.stdout.write(`${line}\n`);

function depsFor(database: Database, dataDir: string): Deps {
  const clock = createSimulatedClock(startMs);
  const config = loadConfig({ PATRON_DATA_DIR: dataDir, PATRON_DATABASE_URL: database.dialect === 'sqlite' ? ':memory:' : 'postgres://bench', PATRON_LOG_LEVEL: 'silent', PATRON_PUBLIC_URL: 'http://127.0.0.1', PATRON_SECRET: 'bench-secret-bench-secret-bench-secret-0123' });
  const ports: Ports = { payments: createSandboxGateway({ database, clock }), mail: null, memberContacts, files: createMemoryFileStorage(), memberLifecycle: memberBonuses, personalData: installationPersonalData() };
  return { config, database, db: database.db, clock, ids: createIdGenerator(clock), logger: createLogger('silent'), secret: config.secret!, ports };
}

async function count(deps: Deps, table: string, memberId: string): Promise<number> {
  const result = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)} where member_id = ${memberId}`.execute(deps.db);
  return Number(result.rows[0]!.n);
}

async function seed(deps: Deps): Promise<string> {
  const { memberId } = await transact(deps, (trx) => createMemberForSeed(trx, { email: 'bench.subject@example.com', password: 'bench-subject-password-1', country: 'US', dateOfBirth: '1980-01-02', firstName: 'Bench', lastName: 'Subject', emailVerified: true }));
  let adjustments = 0;
  while ((await count(deps, 'credit_postings', memberId)) < target.postings) {
    for (let i = 0; i < 250; i++) {
      await adjustCredits(deps, { memberId, credits: 10, reasonCode: 'goodwill', note: 'bench credits', actor: { id: 'mem_bench_agent', role: 'agent' }, idempotencyKey: `bench-${++adjustments}` });
    }
  }
  const product = await transact(deps, (trx) => createProduct(trx, { id: null, role: 'system' }, { sku: 'BENCH-1', name: 'Bench product', category: 'chargers', priceMinor: 1000, stock: target.orders + 10 }));
  const shippingAddress = { name: 'Bench Subject', line1: '1 Bench St', city: 'Portland', region: 'US-OR', postalCode: '97201' };
  const orders: { id: string; lineId: string }[] = [];
  for (let i = 0; i < target.orders; i++) {
    const placed = await checkout(deps, { memberId, guestEmail: null, lines: [{ productId: product.id, quantity: 1 }], discountCode: null, shippingAddress, credits: 0, paymentToken: 'tok_approve', fromCart: false });
    orders.push({ id: placed.order.id, lineId: placed.order.lines[0]!.id });
  }
  for (let i = 0; i < target.cases; i++) {
    const order = orders[i]!;
    const record: NewCase = {
      id: deps.ids.next('cas'),
      memberId,
      guestEmail: null,
      contactName: 'Bench Subject',
      kind: 'return',
      state: 'submitted',
      reason: 'no_longer_needed',
      remedy: 'refund',
      orderRef: order.id,
      orderSource: 'store',
      orderLineId: order.lineId,
      productSku: 'BENCH-1',
      serial: null,
      details: 'The bench subject wrote about the problem.',
      priority: false,
      eligibility: { outcome: 'eligible', allowedRemedies: ['refund'], moneyMoves: true, creditsMove: true, requiresProofImage: false, trace: [{ rule: 'AS-3', decided: 'inside', customerText: 'Within 30 days.' }] },
      createdAtMs: deps.clock.nowMs(),
    };
    await transact(deps, (trx) => insertCase(trx.db, record, { id: trx.ids.next('cst'), action: 'submit', actorRole: 'member', actorId: memberId, atMs: record.createdAtMs }));
    const key = `aftersales/images/bench-${i}.jpg`;
    await deps.ports.files.put(key, { bytes: new Uint8Array(2048), contentType: 'image/jpeg' });
    await deps.db
      .insertInto('aftersales_images' as never)
      .values({ id: deps.ids.next('cim'), case_id: record.id, member_id: memberId, storage_key: key, content_type: 'image/jpeg', size_bytes: 2048, width: 1, height: 1, sha256: 'x', created_at_ms: deps.clock.nowMs() } as never)
      .execute();
  }
  return memberId;
}

async function measure(label: string, database: Database, dataDir: string): Promise<void> {
  await migrateToLatest(database.db);
  const deps = depsFor(database, dataDir);
  const seedStarted = performance.now();
  const memberId = await seed(deps);
  const counts = { postings: await count(deps, 'credit_postings', memberId), orders: await count(deps, 'store_orders', memberId), cases: await count(deps, 'aftersales_cases', memberId) };
  say(`${label}: seeded ${counts.postings} postings, ${counts.orders} orders, ${counts.cases} cases (with photos) in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
  // Peak RSS during the erasure, sampled every 2 ms (the process-lifetime maxRSS was set by the seeding).
  const rssBefore = process.memoryUsage.rss();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 2);
  const started = performance.now();
  const report = await eraseSubject(deps, { memberId, requestId: null, reason: 'agent' });
  const ms = performance.now() - started;
  clearInterval(sampler);
  const peakDeltaMb = (Math.max(rssPeak, process.memoryUsage.rss()) - rssBefore) / 1024 / 1024;
  const anonymizedRows = report.anonymized.reduce((sum, entry) => sum + entry.rows, 0);
  const deletedRows = report.deleted.reduce((sum, entry) => sum + entry.rows, 0);
  say(`${label}: erasure ${ms.toFixed(0)} ms, peak RSS +${peakDeltaMb.toFixed(1)} MB (${deletedRows} rows deleted, ${anonymizedRows} rows anonymized, ${report.filesDeleted} files deleted, ${report.kept.length} kept columns)`);
}

export async function runPrivacyErasureBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'patron-bench-erasure-'));
  const pgUrl = process.env.PATRON_BENCH_DATABASE_URL ?? process.env.PATRON_TEST_DATABASE_URL;
  try {
    const sqlite = await openDatabase({ url: join(dir, 'erasure.sqlite') });
    try {
      await measure('sqlite (file, WAL)', sqlite, join(dir, 'sqlite-data'));
    } finally {
      await sqlite.close();
    }
    if (pgUrl) {
      const schema = `bench_erasure_${process.pid}`;
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.query(`create schema ${schema}`);
      try {
        const postgres = await openDatabase({ url: pgUrl, schema, poolSize: 4 });
        try {
          await measure('postgresql', postgres, join(dir, 'pg-data'));
        } finally {
          await postgres.close();
        }
      } finally {
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      }
    } else {
      say('postgresql: skipped (set PATRON_BENCH_DATABASE_URL=postgres://…)');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
