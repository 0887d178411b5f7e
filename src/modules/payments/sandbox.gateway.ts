// The sandbox payment gateway (ST-3): a stand-in card processor for development, demos and tests, with test tokens
// like a card network's test mode. It keeps its own books (tables sandbox_gateway_*) on its own connection, outside
// any caller's transaction, because to Patron it is an outside system.
//
// Each request's record and its effect commit together in one transaction of the sandbox's own: a real gateway that
// crashes mid-request recovers on its side, and this one runs in Patron's process, so a crash must not leave a key
// half-done (its retry would otherwise answer "still in progress" for ever, and a resumed flow could never finish).
// A concurrent duplicate waits for the first to commit and then gets its answer.
//
// Test tokens (the `paymentToken` a checkout sends):
//   tok_approve, tok_visa     approves: authorize, capture, void and refunds all succeed
//   tok_decline               authorization declined (card_declined)
//   tok_insufficient_funds    authorization declined (insufficient_funds)
//   tok_fail_after_delay      waits `failureDelayMs` (default 1.5 s), then fails (processing_error), like a timeout
//   tok_capture_fail          authorizes, but the capture fails (processing_error)
//   tok_refund_fail           authorizes and captures, but every refund fails (processing_error)
// Any other token is refused (invalid_token).
import { createHash } from 'node:crypto';
import type { Deps } from '../../deps.ts';
import type { Executor } from '../../db/database.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import { randomToken } from '../../platform/ids.ts';
import { paymentsTables, type SandboxPaymentRow } from './payments.table.ts';
import type { GatewayFailureCode, GatewayPayment, GatewayRefund, GatewayResult, PaymentGateway } from '../../ports/index.ts';

export const sandboxTokens = ['tok_approve', 'tok_visa', 'tok_decline', 'tok_insufficient_funds', 'tok_fail_after_delay', 'tok_capture_fail', 'tok_refund_fail'] as const;
export type SandboxToken = (typeof sandboxTokens)[number];

export interface SandboxOptions {
  /** How long `tok_fail_after_delay` takes before failing. */
  failureDelayMs?: number;
}

const declines: Partial<Record<SandboxToken, { code: GatewayFailureCode; message: string }>> = {
  tok_decline: { code: 'card_declined', message: 'The card was declined.' },
  tok_insufficient_funds: { code: 'insufficient_funds', message: 'The card has insufficient funds.' },
  tok_fail_after_delay: { code: 'processing_error', message: 'The card network did not answer in time.' },
};

function isSandboxToken(token: string): token is SandboxToken {
  return (sandboxTokens as readonly string[]).includes(token);
}

/** Canonical, so a retry that builds the same request with its keys in another order is still the same request. */
function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}

function fail(code: GatewayFailureCode, message: string): { ok: false; code: GatewayFailureCode; message: string } {
  return { ok: false, code, message };
}

function toPayment(row: SandboxPaymentRow, confirmedAtMs: number): GatewayPayment {
  if (row.status !== 'authorized' && row.status !== 'captured' && row.status !== 'voided') throw new Error(`sandbox payment ${row.id} is ${row.status}`);
  return { paymentId: row.id, status: row.status, amountMinor: row.amount_minor, capturedMinor: row.captured_minor, refundedMinor: row.refunded_minor, confirmedAtMs };
}

export function createSandboxGateway(deps: Pick<Deps, 'database' | 'clock'>, options: SandboxOptions = {}): PaymentGateway {
  const failureDelayMs = options.failureDelayMs ?? 1500;

  /** Runs `work` once per idempotency key, in one transaction with its record, and replays its answer afterwards. */
  async function once<T>(key: string, operation: string, request: unknown, work: (db: Executor) => Promise<GatewayResult<T>>): Promise<GatewayResult<T>> {
    const requestHash = hashOf({ operation, request });
    return deps.database.db.transaction().execute(async (trx) => {
      const books = paymentsTables(trx);
      const record = () =>
        books
          .insertInto('sandbox_gateway_requests')
          .values({ idempotency_key: key, operation, request_hash: requestHash, response: null, created_at_ms: deps.clock.nowMs() })
          .onConflict((oc) => oc.column('idempotency_key').doNothing())
          .executeTakeFirst();
      if (Number((await record()).numInsertedOrUpdatedRows ?? 0n) === 0) {
        const existing = await books.selectFrom('sandbox_gateway_requests').selectAll().where('idempotency_key', '=', key).executeTakeFirstOrThrow();
        if (existing.request_hash !== requestHash) return fail('idempotency_mismatch', 'This idempotency key was used with other parameters.');
        if (existing.response !== null) return JSON.parse(existing.response) as GatewayResult<T>;
        // Only a request that crashed before this version committed its record without an answer; run it again.
        await books.deleteFrom('sandbox_gateway_requests').where('idempotency_key', '=', key).execute();
        await record();
      }
      const result = await work(trx);
      await books.updateTable('sandbox_gateway_requests').set({ response: JSON.stringify(result) }).where('idempotency_key', '=', key).execute();
      return result;
    });
  }

  async function loadPayment(db: Executor, paymentId: string): Promise<SandboxPaymentRow | undefined> {
    return paymentsTables(db).selectFrom('sandbox_gateway_payments').selectAll().where('id', '=', paymentId).executeTakeFirst();
  }

  return {
    name: 'sandbox',

    async authorize(input) {
      // The wait happens before the sandbox's transaction, which must not stay open for it (SQLite has one writer).
      if (input.token === 'tok_fail_after_delay' && failureDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, failureDelayMs));
      return once(input.idempotencyKey, 'authorize', input, async (db): Promise<GatewayResult<GatewayPayment>> => {
        if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor < 1) return fail('invalid_request', 'The amount must be at least one minor unit.');
        if (!isSandboxToken(input.token)) return fail('invalid_token', 'This payment token is not one of the sandbox test tokens.');
        const decline = declines[input.token];
        if (decline) return fail(decline.code, decline.message);
        const nowMs = deps.clock.nowMs();
        const row: SandboxPaymentRow = {
          id: `sbx_pay_${randomToken(12)}`,
          token: input.token,
          currency: input.currency,
          amount_minor: input.amountMinor,
          captured_minor: 0,
          refunded_minor: 0,
          status: 'authorized',
          created_at_ms: nowMs,
          updated_at_ms: nowMs,
        };
        await paymentsTables(db).insertInto('sandbox_gateway_payments').values(row).execute();
        return { ok: true, ...toPayment(row, nowMs) };
      });
    },

    capture(input) {
      return once(input.idempotencyKey, 'capture', input, async (db): Promise<GatewayResult<GatewayPayment>> => {
        const payment = await loadPayment(db, input.paymentId);
        if (!payment) return fail('invalid_request', 'No such payment.');
        if (payment.token === 'tok_capture_fail') return fail('processing_error', 'The capture could not be completed.');
        if (payment.status !== 'authorized') return fail('invalid_request', `The payment is ${payment.status}, not authorized.`);
        if (input.amountMinor < 1 || input.amountMinor > payment.amount_minor) return fail('invalid_request', 'A capture cannot exceed the authorized amount.');
        const nowMs = deps.clock.nowMs();
        const updated = await paymentsTables(db)
          .updateTable('sandbox_gateway_payments')
          .set({ status: 'captured', captured_minor: input.amountMinor, updated_at_ms: nowMs })
          .where('id', '=', payment.id)
          .where('status', '=', 'authorized')
          .returningAll()
          .executeTakeFirst();
        if (!updated) return fail('invalid_request', 'The payment changed while it was being captured.');
        return { ok: true, ...toPayment(updated, nowMs) };
      });
    },

    void(input) {
      return once(input.idempotencyKey, 'void', input, async (db): Promise<GatewayResult<GatewayPayment>> => {
        const nowMs = deps.clock.nowMs();
        const updated = await paymentsTables(db)
          .updateTable('sandbox_gateway_payments')
          .set({ status: 'voided', updated_at_ms: nowMs })
          .where('id', '=', input.paymentId)
          .where('status', '=', 'authorized')
          .returningAll()
          .executeTakeFirst();
        if (!updated) return fail('invalid_request', 'Only an authorized, uncaptured payment can be voided.');
        return { ok: true, ...toPayment(updated, nowMs) };
      });
    },

    refund(input) {
      return once(input.idempotencyKey, 'refund', input, async (db): Promise<GatewayResult<GatewayRefund>> => {
        const payment = await loadPayment(db, input.paymentId);
        if (!payment) return fail('invalid_request', 'No such payment.');
        if (payment.token === 'tok_refund_fail') return fail('processing_error', 'The refund could not be completed.');
        if (payment.status !== 'captured') return fail('invalid_request', 'Only a captured payment can be refunded.');
        if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor < 1) return fail('invalid_request', 'The amount must be at least one minor unit.');
        const nowMs = deps.clock.nowMs();
        const updated = await paymentsTables(db)
          .updateTable('sandbox_gateway_payments')
          .set((eb) => ({ refunded_minor: eb('refunded_minor', '+', input.amountMinor), updated_at_ms: nowMs }))
          .where('id', '=', payment.id)
          .where((eb) => eb(eb('refunded_minor', '+', input.amountMinor), '<=', eb.ref('captured_minor')))
          .returningAll()
          .executeTakeFirst();
        if (!updated) return fail('invalid_request', 'A refund cannot exceed what is left of the captured amount.');
        return { ok: true, refundId: `sbx_re_${randomToken(12)}`, paymentId: payment.id, amountMinor: input.amountMinor, refundedMinor: updated.refunded_minor, confirmedAtMs: nowMs };
      });
    },
  };
}
