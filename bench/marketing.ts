// `npm run bench -- marketing [--size XS|S|M]`: a promotional email campaign to 100k subscribed members (S; XS is 5k,
// M 300k) on SQLite (a file, WAL) and, with PATRON_BENCH_DATABASE_URL (or PATRON_TEST_DATABASE_URL), PostgreSQL in a
// schema of its own. Measures (1) messages queued per second by the campaign's send batches, each recipient's
// consent, suppression, per-campaign opt-out, restriction and objection read again at the moment of sending (PV-26),
// 1% of the members having withdrawn after scheduling; (2) the one-click unsubscribe endpoint (POST /api/v1/u/:token,
// RFC 8058) in requests per second with autocannon over loopback, each request a different recipient's first click.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { CompiledQuery } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { transact, type Deps, type Ports } from '../src/deps.ts';
import { openDatabase, tables, type Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { buildApp } from '../src/app.ts';
import { installationPersonalData } from '../src/adapters.ts';
import { memberBonuses } from '../src/flows/member-bonuses.ts';
import { createCampaign, scheduleCampaign, sendCampaignBatch, signToken } from '../src/modules/marketing/index.ts';
import { createSandboxGateway } from '../src/modules/payments/index.ts';
import { createSimulatedClock } from '../src/platform/clock.ts';
import { createIdGenerator } from '../src/platform/ids.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createMemoryFileStorage } from '../src/ports/local-file-storage.ts';
import { createSandboxSmsProvider, type MemberContacts } from '../src/ports/index.ts';
import { withPostgresBenchSchema } from './postgres-schema.ts';

const sizes = { XS: 5_000, S: 100_000, M: 300_000 } as const;
const startMs = Date.UTC(2026, 2, 2, 17, 0, 0);
const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The bench's members exist only as IDs on the list: each is an active program member. */
const benchMembers: MemberContacts = { contactOf: async () => undefined, memberStatus: async () => 'active' };

function depsFor(database: Database): Deps {
  const clock = createSimulatedClock(startMs);
  const config = loadConfig({ PATRON_DATA_DIR: tmpdir(), PATRON_DATABASE_URL: database.dialect === 'sqlite' ? ':memory:' : 'postgres://bench', PATRON_LOG_LEVEL: 'silent', PATRON_PUBLIC_URL: 'http://127.0.0.1', PATRON_SECRET: 'bench-secret-bench-secret-bench-secret-0123' });
  const ports: Ports = { payments: createSandboxGateway({ database, clock }), mail: null, sms: createSandboxSmsProvider(clock), memberContacts: benchMembers, files: createMemoryFileStorage(), memberLifecycle: memberBonuses, personalData: installationPersonalData() };
  return { config, database, db: database.db, clock, ids: createIdGenerator(clock), logger: createLogger('silent'), secret: config.secret!, ports };
}

interface SeedTables {
  marketing_contacts: { id: string; channel: string; address: string; member_id: string | null; region: string | null; state: string; source: string; created_at_ms: number; updated_at_ms: number };
  privacy_consents: { id: string; member_id: string | null; device_id: string | null; email: string | null; phone: string | null; purpose: string; notice_version: number; choice: string; method: string; region: string | null; recorded_at_ms: number; source: string | null };
}

/** N members on the list with a recorded marketing_email consent each, in chunks of 500 rows per insert. */
async function seed(deps: Deps, n: number): Promise<void> {
  for (let start = 0; start < n; start += 5_000) {
    await transact(deps, async (trx) => {
      const t = tables<SeedTables>(trx.db);
      for (let chunk = start; chunk < Math.min(n, start + 5_000); chunk += 500) {
        const contacts = [];
        const consents = [];
        for (let i = chunk; i < Math.min(n, chunk + 500); i++) {
          const memberId = `mem_bench${String(i).padStart(7, '0')}`;
          const email = `member${i}@bench.example`;
          contacts.push({ id: trx.ids.next('mkc'), channel: 'email', address: email, member_id: memberId, region: 'US-CA', state: 'subscribed', source: 'newsletter', created_at_ms: startMs, updated_at_ms: startMs });
          consents.push({ id: trx.ids.next('pcn'), member_id: memberId, device_id: null, email, phone: null, purpose: 'marketing_email', notice_version: 1, choice: 'granted', method: 'signup', region: 'US-CA', recorded_at_ms: startMs, source: 'newsletter' });
        }
        await t.insertInto('marketing_contacts').values(contacts).execute();
        await t.insertInto('privacy_consents').values(consents).execute();
      }
    });
  }
}

/** 1% of the members withdraw after the campaign was scheduled (a consent record the send must see). */
async function withdrawSome(deps: Deps, n: number): Promise<number> {
  const rows = [];
  const atMs = deps.clock.nowMs() + 1000;
  for (let i = 0; i < n; i += 100) {
    rows.push({ id: deps.ids.next('pcn'), member_id: `mem_bench${String(i).padStart(7, '0')}`, device_id: null, email: null, phone: null, purpose: 'marketing_email', notice_version: 1, choice: 'denied', method: 'settings', region: 'US-CA', recorded_at_ms: atMs, source: 'preferences' });
  }
  for (let i = 0; i < rows.length; i += 500) await tables<SeedTables>(deps.db).insertInto('privacy_consents').values(rows.slice(i, i + 500)).execute();
  return rows.length;
}

export async function runOn(label: string, database: Database, n: number, say: (text: string) => void): Promise<Record<string, number>> {
  await migrateToLatest(database.db);
  const deps = depsFor(database);
  let t = performance.now();
  await seed(deps, n);
  await database.db.executeQuery(CompiledQuery.raw('analyze'));
  say(`${label}: seeded ${n} subscribed members with consent records in ${round((performance.now() - t) / 1000, 1)} s`);

  const staff = { id: 'mem_benchstaff', role: 'agent' as const };
  const campaign = await transact(deps, (trx) => createCampaign(trx, staff, { name: 'Bench sale', channel: 'email', subject: 'Spring sale', body: 'Our spring sale starts today.\n\nSee https://shop.example/spring', audience: { kind: 'all' } }));
  await transact(deps, (trx) => scheduleCampaign(trx, staff, campaign.id, deps.clock.nowMs()));
  const withdrawn = await withdrawSome(deps, n);

  t = performance.now();
  let queued = 0;
  let skipped = 0;
  let batches = 0;
  let cursor: string | null = null;
  for (;;) {
    const result = await sendCampaignBatch(deps, { campaignId: campaign.id, cursor });
    queued += result.queued;
    skipped += result.skipped;
    batches++;
    if (result.done) break;
    const row = await tables<{ marketing_campaigns: { id: string; cursor: string | null } }>(deps.db).selectFrom('marketing_campaigns').select('cursor').where('id', '=', campaign.id).executeTakeFirstOrThrow();
    cursor = row.cursor;
  }
  const sendSeconds = (performance.now() - t) / 1000;
  if (queued + skipped !== n || skipped !== withdrawn) throw new Error(`expected ${n - withdrawn} queued and ${withdrawn} skipped, got ${queued} and ${skipped}`);
  const numbers: Record<string, number> = { members: n, queued, skippedWithdrawn: skipped, batches, sendSeconds: round(sendSeconds, 1), messagesQueuedPerSecond: round(queued / sendSeconds) };
  say(`${label} send: ${queued} queued, ${skipped} skipped (withdrew after scheduling) in ${batches} batches, ${numbers.sendSeconds} s → ${numbers.messagesQueuedPerSecond} messages/s with the consent check at send time`);

  // One-click unsubscribe over loopback: each request the first click of a different recipient (a write: consent
  // record, suppression, contact state, audit entry, confirmation email), cycling through 20k tokens.
  const deliveries = await tables<{ marketing_deliveries: { id: string; campaign_id: string; state: string } }>(deps.db).selectFrom('marketing_deliveries').select('id').where('campaign_id', '=', campaign.id).where('state', '=', 'queued').orderBy('id').limit(20_000).execute();
  const tokens = deliveries.map((d) => signToken(deps.secret, 'unsubscribe', d.id));
  const app = await buildApp(deps, { rateLimits: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    let next = 0;
    const run = (duration: number) =>
      autocannon({
        url: `http://127.0.0.1:${address.port}`,
        connections: 16,
        duration,
        requests: [{ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click', setupRequest: (request) => ({ ...request, path: `/api/v1/u/${tokens[next++ % tokens.length]}` }) }],
      });
    const result = await run(10);
    if (result.non2xx > 0) throw new Error(`${result.non2xx} non-2xx answers to the one-click unsubscribe`);
    numbers.unsubscribeRps = round(result.requests.average);
    numbers.unsubscribeP99Ms = result.latency.p99;
    numbers.unsubscribeRequests = result.requests.total;
    say(`${label} one-click unsubscribe: ${numbers.unsubscribeRps} req/s (p99 ${numbers.unsubscribeP99Ms} ms, ${result.requests.total} requests, 16 connections; the first ${Math.min(tokens.length, result.requests.total)} each a new recipient, repeats idempotent)`);
  } finally {
    await app.close();
  }
  return numbers;
}

export async function runMarketingBench(options: { size: keyof typeof sizes } = { size: 'S' }): Promise<void> {
  const n = sizes[options.size];
  const say = (text: string) => process.stdout.write(`${text}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'patron-bench-marketing-'));
  const json: Record<string, unknown> = { bench: 'marketing', size: options.size, members: n };
  try {
    const sqlite = await openDatabase({ url: join(dir, 'marketing.sqlite') });
    try {
      json.sqlite = await runOn('sqlite', sqlite, n, say);
    } finally {
      await sqlite.close();
    }
    const pgUrl = process.env.PATRON_BENCH_DATABASE_URL ?? process.env.PATRON_TEST_DATABASE_URL;
    if (pgUrl) json.postgres = await withPostgresBenchSchema(pgUrl, 'bench_marketing', { poolSize: 20 }, (database) => runOn('postgres', database, n, say));
    else say('postgres: skipped (set PATRON_BENCH_DATABASE_URL)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  say(JSON.stringify(json));
}
