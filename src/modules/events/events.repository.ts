// SQL of the domain-event outbox.
import type { Executor } from '../../db/database.ts';
import { eventTables, type DomainEventRow } from './events.table.ts';

const insertChunk = 500;

export async function insertEvents(db: Executor, rows: readonly DomainEventRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += insertChunk) {
    await eventTables(db).insertInto('domain_events').values(rows.slice(i, i + insertChunk)).execute();
  }
}

/** Events after `afterId` in ID order (IDs sort by time), oldest first. */
export function selectEventsAfter(db: Executor, afterId: string | null, limit: number): Promise<DomainEventRow[]> {
  let query = eventTables(db).selectFrom('domain_events').selectAll().orderBy('id').limit(limit);
  if (afterId !== null) query = query.where('id', '>', afterId);
  return query.execute();
}
