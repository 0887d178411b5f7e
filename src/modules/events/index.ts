// The events module's public face (docs/CONTRACTS.md): the transactional outbox of domain events that outgoing
// webhooks deliver. Every module records its events here, in the same transaction as the change.
export { recordEvent, recordEvents, tagEventRows, toEvent, takeUndispatchedEvents, markEventsDispatched, pruneDispatchedEvents, type DomainEvent, type RecordEventInput, type TaggedEventRow } from './events.service.ts';
export { eventTypes, type EventType } from './events.catalogue.ts';
export { selectEventsAfter, pgInsertTaggedEventsSql, sqliteInsertEventRowsSync } from './events.repository.ts';

/** The personal-data columns of this module's tables (PV-16; docs/PERSONAL-DATA.md). */
export { eventsPersonalData as personalData } from './events.data-map.ts';

/** Scrape-time metrics for /metrics (src/http/metrics.ts; listed in app.ts). */
export { ledgerEventMetrics as metrics } from './events-metrics.ts';
