// API keys for server-to-server callers (AC-11): created by an admin, shown once, stored hashed, revocable.
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { findApiKey, insertApiKey, listApiKeys as selectApiKeys, revokeApiKey as markRevoked, type ApiKey } from './api-keys.repository.ts';
import { apiKeyDisplayPrefix, hashSecret, newApiKey } from './tokens.rules.ts';

/** `area:action` in lower case, like `orders:write` or `members:read`. */
export const scopePattern = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;
export const maxScopesPerKey = 32;

export async function createApiKey(ctx: Ctx, input: { name: string; scopes: readonly string[]; createdByMemberId: string }): Promise<{ apiKey: ApiKey; key: string }> {
  const scopes = [...new Set(input.scopes)].sort();
  const bad = scopes.find((scope) => !scopePattern.test(scope));
  if (bad !== undefined) throw new AppError('validation', `"${bad}" is not a scope: write scopes as area:action, like orders:write.`, [{ path: 'scopes', message: 'not a scope' }]);
  const key = newApiKey();
  const apiKey: ApiKey = {
    id: ctx.ids.next('key'),
    name: input.name,
    keyPrefix: apiKeyDisplayPrefix(key),
    scopes,
    createdByMemberId: input.createdByMemberId,
    createdAtMs: ctx.clock.nowMs(),
    lastUsedAtMs: null,
    revokedAtMs: null,
  };
  await insertApiKey(ctx.db, { ...apiKey, keyHash: hashSecret(key) });
  await recordAudit(ctx, { actor: { id: input.createdByMemberId, role: 'admin' }, action: 'api_key.created', memberId: null, subject: apiKey.id, details: { scopes } });
  return { apiKey, key };
}

export async function listApiKeys(ctx: Ctx): Promise<ApiKey[]> {
  return selectApiKeys(ctx.db);
}

export async function revokeApiKey(ctx: Ctx, input: { keyId: string; revokedByMemberId: string }): Promise<ApiKey> {
  const existing = await findApiKey(ctx.db, input.keyId);
  if (!existing) throw new AppError('not_found', 'API key was not found.');
  if (existing.revokedAtMs !== null) return existing;
  const nowMs = ctx.clock.nowMs();
  await markRevoked(ctx.db, input.keyId, nowMs);
  await recordAudit(ctx, { actor: { id: input.revokedByMemberId, role: 'admin' }, action: 'api_key.revoked', memberId: null, subject: input.keyId });
  return { ...existing, revokedAtMs: nowMs };
}
