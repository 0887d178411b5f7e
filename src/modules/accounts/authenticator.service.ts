// Resolves a request's session cookie or API key into a Principal (src/http/principal.ts). Runs on every request,
// so each path is one query on a unique index, plus a write at most once a minute per session or key.
import type { Deps } from '../../deps.ts';
import type { Authenticate, Principal } from '../../http/principal.ts';
import { findApiKeyForAuth, touchApiKey } from './api-keys.repository.ts';
import { findSessionForAuth, touchSession } from './sessions.repository.ts';
import { isSessionAlive, sessionTouchIntervalMs } from './sessions.rules.ts';
import { apiKeyPrefix, hashSecret } from './tokens.rules.ts';

/** Longer than any token we issue: anything longer is not ours, and is not worth hashing. */
const maxCredentialLength = 128;

export function createAuthenticator(deps: Pick<Deps, 'db' | 'clock'>): Authenticate {
  return async ({ sessionToken, apiKey }): Promise<Principal | null> => {
    const nowMs = deps.clock.nowMs();
    // An Authorization header is an explicit choice by the caller, so it wins over an ambient cookie.
    if (apiKey !== undefined) {
      if (!apiKey.startsWith(apiKeyPrefix) || apiKey.length > maxCredentialLength) return null;
      const key = await findApiKeyForAuth(deps.db, hashSecret(apiKey));
      if (!key) return null;
      if (key.lastUsedAtMs === null || nowMs - key.lastUsedAtMs >= sessionTouchIntervalMs) await touchApiKey(deps.db, key.id, nowMs);
      return { kind: 'api_key', keyId: key.id, scopes: key.scopes };
    }
    if (!sessionToken || sessionToken.length > maxCredentialLength) return null;
    const session = await findSessionForAuth(deps.db, hashSecret(sessionToken));
    if (!session || session.status !== 'active' || !isSessionAlive(session, nowMs)) return null;
    if (nowMs - session.last_seen_at_ms >= sessionTouchIntervalMs) await touchSession(deps.db, session.id, nowMs);
    return { kind: 'session', memberId: session.member_id, role: session.role, sessionId: session.id, csrfToken: session.csrf_token };
  };
}
