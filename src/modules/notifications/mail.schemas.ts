// What the console's mail view accepts and returns.
import { z } from 'zod';
import { messageStates } from './outbox.table.ts';
import { maxMessageListLimit, type Message, type MessageSummary } from './outbox.service.ts';

const messageId = z.string().regex(/^msg_[0-9a-z]+$/).max(64);

export const mailListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(maxMessageListLimit).default(50),
  before: messageId.optional(),
});

export const mailParams = z.strictObject({ id: messageId });

export const messageSummaryView = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  state: z.enum(messageStates),
  createdAt: z.iso.datetime(),
  memberId: z.string().nullable(),
});

export const messageListView = z.object({
  messages: z.array(messageSummaryView),
  /** Pass as `before` for the next (older) page; null when this page is the last. */
  nextBefore: z.string().nullable(),
});

export const messageView = messageSummaryView.extend({
  template: z.string(),
  html: z.string(),
  text: z.string(),
  attempts: z.number().int(),
  sentAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
});

const iso = (ms: number) => new Date(ms).toISOString();

export function toSummaryView(message: MessageSummary): z.infer<typeof messageSummaryView> {
  return { id: message.id, to: message.to, subject: message.subject, state: message.state, createdAt: iso(message.createdAtMs), memberId: message.memberId };
}

export function toMessageView(message: Message): z.infer<typeof messageView> {
  return {
    ...toSummaryView(message),
    template: message.template,
    html: message.html,
    text: message.text,
    attempts: message.attempts,
    sentAt: message.sentAtMs === null ? null : iso(message.sentAtMs),
    lastError: message.lastError,
  };
}
