// Reading and changing a member's profile (AC-8): one function the caller runs in one transaction, so the
// profile-completion bonus (CR-2) is granted in the same commit.
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit, type ActorRole } from '../audit/index.ts';
import { assertEligible, isCountryCode } from './eligibility.rules.ts';
import { findMemberById, updateMember, type Member, type MemberChanges } from './members.repository.ts';
import { isProfileComplete, normalizeLanguage, normalizePhone } from './profile.rules.ts';
import { memberUpdate, recordPreviousValues, type ChangeReason } from './profile-history.service.ts';

export interface ProfileChanges {
  firstName?: string | null;
  lastName?: string | null;
  preferredName?: string | null;
  phone?: string | null;
  dateOfBirth?: string;
  language?: string | null;
  country?: string;
}

export type ProfileField = keyof ProfileChanges;

export interface ProfileUpdate {
  member: Member;
  /** The names of the fields whose value changed (what the audit entry records). */
  changedFields: ProfileField[];
  wasComplete: boolean;
  isComplete: boolean;
}

export interface Actor {
  id: string | null;
  role: ActorRole;
}

const columnOf = {
  firstName: 'first_name',
  lastName: 'last_name',
  preferredName: 'preferred_name',
  phone: 'phone',
  dateOfBirth: 'date_of_birth',
  language: 'language',
  country: 'country',
} as const satisfies Record<ProfileField, keyof MemberChanges>;

const memberKeyOf = {
  firstName: 'firstName',
  lastName: 'lastName',
  preferredName: 'preferredName',
  phone: 'phone',
  dateOfBirth: 'dateOfBirth',
  language: 'language',
  country: 'country',
} as const satisfies Record<ProfileField, keyof Member>;

function emptyToNull(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * Normalizes and checks the changes (phone to E.164 with the member's country as the default region, language
 * to a canonical tag, date of birth and country against the minimum age, AC-2), writes what differs, and records
 * who changed which fields, never the values (AC-8).
 */
export async function updateProfile(ctx: Ctx, input: { memberId: string; actor: Actor; changes: ProfileChanges; reason?: ChangeReason }): Promise<ProfileUpdate> {
  const member = await findMemberById(ctx.db, input.memberId, { lock: true });
  if (!member || member.status !== 'active') throw new AppError('not_found', 'Account was not found.');
  const nowMs = ctx.clock.nowMs();
  const { changes } = input;

  if (changes.country !== undefined && !isCountryCode(changes.country)) {
    throw new AppError('validation', 'Country must be a two-letter ISO country code such as US or FR.', [{ path: 'country', message: 'not a country code' }]);
  }
  const country = changes.country ?? member.country;
  const next: Required<{ [K in ProfileField]: Member[(typeof memberKeyOf)[K]] }> = {
    firstName: changes.firstName !== undefined ? (emptyToNull(changes.firstName) ?? null) : member.firstName,
    lastName: changes.lastName !== undefined ? (emptyToNull(changes.lastName) ?? null) : member.lastName,
    preferredName: changes.preferredName !== undefined ? (emptyToNull(changes.preferredName) ?? null) : member.preferredName,
    phone: changes.phone !== undefined ? (changes.phone === null || changes.phone.trim() === '' ? null : normalizePhone(changes.phone, country)) : member.phone,
    dateOfBirth: changes.dateOfBirth ?? member.dateOfBirth,
    language: changes.language !== undefined ? (changes.language === null || changes.language.trim() === '' ? null : normalizeLanguage(changes.language)) : member.language,
    country,
  };
  // Members must stay eligible: a later date of birth (or a move to a country with a higher minimum age) that
  // puts them under the limit is refused (AC-2). Staff users are not program members and have no such rule.
  if (member.role === 'member' && (changes.dateOfBirth !== undefined || changes.country !== undefined) && next.dateOfBirth !== null) {
    assertEligible({ country: next.country, dateOfBirth: next.dateOfBirth, nowMs });
  }

  const changedFields = (Object.keys(columnOf) as ProfileField[]).filter((field) => changes[field] !== undefined && next[field] !== member[memberKeyOf[field]]);
  const wasComplete = isProfileComplete(member);
  if (changedFields.length === 0) return { member, changedFields, wasComplete, isComplete: wasComplete };

  const columns: MemberChanges = {};
  for (const field of changedFields) Object.assign(columns, { [columnOf[field]]: next[field] });
  await updateMember(ctx.db, member.id, columns, nowMs);
  // PV-21: the source record is corrected and the value it had is kept, with who changed it, when and why.
  const reason = input.reason ?? memberUpdate;
  await recordPreviousValues(ctx, { memberId: member.id, addressNumber: null, actor: input.actor, reason, previous: changedFields.map((field) => ({ field: columnOf[field], value: member[memberKeyOf[field]] })) });
  await recordAudit(ctx, {
    actor: input.actor,
    action: reason.code === 'rectification' ? 'profile.rectified' : 'profile.updated',
    memberId: member.id,
    details: { fields: changedFields, ...(reason.requestId ? { requestId: reason.requestId } : {}) },
  });
  const updated: Member = { ...member, ...next, updatedAtMs: nowMs };
  const isComplete = isProfileComplete(updated);
  // CR-2: the first completion earns the bonus (granted by a higher layer through the lifecycle port, once per account).
  if (member.role === 'member' && isComplete && !wasComplete) await ctx.ports.memberLifecycle.profileCompleted(ctx, member.id);
  return { member: updated, changedFields, wasComplete, isComplete };
}
