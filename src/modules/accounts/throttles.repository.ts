// Failed sign-in counters per account and per address (AC-4): one row per hashed scope key.
import type { Kysely } from 'kysely';
import { forUpdate, tables, type Executor } from '../../db/database.ts';
import type { AccountsTables } from './accounts.table.ts';
import type { ThrottleState } from './throttle.rules.ts';

const db = (executor: Executor): Kysely<AccountsTables> => tables<AccountsTables>(executor);

export async function readThrottles(executor: Executor, scopeKeys: readonly string[], options: { lock?: boolean } = {}): Promise<Map<string, ThrottleState>> {
  const query = db(executor).selectFrom('sign_in_throttles').selectAll().where('scope_key', 'in', scopeKeys).orderBy('scope_key');
  const rows = await (options.lock ? forUpdate(executor, query) : query).execute();
  return new Map(rows.map((row) => [row.scope_key, { failure_count: row.failure_count, window_started_at_ms: row.window_started_at_ms, locked_until_ms: row.locked_until_ms }]));
}

export async function saveThrottle(executor: Executor, scopeKey: string, state: ThrottleState): Promise<void> {
  await db(executor)
    .insertInto('sign_in_throttles')
    .values({ scope_key: scopeKey, ...state })
    .onConflict((oc) => oc.column('scope_key').doUpdateSet(state))
    .execute();
}

export async function clearThrottle(executor: Executor, scopeKey: string): Promise<void> {
  await db(executor).deleteFrom('sign_in_throttles').where('scope_key', '=', scopeKey).execute();
}

/** Rows whose window and lockout are both over carry no information any more. */
export async function deleteStaleThrottles(executor: Executor, olderThanMs: number, nowMs: number, limit: number): Promise<number> {
  const stale = db(executor)
    .selectFrom('sign_in_throttles')
    .select('scope_key')
    .where('window_started_at_ms', '<', olderThanMs)
    .where((eb) => eb.or([eb('locked_until_ms', 'is', null), eb('locked_until_ms', '<=', nowMs)]))
    .limit(limit);
  const result = await db(executor).deleteFrom('sign_in_throttles').where('scope_key', 'in', stale).executeTakeFirst();
  return Number(result.numDeletedRows);
}
