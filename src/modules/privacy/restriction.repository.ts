// Restriction of processing (PV-20): the only code that reads or writes privacy_restrictions and its events.
import { forUpdate, type Executor } from '../../db/database.ts';
import { closureTables, type PrivacyRestrictionEventsTable, type RestrictionReason, type RestrictionState } from './closure.table.ts';

export interface RestrictionEvent {
  id: string;
  memberId: string;
  state: RestrictionState;
  reason: RestrictionReason;
  actor: { id: string | null; role: string };
  requestId: string | null;
  atMs: number;
}

export interface RestrictionRow {
  memberId: string;
  state: RestrictionState;
  reason: RestrictionReason;
  sinceMs: number;
}

function toEvent(row: PrivacyRestrictionEventsTable): RestrictionEvent {
  return { id: row.id, memberId: row.member_id, state: row.state, reason: row.reason_code, actor: { id: row.actor_id, role: row.actor_role }, requestId: row.request_id, atMs: Number(row.at_ms) };
}

export async function findRestriction(executor: Executor, memberId: string, options: { lock?: boolean } = {}): Promise<RestrictionRow | undefined> {
  const query = closureTables(executor).selectFrom('privacy_restrictions').selectAll().where('member_id', '=', memberId);
  const row = await (options.lock ? forUpdate(executor, query) : query).executeTakeFirst();
  return row ? { memberId: row.member_id, state: row.state, reason: row.reason_code, sinceMs: Number(row.since_ms) } : undefined;
}

export async function saveRestriction(executor: Executor, row: RestrictionRow, exists: boolean): Promise<void> {
  const values = { state: row.state, reason_code: row.reason, since_ms: row.sinceMs };
  if (exists) await closureTables(executor).updateTable('privacy_restrictions').set(values).where('member_id', '=', row.memberId).execute();
  else await closureTables(executor).insertInto('privacy_restrictions').values({ member_id: row.memberId, ...values }).execute();
}

export async function insertRestrictionEvent(executor: Executor, event: RestrictionEvent): Promise<void> {
  await closureTables(executor)
    .insertInto('privacy_restriction_events')
    .values({ id: event.id, member_id: event.memberId, state: event.state, reason_code: event.reason, actor_id: event.actor.id, actor_role: event.actor.role, request_id: event.requestId, at_ms: event.atMs })
    .execute();
}

export async function selectRestrictionEvents(executor: Executor, memberId: string, limit: number): Promise<RestrictionEvent[]> {
  const rows = await closureTables(executor).selectFrom('privacy_restriction_events').selectAll().where('member_id', '=', memberId).orderBy('at_ms', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toEvent);
}

/** Which of these members are restricted now (bounded by the caller's list). */
export async function selectRestrictedAmong(executor: Executor, memberIds: readonly string[]): Promise<Set<string>> {
  if (memberIds.length === 0) return new Set();
  const rows = await closureTables(executor).selectFrom('privacy_restrictions').select('member_id').where('member_id', 'in', [...memberIds]).where('state', '=', 'restricted').execute();
  return new Set(rows.map((row) => row.member_id));
}
