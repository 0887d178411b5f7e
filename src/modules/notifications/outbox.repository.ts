// SQL for the outbox. State changes are guarded by the state they leave, so a late or repeated job changes nothing.
import type { Executor } from '../../db/database.ts';
import { outboxTables, type OutboxMessageRow } from './outbox.table.ts';

/** Inserts the row unless its dedupe key exists; returns whether it was written. */
export async function insertMessage(db: Executor, row: OutboxMessageRow): Promise<boolean> {
  const result = await outboxTables(db).insertInto('outbox_messages').values(row).onConflict((oc) => oc.column('dedupe_key').doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export function findMessageByDedupeKey(db: Executor, dedupeKey: string): Promise<Pick<OutboxMessageRow, 'id'> | undefined> {
  return outboxTables(db).selectFrom('outbox_messages').select('id').where('dedupe_key', '=', dedupeKey).executeTakeFirst();
}

export function findMessage(db: Executor, id: string): Promise<OutboxMessageRow | undefined> {
  return outboxTables(db).selectFrom('outbox_messages').selectAll().where('id', '=', id).executeTakeFirst();
}

export type MessageSummaryRow = Pick<OutboxMessageRow, 'id' | 'member_id' | 'to_address' | 'subject' | 'state' | 'created_at_ms'>;

/** Newest first (IDs sort by creation time); `before` is the last ID of the previous page. */
export function selectMessages(db: Executor, filter: { limit: number; before?: string }): Promise<MessageSummaryRow[]> {
  let query = outboxTables(db).selectFrom('outbox_messages').select(['id', 'member_id', 'to_address', 'subject', 'state', 'created_at_ms']);
  if (filter.before !== undefined) query = query.where('id', '<', filter.before);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
}

async function moveFromQueued(db: Executor, id: string, changes: Partial<OutboxMessageRow>): Promise<boolean> {
  const result = await outboxTables(db).updateTable('outbox_messages').set(changes).where('id', '=', id).where('state', '=', 'queued').executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Counted before the SMTP conversation starts, so the mail view shows attempts that never came back. */
export async function countAttempt(db: Executor, id: string): Promise<void> {
  await outboxTables(db)
    .updateTable('outbox_messages')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('state', '=', 'queued')
    .execute();
}

export function markSent(db: Executor, id: string, sentAtMs: number): Promise<boolean> {
  return moveFromQueued(db, id, { state: 'sent', sent_at_ms: sentAtMs, last_error: null });
}

export function markHeld(db: Executor, id: string): Promise<boolean> {
  return moveFromQueued(db, id, { state: 'held' });
}

/** Records why an attempt failed; the message stays queued for the retry unless this was the last attempt. */
export async function recordDeliveryFailure(db: Executor, id: string, lastError: string, final: boolean): Promise<void> {
  await moveFromQueued(db, id, final ? { state: 'failed', last_error: lastError } : { last_error: lastError });
}
