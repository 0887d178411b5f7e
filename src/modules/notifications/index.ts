// The notifications module's public face (docs/CONTRACTS.md): the email outbox, its delivery job and the mail view.
import type { JobHandler } from '../../jobs/index.ts';
import type { RegisterRoutes } from '../../http/types.ts';
import { registerMailRoutes } from './mail.routes.ts';
import { deliverEmail } from './delivery.jobs.ts';
import { deliverEmailJobType } from './outbox.service.ts';

export { queueEmail, listMessages, getMessage, deliveryJobKey, deliveryMaxAttempts, allowedExtraHeaders, type QueueEmailInput, type Message, type MessageSummary } from './outbox.service.ts';
export { messageIdHeader } from './delivery.jobs.ts';
export { createSmtpTransport, verifySmtp } from './smtp.transport.ts';
export { defineTemplate, escapeHtml, formatCredits, formatDateTimeUtc, greeting, templateFields, type Block, type EmailTemplate, type RenderedEmail } from './templates/index.ts';
export { messageStates, type MessageState } from './outbox.table.ts';

export const registerRoutes: RegisterRoutes = (app, deps) => registerMailRoutes(app, deps);

export const jobHandlers: Record<string, JobHandler> = { [deliverEmailJobType]: deliverEmail };

/** The personal-data columns of this module's tables (PV-16; docs/PERSONAL-DATA.md). */
export { notificationsPersonalData as personalData } from './notifications.data-map.ts';

/** Scrape-time metrics for /metrics (src/http/metrics.ts; listed in app.ts). */
export { outboxMetrics as metrics } from './outbox-metrics.ts';
