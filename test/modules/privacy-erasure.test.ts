// Erasure (PV-18, PV-19) on both databases: a subject with distinctive marker values in every module is erased with
// the flow, then every text column of every table (introspected) and the file store are scanned for the markers:
// nothing may remain outside the declared keep_for_law columns; the credits auditor (LG-2) and the audit hash chain
// still pass; another member's data is untouched; a second erasure answers the first report; an append-only table
// refuses every change but the narrow note erasure.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transact } from '../../src/deps.ts';
import { readSchemaColumns } from '../../src/db/schema-introspection.ts';
import * as accounts from '../../src/modules/accounts/index.ts';
import { insertSession } from '../../src/modules/accounts/sessions.repository.ts';
import { addAddress } from '../../src/modules/accounts/addresses.service.ts';
import { adjustCredits, runCreditsAudit, getBalance } from '../../src/modules/credits/index.ts';
import * as membership from '../../src/modules/membership/index.ts';
import * as store from '../../src/modules/store/index.ts';
import { moveCase } from '../../src/modules/aftersales/index.ts';
import { addCaseNote } from '../../src/modules/aftersales/agent-cases.service.ts';
import { insertCase, type NewCase } from '../../src/modules/aftersales/cases.repository.ts';
import { verifyAuditChain } from '../../src/modules/audit/index.ts';
import { checkout, redeemReward, eraseSubject, erasureFlow, erasureKey, executeRun, findRunOf, flowDefinitions, reapplyJournaledErasures, refundOrder, resumeDueRuns, startRun } from '../../src/flows/index.ts';
import { hangAt, stopBefore } from '../support/flow-faults.ts';
import { appendErasureJournal, erasureCompletedEmail, erasureEmailData, findErasureOfMember, readErasureJournal } from '../../src/modules/privacy/index.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';

const system = { id: null, role: 'system' as const };
const textual = /char|text|clob|json|uuid/;
let counter = 0;

/** Every marker of one person: the scan looks for each, case-insensitively. */
function markersOf(tag: string) {
  return {
    email: `${tag}.zyxwv@example.com`,
    first: `${tag}first`,
    last: `${tag}last`,
    line1: `${tag} Lane 77`,
    city: `${tag}ville`,
    words: `${tag}words`,
  };
}

async function seedPerson(deps: TestDeps, tag: string): Promise<{ memberId: string; photoKey: string; guestPhotoKey: string }> {
  const m = markersOf(tag);
  const { memberId } = await transact(deps, (trx) => accounts.createMemberForSeed(trx, { email: m.email, password: `pw-${tag}-long-enough-1`, country: 'US', dateOfBirth: '1980-01-02', firstName: m.first, lastName: m.last, emailVerified: true }));
  await sql`update members set phone = ${`+1 555 ${tag}`}, preferred_name = ${m.first} where id = ${memberId}`.execute(deps.db);
  await transact(deps, (trx) => addAddress(trx, { memberId, actor: { id: memberId, role: 'member' } as never, fields: { line1: m.line1, line2: `${m.words} apt`, city: m.city, region: 'US-OR', postalCode: '97201', country: 'US' } }));
  await insertSession(deps.db, { id: deps.ids.next('ses'), memberId, csrfToken: `csrf-${tag}`, userAgent: `${m.words}Browser/1.0`, createdAtMs: deps.clock.nowMs(), lastSeenAtMs: deps.clock.nowMs(), idleTimeoutMs: 3_600_000, expiresAtMs: deps.clock.nowMs() + 86_400_000, tokenHash: `hash-${tag}-${++counter}` } as never);
  await adjustCredits(deps, { memberId, credits: 2000, reasonCode: 'goodwill', note: 'test credits', actor: { id: 'mem_agent', role: 'agent' }, idempotencyKey: `erasure-gift-${++counter}` });
  const product = await transact(deps, (trx) => store.createProduct(trx, system, { sku: `E-${++counter}`, name: `Erasure product ${counter}`, category: 'chargers', priceMinor: 3000, stock: 50 }));
  const shippingAddress = { name: `${m.first} ${m.last}`, line1: m.line1, line2: `${m.words} floor`, city: m.city, region: 'US-OR', postalCode: '97201' };
  const paid = await checkout(deps, { memberId, guestEmail: null, lines: [{ productId: product.id, quantity: 1 }], discountCode: null, shippingAddress, credits: 500, paymentToken: 'tok_approve', fromCart: false });
  const second = await checkout(deps, { memberId, guestEmail: null, lines: [{ productId: product.id, quantity: 1 }], discountCode: null, shippingAddress, credits: 0, paymentToken: 'tok_approve', fromCart: false });
  await refundOrder(deps, { orderId: second.order.id, request: { kind: 'amount', amountMinor: 1000 }, reason: 'damaged', note: `${m.words} refund note`, source: 'agent', requestedBy: 'mem_agent' });
  // A guest order placed with the same email address (no member ID): found by its guest_email.
  await checkout(deps, { memberId: null, guestEmail: m.email.toUpperCase(), lines: [{ productId: product.id, quantity: 1 }], discountCode: null, shippingAddress, credits: 0, paymentToken: 'tok_approve', fromCart: false });
  await membership.joinPlus(deps, { memberId, plan: 'annual', paymentToken: 'tok_approve', actor: { id: memberId, role: 'member' } });
  // A cart, a reward redemption, and a marketplace order carrying the same email without a member ID.
  await transact(deps, (trx) => store.setCartLine(trx, memberId, product.id, 2));
  const reward = await transact(deps, (trx) => store.createRewardItem(trx, system, { sku: `R-${++counter}`, name: `Reward ${counter}`, creditsPrice: 100, stock: 10 }));
  await redeemReward(deps, { memberId, rewardItemId: reward.id, quantity: 1, paymentToken: null });
  await transact(deps, (trx) =>
    store.recordExternalOrder(trx, { source: 'storefront', externalOrderId: `SF-${tag}-${++counter}`, customerEmail: m.email, purchasedAt: new Date(deps.clock.nowMs() - 86_400_000).toISOString(), totalMinor: 1500, items: [{ name: 'Cable', quantity: 1 }] }, 'mem_agent'),
  );

  const caseRecord: NewCase = {
    id: deps.ids.next('cas'),
    memberId,
    guestEmail: null,
    contactName: `${m.first} ${m.last}`,
    kind: 'return',
    state: 'submitted',
    reason: 'no_longer_needed',
    remedy: 'refund',
    orderRef: paid.order.id,
    orderSource: 'store',
    orderLineId: paid.order.lines[0]!.id,
    productSku: product.sku,
    serial: null,
    details: `${m.words} case details`,
    priority: false,
    eligibility: { outcome: 'eligible', allowedRemedies: ['refund'], moneyMoves: true, creditsMove: true, requiresProofImage: false, trace: [{ rule: 'AS-3', decided: 'inside', customerText: 'Within 30 days.' }] },
    createdAtMs: deps.clock.nowMs(),
  };
  await transact(deps, (trx) => insertCase(trx.db, caseRecord, { id: trx.ids.next('cst'), action: 'submit', actorRole: 'member', actorId: memberId, atMs: caseRecord.createdAtMs }));
  await transact(deps, (trx) => moveCase(trx, { caseId: caseRecord.id, action: 'review', actor: { role: 'agent', id: 'mem_agent' } }));
  await transact(deps, (trx) => moveCase(trx, { caseId: caseRecord.id, action: 'ask_for_info', actor: { role: 'agent', id: 'mem_agent' }, note: `${m.words} transition note` }));
  await addCaseNote(deps, { caseId: caseRecord.id, staff: { id: 'mem_agent', role: 'agent' }, body: `${m.words} internal note` });
  // A guest case filed with the same email before the person had an account: found by its guest_email.
  const guestCase: NewCase = { ...caseRecord, id: deps.ids.next('cas'), memberId: null, guestEmail: m.email, details: `${m.words} guest case details` };
  await transact(deps, (trx) => insertCase(trx.db, guestCase, { id: trx.ids.next('cst'), action: 'submit', actorRole: 'guest', actorId: null, atMs: guestCase.createdAtMs }));
  // Its timeline note and its photo carry no member and no email of their own: found through the case they belong to.
  await transact(deps, (trx) => moveCase(trx, { caseId: guestCase.id, action: 'review', actor: { role: 'agent', id: 'mem_agent' } }));
  await transact(deps, (trx) => moveCase(trx, { caseId: guestCase.id, action: 'ask_for_info', actor: { role: 'agent', id: 'mem_agent' }, note: `${m.words} guest transition note` }));
  const guestPhotoKey = `aftersales/images/${tag}-guest-${++counter}.jpg`;
  await deps.ports.files.put(guestPhotoKey, { bytes: new Uint8Array([4, 5, 6]), contentType: 'image/jpeg' });
  await deps.db
    .insertInto('aftersales_images' as never)
    .values({ id: deps.ids.next('cim'), case_id: guestCase.id, member_id: null, storage_key: guestPhotoKey, content_type: 'image/jpeg', size_bytes: 3, width: 1, height: 1, sha256: 'def', created_at_ms: deps.clock.nowMs() } as never)
    .execute();
  const photoKey = `aftersales/images/${tag}-${++counter}.jpg`;
  await deps.ports.files.put(photoKey, { bytes: new Uint8Array([1, 2, 3]), contentType: 'image/jpeg' });
  await deps.db
    .insertInto('aftersales_images' as never)
    .values({ id: deps.ids.next('cim'), case_id: caseRecord.id, member_id: memberId, storage_key: photoKey, content_type: 'image/jpeg', size_bytes: 3, width: 1, height: 1, sha256: 'abc', created_at_ms: deps.clock.nowMs() } as never)
    .execute();
  await deps.db
    .insertInto('idempotency_keys' as never)
    .values({ caller: `member:${memberId}`, scope: 'POST /api/v1/test', key: `k-${tag}`, request_hash: 'h', state: 'done', attempt: 1, locked_until_ms: null, response_status: 200, response_body: JSON.stringify({ city: m.city }), member_id: memberId, created_at_ms: deps.clock.nowMs() } as never)
    .execute();
  return { memberId, photoKey, guestPhotoKey };
}

/** Every `table.column` of the database holding one of the markers. */
async function scan(deps: TestDeps, tag: string): Promise<string[]> {
  const m = markersOf(tag);
  const needles = [m.email, m.first, m.last, m.line1, m.city, m.words, `555 ${tag}`].map((value) => value.toLowerCase());
  const found: string[] = [];
  for (const column of await readSchemaColumns(deps.db)) {
    if (!textual.test(column.type)) continue;
    const text = sql`lower(cast(${sql.ref(column.column)} as text))`;
    const hits = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(column.table)} where ${sql.join(needles.map((needle) => sql`${text} like ${`%${needle}%`}`), sql` or `)}`.execute(deps.db);
    if (Number(hits.rows[0]!.n) > 0) found.push(`${column.table}.${column.column}`);
  }
  return found;
}

describeEachDatabase('privacy erasure', (suite) => {
  let deps: TestDeps;
  before(async () => {
    deps = suite.deps();
  });

  test('PV-18 the post-erasure scan of every text column and the file store finds the subject nowhere outside keep_for_law columns; LG-2 auditor and the PV-33 audit chain pass; another member is untouched', async () => {
    const subject = await seedPerson(deps, 'quinzor');
    const other = await seedPerson(deps, 'ottomar');
    const before = await scan(deps, 'quinzor');
    for (const column of ['store_external_orders.customer_email', 'members.email', 'members.first_name', 'member_addresses.line1', 'sessions.user_agent', 'store_orders.ship_to_line1', 'store_orders.guest_email', 'store_refunds.note', 'aftersales_cases.details', 'aftersales_transitions.note', 'aftersales_notes.body', 'outbox_messages.html', 'idempotency_keys.response_body']) {
      assert.ok(before.includes(column), `the seed puts a marker in ${column}`);
    }
    const guestNoteBefore = await sql<{ n: number | string }>`select count(*) as n from aftersales_transitions where member_id is null and lower(note) like ${'%quinzorwords guest transition note%'}`.execute(deps.db);
    assert.equal(Number(guestNoteBefore.rows[0]!.n), 1, 'the guest case’s transition note is seeded without a member');
    const otherBefore = await scan(deps, 'ottomar');
    const balanceBefore = await getBalance(deps, subject.memberId);
    assert.ok(balanceBefore.available > 0);

    const report = await eraseSubject(deps, { memberId: subject.memberId, requestId: null, reason: 'agent', actorId: 'mem_admin' });
    const kept = new Set(deps.ports.personalData.filter((column) => column.erase.kind === 'keep_for_law').map((column) => `${column.table}.${column.column}`));
    const left = await scan(deps, 'quinzor');
    assert.deepEqual(left.filter((column) => !kept.has(column)), [], 'markers left outside keep_for_law columns');
    assert.equal(await deps.ports.files.get(subject.photoKey), undefined, 'the photo file is deleted');
    assert.equal(await deps.ports.files.get(subject.guestPhotoKey), undefined, 'the guest case’s photo file is deleted');
    const guestNotes = await sql<{ n: number | string }>`select count(*) as n from aftersales_transitions where lower(note) like ${'%quinzorwords guest transition note%'}`.execute(deps.db);
    assert.equal(Number(guestNotes.rows[0]!.n), 0, 'the guest case’s transition note is gone');
    const guestPhotos = await sql<{ n: number | string }>`select count(*) as n from aftersales_images where storage_key = ${subject.guestPhotoKey}`.execute(deps.db);
    assert.equal(Number(guestPhotos.rows[0]!.n), 0, 'the guest case’s photo row is gone');
    assert.ok(await deps.ports.files.get(other.photoKey), 'the other member’s photo stays');
    assert.ok(await deps.ports.files.get(other.guestPhotoKey), 'the other person’s guest case photo stays');
    assert.deepEqual(await scan(deps, 'ottomar'), otherBefore, 'the other member’s data is untouched');

    // The report: deleted, anonymized, kept with basis and until when.
    assert.equal(report.memberId, subject.memberId);
    assert.equal(report.filesDeleted, 2, 'the member case’s photo and the guest case’s');
    assert.ok(report.deleted.some((entry) => entry.table === 'member_addresses' && entry.rows === 1));
    // Sessions end with the account's closure (accounts' closeMemberAccount), before the map runs: none is left.
    assert.equal(Number((await sql<{ n: number | string }>`select count(*) as n from sessions where member_id = ${subject.memberId}`.execute(deps.db)).rows[0]!.n), 0);
    assert.ok(report.deleted.some((entry) => entry.table === 'store_cart_lines'), 'the cart goes');
    assert.ok(report.kept.some((entry) => entry.table === 'store_redemptions'), 'the redemption is a kept record');
    assert.ok(report.anonymized.some((entry) => entry.table === 'store_external_orders'), 'the marketplace order loses its email');
    assert.ok(report.anonymized.some((entry) => entry.table === 'store_orders' && entry.rows === 3), 'two member orders and the guest order');
    assert.ok(report.anonymized.some((entry) => entry.table === 'aftersales_cases' && entry.rows === 2), 'the member case and the guest case');
    const taxRecord = report.kept.find((entry) => entry.table === 'store_orders' && entry.column === 'ship_to_postal_code');
    assert.ok(taxRecord && /tax/i.test(taxRecord.legalBasis) && /^\d{4}-\d{2}-\d{2}$/.test(taxRecord.until));

    const member = await sql<{ email: string; status: string; first_name: string | null }>`select email, status, first_name from members where id = ${subject.memberId}`.execute(deps.db);
    assert.deepEqual({ ...member.rows[0] }, { email: `erased+${subject.memberId}@invalid`, status: 'closed', first_name: null });
    assert.equal((await getBalance(deps, subject.memberId)).available, 0, 'CR-22 the credits are forfeited with a closing posting');
    const plus = await sql<{ state: string }>`select state from membership_subscriptions where member_id = ${subject.memberId}`.execute(deps.db);
    assert.deepEqual(plus.rows.map((row) => row.state), ['canceled'], 'Plus ends: no renewal charges an erased member');
    const audit = await runCreditsAudit(deps);
    assert.equal(audit.ok, true, 'LG-2 the ledger auditor passes');
    assert.equal((await verifyAuditChain(deps)).ok, true, 'PV-33 the audit chain verifies');

    // The requester's email: customer words, what was kept, why and until when, and nothing about the person.
    const email = erasureCompletedEmail.render(erasureEmailData(report));
    assert.equal(email.subject, 'Your personal data has been erased');
    assert.match(email.text, /store orders[^]*until \d{4}-\d{2}-\d{2}|store orders[^]*\d{4}-\d{2}-\d{2}/);
    assert.doesNotMatch(email.text + email.html, /quinzor/i);

    // PV-19: registry and journal; a second erasure answers the first report.
    const record = await findErasureOfMember(deps.db, subject.memberId);
    assert.ok(record);
    assert.ok(!JSON.stringify(record.report).toLowerCase().includes('quinzor'), 'the registry holds no personal data');
    assert.ok(readErasureJournal(deps.config.dataDir).some((entry) => entry.memberId === subject.memberId));
    const again = await eraseSubject(deps, { memberId: subject.memberId, requestId: null, reason: 'agent' });
    assert.equal(again.erasureId, report.erasureId);
  });

  test('PV-18 the append-only transition log still refuses every change but clearing a note', async () => {
    const row = await sql<{ id: string }>`select id from aftersales_transitions limit 1`.execute(deps.db);
    const id = row.rows[0]!.id;
    await assert.rejects(sql`update aftersales_transitions set note = 'changed' where id = ${id}`.execute(deps.db));
    await assert.rejects(sql`update aftersales_transitions set note = null, to_state = 'closed' where id = ${id}`.execute(deps.db));
    await assert.rejects(sql`delete from aftersales_transitions where id = ${id}`.execute(deps.db));
    await sql`update aftersales_transitions set note = null where id = ${id}`.execute(deps.db);
  });

  test('PV-18 an unknown member is a 404; a member with an unfinished flow run is refused with 409', async () => {
    await assert.rejects(eraseSubject(deps, { memberId: 'mem_nobody', requestId: null, reason: 'agent' }), (error: unknown) => (error as { code?: string }).code === 'not_found');
    const { memberId } = await seedPerson(deps, 'busyone');
    await sql`update flow_runs set state = 'running' where id = (select id from flow_runs where member_id = ${memberId} limit 1)`.execute(deps.db);
    await assert.rejects(eraseSubject(deps, { memberId, requestId: null, reason: 'agent' }), (error: unknown) => (error as { code?: string }).code === 'conflict');
  });

  test('PV-19 a restored database erases again every journaled subject its registry does not list, once (the PostgreSQL path after pg_restore)', async () => {
    const journalDir = await mkdtemp(join(tmpdir(), 'patron-journal-'));
    try {
      // The restored database still holds the subject (the backup predates the erasure); the journal lists them.
      const { memberId, photoKey } = await seedPerson(deps, 'restorix');
      appendErasureJournal(journalDir, { memberId, erasedAtMs: deps.clock.nowMs() });
      appendErasureJournal(journalDir, { memberId: 'mem_created_after_backup', erasedAtMs: deps.clock.nowMs() });
      const first = await reapplyJournaledErasures(deps, journalDir);
      assert.deepEqual(first, { reapplied: [memberId], unknown: 1, failed: [] });
      const kept = new Set(deps.ports.personalData.filter((column) => column.erase.kind === 'keep_for_law').map((column) => `${column.table}.${column.column}`));
      assert.deepEqual((await scan(deps, 'restorix')).filter((column) => !kept.has(column)), []);
      assert.equal(await deps.ports.files.get(photoKey), undefined);
      assert.equal((await findErasureOfMember(deps.db, memberId))?.reason, 'restore');
      assert.deepEqual(await reapplyJournaledErasures(deps, journalDir), { reapplied: [], unknown: 1, failed: [] });
    } finally {
      await rm(journalDir, { recursive: true, force: true });
    }
  });

  test('PV-18 an erasure interrupted after its rows were erased (a crash before the journal) is finished by the resume job, once', async () => {
    const { memberId } = await seedPerson(deps, 'crashix');
    const run = await transact(deps, (trx) => startRun(trx, erasureFlow, { key: erasureKey(memberId), input: { memberId, requestId: null, reason: 'agent', actorId: null }, memberId: null }));
    const crash = hangAt();
    void executeRun(deps, stopBefore(erasureFlow, 'journal', 'run', crash.stop), run);
    await crash.reached;
    assert.equal(await findErasureOfMember(deps.db, memberId), undefined, 'not recorded yet');
    assert.equal((await sql<{ email: string }>`select email from members where id = ${memberId}`.execute(deps.db)).rows[0]!.email, `erased+${memberId}@invalid`, 'the rows were erased');

    deps.clock.advanceMs(11 * 60_000);
    await resumeDueRuns(deps, flowDefinitions);
    assert.equal((await findRunOf(deps, erasureFlow, erasureKey(memberId)))?.state, 'completed');
    const record = await findErasureOfMember(deps.db, memberId);
    assert.ok(record);
    assert.ok(readErasureJournal(deps.config.dataDir).some((entry) => entry.memberId === memberId));
    assert.equal((await eraseSubject(deps, { memberId, requestId: null, reason: 'agent' })).erasureId, record.id);
    const kept = new Set(deps.ports.personalData.filter((column) => column.erase.kind === 'keep_for_law').map((column) => `${column.table}.${column.column}`));
    assert.deepEqual((await scan(deps, 'crashix')).filter((column) => !kept.has(column)), []);
  });
});
