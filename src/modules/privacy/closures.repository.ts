// The record of account closures (AC-10): the only code that reads or writes privacy_account_closures.
import { closureTables, type PrivacyAccountClosuresTable } from './closure.table.ts';
import type { Executor } from '../../db/database.ts';

export interface ClosureRecord {
  id: string;
  memberId: string;
  actor: { id: string | null; role: string };
  requestId: string | null;
  creditsForfeited: number;
  creditsTransactionId: string | null;
  plusSubscriptionId: string | null;
  sessionsEnded: number;
  /** When the account closed: the start of the retention period (members.closed_at_ms holds the same time). */
  closedAtMs: number;
}

function toRecord(row: PrivacyAccountClosuresTable): ClosureRecord {
  return {
    id: row.id,
    memberId: row.member_id,
    actor: { id: row.actor_id, role: row.actor_role },
    requestId: row.request_id,
    creditsForfeited: Number(row.credits_forfeited),
    creditsTransactionId: row.credits_transaction_id,
    plusSubscriptionId: row.plus_subscription_id,
    sessionsEnded: row.sessions_ended,
    closedAtMs: Number(row.closed_at_ms),
  };
}

export async function insertClosure(executor: Executor, record: ClosureRecord): Promise<void> {
  await closureTables(executor)
    .insertInto('privacy_account_closures')
    .values({
      id: record.id,
      member_id: record.memberId,
      actor_id: record.actor.id,
      actor_role: record.actor.role,
      request_id: record.requestId,
      credits_forfeited: record.creditsForfeited,
      credits_transaction_id: record.creditsTransactionId,
      plus_subscription_id: record.plusSubscriptionId,
      sessions_ended: record.sessionsEnded,
      closed_at_ms: record.closedAtMs,
    })
    .execute();
}

export async function findClosureOfMember(executor: Executor, memberId: string): Promise<ClosureRecord | undefined> {
  const row = await closureTables(executor).selectFrom('privacy_account_closures').selectAll().where('member_id', '=', memberId).executeTakeFirst();
  return row ? toRecord(row) : undefined;
}
