// Outgoing webhooks API (src/modules/webhooks/webhooks.routes.ts, shapes in webhooks.schemas.ts): endpoints, their
// secrets, test messages, the delivery log and redelivery. Staff only.
import { api } from './client.ts';

export type EndpointState = 'enabled' | 'disabled' | 'auto_disabled';
export type DeliveryState = 'pending' | 'succeeded' | 'failed';

/** endpointView */
export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  state: EndpointState;
  failingSince: string | null;
  previousSecretUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

/** deliveryView */
export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  subjectId: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  completedAt: string | null;
}

/** attemptView */
export interface WebhookAttempt {
  id: string;
  kind: 'automatic' | 'manual';
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  status: 'succeeded' | 'failed';
  failureCode: string | null;
  responseExcerpt: string | null;
}

/** attemptResultView */
export interface AttemptResult {
  deliveryId: string;
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  failureCode: string | null;
}

const endpointPath = (id: string) => `/agent/webhooks/endpoints/${encodeURIComponent(id)}`;

export const webhooksApi = {
  eventTypes: () => api.get<{ eventTypes: string[] }>('/agent/webhooks/event-types'),
  endpoints: () => api.get<{ endpoints: WebhookEndpoint[] }>('/agent/webhooks/endpoints'),
  endpoint: (id: string) => api.get<WebhookEndpoint>(endpointPath(id)),
  create: (body: { url: string; description: string; eventTypes: string[] }) => api.post<{ endpoint: WebhookEndpoint; secret: string }>('/agent/webhooks/endpoints', body),
  change: (id: string, patch: { url?: string; description?: string; eventTypes?: string[]; enabled?: boolean }) => api.patch<WebhookEndpoint>(endpointPath(id), patch),
  remove: (id: string) => api.delete<null>(endpointPath(id)),
  rotateSecret: (id: string) => api.post<{ endpoint: WebhookEndpoint; secret: string }>(`${endpointPath(id)}/rotate-secret`),
  secret: (id: string) => api.get<{ secret: string }>(`${endpointPath(id)}/secret`),
  sendTest: (id: string) => api.post<AttemptResult>(`${endpointPath(id)}/test`),
  deliveries: (id: string, query: { state?: DeliveryState; before?: string; limit?: number }) => {
    const params = new URLSearchParams();
    if (query.state) params.set('state', query.state);
    if (query.before) params.set('before', query.before);
    params.set('limit', String(query.limit ?? 50));
    return api.get<{ deliveries: WebhookDelivery[]; nextBefore: string | null }>(`${endpointPath(id)}/deliveries?${params.toString()}`);
  },
  delivery: (id: string) => api.get<{ delivery: WebhookDelivery; payload: string; attempts: WebhookAttempt[] }>(`/agent/webhooks/deliveries/${encodeURIComponent(id)}`),
  redeliver: (id: string) => api.post<AttemptResult>(`/agent/webhooks/deliveries/${encodeURIComponent(id)}/redeliver`),
};
