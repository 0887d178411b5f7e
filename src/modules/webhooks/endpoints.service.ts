// Registering, changing and removing outgoing webhook endpoints (issue 13), their signing secrets and rotation.
// Every change is audit-recorded (PV-33); secrets are encrypted at rest and shown only to staff who ask for them.
import { z } from 'zod';
import type { Ctx, Deps } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { randomToken } from '../../platform/ids.ts';
import { decryptText, deriveKey, encryptText } from '../../platform/secret-box.ts';
import { recordAudit } from '../audit/index.ts';
import { eventTypes, type EventType } from '../events/index.ts';
import { deleteEndpoint, findEndpoint, insertEndpoint, selectEndpoints, updateEndpoint, type EndpointChanges } from './webhooks.repository.ts';
import { formatSecret, rotationGraceMs, secretByteCount, urlProblem } from './signing.rules.ts';
import type { EndpointState, WebhookEndpointRow } from './webhooks.table.ts';

/** The context endpoint services need: the server secret encrypts the signing secrets (platform/secret-box.ts). */
export type WebhookCtx = Ctx & Pick<Deps, 'secret'>;

export interface StaffActor {
  id: string;
  role: 'agent' | 'admin';
}

export interface Endpoint {
  id: string;
  url: string;
  description: string;
  eventTypes: EventType[];
  /** `auto_disabled`: disabled after failing for days; its events keep collecting until it is enabled. */
  state: EndpointState;
  failingSinceMs: number | null;
  /** While a rotation's grace period runs, the old secret signs too until then. */
  previousSecretUntilMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
}

/** At most this many endpoints: every event is fanned out to each, so the number is bounded. */
export const maxEndpoints = 50;

const storedEventTypes = z.array(z.enum(eventTypes));

function secretKey(ctx: Pick<Deps, 'secret'>): Buffer {
  return deriveKey(ctx.secret, 'patron:webhook-endpoint-secret');
}

export function newSecret(): string {
  return formatSecret(Buffer.from(randomToken(secretByteCount), 'base64url'));
}

export function toEndpoint(row: WebhookEndpointRow): Endpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: storedEventTypes.parse(JSON.parse(row.event_types)),
    state: row.state,
    failingSinceMs: row.failing_since_ms === null ? null : Number(row.failing_since_ms),
    previousSecretUntilMs: row.previous_secret_until_ms === null ? null : Number(row.previous_secret_until_ms),
    createdAtMs: Number(row.created_at_ms),
    updatedAtMs: Number(row.updated_at_ms),
  };
}

/** The secrets that sign a message sent at `nowMs`: the current one, and the previous one during its grace period. */
export function signingSecrets(ctx: Pick<Deps, 'secret'>, row: WebhookEndpointRow, nowMs: number): string[] {
  const key = secretKey(ctx);
  const secrets = [decryptText(key, row.secret)];
  if (row.previous_secret !== null && row.previous_secret_until_ms !== null && nowMs < Number(row.previous_secret_until_ms)) secrets.push(decryptText(key, row.previous_secret));
  return secrets;
}

function checkUrl(url: string): void {
  const problem = urlProblem(url);
  if (problem) throw new AppError('validation', problem, { field: 'url' });
}

function uniqueTypes(types: readonly EventType[]): EventType[] {
  if (types.length === 0) throw new AppError('validation', 'Choose at least one event type.', { field: 'eventTypes' });
  return [...new Set(types)].sort();
}

async function audit(ctx: Ctx, actor: StaffActor, action: string, endpointId: string, details: Record<string, string | number | boolean | null | string[]> = {}): Promise<void> {
  await recordAudit(ctx, { actor, action: `webhooks.endpoint.${action}`, memberId: null, subject: endpointId, details });
}

export async function createEndpoint(
  ctx: WebhookCtx,
  input: { url: string; description: string; eventTypes: readonly EventType[]; actor: StaffActor },
): Promise<{ endpoint: Endpoint; secret: string }> {
  checkUrl(input.url);
  const types = uniqueTypes(input.eventTypes);
  if ((await selectEndpoints(ctx.db)).length >= maxEndpoints) throw new AppError('conflict', `There are already ${maxEndpoints} endpoints; remove one first.`);
  const nowMs = ctx.clock.nowMs();
  const secret = newSecret();
  const row: WebhookEndpointRow = {
    id: ctx.ids.next('whe'),
    url: input.url,
    description: input.description.trim(),
    event_types: JSON.stringify(types),
    secret: encryptText(secretKey(ctx), secret),
    previous_secret: null,
    previous_secret_until_ms: null,
    state: 'enabled',
    failing_since_ms: null,
    created_by_member_id: input.actor.id,
    created_at_ms: nowMs,
    updated_at_ms: nowMs,
  };
  await insertEndpoint(ctx.db, row);
  await audit(ctx, input.actor, 'created', row.id, { eventTypes: types.length });
  return { endpoint: toEndpoint(row), secret };
}

export async function listEndpoints(ctx: Pick<Ctx, 'db'>): Promise<Endpoint[]> {
  return (await selectEndpoints(ctx.db)).map(toEndpoint);
}

export async function getEndpoint(ctx: Pick<Ctx, 'db'>, endpointId: string): Promise<Endpoint> {
  const row = await findEndpoint(ctx.db, endpointId);
  if (!row) throw notFound('The webhook endpoint');
  return toEndpoint(row);
}

export interface EndpointPatch {
  url?: string;
  description?: string;
  eventTypes?: readonly EventType[];
  /** Enabling clears the failure streak, so a re-enabled endpoint gets its full N days again. */
  enabled?: boolean;
}

export async function changeEndpoint(ctx: WebhookCtx, input: { endpointId: string; patch: EndpointPatch; actor: StaffActor }): Promise<Endpoint> {
  const row = await findEndpoint(ctx.db, input.endpointId);
  if (!row) throw notFound('The webhook endpoint');
  const { patch } = input;
  const changes: EndpointChanges = { updated_at_ms: ctx.clock.nowMs() };
  if (patch.url !== undefined) {
    checkUrl(patch.url);
    changes.url = patch.url;
  }
  if (patch.description !== undefined) changes.description = patch.description.trim();
  if (patch.eventTypes !== undefined) changes.event_types = JSON.stringify(uniqueTypes(patch.eventTypes));
  if (patch.enabled === true && row.state !== 'enabled') Object.assign(changes, { state: 'enabled', failing_since_ms: null });
  if (patch.enabled === false && row.state !== 'disabled') changes.state = 'disabled';
  await updateEndpoint(ctx.db, row.id, changes);
  const fields = Object.keys(patch).sort();
  await audit(ctx, input.actor, 'changed', row.id, { fields, state: changes.state ?? row.state });
  return getEndpoint(ctx, row.id);
}

export async function removeEndpoint(ctx: WebhookCtx, input: { endpointId: string; actor: StaffActor }): Promise<void> {
  if (!(await deleteEndpoint(ctx.db, input.endpointId))) throw notFound('The webhook endpoint');
  await audit(ctx, input.actor, 'deleted', input.endpointId);
}

/**
 * A new secret at once; the old one keeps signing (a second `v1,` signature) for `rotationGraceMs`, so receivers
 * switch over without a gap. A second rotation within the grace period drops the oldest secret.
 */
export async function rotateEndpointSecret(ctx: WebhookCtx, input: { endpointId: string; actor: StaffActor }): Promise<{ endpoint: Endpoint; secret: string }> {
  const row = await findEndpoint(ctx.db, input.endpointId);
  if (!row) throw notFound('The webhook endpoint');
  const nowMs = ctx.clock.nowMs();
  const secret = newSecret();
  await updateEndpoint(ctx.db, row.id, { secret: encryptText(secretKey(ctx), secret), previous_secret: row.secret, previous_secret_until_ms: nowMs + rotationGraceMs, updated_at_ms: nowMs });
  await audit(ctx, input.actor, 'secret_rotated', row.id, { graceUntil: new Date(nowMs + rotationGraceMs).toISOString() });
  return { endpoint: await getEndpoint(ctx, row.id), secret };
}

/** The current secret, for staff setting up a receiver (the read is audit-recorded). */
export async function revealEndpointSecret(ctx: WebhookCtx, input: { endpointId: string; actor: StaffActor }): Promise<string> {
  const row = await findEndpoint(ctx.db, input.endpointId);
  if (!row) throw notFound('The webhook endpoint');
  await audit(ctx, input.actor, 'secret_viewed', row.id);
  return decryptText(secretKey(ctx), row.secret);
}
