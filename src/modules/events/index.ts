// The events module's public face (docs/CONTRACTS.md): the transactional outbox of domain events that outgoing
// webhooks deliver. Every module records its events here, in the same transaction as the change.
export { recordEvent, recordEvents, toEvent, takeUndispatchedEvents, markEventsDispatched, pruneDispatchedEvents, type DomainEvent, type RecordEventInput } from './events.service.ts';
export { eventTypes, type EventType } from './events.catalogue.ts';
export { selectEventsAfter } from './events.repository.ts';

/** The personal-data columns of this module's tables (PV-16; docs/PERSONAL-DATA.md). */
export { eventsPersonalData as personalData } from './events.data-map.ts';
