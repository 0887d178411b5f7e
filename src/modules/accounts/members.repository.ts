// Members, their credentials and recovery codes: the only code that reads or writes those tables.
import { sql, type Kysely } from 'kysely';
import { forUpdate, tables, type Executor } from '../../db/database.ts';
import type { Role } from '../../http/principal.ts';
import type { AccountsTables, MemberCredentialsTable, MembersTable, MemberStatus } from './accounts.table.ts';

export interface Member {
  id: string;
  email: string;
  emailVerifiedAtMs: number | null;
  role: Role;
  status: MemberStatus;
  country: string | null;
  dateOfBirth: string | null;
  firstName: string | null;
  lastName: string | null;
  preferredName: string | null;
  phone: string | null;
  language: string | null;
  createdAtMs: number;
  updatedAtMs: number;
  /** When the account was closed (AC-10), the start of its retention period (PV-30); null while open. */
  closedAtMs: number | null;
}

export interface Credentials {
  memberId: string;
  passwordHash: string | null;
  passwordChangedAtMs: number | null;
  totpSecret: string | null;
  totpPendingSecret: string | null;
  totpEnabledAtMs: number | null;
  totpLastTimeStep: number | null;
}

const db = (executor: Executor): Kysely<AccountsTables> => tables<AccountsTables>(executor);

function toMember(row: MembersTable): Member {
  return {
    id: row.id,
    email: row.email,
    emailVerifiedAtMs: row.email_verified_at_ms,
    role: row.role,
    status: row.status,
    country: row.country,
    dateOfBirth: row.date_of_birth,
    firstName: row.first_name,
    lastName: row.last_name,
    preferredName: row.preferred_name,
    phone: row.phone,
    language: row.language,
    createdAtMs: row.created_at_ms,
    updatedAtMs: row.updated_at_ms,
    closedAtMs: row.closed_at_ms ?? null,
  };
}

function toCredentials(row: MemberCredentialsTable): Credentials {
  return {
    memberId: row.member_id,
    passwordHash: row.password_hash,
    passwordChangedAtMs: row.password_changed_at_ms,
    totpSecret: row.totp_secret,
    totpPendingSecret: row.totp_pending_secret,
    totpEnabledAtMs: row.totp_enabled_at_ms,
    totpLastTimeStep: row.totp_last_time_step,
  };
}

export async function insertMember(executor: Executor, member: Member): Promise<void> {
  await db(executor)
    .insertInto('members')
    .values({
      id: member.id,
      email: member.email,
      email_verified_at_ms: member.emailVerifiedAtMs,
      role: member.role,
      status: member.status,
      country: member.country,
      date_of_birth: member.dateOfBirth,
      first_name: member.firstName,
      last_name: member.lastName,
      preferred_name: member.preferredName,
      phone: member.phone,
      language: member.language,
      created_at_ms: member.createdAtMs,
      updated_at_ms: member.updatedAtMs,
      closed_at_ms: member.closedAtMs,
    })
    .execute();
}

export async function findMemberById(executor: Executor, memberId: string, options: { lock?: boolean } = {}): Promise<Member | undefined> {
  const query = db(executor).selectFrom('members').selectAll().where('id', '=', memberId);
  const row = await (options.lock ? forUpdate(executor, query) : query).executeTakeFirst();
  return row ? toMember(row) : undefined;
}

export async function findMemberByEmail(executor: Executor, normalizedEmail: string): Promise<Member | undefined> {
  const row = await db(executor).selectFrom('members').selectAll().where('email', '=', normalizedEmail).executeTakeFirst();
  return row ? toMember(row) : undefined;
}

export interface MemberWithSecurity {
  member: Member;
  twoFactorEnabled: boolean;
  hasPassword: boolean;
}

/** What GET /me and GET /session show, in one query (they run on most page loads). */
export async function findMemberWithSecurity(executor: Executor, memberId: string): Promise<MemberWithSecurity | undefined> {
  const row = await db(executor)
    .selectFrom('members')
    .leftJoin('member_credentials', 'member_credentials.member_id', 'members.id')
    .selectAll('members')
    .select(['member_credentials.totp_enabled_at_ms', 'member_credentials.password_hash'])
    .where('members.id', '=', memberId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { totp_enabled_at_ms: totpEnabledAtMs, password_hash: passwordHash, ...memberRow } = row;
  return { member: toMember(memberRow), twoFactorEnabled: totpEnabledAtMs != null, hasPassword: passwordHash != null };
}

/** The member and password hash for a sign-in. */
export async function findSignInRecord(executor: Executor, normalizedEmail: string): Promise<{ member: Member; credentials: Credentials | undefined } | undefined> {
  const member = await findMemberByEmail(executor, normalizedEmail);
  if (!member) return undefined;
  return { member, credentials: await findCredentials(executor, member.id) };
}

export type MemberChanges = Partial<Pick<MembersTable,
  'email' | 'email_verified_at_ms' | 'status' | 'closed_at_ms' | 'country' | 'date_of_birth' | 'first_name' | 'last_name' | 'preferred_name' | 'phone' | 'language'>>;

export async function updateMember(executor: Executor, memberId: string, changes: MemberChanges, nowMs: number): Promise<void> {
  await db(executor).updateTable('members').set({ ...changes, updated_at_ms: nowMs }).where('id', '=', memberId).execute();
}

/** The facts an audience check needs about many members at once (PV-25: age; the region a member lives in). */
export interface MemberAudienceFacts {
  id: string;
  email: string;
  country: string | null;
  dateOfBirth: string | null;
  status: MemberStatus;
  role: Role;
}

export async function selectMemberAudienceFacts(executor: Executor, memberIds: readonly string[]): Promise<MemberAudienceFacts[]> {
  if (memberIds.length === 0) return [];
  const rows = await db(executor).selectFrom('members').select(['id', 'email', 'country', 'date_of_birth', 'status', 'role']).where('id', 'in', [...memberIds]).execute();
  return rows.map((row) => ({ id: row.id, email: row.email, country: row.country, dateOfBirth: row.date_of_birth, status: row.status, role: row.role }));
}

/** Active members (role member) in ID order after `afterId`: a bounded page for audience sweeps. */
export async function selectActiveMemberIdsAfter(executor: Executor, afterId: string | null, limit: number): Promise<string[]> {
  const rows = await db(executor)
    .selectFrom('members')
    .select('id')
    .where('role', '=', 'member')
    .where('status', '=', 'active')
    .$if(afterId !== null, (q) => q.where('id', '>', afterId as string))
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}

export async function countMembers(executor: Executor): Promise<number> {
  const row = await db(executor).selectFrom('members').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The addresses of active staff users with this role (operational notices to admins), at most `limit`. */
export async function selectStaffEmails(executor: Executor, role: 'agent' | 'admin', limit: number): Promise<string[]> {
  const rows = await db(executor).selectFrom('members').select('email').where('role', '=', role).where('status', '=', 'active').orderBy('id').limit(limit).execute();
  return rows.map((row) => row.email);
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The agent console's lookup (AC-9): an exact member ID, an email prefix, or a name prefix (first, last or
 * preferred name, ignoring case). Bounded by `limit`.
 */
export async function searchMembers(executor: Executor, query: string, limit: number): Promise<Member[]> {
  const text = query.trim();
  const base = db(executor).selectFrom('members').selectAll().orderBy('created_at_ms', 'desc').orderBy('id').limit(limit);
  if (/^mem_[0-9a-z]+$/.test(text)) {
    return (await base.where('id', '=', text).execute()).map(toMember);
  }
  const pattern = `${escapeLike(text.toLowerCase())}%`;
  if (text.includes('@')) {
    return (await base.where(sql<boolean>`email like ${pattern} escape '\\'`).execute()).map(toMember);
  }
  const rows = await base
    .where((eb) =>
      eb.or([
        sql<boolean>`email like ${pattern} escape '\\'`,
        sql<boolean>`lower(first_name) like ${pattern} escape '\\'`,
        sql<boolean>`lower(last_name) like ${pattern} escape '\\'`,
        sql<boolean>`lower(preferred_name) like ${pattern} escape '\\'`,
      ]),
    )
    .execute();
  return rows.map(toMember);
}

export async function insertCredentials(executor: Executor, credentials: Credentials): Promise<void> {
  await db(executor)
    .insertInto('member_credentials')
    .values({
      member_id: credentials.memberId,
      password_hash: credentials.passwordHash,
      password_changed_at_ms: credentials.passwordChangedAtMs,
      totp_secret: credentials.totpSecret,
      totp_pending_secret: credentials.totpPendingSecret,
      totp_enabled_at_ms: credentials.totpEnabledAtMs,
      totp_last_time_step: credentials.totpLastTimeStep,
    })
    .execute();
}

export async function findCredentials(executor: Executor, memberId: string, options: { lock?: boolean } = {}): Promise<Credentials | undefined> {
  const query = db(executor).selectFrom('member_credentials').selectAll().where('member_id', '=', memberId);
  const row = await (options.lock ? forUpdate(executor, query) : query).executeTakeFirst();
  return row ? toCredentials(row) : undefined;
}

export type CredentialChanges = Partial<Omit<MemberCredentialsTable, 'member_id'>>;

export async function updateCredentials(executor: Executor, memberId: string, changes: CredentialChanges): Promise<void> {
  await db(executor).updateTable('member_credentials').set(changes).where('member_id', '=', memberId).execute();
}

/**
 * Moves the last accepted TOTP time step forward, only if it is newer than the stored one: the guarded update
 * makes a replayed code (or two requests racing with one code) fail on the row count.
 */
export async function advanceTotpTimeStep(executor: Executor, memberId: string, timeStep: number): Promise<boolean> {
  const result = await db(executor)
    .updateTable('member_credentials')
    .set({ totp_last_time_step: timeStep })
    .where('member_id', '=', memberId)
    .where((eb) => eb.or([eb('totp_last_time_step', 'is', null), eb('totp_last_time_step', '<', timeStep)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function replaceRecoveryCodes(executor: Executor, memberId: string, codeHashes: readonly string[], nowMs: number): Promise<void> {
  await db(executor).deleteFrom('member_recovery_codes').where('member_id', '=', memberId).execute();
  if (codeHashes.length === 0) return;
  await db(executor)
    .insertInto('member_recovery_codes')
    .values(codeHashes.map((codeHash) => ({ member_id: memberId, code_hash: codeHash, created_at_ms: nowMs, used_at_ms: null })))
    .execute();
}

/** Spends a recovery code: true only for the one request that flips it from unused to used. */
export async function useRecoveryCode(executor: Executor, memberId: string, codeHash: string, nowMs: number): Promise<boolean> {
  const result = await db(executor)
    .updateTable('member_recovery_codes')
    .set({ used_at_ms: nowMs })
    .where('member_id', '=', memberId)
    .where('code_hash', '=', codeHash)
    .where('used_at_ms', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countUnusedRecoveryCodes(executor: Executor, memberId: string): Promise<number> {
  const row = await db(executor)
    .selectFrom('member_recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('member_id', '=', memberId)
    .where('used_at_ms', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
