// Members moved in from another program (`patron import members`, PL-11): created without a password (they set one
// through "forgot password" or an email link) and without the sign-up bonus, or found again by email on a re-run.
import { AppError } from '../../platform/errors.ts';
import { findMemberByEmail } from './members.repository.ts';
import { createMemberRecord } from './members.service.ts';
import { normalizeEmail } from './profile.rules.ts';
import type { KeyedCtx } from './closure.service.ts';

export interface ImportMemberInput {
  email: string;
  country: string;
  dateOfBirth: string;
  firstName: string | null;
  lastName: string | null;
}

/**
 * The member with this email, created when new. Idempotent by email (AC-1 makes it unique): a second import of the
 * same row finds the member and changes nothing, whatever else the row says. Staff users and closed accounts are refused.
 */
export async function importMember(ctx: KeyedCtx, input: ImportMemberInput): Promise<{ memberId: string; created: boolean }> {
  const existing = await findMemberByEmail(ctx.db, normalizeEmail(input.email));
  if (existing) {
    if (existing.role !== 'member') throw new AppError('already_exists', 'This email address belongs to a staff user, not a member.');
    if (existing.status !== 'active') throw new AppError('invalid_state', 'The member account with this email address is closed.');
    return { memberId: existing.id, created: false };
  }
  const member = await createMemberRecord(ctx, {
    email: input.email,
    role: 'member',
    passwordHash: null,
    country: input.country,
    dateOfBirth: input.dateOfBirth,
    firstName: input.firstName,
    lastName: input.lastName,
    emailVerified: false,
    imported: true,
  });
  return { memberId: member.id, created: true };
}

/** The open program member with this email (any verification state), for matching imported orders. */
export async function findImportedMemberId(ctx: KeyedCtx, email: string): Promise<string | undefined> {
  const member = await findMemberByEmail(ctx.db, normalizeEmail(email));
  return member && member.role === 'member' && member.status === 'active' ? member.id : undefined;
}
