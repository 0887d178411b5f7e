// Single-use email tokens (AC-6): email verification and password reset links, stored as SHA-256 hashes.
import type { Kysely } from 'kysely';
import { tables, type Executor } from '../../db/database.ts';
import type { AccountsTables, AccountTokenPurpose, AccountTokensTable } from './accounts.table.ts';

export interface AccountToken {
  id: string;
  memberId: string;
  purpose: AccountTokenPurpose;
  email: string;
  createdAtMs: number;
  expiresAtMs: number;
  usedAtMs: number | null;
}

const db = (executor: Executor): Kysely<AccountsTables> => tables<AccountsTables>(executor);

function toAccountToken(row: AccountTokensTable): AccountToken {
  return {
    id: row.id,
    memberId: row.member_id,
    purpose: row.purpose,
    email: row.email,
    createdAtMs: row.created_at_ms,
    expiresAtMs: row.expires_at_ms,
    usedAtMs: row.used_at_ms,
  };
}

export async function insertAccountToken(executor: Executor, token: AccountToken & { tokenHash: string }): Promise<void> {
  await db(executor)
    .insertInto('account_tokens')
    .values({
      id: token.id,
      member_id: token.memberId,
      purpose: token.purpose,
      token_hash: token.tokenHash,
      email: token.email,
      created_at_ms: token.createdAtMs,
      expires_at_ms: token.expiresAtMs,
      used_at_ms: token.usedAtMs,
    })
    .execute();
}

export async function findAccountToken(executor: Executor, purpose: AccountTokenPurpose, tokenHash: string): Promise<AccountToken | undefined> {
  const row = await db(executor).selectFrom('account_tokens').selectAll().where('token_hash', '=', tokenHash).where('purpose', '=', purpose).executeTakeFirst();
  return row ? toAccountToken(row) : undefined;
}

/** Marks a token used: true only for the one request that flips it, so a link works once even under a race. */
export async function useAccountToken(executor: Executor, tokenId: string, nowMs: number): Promise<boolean> {
  const result = await db(executor).updateTable('account_tokens').set({ used_at_ms: nowMs }).where('id', '=', tokenId).where('used_at_ms', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends every outstanding token of one purpose (a new reset link, or a reset, retires the older links). */
export async function retireAccountTokens(executor: Executor, memberId: string, purpose: AccountTokenPurpose, nowMs: number): Promise<void> {
  await db(executor)
    .updateTable('account_tokens')
    .set({ used_at_ms: nowMs })
    .where('member_id', '=', memberId)
    .where('purpose', '=', purpose)
    .where('used_at_ms', 'is', null)
    .execute();
}

export async function countRecentAccountTokens(executor: Executor, memberId: string, purpose: AccountTokenPurpose, sinceMs: number): Promise<number> {
  const row = await db(executor)
    .selectFrom('account_tokens')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('member_id', '=', memberId)
    .where('purpose', '=', purpose)
    .where('created_at_ms', '>', sinceMs)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function deleteExpiredAccountTokens(executor: Executor, nowMs: number, limit: number): Promise<number> {
  const expired = db(executor).selectFrom('account_tokens').select('id').where('expires_at_ms', '<=', nowMs).limit(limit);
  const result = await db(executor).deleteFrom('account_tokens').where('id', 'in', expired).executeTakeFirst();
  return Number(result.numDeletedRows);
}
