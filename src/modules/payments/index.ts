// The payments module's public face (docs/CONTRACTS.md): the gateway the installation talks to (deps.ports.payments,
// whose port is src/ports/payment-gateway.port.ts), the sandbox gateway adapter, and the payments table: one row per
// money movement Patron asks a gateway for. The store uses it for orders and redemption fees; membership renewals and
// after-sales refunds are next.
export { paymentGateway, releaseAuthorization } from './gateway.service.ts';
export { createSandboxGateway, sandboxTokens, type SandboxOptions, type SandboxToken } from './sandbox.gateway.ts';
export { GatewayUnavailableError, type PaymentGateway, type GatewayFailureCode, type GatewayResult, type GatewayPayment, type GatewayRefund } from '../../ports/index.ts';

export {
  openPayment,
  recordCapturedPayment,
  markPaymentAuthorized,
  markPaymentCaptured,
  closeUnpaidPayment,
  recordPaymentRefund,
  findLatestPayment,
  type OpenPaymentInput,
  type RecordCapturedPaymentInput,
} from './payments.service.ts';
export type { Payment } from './payments.repository.ts';
export { paymentPurposes, paymentStatuses, paymentsPersonalData as personalData, type PaymentPurpose, type PaymentStatus } from './payments.table.ts';
