// The history of profile and address values (PV-21): the only code that reads or writes member_profile_history.
import type { Kysely } from 'kysely';
import { tables, type Executor } from '../../db/database.ts';
import type { AccountsTables, MemberProfileHistoryTable, ProfileChangeReason } from './accounts.table.ts';

const db = (executor: Executor): Kysely<AccountsTables> => tables<AccountsTables>(executor);

export interface ProfileHistoryEntry {
  id: string;
  memberId: string;
  /** Null for a profile field; the saved address's number for an address field. */
  addressNumber: number | null;
  /** The field's column name (first_name, phone, line1…). */
  field: string;
  previousValue: string | null;
  actor: { id: string | null; role: string };
  reason: ProfileChangeReason;
  requestId: string | null;
  changedAtMs: number;
}

function toEntry(row: MemberProfileHistoryTable): ProfileHistoryEntry {
  return {
    id: row.id,
    memberId: row.member_id,
    addressNumber: row.address_number,
    field: row.kind,
    previousValue: row.previous_value,
    actor: { id: row.actor_id, role: row.actor_role },
    reason: row.reason_code,
    requestId: row.request_id,
    changedAtMs: Number(row.changed_at_ms),
  };
}

export async function insertHistory(executor: Executor, entries: readonly ProfileHistoryEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db(executor)
    .insertInto('member_profile_history')
    .values(
      entries.map((entry) => ({
        id: entry.id,
        member_id: entry.memberId,
        address_number: entry.addressNumber,
        kind: entry.field,
        previous_value: entry.previousValue,
        actor_id: entry.actor.id,
        actor_role: entry.actor.role,
        reason_code: entry.reason,
        request_id: entry.requestId,
        changed_at_ms: entry.changedAtMs,
      })),
    )
    .execute();
}

/** Newest first, bounded. */
export async function selectHistory(executor: Executor, memberId: string, limit: number): Promise<ProfileHistoryEntry[]> {
  const rows = await db(executor).selectFrom('member_profile_history').selectAll().where('member_id', '=', memberId).orderBy('changed_at_ms', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toEntry);
}
