// HTTP idempotency (PL-4) for every retryable write, whatever module serves it: the first answer to an
// Idempotency-Key is kept and replayed to a retry of the same request; the same key with a different request is
// refused (`idempotency_conflict`). Keys belong to their caller (the member, staff member or API key; guests by a
// keyed hash of their email), so two callers' identical keys never meet.
//
// The record is written in a statement of its own before the work starts, so a concurrent retry sees it and is told
// the first request is still running (409 `conflict`) rather than running the work twice. That in-progress record
// holds a lease of idempotencyLeaseMs: a request that crashed (the process died, the connection to the database was
// lost) leaves its record in progress, and once the lease has run out a retry takes it over and runs the work, instead
// of the key answering 409 for its whole lifetime. Only the current holder (`attempt`) may finish or free the record,
// so a request that outlived its lease cannot overwrite the answer of the retry that took over.
//
// Only answers are kept, not errors: a refused or failed request frees its key, so the caller can fix the request and
// retry with the same key. Records live idempotencyKeyLifetimeMs (a day, like common payment APIs); a key older than
// that counts as new, and the prune job deletes old records in bounded batches.
import { createHash } from 'node:crypto';
import type { Ctx } from '../deps.ts';
import { assert } from '../platform/assert.ts';
import { canonicalJson } from '../platform/canonical-json.ts';
import { DAY_MS } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { deleteExpiredRecord, deleteRecordsCreatedBy, findRecord, finishRecord, freeRecord, insertRecord, takeOverRecord, type Identity, type Lease } from './idempotency.repository.ts';
import type { IdempotencyKeyRow } from './idempotency.table.ts';

export const idempotencyKeyLifetimeMs = DAY_MS;
/**
 * How long an in-progress record holds its key. Longer than any request Patron serves (the slowest is a checkout's
 * two gateway calls, seconds even when the card network is slow), short enough that a client retrying after a crash
 * gets through within a minute. A request still running after this long may see a retry run beside it.
 */
export const idempotencyLeaseMs = 60_000;

/** sha256 of the canonical JSON: the same request in any key order is the same request. */
export function requestFingerprint(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('base64url');
}

export interface IdempotentWork<T> {
  status: number;
  body: T;
  /** The member the answer is about, when only the work finds out (an agent refunding some member's order). */
  memberId?: string | null;
}

export interface IdempotentAnswer<T> {
  status: number;
  body: T;
  replayed: boolean;
}

export interface IdempotencyInput {
  caller: string;
  scope: string;
  /** Undefined when the caller sent none and none is required: the work simply runs. */
  key: string | undefined;
  request: unknown;
  /** The member the answer is about, when known before the work runs. */
  memberId?: string | null;
}

/** A replay, a refusal, or the lease to run the work under. */
async function claim<T>(ctx: Ctx, input: IdempotencyInput & { key: string }, requestHash: string): Promise<{ replay: IdempotentAnswer<T> } | { lease: Lease }> {
  const id: Identity = { caller: input.caller, scope: input.scope, key: input.key };
  // Each pass either decides or saw the record change under it (freed, expired, taken over); three are plenty.
  for (let pass = 0; pass < 3; pass++) {
    const nowMs = ctx.clock.nowMs();
    const fresh: IdempotencyKeyRow = {
      ...id,
      request_hash: requestHash,
      state: 'in_progress',
      attempt: 1,
      locked_until_ms: nowMs + idempotencyLeaseMs,
      response_status: null,
      response_body: null,
      member_id: input.memberId ?? null,
      created_at_ms: nowMs,
    };
    if (await insertRecord(ctx, fresh)) return { lease: { ...id, attempt: 1 } };
    const existing = await findRecord(ctx, id);
    if (!existing) continue;
    if (existing.created_at_ms <= nowMs - idempotencyKeyLifetimeMs) {
      // Past its lifetime the key is new again, whether or not the prune job has deleted it yet.
      await deleteExpiredRecord(ctx, existing);
      continue;
    }
    if (existing.request_hash !== requestHash) throw new AppError('idempotency_conflict', 'This Idempotency-Key was already used with a different request.');
    if (existing.state === 'done') {
      assert(existing.response_status !== null && existing.response_body !== null, 'a done idempotency record holds its answer');
      return { replay: { status: existing.response_status, body: JSON.parse(existing.response_body) as T, replayed: true } };
    }
    const lockedUntilMs = existing.locked_until_ms ?? 0;
    if (lockedUntilMs > nowMs) {
      throw new AppError('conflict', 'A request with this Idempotency-Key is still being processed. Retry in a moment.', { retryAfterSeconds: Math.ceil((lockedUntilMs - nowMs) / 1000) });
    }
    if (await takeOverRecord(ctx, existing, nowMs, idempotencyLeaseMs)) return { lease: { ...id, attempt: existing.attempt + 1 } };
  }
  throw new AppError('conflict', 'A request with this Idempotency-Key is still being processed. Retry in a moment.');
}

/**
 * Runs `work` once per (caller, scope, key) and replays its answer to retries. `ctx.db` must not be a transaction:
 * the record commits on its own first, and the work opens its own transactions around its outside calls.
 */
export async function runIdempotent<T>(ctx: Ctx, input: IdempotencyInput, work: (key: string | undefined) => Promise<IdempotentWork<T>>): Promise<IdempotentAnswer<T>> {
  if (input.key === undefined) {
    const answer = await work(undefined);
    return { status: answer.status, body: answer.body, replayed: false };
  }
  assert(!ctx.db.isTransaction, 'an idempotency record commits before the work: run it outside a transaction');
  const claimed = await claim<T>(ctx, { ...input, key: input.key }, requestFingerprint(input.request));
  if ('replay' in claimed) return claimed.replay;
  let answer: IdempotentWork<T>;
  try {
    answer = await work(input.key);
  } catch (error) {
    await freeRecord(ctx, claimed.lease);
    throw error;
  }
  await finishRecord(ctx, claimed.lease, { status: answer.status, body: JSON.stringify(answer.body), memberId: answer.memberId ?? null });
  return { status: answer.status, body: answer.body, replayed: false };
}

/** Deletes records past their lifetime; the daily job (idempotency.jobs.ts) calls it. Returns how many. */
export async function pruneIdempotencyKeys(ctx: Ctx): Promise<number> {
  return deleteRecordsCreatedBy(ctx, ctx.clock.nowMs() - idempotencyKeyLifetimeMs);
}
