// Delivering events to the endpoints (issue 13, NT-1's pattern for webhooks): the fan-out turns each committed event
// into one delivery per subscribed endpoint, and the sender leases due deliveries, POSTs them signed, and records
// each attempt with retries, backoff and per-subject order. Several instances may run this against one PostgreSQL:
// events are taken with SKIP LOCKED and a unique (endpoint, event) pair, deliveries with leases (PL-7), so each event
// is sent once per endpoint (a crash between the POST and its record repeats that one POST, under the same
// `webhook-id`, which receivers use to drop the repeat).
import { transact, type Ctx, type Deps } from '../../deps.ts';
import { countWebhookDelivery, type WebhookDeliveryOutcome } from '../../http/metrics.ts';
import { deleteInBatches, yieldBetweenBatches } from '../../db/batches.ts';
import { DAY_MS, monotonicMs } from '../../platform/clock.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { randomInt } from '../../platform/ids.ts';
import { listAdminEmails } from '../accounts/index.ts';
import { skipCreditEvents, takeCreditEvents } from '../credits/index.ts';
import { markEventsDispatched, pruneDispatchedEvents, takeUndispatchedEvents, type DomainEvent } from '../events/index.ts';
import { queueEmail } from '../notifications/index.ts';
import { erasedAmong } from '../privacy/index.ts';
import { endpointDisabledEmail } from './emails/endpoint-disabled.ts';
import { signingSecrets, toEndpoint } from './endpoints.service.ts';
import { postWebhook, requestTimeoutMs, type PostResult } from './http.transport.ts';
import {
  claimDueDeliveries, deleteFinishedDeliveriesBefore, disableFailingEndpoint, findDelivery, findEndpoint, insertAttempt, insertDeliveries, selectEndpoints, selectEndpointsFailingSince,
  settleClaimedDelivery, type DeliveryChanges,
} from './webhooks.repository.ts';
import { maxAttempts, retryDelayMs, signatureHeader, type WebhookPayload } from './signing.rules.ts';
import type { AttemptKind, WebhookDeliveryRow, WebhookEndpointRow } from './webhooks.table.ts';
import { webhookTables } from './webhooks.table.ts';

/** Events taken per fan-out transaction. */
export const fanOutBatchSize = 200;
/** Ledger transactions read per fan-out transaction (most make one event; adjustments and holds none). */
export const creditFeedBatchSize = 500;
/** Deliveries leased per round; they are sent concurrently (one subject's deliveries are never in one round). */
export const sendBatchSize = 10;
/** A lease outlives the request's timeout, so a live worker never loses its claim mid-request. */
export const deliveryLeaseMs = requestTimeoutMs + 60_000;
/** A dispatch run stops leasing new work after this much wall time; the next scheduled run goes on. */
export const dispatchBudgetMs = 60_000;
/** Finished deliveries and their attempt log are kept this long for the console, then deleted. */
export const deliveryRetentionMs = 30 * DAY_MS;

export const testEventType = 'webhook.test';

/** The body sent for an event: its type, time and data (IDs and amounts), with the subject and member IDs. */
export function payloadOf(event: Pick<DomainEvent, 'subjectId' | 'memberId' | 'occurredAtMs' | 'data'> & { type: string }): string {
  const payload: WebhookPayload = {
    type: event.type,
    timestamp: new Date(event.occurredAtMs).toISOString(),
    data: { subjectId: event.subjectId, memberId: event.memberId, ...event.data },
  };
  return JSON.stringify(payload);
}

/**
 * Endpoints that collect deliveries: enabled ones, and those disabled automatically for failing — their events wait
 * (in order) for the endpoint to be enabled again, so an outage costs nothing but time. An endpoint an agent disabled
 * by hand collects nothing until enabled.
 */
function collects(endpoint: WebhookEndpointRow): boolean {
  return endpoint.state !== 'disabled';
}

/** A batch of events taken for the fan-out, and whether its source may hold more right away. */
interface TakenEvents {
  events: DomainEvent[];
  full: boolean;
  /** Marks the batch taken, in the transaction that wrote its deliveries. */
  settle?: () => Promise<void>;
}

/** An endpoint that collects deliveries, with the event types it takes. */
interface Collector {
  id: string;
  types: Set<string>;
}

/** The outbox (every module's events but the ledger's): undispatched events, locked with SKIP LOCKED. */
async function takeOutboxEvents(trx: Ctx): Promise<TakenEvents> {
  const events = await takeUndispatchedEvents(trx, fanOutBatchSize);
  return { events, full: events.length === fanOutBatchSize, settle: () => markEventsDispatched(trx, events.map((event) => event.id)) };
}

/**
 * The ledger's `credits.*` events, read from its committed transactions after this consumer's position (credits
 * event-feed.ts), which moves in the same transaction. A member erased before the fan-out reached their events gets
 * none sent, as erasure deletes a member's undispatched outbox rows. While no endpoint takes a credits type the
 * position just moves to the end: the events nobody takes are not read (and, like other events, not sent to an
 * endpoint registered later).
 */
async function takeLedgerEvents(trx: Ctx, collectors: readonly Collector[]): Promise<TakenEvents> {
  if (!collectors.some((collector) => [...collector.types].some((type) => type.startsWith('credits.')))) {
    await skipCreditEvents(trx, 'webhooks');
    return { events: [], full: false };
  }
  const page = await takeCreditEvents(trx, 'webhooks', creditFeedBatchSize);
  if (!page) return { events: [], full: false };
  const erased = await erasedAmong(trx.db, page.events.map((event) => event.memberId!));
  return { events: erased.size === 0 ? page.events : page.events.filter((event) => !erased.has(event.memberId!)), full: page.transactions === creditFeedBatchSize };
}

/**
 * Turns events into deliveries, a batch per transaction, from the outbox and then from the ledger: the batch's
 * deliveries are inserted (a repeated pair is ignored) and the batch marked taken in the same commit. Returns how
 * many events were dispatched.
 */
export async function fanOutEvents(deps: Deps): Promise<number> {
  return (await fanOutFrom(deps, takeOutboxEvents)) + (await fanOutFrom(deps, takeLedgerEvents));
}

async function fanOutFrom(deps: Deps, take: (trx: Ctx, collectors: readonly Collector[]) => Promise<TakenEvents>): Promise<number> {
  let total = 0;
  for (let batches = 0; ; batches++) {
    if (batches > 0) await yieldBetweenBatches();
    const { taken, full } = await transact(deps, async (trx) => {
      const collectors: Collector[] = (await selectEndpoints(trx.db)).filter(collects).map((row) => ({ id: row.id, types: new Set<string>(toEndpoint(row).eventTypes) }));
      const batch = await take(trx, collectors);
      if (batch.events.length > 0) {
        const nowMs = trx.clock.nowMs();
        const rows: WebhookDeliveryRow[] = [];
        for (const event of batch.events) {
          for (const endpoint of collectors) {
            if (!endpoint.types.has(event.type)) continue;
            rows.push(newDelivery(trx, { endpointId: endpoint.id, eventId: event.id, eventType: event.type, subjectId: event.subjectId, memberId: event.memberId, payload: payloadOf(event), nowMs }));
          }
        }
        await insertDeliveries(trx.db, rows);
      }
      await batch.settle?.();
      return { taken: batch.events.length, full: batch.full };
    });
    total += taken;
    if (!full) return total;
  }
}

function newDelivery(
  ctx: Ctx,
  input: { endpointId: string; eventId: string; eventType: string; subjectId: string; memberId: string | null; payload: string; nowMs: number },
): WebhookDeliveryRow {
  return {
    id: ctx.ids.next('whd'),
    endpoint_id: input.endpointId,
    event_id: input.eventId,
    type: input.eventType,
    subject_id: input.subjectId,
    member_id: input.memberId,
    payload: input.payload,
    state: 'pending',
    attempts: 0,
    next_attempt_at_ms: input.nowMs,
    locked_until_ms: null,
    last_status: null,
    last_error: null,
    created_at_ms: input.nowMs,
    completed_at_ms: null,
    updated_at_ms: input.nowMs,
  };
}

/** The three Standard Webhooks headers for one attempt at a delivery (signed with every secret in force). */
export function webhookHeaders(deps: Pick<Deps, 'secret'>, endpoint: WebhookEndpointRow, delivery: Pick<WebhookDeliveryRow, 'event_id' | 'payload'>, nowMs: number): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    'webhook-id': delivery.event_id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(signingSecrets(deps, endpoint, nowMs), delivery.event_id, timestamp, delivery.payload),
  };
}

/** What a failed attempt does to the delivery: retry with backoff (the worker), or leave the state as it was (a manual resend), or give up (a test message). */
type OnFailure = 'retry' | 'keep' | 'give_up';

async function attempt(deps: Deps, delivery: WebhookDeliveryRow, kind: AttemptKind, onFailure: OnFailure): Promise<PostResult> {
  const endpoint = await findEndpoint(deps.db, delivery.endpoint_id);
  // Removed after the claim (removing an endpoint removes its deliveries): there is nothing left to send or record.
  if (!endpoint) return { ok: false, statusCode: null, durationMs: 0, failureCode: 'endpoint_removed', responseExcerpt: null };
  const startedAtMs = deps.clock.nowMs();
  const result = await postWebhook(endpoint.url, webhookHeaders(deps, endpoint, delivery, startedAtMs), delivery.payload);
  await settle(deps, { delivery, endpoint, kind, onFailure, startedAtMs, result });
  return result;
}

async function settle(
  deps: Deps,
  input: { delivery: WebhookDeliveryRow; endpoint: WebhookEndpointRow; kind: AttemptKind; onFailure: OnFailure; startedAtMs: number; result: PostResult },
): Promise<void> {
  const { delivery, endpoint, result } = input;
  let outcome: WebhookDeliveryOutcome | null = null;
  await transact(deps, async (trx) => {
    const nowMs = trx.clock.nowMs();
    const attempts = delivery.attempts + 1;
    const changes: DeliveryChanges = { attempts, locked_until_ms: null, last_status: result.statusCode, last_error: result.failureCode, updated_at_ms: nowMs };
    if (result.ok) {
      Object.assign(changes, { state: 'succeeded', completed_at_ms: nowMs });
      outcome = 'delivered';
    } else if (input.onFailure === 'give_up' || (input.onFailure === 'retry' && attempts >= maxAttempts)) {
      Object.assign(changes, { state: 'failed', completed_at_ms: nowMs });
      outcome = 'gave_up';
    } else if (input.onFailure === 'retry') {
      changes.next_attempt_at_ms = nowMs + retryDelayMs(attempts, randomInt(1_000_000) / 1_000_000);
    }
    outcome ??= 'failed';
    if (!(await settleClaimedDelivery(trx.db, delivery, changes))) {
      outcome = null;
      deps.logger.warn({ deliveryId: delivery.id }, 'webhook delivery lease was lost before its attempt was recorded');
      return;
    }
    await insertAttempt(trx.db, {
      id: trx.ids.next('wha'),
      delivery_id: delivery.id,
      endpoint_id: delivery.endpoint_id,
      member_id: delivery.member_id,
      kind: input.kind,
      started_at_ms: input.startedAtMs,
      duration_ms: result.durationMs,
      status_code: result.statusCode,
      status: result.ok ? 'succeeded' : 'failed',
      failure_code: result.failureCode,
      response_excerpt: result.responseExcerpt,
    });
    if (result.ok) {
      if (endpoint.failing_since_ms !== null) await webhookTables(trx.db).updateTable('webhook_endpoints').set({ failing_since_ms: null }).where('id', '=', endpoint.id).execute();
    } else {
      await webhookTables(trx.db).updateTable('webhook_endpoints').set({ failing_since_ms: nowMs }).where('id', '=', endpoint.id).where('failing_since_ms', 'is', null).execute();
    }
  });
  // Counted after the commit, so a rolled-back settlement is never counted (PL-12).
  if (outcome !== null) countWebhookDelivery(deps.db, outcome, delivery.type);
}

/**
 * Disables endpoints that have failed without a success for the configured days (3 by default) and emails the
 * admins, once per failure streak (the update is guarded by the streak's start, the email keyed by it).
 */
export async function disableFailingEndpoints(deps: Deps): Promise<string[]> {
  const nowMs = deps.clock.nowMs();
  const days = deps.config.webhooks.disableAfterDays;
  const disabled: string[] = [];
  for (const endpoint of await selectEndpointsFailingSince(deps.db, nowMs - days * DAY_MS)) {
    const failingSinceMs = Number(endpoint.failing_since_ms);
    const done = await transact(deps, async (trx) => {
      if (!(await disableFailingEndpoint(trx.db, endpoint.id, failingSinceMs, nowMs))) return false;
      const lastError = await webhookTables(trx.db).selectFrom('webhook_attempts').select('failure_code').where('endpoint_id', '=', endpoint.id).orderBy('id', 'desc').limit(1).executeTakeFirst();
      const data = {
        endpointId: endpoint.id,
        host: new URL(endpoint.url).host,
        failingSince: new Date(failingSinceMs).toISOString(),
        days,
        lastError: lastError?.failure_code ?? null,
        link: `${deps.config.http.publicUrl}/console/outgoing-webhooks/${endpoint.id}`,
      };
      for (const to of await listAdminEmails(trx)) {
        await queueEmail(trx, { memberId: null, to, template: endpointDisabledEmail, data, dedupeKey: `webhook-disabled:${endpoint.id}:${failingSinceMs}:${to}` });
      }
      return true;
    });
    if (done) {
      deps.logger.warn({ endpointId: endpoint.id, failingSinceMs }, 'webhook endpoint disabled after failing for days');
      disabled.push(endpoint.id);
    }
  }
  return disabled;
}

export interface DispatchResult {
  fannedOut: number;
  attempted: number;
  succeeded: number;
  disabled: number;
}

/**
 * One dispatch run (the `webhooks-dispatch` job, every 10 seconds): disable endpoints failing for days, fan out new
 * events, then lease and send due deliveries in rounds until none is due or the wall-time budget is spent.
 */
export async function runWebhookDispatch(deps: Deps, options: { budgetMs?: number } = {}): Promise<DispatchResult> {
  const disabled = (await disableFailingEndpoints(deps)).length;
  const fannedOut = await fanOutEvents(deps);
  const started = monotonicMs();
  let attempted = 0;
  let succeeded = 0;
  while (monotonicMs() - started < (options.budgetMs ?? dispatchBudgetMs)) {
    const nowMs = deps.clock.nowMs();
    const claimed = await transact(deps, (trx) => claimDueDeliveries(trx.db, { nowMs, limit: sendBatchSize, lockedUntilMs: nowMs + deliveryLeaseMs }));
    if (claimed.length === 0) break;
    const results = await Promise.all(claimed.map((delivery) => attempt(deps, delivery, 'automatic', 'retry')));
    attempted += results.length;
    succeeded += results.filter((result) => result.ok).length;
  }
  return { fannedOut, attempted, succeeded, disabled };
}

/** Leases one delivery for a manual attempt: any state, unless an attempt is in flight. */
async function claimForManualAttempt(ctx: Ctx, deliveryId: string): Promise<WebhookDeliveryRow> {
  const nowMs = ctx.clock.nowMs();
  const claimed = await webhookTables(ctx.db)
    .updateTable('webhook_deliveries')
    .set({ locked_until_ms: nowMs + deliveryLeaseMs, updated_at_ms: nowMs })
    .where('id', '=', deliveryId)
    .where((eb) => eb.or([eb('locked_until_ms', 'is', null), eb('locked_until_ms', '<=', nowMs)]))
    .returningAll()
    .executeTakeFirst();
  if (claimed) return claimed;
  if (!(await findDelivery(ctx.db, deliveryId))) throw notFound('The delivery');
  throw new AppError('conflict', 'This delivery is being sent right now; look again in a moment.');
}

/**
 * Manual redelivery from the console: one attempt now, outside the queue's order (an agent asked for it). Success
 * marks the delivery succeeded; a failure leaves it as it was (a pending one keeps its retry schedule, a given-up one
 * stays given up).
 */
export async function redeliver(deps: Deps, input: { deliveryId: string; endpointId?: string }): Promise<PostResult> {
  const existing = await findDelivery(deps.db, input.deliveryId);
  if (!existing || (input.endpointId !== undefined && existing.endpoint_id !== input.endpointId)) throw notFound('The delivery');
  const claimed = await claimForManualAttempt(deps, input.deliveryId);
  return attempt(deps, claimed, 'manual', 'keep');
}

/** A `webhook.test` message to one endpoint now, logged like any delivery; a failure is not retried. */
export async function sendTestEvent(deps: Deps, input: { endpointId: string }): Promise<{ deliveryId: string; result: PostResult }> {
  const endpoint = await findEndpoint(deps.db, input.endpointId);
  if (!endpoint) throw notFound('The webhook endpoint');
  const nowMs = deps.clock.nowMs();
  const eventId = deps.ids.next('evt');
  const delivery = newDelivery(deps, {
    endpointId: endpoint.id,
    eventId,
    eventType: testEventType,
    subjectId: eventId,
    memberId: null,
    payload: payloadOf({ type: testEventType, subjectId: endpoint.id, memberId: null, occurredAtMs: nowMs, data: { endpointId: endpoint.id } }),
    nowMs,
  });
  const claimed = { ...delivery, locked_until_ms: nowMs + deliveryLeaseMs };
  await insertDeliveries(deps.db, [claimed]);
  const result = await attempt(deps, claimed, 'manual', 'give_up');
  return { deliveryId: delivery.id, result };
}

/**
 * Deletes finished deliveries older than the retention, and the outbox's dispatched events older than it (the
 * `operational_short` class of their data maps), in bounded batches (CONVENTIONS 12).
 */
export async function pruneDeliveries(deps: Deps): Promise<number> {
  const cutoffMs = deps.clock.nowMs() - deliveryRetentionMs;
  const deliveries = await deleteInBatches((limit) => transact(deps, (trx) => deleteFinishedDeliveriesBefore(trx.db, cutoffMs, limit)));
  const events = await deleteInBatches((limit) => pruneDispatchedEvents(deps, cutoffMs, limit));
  return deliveries + events;
}

