// Server-side sessions (AC-4): rows keyed by the SHA-256 of the cookie token.
import { sql, type Kysely } from 'kysely';
import { databaseMemo } from '../../db/database-memo.ts';
import { queryRaw } from '../../db/sqlite-raw.ts';
import { tables, type Executor } from '../../db/database.ts';
import type { Role } from '../../http/principal.ts';
import type { AccountsTables, MemberStatus, SessionsTable } from './accounts.table.ts';

export interface Session {
  id: string;
  memberId: string;
  csrfToken: string;
  userAgent: string | null;
  createdAtMs: number;
  lastSeenAtMs: number;
  idleTimeoutMs: number;
  expiresAtMs: number;
}

const db = (executor: Executor): Kysely<AccountsTables> => tables<AccountsTables>(executor);

function toSession(row: SessionsTable): Session {
  return {
    id: row.id,
    memberId: row.member_id,
    csrfToken: row.csrf_token,
    userAgent: row.user_agent,
    createdAtMs: row.created_at_ms,
    lastSeenAtMs: row.last_seen_at_ms,
    idleTimeoutMs: row.idle_timeout_ms,
    expiresAtMs: row.expires_at_ms,
  };
}

export async function insertSession(executor: Executor, session: Session & { tokenHash: string }): Promise<void> {
  await db(executor)
    .insertInto('sessions')
    .values({
      id: session.id,
      member_id: session.memberId,
      token_hash: session.tokenHash,
      csrf_token: session.csrfToken,
      user_agent: session.userAgent,
      created_at_ms: session.createdAtMs,
      last_seen_at_ms: session.lastSeenAtMs,
      idle_timeout_ms: session.idleTimeoutMs,
      expires_at_ms: session.expiresAtMs,
    })
    .execute();
}

export interface SessionForAuth {
  id: string;
  member_id: string;
  csrf_token: string;
  last_seen_at_ms: number;
  idle_timeout_ms: number;
  expires_at_ms: number;
  role: Role;
  status: MemberStatus;
}

function sessionForAuthQuery(executor: Executor, tokenHash: string) {
  return db(executor)
    .selectFrom('sessions')
    .innerJoin('members', 'members.id', 'sessions.member_id')
    .select([
      'sessions.id',
      'sessions.member_id',
      'sessions.csrf_token',
      'sessions.last_seen_at_ms',
      'sessions.idle_timeout_ms',
      'sessions.expires_at_ms',
      'members.role',
      'members.status',
    ])
    .where('sessions.token_hash', '=', tokenHash);
}

/** The lookup's SQL text, compiled once per database: building and compiling it was a third of a signed-in GET (PF-9). */
const sessionForAuthSql = databaseMemo((): { text?: string } => ({}));

/**
 * The per-request lookup: one query on the unique token_hash index, joined to the member's role and status. Nothing is
 * cached but the SQL text, so a revoked session or a closed member is refused on the very next request.
 */
export async function findSessionForAuth(executor: Executor, tokenHash: string): Promise<SessionForAuth | undefined> {
  const compiled = sessionForAuthSql(executor);
  compiled.text ??= sessionForAuthQuery(executor, tokenHash).compile().sql;
  // SQLite: on the connection directly while no transaction holds it, as the balance read does (sqlite-raw.ts).
  const [row] = await queryRaw<SessionForAuth>(executor, compiled.text, [tokenHash]);
  return row;
}

export async function findSession(executor: Executor, sessionId: string): Promise<Session | undefined> {
  const row = await db(executor).selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
  return row ? toSession(row) : undefined;
}

export async function touchSession(executor: Executor, sessionId: string, nowMs: number): Promise<void> {
  await db(executor).updateTable('sessions').set({ last_seen_at_ms: nowMs }).where('id', '=', sessionId).where('last_seen_at_ms', '<', nowMs).execute();
}

export async function listMemberSessions(executor: Executor, memberId: string, nowMs: number): Promise<Session[]> {
  const rows = await db(executor)
    .selectFrom('sessions')
    .selectAll()
    .where('member_id', '=', memberId)
    .where('expires_at_ms', '>', nowMs)
    .orderBy('created_at_ms', 'desc')
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
  return rows.map(toSession);
}

export async function deleteSession(executor: Executor, memberId: string, sessionId: string): Promise<boolean> {
  const result = await db(executor).deleteFrom('sessions').where('member_id', '=', memberId).where('id', '=', sessionId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Signs a member out everywhere, or everywhere but the session given. Returns how many sessions ended. */
export async function deleteMemberSessions(executor: Executor, memberId: string, options: { exceptSessionId?: string } = {}): Promise<number> {
  let query = db(executor).deleteFrom('sessions').where('member_id', '=', memberId);
  if (options.exceptSessionId) query = query.where('id', '!=', options.exceptSessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteExpiredSessions(executor: Executor, nowMs: number, limit: number): Promise<number> {
  const expired = db(executor)
    .selectFrom('sessions')
    .select('id')
    .where((eb) => eb.or([eb('expires_at_ms', '<=', nowMs), eb(sql<number>`last_seen_at_ms + idle_timeout_ms`, '<=', nowMs)]))
    .limit(limit);
  const result = await db(executor).deleteFrom('sessions').where('id', 'in', expired).executeTakeFirst();
  return Number(result.numDeletedRows);
}
