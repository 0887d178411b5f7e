// The row type of the platform's `idempotency_keys` table (migration 0011) and its personal-data declaration; it never
// leaves src/http/idempotency.ts.
import type { Kysely } from 'kysely';
import { tables, type Executor } from '../db/database.ts';
import type { PersonalDataMap } from '../db/personal-data.ts';

export const idempotencyStates = ['in_progress', 'done'] as const;
export type IdempotencyState = (typeof idempotencyStates)[number];

export interface IdempotencyKeyRow {
  /** Who sent the key: a member or staff ID, an API key ID, or `anonymous` / `guest:<keyed hash>` without a session. */
  caller: string;
  /** The route, as `METHOD /api/v1/path/:param`. */
  scope: string;
  key: string;
  request_hash: string;
  state: IdempotencyState;
  /** Counts the requests that have held the lease; only the current holder may finish or free the key. */
  attempt: number;
  /** While in progress: when the holder's lease ends and a retry may take over (a crashed request). */
  locked_until_ms: number | null;
  response_status: number | null;
  /** The first answer, replayed to retries: JSON that may carry personal data, hence the member ID and short life. */
  response_body: string | null;
  /** The member the answer is about, where known (privacy export and erasure find the row by it). */
  member_id: string | null;
  created_at_ms: number;
}

export interface IdempotencyTables {
  idempotency_keys: IdempotencyKeyRow;
}

export function idempotencyTables(db: Executor): Kysely<IdempotencyTables> {
  return tables<IdempotencyTables>(db);
}

const shortLived = { retention: 'operational_short', erase: { kind: 'delete' } } as const;

/** Kept for a day (idempotencyKeyLifetimeMs) and then pruned; erasure deletes a member's rows at once. */
export const idempotencyPersonalData: PersonalDataMap = [
  { table: 'idempotency_keys', column: 'response_body', category: 'payload', purpose: 'replay the first answer to a retried request (PL-4)', ...shortLived },
  { table: 'idempotency_keys', column: 'caller', category: 'identifier', purpose: 'keep one caller’s keys apart from another’s', ...shortLived },
  { table: 'idempotency_keys', column: 'member_id', category: 'identifier', purpose: 'whose answer the replay holds', ...shortLived },
];
