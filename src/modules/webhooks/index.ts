// The webhooks module's public face (docs/CONTRACTS.md): outgoing webhooks — endpoints staff register, signed
// deliveries of the domain events (src/modules/events) with retries, per-subject order and a delivery log.
import type { RegisterRoutes } from '../../http/types.ts';
import { endpointDisabledEmail } from './emails/endpoint-disabled.ts';
import { registerWebhookRoutes } from './webhooks.routes.ts';

export { createEndpoint, changeEndpoint, getEndpoint, listEndpoints, removeEndpoint, rotateEndpointSecret, revealEndpointSecret, type Endpoint, type StaffActor } from './endpoints.service.ts';
export { fanOutEvents, runWebhookDispatch, redeliver, sendTestEvent, disableFailingEndpoints, pruneDeliveries, payloadOf, testEventType, type DispatchResult } from './delivery.service.ts';
export { listDeliveries, getDelivery, type Delivery, type Attempt } from './delivery-log.service.ts';
export { maxAttempts, retryDelayMs, rotationGraceMs, signatureHeader } from './signing.rules.ts';
export { jobHandlers, schedules, dispatchJobType, dispatchEveryMs } from './webhooks.jobs.ts';

export const registerRoutes: RegisterRoutes = (app, deps) => registerWebhookRoutes(app, deps);

/** This module's emails (src/modules.ts lists them for the mail preview and the template test). */
export const templates = [endpointDisabledEmail];

/** The personal-data columns of this module's tables (PV-16; docs/PERSONAL-DATA.md). */
export { webhooksPersonalData as personalData } from './webhooks.data-map.ts';
