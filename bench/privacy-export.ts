// PF-11's subject and its export half (`npm run bench -- privacy`): one member with 10k credit postings (agent
// adjustments through the credits service), 1k store orders with a ship-to address and a line each, and 50 after-sales
// cases with a 150 KB photo and two transitions each (multi-row inserts); then `buildSubjectExport` is timed and the
// peak RSS above the pre-export baseline is sampled every 5 ms while it runs. Target: ≤ 2 s, memory bounded (the export streams:
// 500-row batches, one photo at a time, the ZIP piped to the file store).
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { transact, type Deps } from '../src/deps.ts';
import type { Executor } from '../src/db/database.ts';
import { createMemberForSeed } from '../src/modules/accounts/index.ts';
import { adjustCredits } from '../src/modules/credits/index.ts';
import { buildSubjectExport } from '../src/modules/privacy/index.ts';

export interface BenchSubject {
  memberId: string;
  postings: number;
  orders: number;
  cases: number;
}

const pad = (n: number) => String(n).padStart(7, '0');

async function insertMany(db: Executor, table: string, rows: Record<string, unknown>[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 200) await db.insertInto(table as never).values(rows.slice(start, start + 200) as never).execute();
}

async function countPostings(db: Executor, memberId: string): Promise<number> {
  const result = await sql<{ n: number | string }>`select count(*) as n from credit_postings where member_id = ${memberId}`.execute(db);
  return Number(result.rows[0]!.n);
}

/**
 * Seeds the PF-11 subject once for both halves (plus one other member's rows, so the export's filters are exercised).
 * The member and the credits go through the services (sign-up, agent adjustments), so the ledger is one the auditor
 * accepts before and after the erasure; orders, lines, cases, transitions and photos are bulk-inserted rows, since
 * neither the export nor the erasure reads them through a service.
 */
export async function seedPrivacySubject(deps: Deps, input: { postings: number; orders: number; cases: number }): Promise<BenchSubject> {
  const db = deps.db;
  const nowMs = deps.clock.nowMs();
  const { memberId } = await transact(deps, (trx) => createMemberForSeed(trx, { email: 'pf11.subject@example.com', password: 'pf11-subject-password-1', country: 'US', dateOfBirth: '1985-04-12', firstName: 'Perf', lastName: 'Eleven', emailVerified: true }));
  await db.updateTable('members' as never).set({ phone: '+15555550111', language: 'en' } as never).where('id' as never, '=', memberId as never).execute();
  await transact(deps, (trx) => createMemberForSeed(trx, { email: 'pf11.other@example.com', password: 'pf11-other-password-1', country: 'US', dateOfBirth: '1990-01-01', emailVerified: true }));
  // One posting per adjustment (a lot granted to `available`), 250 between counts.
  let adjustments = 0;
  while ((await countPostings(db, memberId)) < input.postings) {
    for (let i = 0; i < 250; i++) {
      await adjustCredits(deps, { memberId, credits: 10, reasonCode: 'goodwill', note: 'Goodwill, see ticket', actor: { id: 'mem_bench_agent', role: 'agent' }, idempotencyKey: `pf11-${++adjustments}` });
    }
  }
  const orders: Record<string, unknown>[] = [];
  const lines: Record<string, unknown>[] = [];
  for (let i = 0; i < input.orders; i++) {
    const id = `ord_${pad(i)}`;
    orders.push({
      id, member_id: memberId, channel: 'store', status: 'delivered', refund_state: 'none', currency: 'USD', region: 'US-CA', merchandise_minor: 4900, discount_minor: 0, plus_discount_minor: 0, credits_applied: 0, credits_value_minor: 0,
      shipping_minor: 0, tax_minor: 400, total_minor: 5300, refunded_minor: 0, earned_credits: 49, plus_active: 0, placed_at_ms: nowMs - i * 60_000, created_at_ms: nowMs - i * 60_000, updated_at_ms: nowMs,
      ship_to_name: 'Perf Eleven', ship_to_line1: `${i} Market Street`, ship_to_city: 'San Francisco', ship_to_region: 'CA', ship_to_postal_code: '94105', ship_to_country: 'US', delivery: 'standard',
    });
    lines.push({
      id: `oln_${pad(i)}`, order_id: id, member_id: memberId, line_no: 1, sku: 'SKU-1', name: 'Charger', category: 'chargers', earns_credits: 1, gift_card: 0, plus_bonus: 0, serial_numbered: 0, list_price_minor: 4900, unit_price_minor: 4900, quantity: 1,
      merchandise_minor: 4900, discount_minor: 0, plus_discount_minor: 0, credits_minor: 0, credits: 0, tax_minor: 400, qualifying_minor: 4900, paid_minor: 5300, earned_credits: 49, refunded_quantity: 0, refunded_minor: 0, refunded_qualifying_minor: 0, restored_credits: 0,
    });
  }
  await insertMany(db, 'store_orders', orders);
  await insertMany(db, 'store_order_lines', lines);
  const cases: Record<string, unknown>[] = [];
  const transitions: Record<string, unknown>[] = [];
  const images: Record<string, unknown>[] = [];
  // 150 KB that does not compress, like a JPEG: SHA-256 blocks chained.
  const blocks: Buffer[] = [];
  for (let block = createHash('sha256').update('pf11').digest(); blocks.length < 4688; block = createHash('sha256').update(block).digest()) blocks.push(block);
  const photo = new Uint8Array(Buffer.concat(blocks));
  for (let i = 0; i < input.cases; i++) {
    const id = `cas_${pad(i)}`;
    cases.push({
      id, member_id: memberId, contact_name: 'Perf Eleven', kind: 'return', state: 'resolved', reason: 'damaged_on_arrival', remedy: 'refund', order_ref: `ord_${pad(i)}`, order_source: 'store', order_line_id: `oln_${pad(i)}`, product_sku: 'SKU-1',
      details: `The box arrived crushed (case ${i}), "see photo", =not a formula`, priority: 0, eligibility: '{"outcome":"eligible"}', state_entered_at_ms: nowMs, created_at_ms: nowMs - i * 3_600_000, updated_at_ms: nowMs, resolved_at_ms: nowMs,
    });
    for (let seq = 1; seq <= 2; seq++) transitions.push({ id: `cst_${pad(i)}_${seq}`, case_id: id, member_id: memberId, seq, from_state: seq === 1 ? null : 'submitted', to_state: seq === 1 ? 'submitted' : 'resolved', action: seq === 1 ? 'submit' : 'resolve', actor_role: 'member', actor_id: memberId, note: null, at_ms: nowMs });
    const storageKey = `aftersales/${id}/photo-1.jpg`;
    await deps.ports.files.put(storageKey, { bytes: photo, contentType: 'image/jpeg' });
    images.push({ id: `cim_${pad(i)}`, case_id: id, member_id: memberId, storage_key: storageKey, content_type: 'image/jpeg', size_bytes: photo.length, width: 800, height: 600, sha256: createHash('sha256').update(photo).digest('hex'), created_at_ms: nowMs });
  }
  await insertMany(db, 'aftersales_cases', cases);
  await insertMany(db, 'aftersales_transitions', transitions);
  await insertMany(db, 'aftersales_images', images);
  return { memberId, ...input, postings: await countPostings(db, memberId) };
}

export interface ExportMeasurement {
  seconds: number;
  peakRssDeltaMb: number;
  zipMb: number;
  files: number;
}

/** Times one export of the subject and samples the RSS above the baseline taken just before it. */
export async function measureExport(deps: Deps, subject: BenchSubject): Promise<ExportMeasurement> {
  globalThis.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const started = performance.now();
  try {
    const result = await buildSubjectExport(deps, { memberId: subject.memberId });
    const seconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { seconds, peakRssDeltaMb: (peak - baseline) / 1024 / 1024, zipMb: result.sizeBytes / 1024 / 1024, files: result.files.length };
  } finally {
    clearInterval(sampler);
  }
}
