// Row type of the domain-event outbox; it never leaves this module.
import type { Executor } from '../../db/database.ts';
import { tables } from '../../db/database.ts';

export interface DomainEventRow {
  id: string;
  type: string;
  /** The thing the event is about (`mem_…`, `ord_…`, `cas_…`): events of one subject are delivered in `id` order. */
  subject_id: string;
  /** The member the event concerns, when there is one (export and erasure find the event by it). */
  member_id: string | null;
  occurred_at_ms: number;
  /** Canonical JSON of IDs, codes and amounts (never names, addresses or free text). */
  data: string;
  /** When the outgoing-webhook fan-out took the event (migration 0901); null until then. */
  dispatched_at_ms: number | null;
}

export interface EventTables {
  domain_events: DomainEventRow;
}

export function eventTables(db: Executor) {
  return tables<EventTables>(db);
}
