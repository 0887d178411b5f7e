// Server-to-server API keys (AC-11): stored as SHA-256 hashes with their scopes.
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { tables, type Executor } from '../../db/database.ts';
import type { AccountsTables, ApiKeysTable } from './accounts.table.ts';

export interface ApiKey {
  id: string;
  name: string;
  keyPrefix: string;
  scopes: string[];
  createdByMemberId: string;
  createdAtMs: number;
  lastUsedAtMs: number | null;
  revokedAtMs: number | null;
}

const scopesColumn = z.array(z.string());
const db = (executor: Executor): Kysely<AccountsTables> => tables<AccountsTables>(executor);

function toApiKey(row: ApiKeysTable): ApiKey {
  return {
    id: row.id,
    name: row.name,
    keyPrefix: row.key_prefix,
    scopes: scopesColumn.parse(JSON.parse(row.scopes)),
    createdByMemberId: row.created_by_member_id,
    createdAtMs: row.created_at_ms,
    lastUsedAtMs: row.last_used_at_ms,
    revokedAtMs: row.revoked_at_ms,
  };
}

export async function insertApiKey(executor: Executor, key: ApiKey & { keyHash: string }): Promise<void> {
  await db(executor)
    .insertInto('api_keys')
    .values({
      id: key.id,
      name: key.name,
      key_hash: key.keyHash,
      key_prefix: key.keyPrefix,
      scopes: JSON.stringify(key.scopes),
      created_by_member_id: key.createdByMemberId,
      created_at_ms: key.createdAtMs,
      last_used_at_ms: key.lastUsedAtMs,
      revoked_at_ms: key.revokedAtMs,
    })
    .execute();
}

/** The per-request lookup for API callers: one query on the unique key_hash index. */
export async function findApiKeyForAuth(executor: Executor, keyHash: string): Promise<{ id: string; scopes: string[]; lastUsedAtMs: number | null } | undefined> {
  const row = await db(executor)
    .selectFrom('api_keys')
    .select(['id', 'scopes', 'last_used_at_ms'])
    .where('key_hash', '=', keyHash)
    .where('revoked_at_ms', 'is', null)
    .executeTakeFirst();
  return row ? { id: row.id, scopes: scopesColumn.parse(JSON.parse(row.scopes)), lastUsedAtMs: row.last_used_at_ms } : undefined;
}

export async function touchApiKey(executor: Executor, keyId: string, nowMs: number): Promise<void> {
  await db(executor).updateTable('api_keys').set({ last_used_at_ms: nowMs }).where('id', '=', keyId).execute();
}

export async function listApiKeys(executor: Executor): Promise<ApiKey[]> {
  const rows = await db(executor).selectFrom('api_keys').selectAll().orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(500).execute();
  return rows.map(toApiKey);
}

export async function findApiKey(executor: Executor, keyId: string): Promise<ApiKey | undefined> {
  const row = await db(executor).selectFrom('api_keys').selectAll().where('id', '=', keyId).executeTakeFirst();
  return row ? toApiKey(row) : undefined;
}

export async function revokeApiKey(executor: Executor, keyId: string, nowMs: number): Promise<boolean> {
  const result = await db(executor).updateTable('api_keys').set({ revoked_at_ms: nowMs }).where('id', '=', keyId).where('revoked_at_ms', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
