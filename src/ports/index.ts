// The adapters Patron talks to the outside world through (CONVENTIONS: ports in Deps). Built once by the runtime
// (src/runtime.ts) or a test, never looked up from module-level state, so a test swaps any of them.
import type { FileStorage } from './file-storage.port.ts';
import type { MailTransport } from './mail-transport.port.ts';
import type { MemberContacts } from './member-contacts.port.ts';
import type { PaymentGateway } from './payment-gateway.port.ts';

export interface Ports {
  payments: PaymentGateway;
  /** Null when no SMTP server is configured: messages are held in the outbox. */
  mail: MailTransport | null;
  memberContacts: MemberContacts;
  files: FileStorage;
}

export type { FileStorage, StoredFile } from './file-storage.port.ts';
export { isSafeStorageKey } from './file-storage.port.ts';
export type { MailTransport, OutgoingMail } from './mail-transport.port.ts';
export type { MemberContact, MemberContacts, MemberStatus } from './member-contacts.port.ts';
export { GatewayUnavailableError, type GatewayFailureCode, type GatewayPayment, type GatewayRefund, type GatewayResult, type PaymentGateway } from './payment-gateway.port.ts';
