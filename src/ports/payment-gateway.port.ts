// The payment gateway port (ST-3): what checkout, refunds, redemptions, membership billing and after-sales refunds
// need from a card processor. It arrives as `deps.ports.payments`; the payments module's sandbox gateway is the
// default adapter, a real processor is another one behind the same interface.
//
// Every call carries an idempotency key: a repeated call with the same key and the same parameters returns the first
// answer without charging again; the same key with other parameters is refused (`idempotency_mismatch`). A decline
// or a processing failure is an answer (`ok: false`), not an exception; an exception means the gateway could not be
// reached and the outcome is unknown (the caller retries with the same key).
export type GatewayFailureCode = 'card_declined' | 'insufficient_funds' | 'processing_error' | 'invalid_token' | 'invalid_request' | 'idempotency_mismatch';

export type GatewayResult<T> = ({ ok: true } & T) | { ok: false; code: GatewayFailureCode; message: string };

export interface GatewayPayment {
  paymentId: string;
  status: 'authorized' | 'captured' | 'voided';
  amountMinor: number;
  capturedMinor: number;
  refundedMinor: number;
  /** When the gateway confirmed this step (ST-4: a capture's confirmation is the order's payment time). */
  confirmedAtMs: number;
}

export interface GatewayRefund {
  refundId: string;
  paymentId: string;
  amountMinor: number;
  refundedMinor: number;
  confirmedAtMs: number;
}

export interface PaymentGateway {
  readonly name: string;
  authorize(input: { token: string; amountMinor: number; currency: 'USD'; idempotencyKey: string }): Promise<GatewayResult<GatewayPayment>>;
  capture(input: { paymentId: string; amountMinor: number; idempotencyKey: string }): Promise<GatewayResult<GatewayPayment>>;
  void(input: { paymentId: string; idempotencyKey: string }): Promise<GatewayResult<GatewayPayment>>;
  refund(input: { paymentId: string; amountMinor: number; idempotencyKey: string }): Promise<GatewayResult<GatewayRefund>>;
}

/** Thrown by an adapter when the gateway could not be reached: the outcome is unknown, retry with the same key. */
export class GatewayUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayUnavailableError';
  }
}
