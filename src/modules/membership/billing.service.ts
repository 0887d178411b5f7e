// Charging a membership fee through the gateway port (ST-3): authorize and capture under keys derived from the
// subscription, the period and the attempt, so a repeated call after a crash or a lost answer gets the gateway's
// first answer instead of a second charge. Never called inside a transaction.
import type { Deps } from '../../deps.ts';
import { GatewayUnavailableError } from '../../ports/index.ts';
import { releaseAuthorization } from '../payments/index.ts';

export type ChargeOutcome =
  | { kind: 'paid'; gateway: string; paymentId: string; capturedMinor: number; confirmedAtMs: number }
  | { kind: 'declined'; code: string; message: string }
  /** The gateway did not answer: the outcome is unknown; ask again with the same key. */
  | { kind: 'unknown' };

/** The key of one charge attempt: period `seq` of the subscription, attempt 0 at the due date, then each retry. */
export function chargeKey(subscriptionId: string, seq: number, attempt: number): string {
  return `membership:${subscriptionId}:${seq}:${attempt}`;
}

export async function chargeFee(deps: Pick<Deps, 'logger' | 'ports'>, input: { token: string; amountMinor: number; key: string }): Promise<ChargeOutcome> {
  const gateway = deps.ports.payments;
  try {
    const authorization = await gateway.authorize({ token: input.token, amountMinor: input.amountMinor, currency: 'USD', idempotencyKey: `${input.key}:authorize` });
    if (!authorization.ok) return { kind: 'declined', code: authorization.code, message: authorization.message };
    const capture = await gateway.capture({ paymentId: authorization.paymentId, amountMinor: input.amountMinor, idempotencyKey: `${input.key}:capture` });
    if (!capture.ok) {
      // An uncaptured authorization lapses by itself; voiding it sooner frees the member's funds (logged if refused).
      await releaseAuthorization(deps, gateway, { paymentId: authorization.paymentId, idempotencyKey: `${input.key}:void` });
      return { kind: 'declined', code: capture.code, message: capture.message };
    }
    return { kind: 'paid', gateway: gateway.name, paymentId: capture.paymentId, capturedMinor: capture.capturedMinor, confirmedAtMs: capture.confirmedAtMs };
  } catch (error) {
    if (error instanceof GatewayUnavailableError) return { kind: 'unknown' };
    throw error;
  }
}
