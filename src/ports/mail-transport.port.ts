// The mail transport port (NT-2): how an outbox message leaves Patron. `deps.ports.mail` is the SMTP adapter when
// PATRON_SMTP_URL is set and null otherwise (messages are then held for the console's mail view).

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** The stable Message-ID header: the same for every attempt at one outbox row, so a resend is recognised. */
  messageId: string;
  /** Extra headers: only promotional email has any (List-Unsubscribe, List-Unsubscribe-Post; PV-27). */
  headers?: Readonly<Record<string, string>>;
}

export interface MailTransport {
  readonly name: string;
  /** Resolves once the receiving server accepted the message; throws when it did not (the job retries). */
  send(mail: OutgoingMail): Promise<void>;
}
