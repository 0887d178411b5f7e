// `npm run bench -- privacy [--size XS|S|M]`: PF-11 (S, the default; M is ten times the volume, without the 2 s target), a member with 10k credit postings, 1k orders and 50 after-sales cases, on SQLite
// (a file, WAL) and, with PATRON_BENCH_DATABASE_URL (or PATRON_TEST_DATABASE_URL), PostgreSQL in a schema of its own.
// Each database is seeded once (bench/privacy-export.ts) and runs the steps of `privacySteps` in order on that subject:
// the export (a warm-up, then the measured one), then the erasure of the same member with the erasure flow (it removes
// what the export reads, so it comes second), then the credits auditor, which must be clean after the erasure (LG-2).
// A step returns its numbers and whether it met its target; a missed target is a failed run (exit code 1).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import type { Deps, Ports } from '../src/deps.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { withPostgresBenchSchema } from './postgres-schema.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { memberBonuses } from '../src/flows/member-bonuses.ts';
import { eraseSubject } from '../src/flows/index.ts';
import { runCreditsAudit } from '../src/modules/credits/index.ts';
import { installationPersonalData } from '../src/adapters.ts';
import { memberContacts } from '../src/modules/accounts/index.ts';
import { createSandboxGateway } from '../src/modules/payments/index.ts';
import { createSimulatedClock } from '../src/platform/clock.ts';
import { createIdGenerator } from '../src/platform/ids.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createFolderFileStorage } from '../src/ports/local-file-storage.ts';
import { measureExport, seedPrivacySubject, type BenchSubject } from './privacy-export.ts';

export interface PrivacyStepResult {
  numbers: Record<string, number>;
  ok: boolean;
}

export interface PrivacyStep {
  name: string;
  run(deps: Deps, subject: BenchSubject): Promise<PrivacyStepResult>;
}

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** PF-11 export: ≤ 2 s; memory bounded (peak RSS above the baseline stays well under the data's size in rows). */
export const exportStep: PrivacyStep = {
  name: 'export',
  async run(deps, subject) {
    await measureExport(deps, subject); // warm-up: module loading and the first schema read are not the export
    const measured = await measureExport(deps, subject);
    return { numbers: { seconds: round(measured.seconds, 3), peakRssDeltaMb: round(measured.peakRssDeltaMb, 1), zipMb: round(measured.zipMb, 2), files: measured.files }, ok: (subject.postings > 10_000 || measured.seconds <= 2) && measured.peakRssDeltaMb <= 128 };
  },
};

/** Peak RSS above the baseline while `work` runs, sampled every 5 ms. */
async function measured<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; peakRssDeltaMb: number }> {
  globalThis.gc?.();
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const started = performance.now();
  try {
    const value = await work();
    const seconds = (performance.now() - started) / 1000;
    return { value, seconds, peakRssDeltaMb: (Math.max(peak, process.memoryUsage.rss()) - baseline) / 1024 / 1024 };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * PF-11 erasure of the same member: the whole flow (plan, files, rows in one transaction, journal, record). Same
 * targets as the export: ≤ 2 s at S; memory bounded (the row work is set-based SQL, so RSS does not follow the rows).
 */
export const erasureStep: PrivacyStep = {
  name: 'erasure',
  async run(deps, subject) {
    const { value: report, seconds, peakRssDeltaMb } = await measured(() => eraseSubject(deps, { memberId: subject.memberId, requestId: null, reason: 'agent' }));
    const rows = (entries: readonly { rows: number }[]) => entries.reduce((sum, entry) => sum + entry.rows, 0);
    return {
      numbers: { seconds: round(seconds, 3), peakRssDeltaMb: round(peakRssDeltaMb, 1), rowsDeleted: rows(report.deleted), rowsAnonymized: rows(report.anonymized), filesDeleted: report.filesDeleted, keptColumns: report.kept.length },
      ok: (subject.postings > 10_000 || seconds <= 2) && peakRssDeltaMb <= 128 && report.filesDeleted >= subject.cases, // the photos, and the export ZIPs built just before
    };
  },
};

/** LG-2 after the erasure: the credits auditor finds nothing (the forfeit posting balances the ledger). */
export const auditStep: PrivacyStep = {
  name: 'audit',
  async run(deps) {
    const { value: audit, seconds } = await measured(() => runCreditsAudit(deps, { trigger: 'bench', actorId: null }));
    return { numbers: { seconds: round(seconds, 3), problems: audit.problems.length }, ok: audit.ok };
  },
};

/** The steps, in order: export first (the erasure removes what it reads), then the erasure, then the auditor. */
export const privacySteps: PrivacyStep[] = [exportStep, erasureStep, auditStep];

const startMs = Date.UTC(2026, 2, 2, 17, 0, 0);
/** PF-11's volume at S (the default) and XS; M is ten times it, to show the memory does not grow with the history. */
const volumes = { XS: { postings: 1_000, orders: 100, cases: 5 }, S: { postings: 10_000, orders: 1_000, cases: 50 }, M: { postings: 100_000, orders: 10_000, cases: 500 } } as const;

function depsFor(database: Database, filesDir: string): Deps {
  const clock = createSimulatedClock(startMs);
  const config = loadConfig({ PATRON_DATA_DIR: tmpdir(), PATRON_DATABASE_URL: database.dialect === 'sqlite' ? ':memory:' : 'postgres://bench', PATRON_LOG_LEVEL: 'silent', PATRON_PUBLIC_URL: 'http://127.0.0.1', PATRON_SECRET: 'bench-secret-bench-secret-bench-secret-0123' });
  const ports: Ports = { payments: createSandboxGateway({ database, clock }), mail: null, memberContacts, files: createFolderFileStorage(filesDir), memberLifecycle: memberBonuses, personalData: installationPersonalData() };
  return { config, database, db: database.db, clock, ids: createIdGenerator(clock), logger: createLogger('silent'), secret: config.secret!, ports };
}

async function runOn(label: string, database: Database, filesDir: string, volume: (typeof volumes)[keyof typeof volumes], say: (text: string) => void): Promise<Record<string, PrivacyStepResult>> {
  await migrateToLatest(database.db);
  const deps = depsFor(database, filesDir);
  const seedStarted = performance.now();
  const subject = await seedPrivacySubject(deps, volume);
  say(`${label}: seeded ${volume.postings} postings, ${volume.orders} orders, ${volume.cases} cases in ${round((performance.now() - seedStarted) / 1000)} s`);
  const results: Record<string, PrivacyStepResult> = {};
  for (const step of privacySteps) {
    const result = await step.run(deps, subject);
    results[step.name] = result;
    say(`${label} ${step.name}: ${Object.entries(result.numbers).map(([key, value]) => `${key} ${value}`).join(', ')}${result.ok ? '' : '  ← MISSED TARGET'}`);
  }
  return results;
}

export async function runPrivacyBench(options: { size: keyof typeof volumes } = { size: 'S' }): Promise<void> {
  const volume = volumes[options.size];
  const pgUrl = process.env.PATRON_BENCH_DATABASE_URL ?? process.env.PATRON_TEST_DATABASE_URL;
  const dir = mkdtempSync(join(tmpdir(), 'patron-bench-privacy-'));
  const say = (text: string) => process.stdout.write(`${text}\n`);
  const json: Record<string, unknown> = { bench: 'privacy', size: options.size, ...volume, targetSeconds: options.size === 'S' ? 2 : null };
  let failed = false;
  try {
    const sqlite = await openDatabase({ url: join(dir, 'privacy.sqlite') });
    try {
      const results = await runOn('sqlite', sqlite, join(dir, 'files-sqlite'), volume, say);
      failed ||= Object.values(results).some((result) => !result.ok);
      json.sqlite = Object.fromEntries(Object.entries(results).map(([name, result]) => [name, result.numbers]));
    } finally {
      await sqlite.close();
    }
    if (pgUrl) {
      await withPostgresBenchSchema(pgUrl, 'bench_privacy', { poolSize: 4 }, async (postgres) => {
        const results = await runOn('postgresql', postgres, join(dir, 'files-pg'), volume, say);
        failed ||= Object.values(results).some((result) => !result.ok);
        json.postgres = Object.fromEntries(Object.entries(results).map(([name, result]) => [name, result.numbers]));
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
