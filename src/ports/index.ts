// The port interfaces (the `Ports` record itself is in src/deps.ts, next to the Ctx its hooks receive).

export type { FileStorage, StoredFile } from './file-storage.port.ts';
export { isSafeStorageKey } from './file-storage.port.ts';
export type { MailTransport, OutgoingMail } from './mail-transport.port.ts';
export type { MemberContact, MemberContacts, MemberStatus } from './member-contacts.port.ts';
export { GatewayUnavailableError, type GatewayFailureCode, type GatewayPayment, type GatewayRefund, type GatewayResult, type PaymentGateway } from './payment-gateway.port.ts';
export { createSandboxSmsProvider, type OutgoingText, type SandboxSmsProvider, type SentText, type SmsProvider } from './sms-provider.port.ts';
