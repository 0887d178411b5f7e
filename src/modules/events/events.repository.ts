// SQL of the domain-event outbox.
import { isPostgres, type Executor } from '../../db/database.ts';
import { rawSqliteInTransaction, type RawSqlite } from '../../db/sqlite-raw.ts';
import { eventTables, type DomainEventRow } from './events.table.ts';

const insertChunk = 500;

export async function insertEvents(db: Executor, rows: readonly DomainEventRow[]): Promise<void> {
  // SQLite in the caller's transaction: prepared statements on the connection it owns (src/db/sqlite-raw.ts).
  const raw = rawSqliteInTransaction(db);
  if (raw) return sqliteInsertEventRowsSync(raw, rows);
  for (let i = 0; i < rows.length; i += insertChunk) {
    await eventTables(db).insertInto('domain_events').values(rows.slice(i, i + insertChunk)).execute();
  }
}

/** SQLite: inserts event rows on the raw connection the caller's write transaction holds (src/db/sqlite-raw.ts). */
function sqliteInsertEventRowsSync(raw: RawSqlite, rows: readonly DomainEventRow[]): void {
  const insert = raw.statement('insert into domain_events (id, type, subject_id, member_id, occurred_at_ms, data) values (?, ?, ?, ?, ?, ?)');
  for (const row of rows) insert.run(row.id, row.type, row.subject_id, row.member_id, row.occurred_at_ms, row.data);
}

/** Events after `afterId` in ID order (IDs sort by time), oldest first. */
export function selectEventsAfter(db: Executor, afterId: string | null, limit: number): Promise<DomainEventRow[]> {
  let query = eventTables(db).selectFrom('domain_events').selectAll().orderBy('id').limit(limit);
  if (afterId !== null) query = query.where('id', '>', afterId);
  return query.execute();
}

/**
 * Takes up to `limit` events the webhook fan-out has not dispatched yet, oldest ID first, in the caller's transaction.
 * Selecting by the marker rather than after a last-seen ID means an event that committed late (its transaction got its
 * ID before a neighbour's but committed after it) is taken on the next pass instead of being skipped. On PostgreSQL
 * the rows are locked with SKIP LOCKED, so concurrent workers take disjoint batches (PL-7).
 */
export async function selectUndispatchedEvents(db: Executor, limit: number): Promise<DomainEventRow[]> {
  const query = eventTables(db).selectFrom('domain_events').selectAll().where('dispatched_at_ms', 'is', null).orderBy('id').limit(limit);
  return (isPostgres(db) ? query.forUpdate().skipLocked() : query).execute();
}

/** Deletes up to `limit` events dispatched and older than `cutoffMs`; returns how many went. */
export async function deleteDispatchedEventsBefore(db: Executor, cutoffMs: number, limit: number): Promise<number> {
  const result = await eventTables(db)
    .deleteFrom('domain_events')
    .where('id', 'in', (eb) => eb.selectFrom('domain_events').select('id').where('dispatched_at_ms', 'is not', null).where('occurred_at_ms', '<', cutoffMs).limit(limit))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Marks events as dispatched (in the transaction that wrote their deliveries). */
export async function markEventsDispatched(db: Executor, ids: readonly string[], atMs: number): Promise<void> {
  for (let i = 0; i < ids.length; i += insertChunk) {
    await eventTables(db).updateTable('domain_events').set({ dispatched_at_ms: atMs }).where('id', 'in', ids.slice(i, i + insertChunk)).where('dispatched_at_ms', 'is', null).execute();
  }
}
