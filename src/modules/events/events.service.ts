// Recording domain events in the caller's transaction (the transactional outbox): an event exists exactly when the
// change it describes committed.
import type { Ctx } from '../../deps.ts';
import { assert } from '../../platform/assert.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import type { EventType } from './events.catalogue.ts';
import { checkEventInput, type RecordEventInput } from './events.input.ts';
import { deleteDispatchedEventsBefore, insertEvents, markEventsDispatched as markDispatched, selectUndispatchedEvents } from './events.repository.ts';
import type { DomainEventRow } from './events.table.ts';

export type { RecordEventInput } from './events.input.ts';

export interface DomainEvent {
  id: string;
  type: EventType;
  subjectId: string;
  memberId: string | null;
  occurredAtMs: number;
  data: Record<string, unknown>;
}

/**
 * Appends events in the caller's transaction; refuses to run outside one, because an event written apart from its
 * change could describe something that then rolled back (or miss something that committed).
 */
export async function recordEvents(ctx: Ctx, inputs: readonly RecordEventInput[]): Promise<DomainEvent[]> {
  assert(ctx.db.isTransaction, 'recordEvents runs in the caller’s transaction');
  if (inputs.length === 0) return [];
  const at = ctx.clock.nowMs();
  const events: DomainEvent[] = [];
  const rows: DomainEventRow[] = inputs.map((input) => {
    const event = checkEventInput(input);
    const id = ctx.ids.next('evt');
    events.push({ id, type: event.type, subjectId: event.subjectId, memberId: event.memberId, occurredAtMs: at, data: event.data });
    return { id, type: event.type, subject_id: event.subjectId, member_id: event.memberId, occurred_at_ms: at, data: canonicalJson(event.data), dispatched_at_ms: null };
  });
  await insertEvents(ctx.db, rows);
  return events;
}

export async function recordEvent(ctx: Ctx, input: RecordEventInput): Promise<DomainEvent> {
  const [event] = await recordEvents(ctx, [input]);
  assert(event !== undefined, 'one event recorded');
  return event;
}

export function toEvent(row: DomainEventRow): DomainEvent {
  return { id: row.id, type: row.type as EventType, subjectId: row.subject_id, memberId: row.member_id, occurredAtMs: Number(row.occurred_at_ms), data: JSON.parse(row.data) as Record<string, unknown> };
}

/**
 * For the outgoing-webhook fan-out, in its transaction: up to `limit` events not dispatched yet (oldest ID first,
 * whenever they committed), and a function that marks them dispatched in the same transaction.
 */
export async function takeUndispatchedEvents(ctx: Pick<Ctx, 'db'>, limit: number): Promise<DomainEvent[]> {
  assert(ctx.db.isTransaction, 'the fan-out takes events in its own transaction');
  return (await selectUndispatchedEvents(ctx.db, limit)).map(toEvent);
}

export async function markEventsDispatched(ctx: Pick<Ctx, 'db' | 'clock'>, eventIds: readonly string[]): Promise<void> {
  await markDispatched(ctx.db, eventIds, ctx.clock.nowMs());
}

/** Deletes up to `limit` dispatched events that occurred before `cutoffMs` (the webhook prune job's upkeep). */
export function pruneDispatchedEvents(ctx: Pick<Ctx, 'db'>, cutoffMs: number, limit: number): Promise<number> {
  return deleteDispatchedEventsBefore(ctx.db, cutoffMs, limit);
}
