// The payment gateway port (ST-3): what checkout, refunds and redemptions need from a card processor. The sandbox
// gateway (sandbox.gateway.ts) implements it and is the default; a real processor is another adapter behind it.
//
// Every call carries an idempotency key: a repeated call with the same key and the same parameters returns the first
// answer without charging again; the same key with other parameters is refused (`idempotency_mismatch`). A decline
// or a processing failure is an answer (`ok: false`), not an exception; an exception means the gateway could not be
// reached and the outcome is unknown (the caller retries with the same key).
import type { Deps } from '../../../deps.ts';

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

const gateways = new WeakMap<object, PaymentGateway>();

/**
 * The gateway for an installation. Deps has no slot for it (the foundation's shape), so it is keyed by the
 * installation's database handle; `useGateway` swaps it (tests use a sandbox without delays, production an adapter).
 */
export function useGateway(deps: Pick<Deps, 'database'>, gateway: PaymentGateway): void {
  gateways.set(deps.database, gateway);
}

export function gatewayFor(deps: Pick<Deps, 'database'>, createDefault: () => PaymentGateway): PaymentGateway {
  let gateway = gateways.get(deps.database);
  if (!gateway) {
    gateway = createDefault();
    gateways.set(deps.database, gateway);
  }
  return gateway;
}
