// Pending 2-step sign-ins (AC-5): a challenge proves the password was right and waits for a code.
import type { Kysely } from 'kysely';
import { forUpdate, tables, type Executor } from '../../db/database.ts';
import type { AccountsTables, TwoFactorChallengesTable } from './accounts.table.ts';

export interface TwoFactorChallenge {
  memberId: string;
  createdAtMs: number;
  expiresAtMs: number;
  failedAttempts: number;
}

const db = (executor: Executor): Kysely<AccountsTables> => tables<AccountsTables>(executor);

function toChallenge(row: TwoFactorChallengesTable): TwoFactorChallenge {
  return { memberId: row.member_id, createdAtMs: row.created_at_ms, expiresAtMs: row.expires_at_ms, failedAttempts: row.failed_attempts };
}

export async function insertChallenge(executor: Executor, challengeHash: string, challenge: TwoFactorChallenge): Promise<void> {
  await db(executor)
    .insertInto('two_factor_challenges')
    .values({
      challenge_hash: challengeHash,
      member_id: challenge.memberId,
      created_at_ms: challenge.createdAtMs,
      expires_at_ms: challenge.expiresAtMs,
      failed_attempts: challenge.failedAttempts,
    })
    .execute();
}

export async function findChallenge(executor: Executor, challengeHash: string): Promise<TwoFactorChallenge | undefined> {
  const query = db(executor).selectFrom('two_factor_challenges').selectAll().where('challenge_hash', '=', challengeHash);
  const row = await forUpdate(executor, query).executeTakeFirst();
  return row ? toChallenge(row) : undefined;
}

export async function recordChallengeFailure(executor: Executor, challengeHash: string): Promise<void> {
  await db(executor)
    .updateTable('two_factor_challenges')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
    .where('challenge_hash', '=', challengeHash)
    .execute();
}

/** A challenge is spent by deleting it: true only for the request that did. */
export async function deleteChallenge(executor: Executor, challengeHash: string): Promise<boolean> {
  const result = await db(executor).deleteFrom('two_factor_challenges').where('challenge_hash', '=', challengeHash).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function deleteExpiredChallenges(executor: Executor, nowMs: number, limit: number): Promise<number> {
  const expired = db(executor).selectFrom('two_factor_challenges').select('challenge_hash').where('expires_at_ms', '<=', nowMs).limit(limit);
  const result = await db(executor).deleteFrom('two_factor_challenges').where('challenge_hash', 'in', expired).executeTakeFirst();
  return Number(result.numDeletedRows);
}
