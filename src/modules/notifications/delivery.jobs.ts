// Delivers one outbox message over SMTP (NT-1, NT-2).
//
// Delivery is keyed by the outbox row: the job's key is `deliver-email:<message id>`, the row's state moves from
// queued exactly once (guarded updates), and the message carries the stable Message-ID `<msg_…@patron>`. A
// crash after commit but before sending loses nothing: the job is still queued (or its lease expires) and a
// fresh worker sends it. A crash after the SMTP server accepted the message but before the row was marked sent
// makes the retry hand the server the same Message-ID again, which mail systems use to drop the duplicate.
//
// With no SMTP server configured the message is marked `held` rather than left `queued`: it stays in the outbox
// for the console's mail view, no job keeps retrying it, and configuring SMTP later does not suddenly send old
// (possibly expired) links.
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { describeErrorSafely, type JobHandler } from '../../jobs/index.ts';
import { countAttempt, findMessage, markHeld, markSent, recordDeliveryFailure } from './outbox.repository.ts';
import { deliveryMaxAttempts } from './outbox.service.ts';

const deliverPayload = z.strictObject({ messageId: z.string().regex(/^msg_[0-9a-z]+$/) });

/** The idempotent send key: the same for every attempt at one outbox row. */
export function messageIdHeader(messageId: string): string {
  return `<${messageId}@patron>`;
}

const storedHeadersSchema = z.record(z.string(), z.string());

/** The message's extra headers as queued (promotional email only); transactional mail has none. */
function storedHeaders(text: string | null): { headers?: Record<string, string> } {
  return text === null ? {} : { headers: storedHeadersSchema.parse(JSON.parse(text)) };
}

export const deliverEmail: JobHandler = async (deps: Deps, payload, job) => {
  const { messageId } = deliverPayload.parse(payload);
  const log = deps.logger.child({ messageId, attempt: job.attempt });
  const message = await findMessage(deps.db, messageId);
  if (!message) {
    // Erasure (privacy) may remove a member's messages before they go out; there is then nothing to send.
    log.info('outbox message no longer exists; nothing to deliver');
    return;
  }
  if (message.state !== 'queued') return;
  const transport = deps.ports.mail;
  if (!transport) {
    await markHeld(deps.db, messageId);
    log.info('no SMTP server configured: message held in the outbox for the mail view');
    return;
  }
  await countAttempt(deps.db, messageId);
  try {
    await transport.send({ from: deps.config.mail.from, to: message.to_address, subject: message.subject, html: message.html, text: message.text, messageId: messageIdHeader(message.id), ...storedHeaders(message.headers) });
  } catch (error) {
    const final = job.attempt >= deliveryMaxAttempts;
    await recordDeliveryFailure(deps.db, messageId, describeErrorSafely(error), final);
    throw error;
  }
  if (!(await markSent(deps.db, messageId, deps.clock.nowMs()))) log.warn('message was sent but had already left the queued state');
  else log.info('email sent');
};
