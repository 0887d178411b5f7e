// Which gateway an installation uses: the sandbox unless something (a test, a real adapter) swapped it in.
import type { Deps } from '../../../deps.ts';
import { gatewayFor, type PaymentGateway } from './gateway.port.ts';
import { createSandboxGateway } from './sandbox.gateway.ts';

export function paymentGateway(deps: Pick<Deps, 'database' | 'clock'>): PaymentGateway {
  return gatewayFor(deps, () => createSandboxGateway(deps));
}
