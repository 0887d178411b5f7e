// The accounts side of closing an account (AC-10): the only code that writes the closed-address tables and clears a
// closed member's sign-in state.
import type { Kysely } from 'kysely';
import { tables, type Executor } from '../../db/database.ts';
import type { AccountsTables } from './accounts.table.ts';

const db = (executor: Executor): Kysely<AccountsTables> => tables<AccountsTables>(executor);

export async function insertClosedEmail(executor: Executor, row: { memberId: string; email: string; closedAtMs: number }): Promise<void> {
  await db(executor).insertInto('member_closed_emails').values({ member_id: row.memberId, email: row.email, closed_at_ms: row.closedAtMs }).execute();
}

/** Records the digest once; a second closure of the same address keeps the first time. */
export async function insertClosedEmailDigest(executor: Executor, digest: string, atMs: number): Promise<void> {
  await db(executor).insertInto('closed_email_digests').values({ email_digest: digest, first_closed_at_ms: atMs }).onConflict((oc) => oc.column('email_digest').doNothing()).execute();
}

export async function hasClosedEmailDigest(executor: Executor, digest: string): Promise<boolean> {
  return (await db(executor).selectFrom('closed_email_digests').select('email_digest').where('email_digest', '=', digest).executeTakeFirst()) !== undefined;
}

export async function findClosedMemberIdsByEmail(executor: Executor, normalizedEmail: string): Promise<string[]> {
  const rows = await db(executor).selectFrom('member_closed_emails').select('member_id').where('email', '=', normalizedEmail).orderBy('closed_at_ms').execute();
  return rows.map((row) => row.member_id);
}

/**
 * Everything a closed account could sign in with goes (sessions, credentials, recovery codes, provider links,
 * pending email links and 2-step challenges): a closed account never signs in again, and a sign-in through the same
 * provider account may then start a new membership. Returns how many sessions ended.
 */
export async function clearSignInState(executor: Executor, memberId: string): Promise<number> {
  const sessions = await db(executor).deleteFrom('sessions').where('member_id', '=', memberId).executeTakeFirst();
  await db(executor).deleteFrom('two_factor_challenges').where('member_id', '=', memberId).execute();
  await db(executor).deleteFrom('account_tokens').where('member_id', '=', memberId).execute();
  await db(executor).deleteFrom('oidc_links').where('member_id', '=', memberId).execute();
  await db(executor).deleteFrom('member_recovery_codes').where('member_id', '=', memberId).execute();
  await db(executor).deleteFrom('member_credentials').where('member_id', '=', memberId).execute();
  return Number(sessions.numDeletedRows);
}
