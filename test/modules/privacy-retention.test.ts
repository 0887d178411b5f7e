// Retention (PV-30, PV-31) with the simulated clock, on both databases: a closed account is erased the day its
// period (closure + limitation + 2 months) ends and not a day before; the values an erasure kept for law go at the
// end of the transaction-records period; a second run the same day does nothing; the job is scheduled daily.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { sql } from 'kysely';
import { transact } from '../../src/deps.ts';
import { DAY_MS } from '../../src/platform/clock.ts';
import * as accounts from '../../src/modules/accounts/index.ts';
import * as store from '../../src/modules/store/index.ts';
import { auditCreditsLedger } from '../../src/modules/credits/index.ts';
import { insertCase, type NewCase } from '../../src/modules/aftersales/cases.repository.ts';
import { checkout, runRetention, retentionJobType, schedules } from '../../src/flows/index.ts';
import { findErasureOfMember, moveRequest, openRequest, retentionPeriodMs, retentionRules, systemRequestActor, type RequestForm } from '../../src/modules/privacy/index.ts';
import { uploadAgentDocument } from '../../src/modules/privacy/verification.service.ts';
import { retentionClasses } from '../../src/db/personal-data.ts';
import { describeEachDatabase } from '../support/each-database.ts';
import type { TestDeps } from '../support/deps.ts';

const system = { id: null, role: 'system' as const };
const nothing = { accountsErased: 0, accountsDeferred: 0, recordsExpired: 0, rowsChanged: 0, requestsDeleted: 0, documentFilesDeleted: 0, exportsDeleted: 0, recordRowsCleared: 0, recordTablesTouched: 0 };

async function countWhere(deps: TestDeps, table: string, column: string, value: string): Promise<number> {
  const result = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(column)} = ${value}`.execute(deps.db);
  return Number(result.rows[0]!.n);
}

/** A request's rows: the request, its timeline, its codes, its documents. */
async function requestRows(deps: TestDeps, requestId: string): Promise<number[]> {
  return [
    await countWhere(deps, 'privacy_requests', 'id', requestId),
    await countWhere(deps, 'privacy_request_events', 'request_id', requestId),
    await countWhere(deps, 'privacy_verification_codes', 'request_id', requestId),
    await countWhere(deps, 'privacy_request_documents', 'request_id', requestId),
  ];
}

function form(type: RequestForm['type'], subjectEmail: string, relationship: RequestForm['relationship'] = 'self'): RequestForm {
  const requesterEmail = relationship === 'self' ? subjectEmail : 'agent.firm@example.com';
  return { type, requesterName: 'Ria Tention', requesterEmail, relationship, brands: ['Patron'], subjectEmail, country: 'DE' };
}

const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

async function closedMemberWithOrder(deps: TestDeps): Promise<{ memberId: string; orderId: string; guestOrderId: string }> {
  const { memberId } = await transact(deps, (trx) => accounts.createMemberForSeed(trx, { email: 'retained.member@example.com', password: 'pw-retention-long-1', country: 'US', dateOfBirth: '1980-01-02', firstName: 'Reta', lastName: 'Inedmember', emailVerified: true }));
  const product = await transact(deps, (trx) => store.createProduct(trx, system, { sku: 'RET-1', name: 'Retention product', category: 'chargers', priceMinor: 3000, stock: 5 }));
  const placed = await checkout(deps, { memberId, guestEmail: null, lines: [{ productId: product.id, quantity: 1 }], discountCode: null, shippingAddress: { name: 'Reta Inedmember', line1: '1 Kept St', city: 'Portland', region: 'US-OR', postalCode: '97201' }, credits: 0, paymentToken: 'tok_approve', fromCart: false });
  // The same person once bought as a guest with the same address.
  const guest = await checkout(deps, { memberId: null, guestEmail: 'Retained.Member@example.com', lines: [{ productId: product.id, quantity: 1 }], discountCode: null, shippingAddress: { name: 'Reta Inedmember', line1: '1 Kept St', city: 'Portland', region: 'US-OR', postalCode: '97201' }, credits: 0, paymentToken: 'tok_approve', fromCart: false });
  // The account is closed now: retention starts at members.closed_at_ms (AC-10, PV-30). Closing moves the address off
  // the member row, so the erasure must still find the guest order by the address the closure kept.
  await transact(deps, (trx) => accounts.closeMemberAccount(trx, { memberId }));
  return { memberId, orderId: placed.order.id, guestOrderId: guest.order.id };
}

describeEachDatabase('privacy retention', (suite) => {
  let deps: TestDeps;
  before(() => {
    deps = suite.deps();
  });

  test('PV-30 every retention class of the data map has a rule (trigger, active, limitation, + 2 months, end action), and the job runs daily', () => {
    for (const retention of retentionClasses) {
      const rule = retentionRules[retention];
      assert.ok(rule.description.length > 20 && retentionPeriodMs(retention) > 0, retention);
    }
    for (const retention of ['account', 'transaction_records', 'legal_hold'] as const) assert.equal(retentionRules[retention].graceDays, 61, `${retention}: + 2 months`);
    assert.ok(retentionPeriodMs('legal_hold') >= 730 * DAY_MS, 'PV-31 privacy records are kept at least 24 months');
    assert.deepEqual(schedules.find((schedule) => schedule.type === retentionJobType), { type: retentionJobType, everyMs: DAY_MS });
  });

  test('PV-30 a closed account is erased on the day its period ends, not a day before, and a second run does nothing; its kept records go at the end of theirs', async () => {
    const { memberId, orderId, guestOrderId } = await closedMemberWithOrder(deps);
    deps.clock.advanceMs(retentionPeriodMs('account') - DAY_MS);
    assert.deepEqual(await runRetention(deps), { accountsErased: 0, accountsDeferred: 0, recordsExpired: 0, rowsChanged: 0, requestsDeleted: 0, documentFilesDeleted: 0, exportsDeleted: 0, recordRowsCleared: 0, recordTablesTouched: 0 }, 'one day before: nothing');
    assert.equal(await findErasureOfMember(deps.db, memberId), undefined);

    deps.clock.advanceMs(DAY_MS);
    assert.deepEqual(await runRetention(deps), { accountsErased: 1, accountsDeferred: 0, recordsExpired: 0, rowsChanged: 0, requestsDeleted: 0, documentFilesDeleted: 0, exportsDeleted: 0, recordRowsCleared: 0, recordTablesTouched: 0 }, 'on the day: erased');
    const erasure = await findErasureOfMember(deps.db, memberId);
    assert.equal(erasure?.reason, 'retention');
    const member = await sql<{ email: string; last_name: string | null }>`select email, last_name from members where id = ${memberId}`.execute(deps.db);
    assert.deepEqual({ ...member.rows[0] }, { email: `erased+${memberId}@invalid`, last_name: null });
    assert.deepEqual(await runRetention(deps), { accountsErased: 0, accountsDeferred: 0, recordsExpired: 0, rowsChanged: 0, requestsDeleted: 0, documentFilesDeleted: 0, exportsDeleted: 0, recordRowsCleared: 0, recordTablesTouched: 0 }, 'a second run: nothing');
    const guestOrder = (await sql<{ guest_email: string | null }>`select guest_email from store_orders where id = ${guestOrderId}`.execute(deps.db)).rows[0];
    assert.notEqual(guestOrder?.guest_email?.toLowerCase(), 'retained.member@example.com', 'the guest order found by the address the closure kept is erased too');

    const order = async () => ({ ...(await sql<{ member_id: string; ship_to_postal_code: string | null; ship_to_line1: string | null }>`select member_id, ship_to_postal_code, ship_to_line1 from store_orders where id = ${orderId}`.execute(deps.db)).rows[0] });
    assert.deepEqual(await order(), { member_id: memberId, ship_to_postal_code: '97201', ship_to_line1: null }, 'the tax record keeps the place of supply');
    const kept = erasure!.report.kept.find((entry) => entry.table === 'store_orders' && entry.column === 'ship_to_postal_code');
    assert.equal(kept?.until, new Date(deps.clock.nowMs() + retentionPeriodMs('transaction_records')).toISOString().slice(0, 10), 'the report says until when');

    deps.clock.advanceMs(retentionPeriodMs('transaction_records') - DAY_MS);
    const dayBefore = await runRetention(deps);
    assert.equal(dayBefore.recordsExpired, 0);
    deps.clock.advanceMs(DAY_MS);
    const onTheDay = await runRetention(deps);
    assert.equal(onTheDay.recordsExpired, 1);
    assert.ok(onTheDay.rowsChanged >= 1);
    assert.deepEqual(await order(), { member_id: memberId, ship_to_postal_code: null, ship_to_line1: null }, 'PV-30 the kept values go at the end of their period; the record stays under the pseudonymous ID');
    assert.deepEqual(await runRetention(deps), { accountsErased: 0, accountsDeferred: 0, recordsExpired: 0, rowsChanged: 0, requestsDeleted: 0, documentFilesDeleted: 0, exportsDeleted: 0, recordRowsCleared: 0, recordTablesTouched: 0 });
  });

  test('PV-31 a rights request closed longer ago than the legal-hold period goes with its timeline, codes and documents (files too), on the day and not before; open requests and an opt-out’s record stay', async () => {
    // An authorized agent's request: a code to the subject, a power of attorney, then withdrawn (closed now).
    const agentRequest = await transact(deps, (trx) => openRequest(trx, { source: { channel: 'web_form' }, form: form('know', 'kept.subject@example.com', 'authorized_agent') }));
    await uploadAgentDocument(deps, { requestId: agentRequest.id, kind: 'power_of_attorney', bytes: pdf });
    await transact(deps, (trx) => moveRequest(trx, { requestId: agentRequest.id, action: 'withdraw', actor: systemRequestActor, quiet: true }));
    const documentKey = (await sql<{ storage_key: string }>`select storage_key from privacy_request_documents where request_id = ${agentRequest.id}`.execute(deps.db)).rows[0]!.storage_key;
    assert.ok(await deps.ports.files.get(documentKey), 'the document is stored');
    const [requests, events, codes, documents] = await requestRows(deps, agentRequest.id);
    assert.ok(requests === 1 && events! >= 3 && codes! >= 1 && documents === 1, 'the request has a timeline, a code and a document');
    // An opt-out fulfilled at once: its choice points at the request, which is the record of how it was made.
    const optOut = await transact(deps, (trx) => openRequest(trx, { source: { channel: 'web_form' }, form: form('optout_sale_share', 'opted.out@example.com') }));
    assert.equal(optOut.state, 'fulfilled');
    // Still waiting for its code: open, never deleted by retention.
    const open = await transact(deps, (trx) => openRequest(trx, { source: { channel: 'web_form' }, form: form('know', 'still.open@example.com') }));
    assert.equal(open.state, 'awaiting_verification');

    deps.clock.advanceMs(retentionPeriodMs('legal_hold') - DAY_MS);
    assert.deepEqual(await runRetention(deps), nothing, 'one day before: nothing');
    assert.deepEqual(await requestRows(deps, agentRequest.id), [requests, events, codes, documents]);

    deps.clock.advanceMs(DAY_MS);
    assert.deepEqual(await runRetention(deps), { ...nothing, requestsDeleted: 1, documentFilesDeleted: 1 }, 'on the day: the withdrawn request');
    assert.deepEqual(await requestRows(deps, agentRequest.id), [0, 0, 0, 0]);
    assert.equal(await deps.ports.files.get(documentKey), undefined, 'the document file is deleted');
    assert.equal(await countWhere(deps, 'privacy_requests', 'id', optOut.id), 1, 'the opt-out’s request stays while its choice does');
    assert.equal(await countWhere(deps, 'privacy_requests', 'id', open.id), 1, 'an open request stays');
    assert.deepEqual(await runRetention(deps), nothing, 'a second run: nothing');

    // The timeline stays append-only for every other request.
    await assert.rejects(sql`delete from privacy_request_events where request_id = ${open.id}`.execute(deps.db));
    await assert.rejects(sql`update privacy_request_events set note = 'changed' where request_id = ${open.id}`.execute(deps.db));
  });

  test('PV-30 expired and failed export records go after the operational period (their ZIPs went at expiry), not before, once', async () => {
    const nowMs = deps.clock.nowMs();
    await deps.db
      .insertInto('privacy_exports' as never)
      .values([
        { id: 'pex_retention_expired', member_id: 'mem_retention_export', request_id: null, state: 'expired', dedupe_key: null, storage_key: 'privacy/exports/pex_retention_expired.zip', size_bytes: 10, sha256: 'abc', file_count: 3, failure_code: null, download_count: 1, last_downloaded_at_ms: nowMs, code_hash: null, code_expires_at_ms: null, code_attempts: 0, created_at_ms: nowMs, ready_at_ms: nowMs, expires_at_ms: nowMs },
        { id: 'pex_retention_ready', member_id: 'mem_retention_export', request_id: null, state: 'ready', dedupe_key: null, storage_key: 'privacy/exports/pex_retention_ready.zip', size_bytes: 10, sha256: 'abc', file_count: 3, failure_code: null, download_count: 0, last_downloaded_at_ms: null, code_hash: null, code_expires_at_ms: null, code_attempts: 0, created_at_ms: nowMs, ready_at_ms: nowMs, expires_at_ms: nowMs + 7 * DAY_MS },
      ] as never)
      .execute();
    deps.clock.advanceMs(retentionPeriodMs('operational_short') - DAY_MS);
    assert.deepEqual(await runRetention(deps), nothing, 'one day before: nothing');
    deps.clock.advanceMs(DAY_MS);
    assert.deepEqual(await runRetention(deps), { ...nothing, exportsDeleted: 1 }, 'on the day: the expired record (a ready one is the expiry job’s)');
    assert.equal(await countWhere(deps, 'privacy_exports', 'id', 'pex_retention_expired'), 0);
    assert.equal(await countWhere(deps, 'privacy_exports', 'id', 'pex_retention_ready'), 1);
    assert.deepEqual(await runRetention(deps), nothing, 'a second run: nothing');
  });

  test('PV-30 an active member’s order and after-sales case lose their personal values at the end of their own transaction-records period, not a day before, once; amounts, SKUs and the member ID stay', async () => {
    const { memberId } = await transact(deps, (trx) => accounts.createMemberForSeed(trx, { email: 'active.buyer@example.com', password: 'pw-retention-long-2', country: 'US', dateOfBirth: '1981-02-03', firstName: 'Acti', lastName: 'Vebuyer', emailVerified: true }));
    const product = await transact(deps, (trx) => store.createProduct(trx, system, { sku: 'RET-ACTIVE', name: 'Active retention product', category: 'chargers', priceMinor: 4000, stock: 5 }));
    const address = { name: 'Acti Vebuyer', line1: '2 Active Rd', line2: 'Apt 3', city: 'Salem', region: 'US-OR', postalCode: '97301' };
    const old = await checkout(deps, { memberId, guestEmail: null, lines: [{ productId: product.id, quantity: 1 }], discountCode: null, shippingAddress: address, credits: 0, paymentToken: 'tok_approve', fromCart: false });
    const caseRecord: NewCase = {
      id: deps.ids.next('cas'),
      memberId,
      guestEmail: null,
      contactName: 'Acti Vebuyer',
      kind: 'return',
      state: 'submitted',
      reason: 'no_longer_needed',
      remedy: 'refund',
      orderRef: old.order.id,
      orderSource: 'store',
      orderLineId: old.order.lines[0]!.id,
      productSku: product.sku,
      serial: null,
      details: 'The charger hums; please call me at 555-0100.',
      priority: false,
      eligibility: { outcome: 'eligible', allowedRemedies: ['refund'], moneyMoves: true, creditsMove: true, requiresProofImage: false, trace: [{ rule: 'AS-3', decided: 'inside', customerText: 'Within 30 days.' }] },
      createdAtMs: deps.clock.nowMs(),
    };
    await transact(deps, (trx) => insertCase(trx.db, caseRecord, { id: trx.ids.next('cst'), action: 'submit', actorRole: 'member', actorId: memberId, atMs: caseRecord.createdAtMs }));
    // A year later the same member orders again: that order's period ends a year later.
    deps.clock.advanceMs(365 * DAY_MS);
    const young = await checkout(deps, { memberId, guestEmail: null, lines: [{ productId: product.id, quantity: 1 }], discountCode: null, shippingAddress: address, credits: 0, paymentToken: 'tok_approve', fromCart: false });

    type OrderRow = { member_id: string | null; ship_to_name: string | null; ship_to_line1: string | null; ship_to_line2: string | null; ship_to_city: string | null; ship_to_postal_code: string | null; ship_to_country: string | null; region: string; total_minor: number | string };
    const orderRow = async (id: string) => {
      const row = (await sql<OrderRow>`select member_id, ship_to_name, ship_to_line1, ship_to_line2, ship_to_city, ship_to_postal_code, ship_to_country, region, total_minor from store_orders where id = ${id}`.execute(deps.db)).rows[0]!;
      return { ...row, total_minor: Number(row.total_minor) };
    };
    const caseRow = async () => ({ ...(await sql<{ member_id: string | null; contact_name: string; details: string | null; product_sku: string | null; remedy: string }>`select member_id, contact_name, details, product_sku, remedy from aftersales_cases where id = ${caseRecord.id}`.execute(deps.db)).rows[0] });
    const before = { old: await orderRow(old.order.id), young: await orderRow(young.order.id), case: await caseRow() };
    assert.equal(before.old.ship_to_name, 'Acti Vebuyer');

    deps.clock.advanceMs(retentionPeriodMs('transaction_records') - 365 * DAY_MS - DAY_MS);
    assert.deepEqual(await runRetention(deps), nothing, 'one day before: nothing');
    assert.deepEqual({ old: await orderRow(old.order.id), young: await orderRow(young.order.id), case: await caseRow() }, before);

    deps.clock.advanceMs(DAY_MS);
    assert.deepEqual(await runRetention(deps), { ...nothing, recordRowsCleared: 2, recordTablesTouched: 2 }, 'on the day: the old order and the case');
    assert.deepEqual(await orderRow(old.order.id), { ...before.old, ship_to_name: null, ship_to_line1: null, ship_to_line2: null, ship_to_city: null, ship_to_postal_code: null, ship_to_country: null }, 'the ship-to values go; the member ID, the tax region and the amounts stay');
    assert.deepEqual(await caseRow(), { ...before.case, contact_name: '[erased]', details: '[erased]' }, 'what the member typed goes; the SKU and the remedy stay');
    assert.deepEqual(await orderRow(young.order.id), before.young, 'the younger order keeps its address until its own period ends');
    const lines = await sql<{ sku: string; member_id: string | null }>`select sku, member_id from store_order_lines where order_id = ${old.order.id}`.execute(deps.db);
    assert.deepEqual(lines.rows.map((line) => ({ ...line })), [{ sku: 'RET-ACTIVE', member_id: memberId }]);

    const detail = await store.getOrderDetail(deps, old.order.id);
    assert.equal(detail.memberId, memberId);
    assert.equal(detail.totalMinor, before.old.total_minor);
    assert.equal(detail.shippingAddress, null, 'the order reads without its address');
    assert.equal(detail.lines[0]?.sku, 'RET-ACTIVE');

    assert.deepEqual(await runRetention(deps), nothing, 'a second run: nothing');
    assert.deepEqual((await auditCreditsLedger(deps, { trigger: 'test', actorId: null })).problems, [], 'the credits ledger is untouched and sound');
    assert.equal((await sql<{ status: string }>`select status from members where id = ${memberId}`.execute(deps.db)).rows[0]?.status, 'active', 'the member is not erased');
  });
});
