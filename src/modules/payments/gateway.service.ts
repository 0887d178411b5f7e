// The installation's gateway (deps.ports.payments) and the best-effort release of an authorization.
import type { Deps } from '../../deps.ts';
import type { PaymentGateway } from '../../ports/index.ts';

/**
 * Best-effort release of an authorization whose capture failed. The caller has already decided the payment failed,
 * so a void that does not go through must not change that answer; an uncaptured authorization lapses at the card
 * network by itself. It is logged (IDs only) so an operator can release it by hand sooner.
 */
export async function releaseAuthorization(
  deps: Pick<Deps, 'logger'>,
  gateway: PaymentGateway,
  input: { paymentId: string; idempotencyKey: string },
): Promise<void> {
  try {
    const voided = await gateway.void(input);
    if (!voided.ok) deps.logger.warn({ gateway: gateway.name, paymentId: input.paymentId, code: voided.code }, 'authorization not voided; it will lapse');
  } catch (error) {
    deps.logger.warn({ gateway: gateway.name, paymentId: input.paymentId, err: error }, 'authorization not voided; it will lapse');
  }
}

export function paymentGateway(deps: Pick<Deps, 'ports'>): PaymentGateway {
  return deps.ports.payments;
}
