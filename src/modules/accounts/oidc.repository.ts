// OpenID Connect sign-in state (AC-7): flows in progress, provider identities linked to members, and sign-ups
// waiting for the country and date of birth a provider did not give.
import type { Kysely } from 'kysely';
import { tables, type Executor } from '../../db/database.ts';
import type { AccountsTables, OidcPendingSignUpsTable } from './accounts.table.ts';

export interface OidcFlow {
  providerId: string;
  nonce: string;
  codeVerifier: string;
  createdAtMs: number;
  expiresAtMs: number;
}

export interface OidcPendingSignUp {
  providerId: string;
  subject: string;
  email: string;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  createdAtMs: number;
  expiresAtMs: number;
}

const db = (executor: Executor): Kysely<AccountsTables> => tables<AccountsTables>(executor);

export async function insertOidcFlow(executor: Executor, stateHash: string, flow: OidcFlow): Promise<void> {
  await db(executor)
    .insertInto('oidc_flows')
    .values({
      state_hash: stateHash,
      provider_id: flow.providerId,
      nonce: flow.nonce,
      code_verifier: flow.codeVerifier,
      created_at_ms: flow.createdAtMs,
      expires_at_ms: flow.expiresAtMs,
    })
    .execute();
}

/** Reads and deletes a flow in one step: a state is good for one callback only. */
export async function takeOidcFlow(executor: Executor, stateHash: string): Promise<OidcFlow | undefined> {
  const row = await db(executor).deleteFrom('oidc_flows').where('state_hash', '=', stateHash).returningAll().executeTakeFirst();
  if (!row) return undefined;
  return { providerId: row.provider_id, nonce: row.nonce, codeVerifier: row.code_verifier, createdAtMs: row.created_at_ms, expiresAtMs: row.expires_at_ms };
}

export async function findOidcLink(executor: Executor, providerId: string, subject: string): Promise<{ id: string; memberId: string } | undefined> {
  const row = await db(executor).selectFrom('oidc_links').select(['id', 'member_id']).where('provider_id', '=', providerId).where('subject', '=', subject).executeTakeFirst();
  return row ? { id: row.id, memberId: row.member_id } : undefined;
}

export async function insertOidcLink(executor: Executor, link: { id: string; memberId: string; providerId: string; subject: string; createdAtMs: number }): Promise<void> {
  await db(executor)
    .insertInto('oidc_links')
    .values({ id: link.id, member_id: link.memberId, provider_id: link.providerId, subject: link.subject, created_at_ms: link.createdAtMs })
    .execute();
}

export async function listOidcLinks(executor: Executor, memberId: string): Promise<{ providerId: string; createdAtMs: number }[]> {
  const rows = await db(executor).selectFrom('oidc_links').select(['provider_id', 'created_at_ms']).where('member_id', '=', memberId).orderBy('created_at_ms').execute();
  return rows.map((row) => ({ providerId: row.provider_id, createdAtMs: row.created_at_ms }));
}

function toPendingSignUp(row: OidcPendingSignUpsTable): OidcPendingSignUp {
  return {
    providerId: row.provider_id,
    subject: row.subject,
    email: row.email,
    emailVerified: row.email_verified === 1,
    firstName: row.first_name,
    lastName: row.last_name,
    createdAtMs: row.created_at_ms,
    expiresAtMs: row.expires_at_ms,
  };
}

export async function insertPendingSignUp(executor: Executor, tokenHash: string, pending: OidcPendingSignUp): Promise<void> {
  await db(executor)
    .insertInto('oidc_pending_sign_ups')
    .values({
      token_hash: tokenHash,
      provider_id: pending.providerId,
      subject: pending.subject,
      email: pending.email,
      email_verified: pending.emailVerified ? 1 : 0,
      first_name: pending.firstName,
      last_name: pending.lastName,
      created_at_ms: pending.createdAtMs,
      expires_at_ms: pending.expiresAtMs,
    })
    .execute();
}

export async function findPendingSignUp(executor: Executor, tokenHash: string): Promise<OidcPendingSignUp | undefined> {
  const row = await db(executor).selectFrom('oidc_pending_sign_ups').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return row ? toPendingSignUp(row) : undefined;
}

export async function deletePendingSignUp(executor: Executor, tokenHash: string): Promise<boolean> {
  const result = await db(executor).deleteFrom('oidc_pending_sign_ups').where('token_hash', '=', tokenHash).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function deleteExpiredOidcState(executor: Executor, nowMs: number, limit: number): Promise<number> {
  const flows = db(executor).selectFrom('oidc_flows').select('state_hash').where('expires_at_ms', '<=', nowMs).limit(limit);
  const deletedFlows = await db(executor).deleteFrom('oidc_flows').where('state_hash', 'in', flows).executeTakeFirst();
  const pending = db(executor).selectFrom('oidc_pending_sign_ups').select('token_hash').where('expires_at_ms', '<=', nowMs).limit(limit);
  const deletedPending = await db(executor).deleteFrom('oidc_pending_sign_ups').where('token_hash', 'in', pending).executeTakeFirst();
  return Number(deletedFlows.numDeletedRows) + Number(deletedPending.numDeletedRows);
}
