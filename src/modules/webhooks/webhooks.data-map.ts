// Outgoing webhooks' personal data (PV-16): a delivery names the member its event concerns and carries the event's
// IDs and amounts; the attempt log names the member too, so erasure removes both with the member's events.
import { declareTable, eraseByAnonymizing, eraseByDelete, type PersonalDataMap } from '../../db/personal-data.ts';

export const webhooksPersonalData: PersonalDataMap = [
  ...declareTable('webhook_endpoints', 'created_by_member_id', {
    created_by_member_id: { category: 'identifier', purpose: 'Which staff member registered the endpoint (accountability; changes are in the audit log).', retention: 'account', erase: eraseByAnonymizing },
    // The endpoint's settings are the registering staff member's work, not a customer's data; they are declared under
    // that staff member so an export of a staff account shows them (the secrets are credentials: never exported).
    url: { category: 'network', purpose: 'Where the business receives the events it subscribed to.', retention: 'account', erase: eraseByAnonymizing },
    description: { category: 'free_text', purpose: 'The label staff gave the endpoint.', retention: 'account', erase: eraseByAnonymizing },
    event_types: { category: 'preference', purpose: 'Which event types the endpoint receives.', retention: 'account', erase: eraseByAnonymizing },
    secret: { category: 'credential', purpose: 'Signs each message (Standard Webhooks), encrypted at rest.', retention: 'account', erase: eraseByAnonymizing },
    previous_secret: { category: 'credential', purpose: 'Signs messages as well during the day after a rotation.', retention: 'account', erase: eraseByAnonymizing },
    previous_secret_until_ms: { category: 'credential', purpose: 'When the previous secret stops signing.', retention: 'account', erase: eraseByAnonymizing },
  }),
  ...declareTable('webhook_deliveries', 'member_id', {
    member_id: { category: 'identifier', purpose: 'The member the delivered event concerns, so a subscriber can match it to its own records.', retention: 'operational_short', erase: eraseByDelete },
    subject_id: { category: 'identifier', purpose: 'The order, case, request or member the delivered event is about.', retention: 'operational_short', erase: eraseByDelete },
    event_id: { category: 'identifier', purpose: 'The event delivered, sent as webhook-id so receivers drop repeats.', retention: 'operational_short', erase: eraseByDelete },
    payload: { category: 'payload', purpose: 'The exact body sent to the endpoint (IDs and amounts), signed on every attempt.', retention: 'operational_short', erase: eraseByDelete },
  }),
  ...declareTable('webhook_attempts', 'member_id', {
    member_id: { category: 'identifier', purpose: 'The member the attempted delivery concerns (erased with the delivery).', retention: 'operational_short', erase: eraseByDelete },
    response_excerpt: { category: 'payload', purpose: 'The first characters of the endpoint’s answer, for staff diagnosing a failing endpoint.', retention: 'operational_short', erase: eraseByDelete },
  }),
];
