// Row type of the outbox; it never leaves this module's repository.
import type { Executor } from '../../db/database.ts';
import { tables } from '../../db/database.ts';

/**
 * queued: waiting for (another) delivery attempt. sent: accepted by the SMTP server. held: no SMTP server is
 * configured (NT-2), so the message is kept for the console's mail view and never sent. failed: delivery gave up.
 */
export const messageStates = ['queued', 'sent', 'held', 'failed'] as const;
export type MessageState = (typeof messageStates)[number];

export interface OutboxMessageRow {
  id: string;
  member_id: string | null;
  to_address: string;
  template: string;
  subject: string;
  html: string;
  text: string;
  state: MessageState;
  attempts: number;
  dedupe_key: string | null;
  created_at_ms: number;
  sent_at_ms: number | null;
  last_error: string | null;
  /** JSON object of extra mail headers (promotional email's List-Unsubscribe, PV-27); null for transactional mail. */
  headers: string | null;
}

export interface OutboxTables {
  outbox_messages: OutboxMessageRow;
}

export function outboxTables(db: Executor) {
  return tables<OutboxTables>(db);
}
