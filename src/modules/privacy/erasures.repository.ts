// The registry of erased subjects (PV-19): table privacy_erasures (migration 0820), by pseudonymous member ID, with
// the report (table and column names, counts, legal bases: no personal data).
import { sql } from 'kysely';
import { tables, type Executor } from '../../db/database.ts';
import type { ErasureReport } from './erasure.executor.ts';

export const erasureReasons = ['request', 'retention', 'agent', 'restore'] as const;
export type ErasureReason = (typeof erasureReasons)[number];

export interface PrivacyErasureRow {
  id: string;
  member_id: string;
  request_id: string | null;
  reason: ErasureReason;
  report: string;
  erased_at_ms: number;
  records_expired_at_ms: number | null;
}

interface ErasureTables {
  privacy_erasures: PrivacyErasureRow;
}

export interface ErasureRecord {
  id: string;
  memberId: string;
  requestId: string | null;
  reason: ErasureReason;
  erasedAtMs: number;
  report: ErasureReport;
}

const db = (executor: Executor) => tables<ErasureTables>(executor);

function toRecord(row: PrivacyErasureRow): ErasureRecord {
  return { id: row.id, memberId: row.member_id, requestId: row.request_id, reason: row.reason, erasedAtMs: Number(row.erased_at_ms), report: JSON.parse(row.report) as ErasureReport };
}

export async function insertErasure(executor: Executor, row: PrivacyErasureRow): Promise<void> {
  await db(executor).insertInto('privacy_erasures').values(row).onConflict((oc) => oc.column('member_id').doNothing()).execute();
}

export async function findErasure(executor: Executor, id: string): Promise<ErasureRecord | undefined> {
  const row = await db(executor).selectFrom('privacy_erasures').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

export async function findErasureOfMember(executor: Executor, memberId: string): Promise<ErasureRecord | undefined> {
  const row = await db(executor).selectFrom('privacy_erasures').selectAll().where('member_id', '=', memberId).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

export async function erasedMemberIds(executor: Executor): Promise<Set<string>> {
  const rows = await db(executor).selectFrom('privacy_erasures').select('member_id').execute();
  return new Set(rows.map((row) => row.member_id));
}

/** Which of `memberIds` are erased (the webhook fan-out drops their credits events, as erasure deletes outbox rows). */
export async function erasedAmong(executor: Executor, memberIds: readonly string[]): Promise<Set<string>> {
  const distinct = [...new Set(memberIds)];
  if (distinct.length === 0) return new Set();
  const rows = await db(executor).selectFrom('privacy_erasures').select('member_id').where('member_id', 'in', distinct).execute();
  return new Set(rows.map((row) => row.member_id));
}

/** Erasures whose kept transaction records reached the end of their period and were not expired yet. */
export async function erasuresWithRecordsDue(executor: Executor, erasedBeforeMs: number, limit: number): Promise<string[]> {
  const rows = await db(executor).selectFrom('privacy_erasures').select('member_id').where('records_expired_at_ms', 'is', null).where('erased_at_ms', '<=', erasedBeforeMs).orderBy('erased_at_ms').limit(limit).execute();
  return rows.map((row) => row.member_id);
}

export async function markRecordsExpired(executor: Executor, memberId: string, nowMs: number): Promise<void> {
  await db(executor).updateTable('privacy_erasures').set({ records_expired_at_ms: nowMs }).where('member_id', '=', memberId).where('records_expired_at_ms', 'is', null).execute();
}

/**
 * Closed accounts past the `account` retention period that are not erased yet, oldest first (PV-30). It reads the
 * member row's status and closure time (accounts, migration 0110) next to this module's registry: retention, like the
 * erasure it starts, is the privacy module's duty over every module's personal data.
 */
export async function closedAccountsDueForErasure(executor: Executor, closedBeforeMs: number, limit: number): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    select m.id from members m
    where m.status = 'closed' and m.closed_at_ms <= ${closedBeforeMs}
      and not exists (select 1 from privacy_erasures e where e.member_id = m.id)
    order by m.closed_at_ms, m.id
    limit ${limit}`.execute(executor);
  return rows.rows.map((row) => row.id);
}
