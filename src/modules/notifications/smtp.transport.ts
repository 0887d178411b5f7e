// The SMTP adapter of the mail transport port (NT-2), one connection per message: a worker sends a trickle, and a
// pooled connection would outlive the SMTP server's idle timeout between messages.
import nodemailer from 'nodemailer';
import type { MailTransport } from '../../ports/index.ts';

/** Short timeouts keep a dead server from holding a job anywhere near its lease. */
const smtpTimeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

export function createSmtpTransport(smtpUrl: string): MailTransport {
  return {
    name: 'smtp',
    async send(mail) {
      const transport = nodemailer.createTransport({ url: smtpUrl, ...smtpTimeouts });
      try {
        await transport.sendMail(mail);
      } finally {
        transport.close();
      }
    },
  };
}

/** Connects to the SMTP server and says hello (and signs in, when the URL has credentials): `patron doctor`. */
export async function verifySmtp(smtpUrl: string): Promise<void> {
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 5_000 });
  try {
    await transport.verify();
  } finally {
    transport.close();
  }
}
