// The payments module on both databases: one row per money movement with its purpose and owner (ST-3, ST-4), guarded
// status changes, refunds never past the capture, the sandbox gateway's replay of a key (ST-3), and the migration that
// moved the store's payments into it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { transact } from '../../src/deps.ts';
import { tables } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { InvariantError } from '../../src/platform/assert.ts';
import { canonicalJson } from '../../src/platform/canonical-json.ts';
import type { PaymentsTables } from '../../src/modules/payments/payments.table.ts';
import {
  closeUnpaidPayment,
  createSandboxGateway,
  findLatestPayment,
  markPaymentAuthorized,
  markPaymentCaptured,
  openPayment,
  recordCapturedPayment,
  recordPaymentRefund,
} from '../../src/modules/payments/index.ts';
import { openTestDatabase, testDialects } from '../support/databases.ts';
import { migrateTestSchema } from '../support/databases.ts';
import { describeEachDatabase } from '../support/each-database.ts';

describeEachDatabase('payments', (suite) => {
  test('ST-3 ST-4 a payment goes pending → authorized → captured and takes partial then full refunds, never past the capture', async () => {
    const deps = suite.deps();
    const opened = await transact(deps, (trx) => openPayment(trx, { purpose: 'order', ownerRef: 'ord_p1', memberId: 'mem_p1', currency: 'USD', amountMinor: 5000 }));
    assert.equal(opened.status, 'pending');
    assert.equal(opened.gateway, deps.ports.payments.name, 'the installation’s gateway');
    await transact(deps, (trx) => markPaymentAuthorized(trx, { paymentId: opened.id, gateway: 'sandbox', gatewayPaymentId: 'sbx_pay_1' }));
    const confirmedAtMs = deps.clock.nowMs();
    assert.equal(await transact(deps, (trx) => markPaymentCaptured(trx, { paymentId: opened.id, capturedMinor: 5000, confirmedAtMs })), true);
    assert.equal(await transact(deps, (trx) => markPaymentCaptured(trx, { paymentId: opened.id, capturedMinor: 5000, confirmedAtMs })), false, 'a capture happens once');
    await transact(deps, (trx) => recordPaymentRefund(trx, { paymentId: opened.id, amountMinor: 1500 }));
    let payment = await findLatestPayment(deps, { purpose: 'order', ownerRef: 'ord_p1' });
    assert.deepEqual([payment?.status, payment?.capturedMinor, payment?.refundedMinor, payment?.confirmedAtMs, payment?.gatewayPaymentId], ['partially_refunded', 5000, 1500, confirmedAtMs, 'sbx_pay_1']);
    await assert.rejects(transact(deps, (trx) => recordPaymentRefund(trx, { paymentId: opened.id, amountMinor: 3501 })), InvariantError);
    await transact(deps, (trx) => recordPaymentRefund(trx, { paymentId: opened.id, amountMinor: 3500 }));
    payment = await findLatestPayment(deps, { purpose: 'order', ownerRef: 'ord_p1' });
    assert.deepEqual([payment?.status, payment?.refundedMinor], ['refunded', 5000]);
    assert.equal(await findLatestPayment(deps, { purpose: 'redemption_fee', ownerRef: 'ord_p1' }), undefined, 'the purpose is part of the owner');
  });

  test('ST-3 a payment that will not happen fails when pending, is voided when authorized, and a captured one stays captured', async () => {
    const deps = suite.deps();
    const open = (ownerRef: string) => transact(deps, (trx) => openPayment(trx, { purpose: 'order', ownerRef, memberId: null, currency: 'USD', amountMinor: 100 }));
    const pending = await open('ord_p2');
    const authorized = await open('ord_p3');
    await transact(deps, (trx) => markPaymentAuthorized(trx, { paymentId: authorized.id, gateway: 'sandbox', gatewayPaymentId: 'sbx_pay_3' }));
    const fee = await transact(deps, (trx) =>
      recordCapturedPayment(trx, { purpose: 'redemption_fee', ownerRef: 'ord_p4', memberId: 'mem_p4', currency: 'USD', amountMinor: 499, gateway: 'sandbox', gatewayPaymentId: 'sbx_pay_4', confirmedAtMs: deps.clock.nowMs() }),
    );
    assert.deepEqual([fee.status, fee.capturedMinor], ['captured', 499]);
    assert.equal(await transact(deps, (trx) => closeUnpaidPayment(trx, { paymentId: pending.id, failureCode: 'card_declined' })), true);
    assert.equal(await transact(deps, (trx) => closeUnpaidPayment(trx, { paymentId: authorized.id, failureCode: 'processing_error' })), true);
    assert.equal(await transact(deps, (trx) => closeUnpaidPayment(trx, { paymentId: fee.id, failureCode: 'abandoned' })), false);
    const statuses = await Promise.all(['ord_p2', 'ord_p3'].map((ownerRef) => findLatestPayment(deps, { purpose: 'order', ownerRef })));
    assert.deepEqual(statuses.map((p) => [p?.status, p?.failureCode]), [['failed', 'card_declined'], ['voided', 'processing_error']]);
    assert.equal((await findLatestPayment(deps, { purpose: 'redemption_fee', ownerRef: 'ord_p4' }))?.status, 'captured');
    await assert.rejects(transact(deps, (trx) => openPayment(trx, { purpose: 'order', ownerRef: 'ord_p5', memberId: null, currency: 'USD', amountMinor: 0 })), /too_small|>=1|at least/i);
  });

  test('ST-3 the sandbox answers a repeated key with its first answer, whatever the order of the request’s fields', async () => {
    const deps = suite.deps();
    const gateway = createSandboxGateway(deps, { failureDelayMs: 0 });
    const first = await gateway.authorize({ token: 'tok_approve', amountMinor: 700, currency: 'USD', idempotencyKey: 'pay-test-1' });
    const again = await gateway.authorize({ idempotencyKey: 'pay-test-1', currency: 'USD', amountMinor: 700, token: 'tok_approve' });
    assert.deepEqual(again, first);
    const other = await gateway.authorize({ token: 'tok_approve', amountMinor: 701, currency: 'USD', idempotencyKey: 'pay-test-1' });
    assert.deepEqual(other.ok ? null : other.code, 'idempotency_mismatch');
  });

  test('ST-3 the sandbox gives concurrent duplicates of a request one effect, and a request left without an answer by a crash runs again', async () => {
    const deps = suite.deps();
    const gateway = createSandboxGateway(deps, { failureDelayMs: 0 });
    const input = { token: 'tok_approve', amountMinor: 900, currency: 'USD' as const, idempotencyKey: 'pay-test-concurrent' };
    const answers = await Promise.all(Array.from({ length: 6 }, () => gateway.authorize(input)));
    assert.ok(answers.every((answer) => answer.ok));
    assert.equal(new Set(answers.map((answer) => (answer.ok ? answer.paymentId : ''))).size, 1, 'one authorization');
    const books = tables<PaymentsTables>(deps.db);
    const crashed = { token: 'tok_approve', amountMinor: 901, currency: 'USD' as const, idempotencyKey: 'pay-test-crashed' };
    // What a crash mid-request left before the sandbox committed record and effect together: a record without an answer.
    await books
      .insertInto('sandbox_gateway_requests')
      .values({ idempotency_key: crashed.idempotencyKey, operation: 'authorize', request_hash: createHash('sha256').update(canonicalJson({ operation: 'authorize', request: crashed })).digest('base64url'), response: null, created_at_ms: deps.clock.nowMs() })
      .execute();
    const retried = await gateway.authorize(crashed);
    assert.equal(retried.ok, true, 'the retry runs instead of answering "in progress" for ever');
    const [record] = await books.selectFrom('sandbox_gateway_requests').select('response').where('idempotency_key', '=', crashed.idempotencyKey).execute();
    assert.notEqual(record?.response, null);
  });
});

for (const dialect of testDialects()) {
  test(`ST-3 PL-6 migration 0550 moves the store's payments into the payments table with their purpose and owner [${dialect}]`, async () => {
    const database = await openTestDatabase(dialect, { migrateBefore: '0550' });
    try {
      const nowMs = 1_772_470_800_000;
      const base = { gateway: 'sandbox', captured_minor: 0, refunded_minor: 0, failure_code: null, confirmed_at_ms: null, created_at_ms: nowMs, updated_at_ms: nowMs };
      await tables<{ store_payments: Record<string, unknown> }>(database.db)
        .insertInto('store_payments')
        .values([
          { ...base, id: 'pay_old_1', member_id: 'mem_1', order_id: 'ord_1', redemption_id: null, gateway_payment_id: 'sbx_pay_1', amount_minor: 2599, captured_minor: 2599, refunded_minor: 500, status: 'partially_refunded', confirmed_at_ms: nowMs },
          { ...base, id: 'pay_old_2', member_id: null, order_id: 'ord_2', redemption_id: null, gateway: 'pending', gateway_payment_id: null, amount_minor: 100, status: 'failed', failure_code: 'card_declined' },
          { ...base, id: 'pay_old_3', member_id: 'mem_3', order_id: null, redemption_id: 'ord_3', gateway_payment_id: 'sbx_pay_3', amount_minor: 499, captured_minor: 499, status: 'captured', confirmed_at_ms: nowMs },
        ])
        .execute();
      await migrateTestSchema(dialect, () => migrateToLatest(database.db));
      const rows = await sql<Record<string, unknown>>`select id, purpose, owner_ref, member_id, currency, amount_minor, gateway, gateway_payment_id, status, captured_minor, refunded_minor, failure_code from payments order by id`.execute(database.db);
      assert.deepEqual(rows.rows.map((row) => ({ ...row })), [
        { id: 'pay_old_1', purpose: 'order', owner_ref: 'ord_1', member_id: 'mem_1', currency: 'USD', amount_minor: 2599, gateway: 'sandbox', gateway_payment_id: 'sbx_pay_1', status: 'partially_refunded', captured_minor: 2599, refunded_minor: 500, failure_code: null },
        { id: 'pay_old_2', purpose: 'order', owner_ref: 'ord_2', member_id: null, currency: 'USD', amount_minor: 100, gateway: 'pending', gateway_payment_id: null, status: 'failed', captured_minor: 0, refunded_minor: 0, failure_code: 'card_declined' },
        { id: 'pay_old_3', purpose: 'redemption_fee', owner_ref: 'ord_3', member_id: 'mem_3', currency: 'USD', amount_minor: 499, gateway: 'sandbox', gateway_payment_id: 'sbx_pay_3', status: 'captured', captured_minor: 499, refunded_minor: 0, failure_code: null },
      ]);
      await assert.rejects(sql`select id from store_payments`.execute(database.db), 'the store’s table is gone');
    } finally {
      await database.dispose();
    }
  });
}
