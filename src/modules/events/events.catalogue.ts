// The catalogue of domain events other systems can subscribe to (issue 13: outgoing webhooks). A type not listed
// here is refused when recorded, so the documented catalogue and what is written never drift apart.
export const eventTypes = [
  'credits.earned',
  'credits.unlocked',
  'credits.expired',
  'credits.reversed',
  'credits.spent',
  'order.paid',
  'order.refunded',
  'membership.started',
  'membership.renewed',
  'membership.past_due',
  'membership.lapsed',
  'membership.canceled',
  'case.opened',
  'case.status_changed',
  'case.resolved',
  'privacy_request.received',
  'privacy_request.completed',
  'consent.changed',
] as const;
export type EventType = (typeof eventTypes)[number];
