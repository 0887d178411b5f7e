// Queuing email into the outbox (NT-1) and reading it back for the console's mail view (NT-2).
import { z } from 'zod';
import { transact, type Ctx } from '../../deps.ts';
import { assert } from '../../platform/assert.ts';
import { enqueueJob } from '../../jobs/index.ts';
import type { EmailTemplate } from './templates/index.ts';
import { findMessage, findMessageByDedupeKey, insertMessage, selectMessages } from './outbox.repository.ts';
import type { MessageState, OutboxMessageRow } from './outbox.table.ts';

export const deliverEmailJobType = 'deliver-email';
/** Ten attempts with the queue's backoff (10 s doubling, capped at an hour) keep trying for about an hour and a half. */
export const deliveryMaxAttempts = 10;

export function deliveryJobKey(messageId: string): string {
  return `${deliverEmailJobType}:${messageId}`;
}

export interface QueueEmailInput<S extends z.ZodType> {
  memberId: string | null;
  to: string;
  /** One of the owning module's templates (its emails/ folder). */
  template: EmailTemplate<S>;
  data: z.input<S>;
  /** A second queue with the same key is a no-op that returns the first message's ID. */
  dedupeKey?: string;
  /**
   * Extra mail headers, for promotional email only (PV-27: `List-Unsubscribe`, `List-Unsubscribe-Post`). Only the
   * names in `allowedExtraHeaders` are accepted, so no caller can set routing or identity headers.
   */
  headers?: Readonly<Record<string, string>>;
}

/** The extra headers a caller may set; everything else about a message's headers is the transport's. */
export const allowedExtraHeaders = ['List-Unsubscribe', 'List-Unsubscribe-Post'] as const;

const extraHeaders = z
  .partialRecord(z.enum(allowedExtraHeaders), z.string().min(1).max(2000).regex(/^[^\r\n]*$/, 'a header value is one line'))
  .refine((headers) => Object.keys(headers).length > 0, 'headers, when given, name at least one header');

const queueEmailInput = z.strictObject({
  memberId: z.string().min(1).max(100).nullable(),
  to: z.email().max(254),
  data: z.unknown(),
  dedupeKey: z.string().min(1).max(200).optional(),
  headers: extraHeaders.optional(),
});

/**
 * Renders the template now (so the mail view shows the message even when it is never sent), writes the outbox row
 * and its delivery job in the caller's transaction (NT-1): either both exist after commit, or neither.
 */
export async function queueEmail<S extends z.ZodType>(ctx: Ctx, input: QueueEmailInput<S>): Promise<{ messageId: string }> {
  const { template, ...rest } = input;
  const { memberId, to, data, dedupeKey, headers } = queueEmailInput.parse(rest);
  const rendered = template.render(data);
  const write = async (trx: Ctx): Promise<{ messageId: string }> => {
    const row: OutboxMessageRow = {
      id: trx.ids.next('msg'),
      member_id: memberId,
      to_address: to,
      template: template.name,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      state: 'queued',
      attempts: 0,
      dedupe_key: dedupeKey ?? null,
      created_at_ms: trx.clock.nowMs(),
      sent_at_ms: null,
      last_error: null,
      headers: headers ? JSON.stringify(headers) : null,
    };
    if (!(await insertMessage(trx.db, row))) {
      assert(dedupeKey !== undefined, 'an outbox insert without a dedupe key cannot conflict');
      const existing = await findMessageByDedupeKey(trx.db, dedupeKey);
      assert(existing, 'the outbox message that holds this dedupe key has vanished');
      return { messageId: existing.id };
    }
    await enqueueJob(trx, { type: deliverEmailJobType, payload: { messageId: row.id }, key: deliveryJobKey(row.id), maxAttempts: deliveryMaxAttempts });
    return { messageId: row.id };
  };
  return ctx.db.isTransaction ? write(ctx) : transact(ctx, write);
}

export interface MessageSummary {
  id: string;
  memberId: string | null;
  to: string;
  subject: string;
  state: MessageState;
  createdAtMs: number;
}

export interface Message extends MessageSummary {
  template: string;
  html: string;
  text: string;
  attempts: number;
  sentAtMs: number | null;
  lastError: string | null;
}

export const maxMessageListLimit = 200;

/** Newest first; `before` is the last message ID of the previous page. */
export async function listMessages(ctx: Ctx, input: { limit: number; before?: string }): Promise<MessageSummary[]> {
  assert(Number.isInteger(input.limit) && input.limit >= 1 && input.limit <= maxMessageListLimit, `list limit must be 1..${maxMessageListLimit}`);
  const rows = await selectMessages(ctx.db, input);
  return rows.map((row) => ({ id: row.id, memberId: row.member_id, to: row.to_address, subject: row.subject, state: row.state, createdAtMs: row.created_at_ms }));
}

export async function getMessage(ctx: Ctx, id: string): Promise<Message | undefined> {
  const row = await findMessage(ctx.db, id);
  if (!row) return undefined;
  return {
    id: row.id,
    memberId: row.member_id,
    to: row.to_address,
    subject: row.subject,
    state: row.state,
    createdAtMs: row.created_at_ms,
    template: row.template,
    html: row.html,
    text: row.text,
    attempts: row.attempts,
    sentAtMs: row.sent_at_ms,
    lastError: row.last_error,
  };
}
