// Drill (d) of issue 13: the outgoing-webhook endpoint is down for an hour of simulated time, then back. Events keep
// coming during the outage (several per subject, interleaved), three dispatchers run against the same database at
// every step, and afterwards every event must have reached the endpoint exactly once with a 2xx, in order per subject,
// each signature verifying with an independent Standard Webhooks verifier (test/support/webhook-receiver.ts).
//
// `npm run bench -- drill-webhooks [--size XS|S|M]` runs the long form on SQLite (a file) and, with
// PATRON_BENCH_DATABASE_URL or PATRON_TEST_DATABASE_URL set, on PostgreSQL; test/e2e/drill-webhook-outage.test.ts
// runs the short form in CI on both databases.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { transact, type Deps, type Ports } from '../src/deps.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { installationPersonalData } from '../src/adapters.ts';
import { memberBonuses } from '../src/flows/member-bonuses.ts';
import { createMemoryFileStorage } from '../src/ports/local-file-storage.ts';
import { memberContacts } from '../src/modules/accounts/index.ts';
import { createSandboxGateway } from '../src/modules/payments/index.ts';
import { HOUR_MS, MINUTE_MS, createSimulatedClock, type SimulatedClock } from '../src/platform/clock.ts';
import { createIdGenerator } from '../src/platform/ids.ts';
import { createLogger } from '../src/platform/logger.ts';
import { recordEvents, type EventType } from '../src/modules/events/index.ts';
import { createEndpoint, listDeliveries, removeEndpoint, runWebhookDispatch } from '../src/modules/webhooks/index.ts';
import { startWebhookReceiver, verifyStandardWebhook } from '../test/support/webhook-receiver.ts';
import { withPostgresBenchSchema } from './postgres-schema.ts';

export interface OutageDrillOptions {
  subjects: number;
  eventsPerSubject: number;
  /** How long the endpoint answers 503 (simulated time). */
  outageMs: number;
  /** Simulated time between dispatch rounds (and between new events during the outage). */
  stepMs: number;
  /** Dispatchers running at once against the database at each step ("instances"). */
  instances: number;
  /** Give up waiting for the backlog to drain after this much simulated time past the outage. */
  drainLimitMs: number;
}

export interface OutageDrillResult {
  events: number;
  deliveredOnce: number;
  lost: number;
  duplicated: number;
  outOfOrderSubjects: number;
  badSignatures: number;
  refusedDuringOutage: number;
  /** Simulated minutes from the endpoint's return until the last event arrived. */
  drainMinutes: number;
  wallSeconds: number;
  ok: boolean;
}

export const shortDrill: OutageDrillOptions = { subjects: 4, eventsPerSubject: 3, outageMs: HOUR_MS, stepMs: 5 * MINUTE_MS, instances: 3, drainLimitMs: 6 * HOUR_MS };

const types: EventType[] = ['order.paid', 'order.refunded'];

/** Runs the drill on `deps` (its clock simulated); the endpoint and its deliveries are removed afterwards. */
export async function runWebhookOutageDrill(deps: Deps & { clock: SimulatedClock }, options: OutageDrillOptions): Promise<OutageDrillResult> {
  const started = performance.now();
  const receiver = await startWebhookReceiver();
  const actor = { id: 'mem_drill', role: 'admin' as const };
  const { endpoint, secret } = await transact(deps, (trx) => createEndpoint(trx, { url: receiver.url, description: 'drill (d)', eventTypes: types, actor }));
  try {
    let down = true;
    receiver.respond = () => (down ? 503 : 200);
    const expected = new Map<string, string[]>(); // subject → event IDs in recording order
    const dispatchRound = () => Promise.all(Array.from({ length: options.instances }, () => runWebhookDispatch(deps)));

    // During the outage: one event per step for a subject in turn, until each subject has its share.
    const total = options.subjects * options.eventsPerSubject;
    const outageEndsMs = deps.clock.nowMs() + options.outageMs;
    const steps = Math.max(1, Math.floor(options.outageMs / options.stepMs));
    const perStep = Math.ceil(total / steps);
    let recorded = 0;
    while (deps.clock.nowMs() < outageEndsMs) {
      const batch: { type: EventType; subjectId: string; memberId: string | null; data: Record<string, number> }[] = [];
      for (let i = 0; i < perStep && recorded < total; i++, recorded++) {
        const subject = `ord_drill${String(recorded % options.subjects).padStart(5, '0')}`;
        batch.push({ type: types[recorded % types.length]!, subjectId: subject, memberId: null, data: { seq: recorded } });
      }
      if (batch.length > 0) {
        const events = await transact(deps, (trx) => recordEvents(trx, batch));
        for (const event of events) expected.set(event.subjectId, [...(expected.get(event.subjectId) ?? []), event.id]);
      }
      await dispatchRound();
      deps.clock.advanceMs(Math.min(options.stepMs, outageEndsMs - deps.clock.nowMs()));
    }
    const refusedDuringOutage = receiver.received.length;
    down = false;
    const backMs = deps.clock.nowMs();
    let lastArrivalMs = backMs;
    const accepted = () => receiver.received.length - refusedDuringOutage;
    while (accepted() < total && deps.clock.nowMs() - backMs <= options.drainLimitMs) {
      const before = accepted();
      await dispatchRound();
      if (accepted() > before) lastArrivalMs = deps.clock.nowMs();
      if (accepted() < total) deps.clock.advanceMs(options.stepMs);
    }
    // A last round at the end: nothing may arrive twice.
    deps.clock.advanceMs(options.stepMs);
    await dispatchRound();

    const successes = receiver.received.slice(refusedDuringOutage);
    const counts = new Map<string, number>();
    for (const message of successes) counts.set(message.id, (counts.get(message.id) ?? 0) + 1);
    const allIds = [...expected.values()].flat();
    const lost = allIds.filter((id) => !counts.has(id)).length;
    const duplicated = [...counts.values()].filter((count) => count > 1).length;
    const arrivalOrder = successes.map((message) => message.id);
    let outOfOrderSubjects = 0;
    for (const ids of expected.values()) {
      const seen = arrivalOrder.filter((id) => ids.includes(id));
      if (seen.join() !== ids.filter((id) => seen.includes(id)).join()) outOfOrderSubjects++;
    }
    const badSignatures = successes.filter((message) => !verifyStandardWebhook(secret, message, Number(message.timestamp))).length;
    const pending = (await listDeliveries(deps, { endpointId: endpoint.id, state: 'pending', limit: 200 })).length;
    const result: OutageDrillResult = {
      events: allIds.length,
      deliveredOnce: [...counts.values()].filter((count) => count === 1).length,
      lost,
      duplicated,
      outOfOrderSubjects,
      badSignatures,
      refusedDuringOutage,
      drainMinutes: Math.round((lastArrivalMs - backMs) / MINUTE_MS),
      wallSeconds: Math.round((performance.now() - started) / 100) / 10,
      ok: false,
    };
    result.ok = allIds.length === total && lost === 0 && duplicated === 0 && outOfOrderSubjects === 0 && badSignatures === 0 && pending === 0 && result.deliveredOnce === total;
    return result;
  } finally {
    await transact(deps, (trx) => removeEndpoint(trx, { endpointId: endpoint.id, actor }));
    await receiver.close();
  }
}

function depsFor(database: Database): Deps & { clock: SimulatedClock } {
  const clock = createSimulatedClock(Date.parse('2026-06-01T08:00:00.000Z'));
  const config = loadConfig({ PATRON_DATA_DIR: tmpdir(), PATRON_DATABASE_URL: database.dialect === 'sqlite' ? ':memory:' : 'postgres://bench', PATRON_LOG_LEVEL: 'silent', PATRON_PUBLIC_URL: 'http://127.0.0.1', PATRON_SECRET: 'bench-secret-bench-secret-bench-secret-0123' });
  const ports: Ports = { payments: createSandboxGateway({ database, clock }), mail: null, memberContacts, files: createMemoryFileStorage(), memberLifecycle: memberBonuses, personalData: installationPersonalData() };
  return { config, database, db: database.db, clock, ids: createIdGenerator(clock), logger: createLogger('silent'), secret: config.secret!, ports };
}

const sizes: Record<'XS' | 'S' | 'M', OutageDrillOptions> = {
  XS: shortDrill,
  S: { subjects: 50, eventsPerSubject: 6, outageMs: HOUR_MS, stepMs: MINUTE_MS, instances: 3, drainLimitMs: 6 * HOUR_MS },
  M: { subjects: 300, eventsPerSubject: 10, outageMs: HOUR_MS, stepMs: MINUTE_MS, instances: 3, drainLimitMs: 6 * HOUR_MS },
};

export async function runWebhookOutageDrillBench(options: { size: 'XS' | 'S' | 'M' }): Promise<void> {
  const drill = sizes[options.size];
  const say = (text: string) => process.stdout.write(`${text}\n`);
  const show = (label: string, r: OutageDrillResult) =>
    say(`${label}: events ${r.events}, delivered once ${r.deliveredOnce}, lost ${r.lost}, duplicated ${r.duplicated}, subjects out of order ${r.outOfOrderSubjects}, bad signatures ${r.badSignatures}, 503s during the outage ${r.refusedDuringOutage}, drained ${r.drainMinutes} simulated min after the return, ${r.wallSeconds} s wall — ${r.ok ? 'PASS' : 'FAIL'}`);
  say(`drill (d): endpoint down ${drill.outageMs / MINUTE_MS} min, ${drill.subjects} subjects × ${drill.eventsPerSubject} events, ${drill.instances} dispatchers, steps of ${drill.stepMs / 1000} s`);
  let failed = false;
  const dir = mkdtempSync(join(tmpdir(), 'patron-drill-webhooks-'));
  try {
    const sqlite = await openDatabase({ url: join(dir, 'drill.sqlite') });
    try {
      await migrateToLatest(sqlite.db);
      const result = await runWebhookOutageDrill(depsFor(sqlite), drill);
      show('sqlite', result);
      failed ||= !result.ok;
    } finally {
      await sqlite.close();
    }
    const pgUrl = process.env.PATRON_BENCH_DATABASE_URL ?? process.env.PATRON_TEST_DATABASE_URL;
    if (pgUrl) {
      await withPostgresBenchSchema(pgUrl, 'drill_webhooks', { poolSize: 8 }, async (postgres) => {
        await migrateToLatest(postgres.db);
        const result = await runWebhookOutageDrill(depsFor(postgres), drill);
        show('postgres', result);
        failed ||= !result.ok;
      });
    } else say('postgres: skipped (set PATRON_BENCH_DATABASE_URL)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}
