// SQL for the platform's idempotency records (table idempotency_keys, migration 0011); rows never leave src/http.
import type { ExpressionBuilder } from 'kysely';
import type { Ctx } from '../deps.ts';
import { idempotencyTables, type IdempotencyKeyRow, type IdempotencyTables } from './idempotency.table.ts';

export type Identity = Pick<IdempotencyKeyRow, 'caller' | 'scope' | 'key'>;

/** Who holds the record: its identity and the attempt number the holder wrote. */
export interface Lease extends Identity {
  attempt: number;
}

function table(ctx: Ctx) {
  return idempotencyTables(ctx.db);
}

type KeysExpression = ExpressionBuilder<IdempotencyTables, 'idempotency_keys'>;

/** The one record of a caller's key on a route. */
const record = (id: Identity) => (eb: KeysExpression) => eb.and({ caller: id.caller, scope: id.scope, key: id.key });

/** The record, as long as it is still in progress under this lease. */
const heldUnder = (lease: Lease) => (eb: KeysExpression) => eb.and({ caller: lease.caller, scope: lease.scope, key: lease.key, state: 'in_progress', attempt: lease.attempt });

export async function findRecord(ctx: Ctx, id: Identity): Promise<IdempotencyKeyRow | undefined> {
  return table(ctx).selectFrom('idempotency_keys').selectAll().where(record(id)).executeTakeFirst();
}

export async function insertRecord(ctx: Ctx, row: IdempotencyKeyRow): Promise<boolean> {
  const inserted = await table(ctx).insertInto('idempotency_keys').values(row).onConflict((oc) => oc.columns(['caller', 'scope', 'key']).doNothing()).executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** Takes over an in-progress record whose lease has run out; false when someone else did first. */
export async function takeOverRecord(ctx: Ctx, seen: IdempotencyKeyRow, nowMs: number, leaseMs: number): Promise<boolean> {
  const result = await table(ctx)
    .updateTable('idempotency_keys')
    .set({ attempt: seen.attempt + 1, locked_until_ms: nowMs + leaseMs })
    .where(heldUnder(seen))
    .where('locked_until_ms', '<=', nowMs)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteExpiredRecord(ctx: Ctx, seen: IdempotencyKeyRow): Promise<void> {
  await table(ctx)
    .deleteFrom('idempotency_keys')
    .where(record(seen))
    .where('created_at_ms', '=', seen.created_at_ms)
    .execute();
}

export async function finishRecord(ctx: Ctx, lease: Lease, answer: { status: number; body: string; memberId: string | null }): Promise<void> {
  await table(ctx)
    .updateTable('idempotency_keys')
    .set((eb) => ({
      state: 'done',
      locked_until_ms: null,
      response_status: answer.status,
      response_body: answer.body,
      member_id: answer.memberId === null ? eb.ref('member_id') : eb.val(answer.memberId),
    }))
    .where(heldUnder(lease))
    .execute();
}

export async function freeRecord(ctx: Ctx, lease: Lease): Promise<void> {
  await table(ctx).deleteFrom('idempotency_keys').where(heldUnder(lease)).execute();
}

const pruneBatchSize = 500;
const pruneMaxBatches = 20;

/** Deletes records created at or before `cutoffMs`, in bounded batches (CONVENTIONS 12); returns how many. */
export async function deleteRecordsCreatedBy(ctx: Ctx, cutoffMs: number): Promise<number> {
  let deleted = 0;
  for (let batch = 0; batch < pruneMaxBatches; batch++) {
    const result = await table(ctx)
      .deleteFrom('idempotency_keys')
      .where((eb) =>
        eb(
          eb.refTuple('caller', 'scope', 'key'),
          'in',
          eb.selectFrom('idempotency_keys').select(['caller', 'scope', 'key']).where('created_at_ms', '<=', cutoffMs).limit(pruneBatchSize).$asTuple('caller', 'scope', 'key'),
        ),
      )
      .executeTakeFirst();
    const count = Number(result.numDeletedRows);
    deleted += count;
    if (count < pruneBatchSize) break;
  }
  return deleted;
}
