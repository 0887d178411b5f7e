// Idempotency-Key handling for retriable writes (PL-4): the first answer to a key is kept and replayed to a retry
// with the same request; the same key with a different request is refused.
//
// The record is written in a transaction of its own before the work starts, so a concurrent retry sees it and is
// told the first request is still running rather than running the work twice. Only successful answers are kept: a
// refused or failed request frees its key, so the caller can fix the request and retry with the same key. Keys are
// kept for a day (the prune job), like common payment APIs. The header itself is read at the boundary
// (src/http/idempotency-key.ts).
import { createHash } from 'node:crypto';
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { DAY_MS } from '../../platform/clock.ts';
import { storeTables } from './store.table.ts';

export const idempotencyKeyLifetimeMs = DAY_MS;

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestFingerprint(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('base64url');
}

export interface IdempotentAnswer<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/**
 * Runs `work` once per (scope, key). `ctx.db` must not be a transaction: the record commits on its own first.
 * Without a key the work simply runs.
 */
export async function runIdempotent<T>(ctx: Ctx, input: { scope: string; key: string | undefined; request: unknown }, work: () => Promise<{ status: number; body: T }>): Promise<IdempotentAnswer<T>> {
  if (input.key === undefined) return { ...(await work()), replayed: false };
  const requestHash = requestFingerprint(input.request);
  const table = () => storeTables(ctx.db);
  const inserted = await table()
    .insertInto('store_idempotency_keys')
    .values({ scope: input.scope, key: input.key, request_hash: requestHash, state: 'in_progress', response_status: null, response_body: null, created_at_ms: ctx.clock.nowMs() })
    .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
    const existing = await table().selectFrom('store_idempotency_keys').selectAll().where('scope', '=', input.scope).where('key', '=', input.key).executeTakeFirst();
    if (!existing) return runIdempotent(ctx, input, work); // freed between our insert and read: try again
    if (existing.request_hash !== requestHash) throw new AppError('idempotency_conflict', 'This Idempotency-Key was already used with a different request.');
    if (existing.state !== 'done' || existing.response_body === null || existing.response_status === null) {
      throw new AppError('conflict', 'A request with this Idempotency-Key is still being processed. Retry in a moment.');
    }
    return { status: existing.response_status, body: JSON.parse(existing.response_body) as T, replayed: true };
  }
  let answer: { status: number; body: T };
  try {
    answer = await work();
  } catch (error) {
    await table().deleteFrom('store_idempotency_keys').where('scope', '=', input.scope).where('key', '=', input.key).execute();
    throw error;
  }
  await table()
    .updateTable('store_idempotency_keys')
    .set({ state: 'done', response_status: answer.status, response_body: JSON.stringify(answer.body) })
    .where('scope', '=', input.scope)
    .where('key', '=', input.key)
    .execute();
  return { ...answer, replayed: false };
}

export async function pruneIdempotencyKeys(ctx: Ctx, limit = 1000): Promise<number> {
  const cutoff = ctx.clock.nowMs() - idempotencyKeyLifetimeMs;
  const old = await storeTables(ctx.db).selectFrom('store_idempotency_keys').select(['scope', 'key']).where('created_at_ms', '<', cutoff).limit(limit).execute();
  for (const row of old) {
    await storeTables(ctx.db).deleteFrom('store_idempotency_keys').where('scope', '=', row.scope).where('key', '=', row.key).where('created_at_ms', '<', cutoff).execute();
  }
  return old.length;
}
