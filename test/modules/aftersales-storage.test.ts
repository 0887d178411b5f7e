// The after-sales storage layer (migration 0700, cases.repository.ts), on both databases: a case is written with its
// first transition, state changes are guarded by the expected state and logged append-only with actor, time and
// reason (AS-12), the agent queue orders priority first then oldest (AS-10), the serial-reuse flag finds earlier
// refunds and replacements of the same serial (AS-2), and one serial is recorded once per order line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { inTransaction, type Executor } from '../../src/db/database.ts';
import {
  appendTransition,
  findCase,
  findGrantedCasesBySerial,
  findShipmentSerials,
  insertCase,
  insertImage,
  insertShipmentSerial,
  listImages,
  countImages,
  listQueue,
  listTransitions,
  queueCursorOf,
  updateCaseState,
  type NewCase,
} from '../../src/modules/aftersales/cases.repository.ts';
import type { CaseState } from '../../src/modules/aftersales/cases.rules.ts';
import type { EligibilityDecision } from '../../src/modules/aftersales/eligibility.rules.ts';
import { describeEachDatabase } from '../support/each-database.ts';

const eligible: EligibilityDecision = {
  outcome: 'eligible',
  allowedRemedies: ['refund', 'exchange'],
  moneyMoves: true,
  creditsMove: true,
  requiresProofImage: false,
  trace: [{ rule: 'AS-3', decided: 'delivered 2026-11-20, 14 days ≤ 30', customerText: 'Within the return window.' }],
};

let counter = 0;
const nextId = (prefix: string): string => `${prefix}_${String(++counter).padStart(6, '0')}`;

function newCase(overrides: Partial<NewCase> = {}): NewCase {
  return {
    id: nextId('case'),
    memberId: 'mem_a',
    guestEmail: null,
    contactName: 'Ada Lovelace',
    kind: 'return',
    state: 'submitted',
    reason: 'no_longer_needed',
    remedy: 'refund',
    orderRef: 'ord_1',
    orderSource: 'store',
    orderLineId: 'line_1',
    productSku: 'SKU-1',
    serial: null,
    details: 'The box was never opened.',
    priority: false,
    eligibility: eligible,
    createdAtMs: 1_000,
    ...overrides,
  };
}

async function submit(db: Executor, overrides: Partial<NewCase> = {}): Promise<NewCase> {
  const record = newCase(overrides);
  await inTransaction(db, (trx) => insertCase(trx, record, { id: nextId('tr'), action: 'submit', actorRole: record.memberId ? 'member' : 'guest', actorId: record.memberId, atMs: record.createdAtMs }));
  return record;
}

/** The guarded move plus its log row, as the services will do it. */
async function move(db: Executor, record: Pick<NewCase, 'id' | 'memberId'>, from: CaseState, to: CaseState, atMs: number): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const moved = await updateCaseState(trx, record.id, from, to, atMs);
    if (moved) await appendTransition(trx, record, from, to, { id: nextId('tr'), action: to === 'approved' ? 'approve' : 'review', actorRole: 'agent', actorId: 'agent_1', atMs });
    return moved;
  });
}

describeEachDatabase('after-sales storage', (suite) => {
  test('AS-12 a case and its first transition are written together, with actor, time and reason', async () => {
    const db = suite.deps().db;
    const record = await submit(db, { details: 'Arrived cracked.' });
    const stored = await findCase(db, record.id);
    assert.ok(stored);
    assert.equal(stored.state, 'submitted');
    assert.equal(stored.stateEnteredAtMs, 1_000);
    assert.deepEqual(stored.eligibility, eligible);
    assert.equal(stored.priority, false);
    const log = await listTransitions(db, record.id);
    assert.equal(log.length, 1);
    assert.deepEqual(
      { seq: log[0]!.seq, from: log[0]!.fromState, to: log[0]!.toState, action: log[0]!.action, role: log[0]!.actorRole, actor: log[0]!.actorId, at: log[0]!.atMs },
      { seq: 1, from: null, to: 'submitted', action: 'submit', role: 'member', actor: 'mem_a', at: 1_000 },
    );

    // A failing first transition (a duplicate ID) leaves no case behind when the caller's transaction rolls back.
    const orphan = newCase();
    await assert.rejects(inTransaction(db, (trx) => insertCase(trx, orphan, { id: log[0]!.id, action: 'submit', actorRole: 'member', actorId: 'mem_a', atMs: 1_000 })));
    assert.equal(await findCase(db, orphan.id), undefined);
  });

  test('AS-12 each transition recorded with actor, time and reason: a guarded update refuses a stale state, and the log is append-only', async () => {
    const db = suite.deps().db;
    const record = await submit(db);
    assert.equal(await move(db, record, 'submitted', 'under_review', 2_000), true);
    // A second agent acting on what they saw (submitted) loses: nothing changes, nothing is logged.
    assert.equal(await move(db, record, 'submitted', 'approved', 2_500), false);
    const stored = await findCase(db, record.id);
    assert.equal(stored?.state, 'under_review');
    assert.equal(stored?.stateEnteredAtMs, 2_000);

    await inTransaction(db, async (trx) => {
      assert.equal(await updateCaseState(trx, record.id, 'under_review', 'rejected', 3_000), true);
      await appendTransition(trx, record, 'under_review', 'rejected', { id: nextId('tr'), action: 'reject', actorRole: 'agent', actorId: 'agent_2', reasonCode: 'outside_window', note: 'Delivered 45 days ago.', atMs: 3_000 });
    });
    const log = await listTransitions(db, record.id);
    assert.deepEqual(
      log.map((t) => [t.seq, t.fromState, t.toState, t.action, t.actorId, t.reasonCode, t.atMs]),
      [
        [1, null, 'submitted', 'submit', 'mem_a', null, 1_000],
        [2, 'submitted', 'under_review', 'review', 'agent_1', null, 2_000],
        [3, 'under_review', 'rejected', 'reject', 'agent_2', 'outside_window', 3_000],
      ],
    );
    assert.equal(log[2]!.note, 'Delivered 45 days ago.');

    await assert.rejects(sql`update aftersales_transitions set note = 'rewritten' where case_id = ${record.id}`.execute(db), /append-only/);
    await assert.rejects(sql`delete from aftersales_transitions where case_id = ${record.id}`.execute(db), /append-only/);
    assert.equal((await listTransitions(db, record.id)).length, 3);
  });

  test('AS-10 the agent queue lists open cases, priority first then oldest, filters by kind, state and reason, and pages by cursor', async () => {
    const db = suite.deps().db;
    const base = 100_000;
    const oldNormal = await submit(db, { createdAtMs: base + 1, kind: 'return' });
    const newPriority = await submit(db, { createdAtMs: base + 5, priority: true, kind: 'warranty_claim', reason: 'defective', remedy: 'replacement' });
    const oldPriority = await submit(db, { createdAtMs: base + 2, priority: true, kind: 'return', reason: 'damaged_on_arrival' });
    const newNormal = await submit(db, { createdAtMs: base + 9, kind: 'damage_report', reason: 'damaged_on_arrival' });
    const closed = await submit(db, { createdAtMs: base, priority: true });
    await move(db, newNormal, 'submitted', 'under_review', base + 10);
    await inTransaction(db, async (trx) => {
      await updateCaseState(trx, closed.id, 'submitted', 'canceled', base + 3);
      await appendTransition(trx, closed, 'submitted', 'canceled', { id: nextId('tr'), action: 'cancel', actorRole: 'member', actorId: 'mem_a', atMs: base + 3 });
    });

    const mine = new Set([oldNormal.id, newPriority.id, oldPriority.id, newNormal.id, closed.id]);
    const queue = async (filter: Parameters<typeof listQueue>[1]) => (await listQueue(db, { ...filter, limit: 100 })).filter((c) => mine.has(c.id)).map((c) => c.id);
    assert.deepEqual(await queue({ limit: 100 }), [oldPriority.id, newPriority.id, oldNormal.id, newNormal.id]);
    assert.deepEqual(await queue({ limit: 100, kind: 'return' }), [oldPriority.id, oldNormal.id]);
    assert.deepEqual(await queue({ limit: 100, state: 'under_review' }), [newNormal.id]);
    assert.deepEqual(await queue({ limit: 100, reason: 'damaged_on_arrival' }), [oldPriority.id, newNormal.id]);
    assert.deepEqual(await queue({ limit: 100, state: 'canceled' }), [closed.id], 'a closed state is listed only when asked for by name (docs/CONTRACTS.md: open states unless state= is given)');

    // Paging: two at a time, each page starting after the last case of the previous one.
    const all = (await listQueue(db, { limit: 100 })).map((c) => c.id);
    const paged: string[] = [];
    let after;
    for (;;) {
      const page = await listQueue(db, { limit: 2, after });
      if (page.length === 0) break;
      paged.push(...page.map((c) => c.id));
      after = queueCursorOf(page[page.length - 1]!);
    }
    assert.deepEqual(paged, all);
  });

  test('AS-2 the serial-reuse query finds an approved refund or replacement with the same serial, of any member, and nothing else', async () => {
    const db = suite.deps().db;
    const serial = 'A7REUSE1';
    const earlier = await submit(db, { memberId: 'mem_b', serial, remedy: 'refund', createdAtMs: 5_000 });
    await move(db, earlier, 'submitted', 'approved', 5_100);
    const replaced = await submit(db, { memberId: 'mem_c', serial, kind: 'warranty_claim', remedy: 'replacement', createdAtMs: 5_200 });
    await move(db, replaced, 'submitted', 'approved', 5_300);
    await submit(db, { memberId: 'mem_d', serial, remedy: 'refund', createdAtMs: 5_400 }); // not approved yet
    const exchanged = await submit(db, { memberId: 'mem_e', serial, kind: 'exchange', remedy: 'exchange', createdAtMs: 5_500 });
    await move(db, exchanged, 'submitted', 'approved', 5_600); // an exchange is not a refund or replacement
    const other = await submit(db, { memberId: 'mem_f', serial: 'A7OTHER1', remedy: 'refund', createdAtMs: 5_700 });
    await move(db, other, 'submitted', 'approved', 5_800);

    const current = await submit(db, { memberId: 'mem_a', serial, createdAtMs: 6_000 });
    const found = await findGrantedCasesBySerial(db, serial, current.id);
    assert.deepEqual(
      found.map((c) => [c.id, c.memberId, c.remedy]),
      [
        [earlier.id, 'mem_b', 'refund'],
        [replaced.id, 'mem_c', 'replacement'],
      ],
    );
  });

  test('AS-2 at most one serial row per order line and serial; a case’s images are listed and counted', async () => {
    const db = suite.deps().db;
    const row = { id: nextId('ser'), orderId: 'ord_9', orderLineId: 'line_9', memberId: 'mem_a', serial: 'A1B2C3D4', recordedBy: 'agent_1', recordedAtMs: 7_000 };
    await insertShipmentSerial(db, row);
    await insertShipmentSerial(db, { ...row, id: nextId('ser'), serial: 'A1B2C3D5' });
    await assert.rejects(insertShipmentSerial(db, { ...row, id: nextId('ser') }));
    assert.deepEqual(
      (await findShipmentSerials(db, 'line_9')).map((s) => s.serial),
      ['A1B2C3D4', 'A1B2C3D5'],
    );
    assert.deepEqual(await findShipmentSerials(db, 'line_none'), []);

    const record = await submit(db);
    for (const n of [1, 2]) {
      await insertImage(db, record.memberId, { id: nextId('img'), caseId: record.id, storageKey: `aftersales/${record.id}/${n}.jpg`, contentType: 'image/jpeg', sizeBytes: 1000 * n, width: 640, height: 480, sha256: `${n}`.repeat(64), createdAtMs: 8_000 + n });
    }
    assert.equal(await countImages(db, record.id), 2);
    assert.deepEqual(
      (await listImages(db, record.id)).map((i) => [i.storageKey, i.sizeBytes]),
      [
        [`aftersales/${record.id}/1.jpg`, 1000],
        [`aftersales/${record.id}/2.jpg`, 2000],
      ],
    );
  });
});
