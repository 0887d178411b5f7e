// SQL of the outgoing webhooks: endpoints, deliveries (claimed under leases) and the attempt log.
import type { ExpressionBuilder } from 'kysely';
import { isPostgres, type Executor } from '../../db/database.ts';
import { webhookTables, type DeliveryState, type WebhookAttemptRow, type WebhookDeliveryRow, type WebhookEndpointRow, type WebhookTables } from './webhooks.table.ts';

const chunk = 500;

export async function insertEndpoint(db: Executor, row: WebhookEndpointRow): Promise<void> {
  await webhookTables(db).insertInto('webhook_endpoints').values(row).execute();
}

export function findEndpoint(db: Executor, id: string): Promise<WebhookEndpointRow | undefined> {
  return webhookTables(db).selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

export function selectEndpoints(db: Executor): Promise<WebhookEndpointRow[]> {
  return webhookTables(db).selectFrom('webhook_endpoints').selectAll().orderBy('id').execute();
}

export function selectEnabledEndpoints(db: Executor): Promise<WebhookEndpointRow[]> {
  return webhookTables(db).selectFrom('webhook_endpoints').selectAll().where('state', '=', 'enabled').orderBy('id').execute();
}

export type EndpointChanges = Partial<Omit<WebhookEndpointRow, 'id' | 'created_at_ms' | 'created_by_member_id'>>;

export async function updateEndpoint(db: Executor, id: string, changes: EndpointChanges): Promise<boolean> {
  const result = await webhookTables(db).updateTable('webhook_endpoints').set(changes).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** An endpoint goes with its deliveries and their log. */
export async function deleteEndpoint(db: Executor, id: string): Promise<boolean> {
  await webhookTables(db).deleteFrom('webhook_attempts').where('endpoint_id', '=', id).execute();
  await webhookTables(db).deleteFrom('webhook_deliveries').where('endpoint_id', '=', id).execute();
  const result = await webhookTables(db).deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Failing since `cutoffMs` or earlier and still enabled: the candidates for automatic disabling. */
export function selectEndpointsFailingSince(db: Executor, cutoffMs: number): Promise<WebhookEndpointRow[]> {
  return webhookTables(db)
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('state', '=', 'enabled')
    .where('failing_since_ms', 'is not', null)
    .where('failing_since_ms', '<=', cutoffMs)
    .execute();
}

/** Disables an endpoint that is still enabled and still failing since `failingSinceMs`; false when something moved. */
export async function disableFailingEndpoint(db: Executor, id: string, failingSinceMs: number, nowMs: number): Promise<boolean> {
  const result = await webhookTables(db)
    .updateTable('webhook_endpoints')
    .set({ state: 'auto_disabled', updated_at_ms: nowMs })
    .where('id', '=', id)
    .where('state', '=', 'enabled')
    .where('failing_since_ms', '=', failingSinceMs)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Inserts deliveries; a pair (endpoint, event) that already has one is left alone, so a repeated fan-out adds nothing. */
export async function insertDeliveries(db: Executor, rows: readonly WebhookDeliveryRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    await webhookTables(db)
      .insertInto('webhook_deliveries')
      .values(rows.slice(i, i + chunk))
      .onConflict((oc) => oc.columns(['endpoint_id', 'event_id']).doNothing())
      .execute();
  }
}

/**
 * Due now: pending, its time has come, not leased (or the lease ran out), the endpoint enabled, and no earlier event
 * of the same subject still pending for the same endpoint — the per-subject order: a later event waits until the
 * earlier one succeeded or was given up. An earlier delivery in flight is still pending, so it holds the later ones.
 */
function isDue(nowMs: number) {
  return (eb: ExpressionBuilder<WebhookTables & { d: WebhookDeliveryRow }, 'd'>) =>
    eb.and([
      eb('d.state', '=', 'pending'),
      eb('d.next_attempt_at_ms', '<=', nowMs),
      eb.or([eb('d.locked_until_ms', 'is', null), eb('d.locked_until_ms', '<=', nowMs)]),
      eb.exists(eb.selectFrom('webhook_endpoints as e').select('e.id').whereRef('e.id', '=', 'd.endpoint_id').where('e.state', '=', 'enabled')),
      eb.not(
        eb.exists(
          eb
            .selectFrom('webhook_deliveries as p')
            .select('p.id')
            .whereRef('p.endpoint_id', '=', 'd.endpoint_id')
            .whereRef('p.subject_id', '=', 'd.subject_id')
            .where('p.state', '=', 'pending')
            .whereRef('p.event_id', '<', 'd.event_id'),
        ),
      ),
    ]);
}

/**
 * Leases up to `limit` due deliveries until `lockedUntilMs`, in the caller's transaction. On PostgreSQL
 * the candidates are locked FOR UPDATE SKIP LOCKED, so instances claim disjoint deliveries without waiting (PL-7);
 * the update repeats the due condition, so a delivery is leased to one worker at a time on either database.
 */
export async function claimDueDeliveries(db: Executor, input: { nowMs: number; limit: number; lockedUntilMs: number }): Promise<WebhookDeliveryRow[]> {
  const candidates = webhookTables(db).selectFrom('webhook_deliveries as d').select('d.id').where(isDue(input.nowMs)).orderBy('d.next_attempt_at_ms').orderBy('d.event_id').limit(input.limit);
  const due = await (isPostgres(db) ? candidates.forUpdate().skipLocked() : candidates).execute();
  if (due.length === 0) return [];
  return webhookTables(db)
    .updateTable('webhook_deliveries')
    .set({ locked_until_ms: input.lockedUntilMs, updated_at_ms: input.nowMs })
    .where('id', 'in', due.map((row) => row.id))
    .where('state', '=', 'pending')
    .where((eb) => eb.or([eb('locked_until_ms', 'is', null), eb('locked_until_ms', '<=', input.nowMs)]))
    .returningAll()
    .execute();
}

export function findDelivery(db: Executor, id: string): Promise<WebhookDeliveryRow | undefined> {
  return webhookTables(db).selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

export type DeliveryChanges = Partial<Pick<WebhookDeliveryRow, 'state' | 'attempts' | 'next_attempt_at_ms' | 'locked_until_ms' | 'last_status' | 'last_error' | 'completed_at_ms' | 'updated_at_ms'>>;

/**
 * Records an attempt's outcome only while the claim still holds: the lease time it set is still there (a later claim,
 * possible only after this lease ran out, sets a later time) and no attempt was recorded since.
 */
export async function settleClaimedDelivery(db: Executor, claimed: Pick<WebhookDeliveryRow, 'id' | 'attempts' | 'locked_until_ms'>, changes: DeliveryChanges): Promise<boolean> {
  if (claimed.locked_until_ms === null) return false;
  const result = await webhookTables(db)
    .updateTable('webhook_deliveries')
    .set(changes)
    .where('id', '=', claimed.id)
    .where('locked_until_ms', '=', claimed.locked_until_ms)
    .where('attempts', '=', claimed.attempts)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function insertAttempt(db: Executor, row: WebhookAttemptRow): Promise<void> {
  await webhookTables(db).insertInto('webhook_attempts').values(row).execute();
}

export function selectAttempts(db: Executor, deliveryId: string, limit: number): Promise<WebhookAttemptRow[]> {
  return webhookTables(db).selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('id', 'desc').limit(limit).execute();
}

/** An endpoint's deliveries, newest first; `before` is the last delivery ID of the previous page. */
export function selectDeliveries(db: Executor, input: { endpointId: string; state?: DeliveryState; before?: string; limit: number }): Promise<WebhookDeliveryRow[]> {
  let query = webhookTables(db).selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', input.endpointId).orderBy('id', 'desc').limit(input.limit);
  if (input.state) query = query.where('state', '=', input.state);
  if (input.before) query = query.where('id', '<', input.before);
  return query.execute();
}

/** Finished deliveries (and their attempts) created before `cutoffMs`, at most `limit`; returns how many went. */
export async function deleteFinishedDeliveriesBefore(db: Executor, cutoffMs: number, limit: number): Promise<number> {
  const rows = await webhookTables(db)
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('state', '!=', 'pending')
    .where('created_at_ms', '<', cutoffMs)
    .limit(limit)
    .execute();
  if (rows.length === 0) return 0;
  const ids = rows.map((row) => row.id);
  await webhookTables(db).deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
  await webhookTables(db).deleteFrom('webhook_deliveries').where('id', 'in', ids).execute();
  return ids.length;
}
