// Creating members and staff users, and the small reads other modules need (docs/CONTRACTS.md).
import type { MemberContact, MemberContacts } from '../../ports/index.ts';
import type { Ctx } from '../../deps.ts';
import type { Role } from '../../http/principal.ts';
import { AppError } from '../../platform/errors.ts';
import { isUniqueViolation } from '../../db/unique-violation.ts';
import {
  countMembers,
  countUnusedRecoveryCodes,
  findMemberByEmail,
  findMemberById,
  findMemberWithSecurity,
  insertCredentials,
  insertMember,
  selectStaffEmails,
  type Member,
  type MemberWithSecurity,
} from './members.repository.ts';
import { assertEligible, isCountryCode } from './eligibility.rules.ts';
import { normalizeEmail } from './profile.rules.ts';
import { hashNewPassword, type NewPasswordHash } from './passwords.service.ts';
import { wasEmailClosedBefore, type KeyedCtx } from './closure.service.ts';

export const alreadyRegisteredMessage = 'An account with this email address already exists. Sign in, or reset your password if you forgot it.';

export interface NewMemberRecord {
  email: string;
  role: Role;
  passwordHash: NewPasswordHash | null;
  country: string | null;
  dateOfBirth: string | null;
  firstName?: string | null;
  lastName?: string | null;
  language?: string | null;
  emailVerified: boolean;
  /**
   * A member moved in from another program (`patron import members`): their old balance comes with them as a migrated
   * lot, so the sign-up bonus of CR-1 (the lifecycle call below) is not granted a second time.
   */
  imported?: boolean;
}

/**
 * Writes a member and their credentials row. Members (role member) must have an eligible country and date of
 * birth (AC-2); staff users have neither, since they are not in the program. The email must be new (AC-1).
 */
export async function createMemberRecord(ctx: KeyedCtx, input: NewMemberRecord): Promise<Member> {
  const nowMs = ctx.clock.nowMs();
  const email = normalizeEmail(input.email);
  if (input.role === 'member') {
    if (input.country === null || !isCountryCode(input.country)) {
      throw new AppError('validation', 'Country must be a two-letter ISO country code such as US or FR.', [{ path: 'country', message: 'not a country code' }]);
    }
    if (input.dateOfBirth === null) throw new AppError('validation', 'Date of birth is required.', [{ path: 'dateOfBirth', message: 'required' }]);
    assertEligible({ country: input.country, dateOfBirth: input.dateOfBirth, nowMs });
  }
  if (await findMemberByEmail(ctx.db, email)) throw new AppError('already_exists', alreadyRegisteredMessage);
  const member: Member = {
    id: ctx.ids.next('mem'),
    email,
    emailVerifiedAtMs: input.emailVerified ? nowMs : null,
    role: input.role,
    status: 'active',
    country: input.country,
    dateOfBirth: input.dateOfBirth,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    preferredName: null,
    phone: null,
    language: input.language ?? null,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
    closedAtMs: null,
  };
  try {
    await insertMember(ctx.db, member);
  } catch (error) {
    // The check before the insert catches nearly every duplicate; this catches two sign-ups that raced past it.
    if (isUniqueViolation(error)) throw new AppError('already_exists', alreadyRegisteredMessage);
    throw error;
  }
  await insertCredentials(ctx.db, {
    memberId: member.id,
    passwordHash: input.passwordHash,
    passwordChangedAtMs: input.passwordHash ? nowMs : null,
    totpSecret: null,
    totpPendingSecret: null,
    totpEnabledAtMs: null,
    totpLastTimeStep: null,
  });
  // CR-1: registration is membership in the rewards program, so the bonus (a higher layer's) commits with the new member;
  // an address that belonged to a closed account (its keyed digest is on record) earns no second bonus.
  if (member.role === 'member' && !input.imported) await ctx.ports.memberLifecycle.memberCreated(ctx, member.id, { emailClosedBefore: await wasEmailClosedBefore(ctx, email) });
  return member;
}

export type { MemberWithSecurity };

/** A member with what their account page shows about sign-in security (2-step verification, password). */
export async function getMemberWithSecurity(ctx: Ctx, memberId: string): Promise<MemberWithSecurity | undefined> {
  return findMemberWithSecurity(ctx.db, memberId);
}

export interface MemberDetails extends MemberWithSecurity {
  recoveryCodesLeft: number;
}

export async function getMemberDetails(ctx: Ctx, memberId: string): Promise<MemberDetails | undefined> {
  const found = await findMemberWithSecurity(ctx.db, memberId);
  if (!found) return undefined;
  return { ...found, recoveryCodesLeft: found.twoFactorEnabled ? await countUnusedRecoveryCodes(ctx.db, memberId) : 0 };
}

/** For modules that send mail (docs/CONTRACTS.md): where to write and how to greet. */
export async function getMemberContact(ctx: Pick<Ctx, 'db'>, memberId: string): Promise<MemberContact | undefined> {
  const member = (await findMemberWithSecurity(ctx.db, memberId))?.member;
  if (!member || member.status !== 'active') return undefined;
  return { email: member.email, firstName: member.preferredName ?? member.firstName };
}

/** Whether an ID is a program member (not staff, not unknown), and the member's status, for the port below. */
export async function getProgramMemberStatus(ctx: Pick<Ctx, 'db'>, memberId: string): Promise<'active' | 'closed' | undefined> {
  const member = await findMemberById(ctx.db, memberId);
  return member && member.role === 'member' ? member.status : undefined;
}

/** The member contacts port (src/ports) for modules below accounts in the dependency order. */
export const memberContacts: MemberContacts = {
  contactOf: (db, memberId) => getMemberContact({ db }, memberId),
  memberStatus: (db, memberId) => getProgramMemberStatus({ db }, memberId),
};

/**
 * The member whose verified email address this is, for matching orders from another storefront (ST-8): only an
 * open member account (not staff) whose address was confirmed. The email is compared in its normal form (AC-1).
 */
export async function findMemberIdByVerifiedEmail(ctx: Ctx, email: string): Promise<string | undefined> {
  const member = await findMemberByEmail(ctx.db, normalizeEmail(email));
  if (!member || member.role !== 'member' || member.status !== 'active' || member.emailVerifiedAtMs === null) return undefined;
  return member.id;
}

/** Every user, members and staff: zero means a fresh installation (the CLI seeds demo data then). */
export async function countUsers(ctx: Ctx): Promise<number> {
  return countMembers(ctx.db);
}

/** An agent or admin account for the console (CLI and seeds). Staff users are not program members. */
export async function createStaffUser(ctx: KeyedCtx, input: { email: string; password: string; role: 'agent' | 'admin' }): Promise<{ memberId: string }> {
  const passwordHash = await hashNewPassword(input.password, { email: input.email });
  const member = await createMemberRecord(ctx, {
    email: input.email,
    role: input.role,
    passwordHash,
    country: null,
    dateOfBirth: null,
    emailVerified: true,
  });
  return { memberId: member.id };
}

/** A member for demo data and imports: eligibility applies as for any sign-up; no session, no emails. */
export async function createMemberForSeed(
  ctx: KeyedCtx,
  input: { email: string; password: string; country: string; dateOfBirth: string; firstName?: string; lastName?: string; emailVerified: boolean },
): Promise<{ memberId: string }> {
  const passwordHash = await hashNewPassword(input.password, { email: input.email });
  const member = await createMemberRecord(ctx, {
    email: input.email,
    role: 'member',
    passwordHash,
    country: input.country,
    dateOfBirth: input.dateOfBirth,
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    emailVerified: input.emailVerified,
  });
  return { memberId: member.id };
}

/** Where operational notices to staff go (an endpoint disabled, …): the active admins' addresses, at most 50. */
export async function listAdminEmails(ctx: Pick<Ctx, 'db'>): Promise<string[]> {
  return selectStaffEmails(ctx.db, 'admin', 50);
}
