// The domain-event outbox's personal data (PV-16): events name the member they concern and carry IDs and amounts
// only (events.service.ts refuses anything else), and they are deleted with the member.
import { declareTable, eraseByDelete, type PersonalDataMap } from '../../db/personal-data.ts';

export const eventsPersonalData: PersonalDataMap = [
  ...declareTable('domain_events', 'member_id', {
    member_id: { category: 'identifier', purpose: 'The member an event (an order paid, a case opened, a consent changed) concerns, for subscribers that keep their own records.', retention: 'operational_short', erase: eraseByDelete },
    subject_id: { category: 'identifier', purpose: 'The order, case, request or member the event is about.', retention: 'operational_short', erase: eraseByDelete },
    data: { category: 'payload', purpose: 'The IDs, codes and amounts a subscriber needs to act on the event.', retention: 'operational_short', erase: eraseByDelete },
  }),
];
