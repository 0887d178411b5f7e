// Row types of the outgoing-webhook tables (migration 0901); they never leave this module's repository.
import type { Executor } from '../../db/database.ts';
import { tables } from '../../db/database.ts';

export const endpointStates = ['enabled', 'disabled', 'auto_disabled'] as const;
export type EndpointState = (typeof endpointStates)[number];
export const deliveryStates = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryState = (typeof deliveryStates)[number];
export const attemptKinds = ['automatic', 'manual'] as const;
export type AttemptKind = (typeof attemptKinds)[number];

export interface WebhookEndpointRow {
  id: string;
  url: string;
  description: string;
  /** JSON array of catalogue event types. */
  event_types: string;
  /** Encrypted `whsec_…` (platform/secret-box.ts). */
  secret: string;
  previous_secret: string | null;
  previous_secret_until_ms: number | null;
  /** `auto_disabled`: failed for days; its events keep collecting (in order) until it is enabled again. */
  state: EndpointState;
  failing_since_ms: number | null;
  created_by_member_id: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface WebhookDeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  /** The event type. */
  type: string;
  subject_id: string;
  member_id: string | null;
  payload: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at_ms: number;
  /** The lease, and the claim's fencing token: a later claim always sets a later time. */
  locked_until_ms: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at_ms: number;
  completed_at_ms: number | null;
  updated_at_ms: number;
}

export interface WebhookAttemptRow {
  id: string;
  delivery_id: string;
  endpoint_id: string;
  member_id: string | null;
  kind: AttemptKind;
  started_at_ms: number;
  duration_ms: number;
  status_code: number | null;
  status: 'succeeded' | 'failed';
  failure_code: string | null;
  response_excerpt: string | null;
}

export interface WebhookTables {
  webhook_endpoints: WebhookEndpointRow;
  webhook_deliveries: WebhookDeliveryRow;
  webhook_attempts: WebhookAttemptRow;
}

export function webhookTables(db: Executor) {
  return tables<WebhookTables>(db);
}
