// The accounts module's public face (docs/CONTRACTS.md): sign-up, sign-in, sessions, 2-step verification,
// OpenID Connect, profile and saved addresses, roles and API keys. Other modules use only what this file exports.
import type { Ctx } from '../../deps.ts';
import type { RegisterRoutes } from '../../http/types.ts';
import { registerAuthRoutes } from './auth.routes.ts';
import { findMemberById, selectActiveMemberIdsAfter, selectMemberAudienceFacts, type Member, type MemberAudienceFacts } from './members.repository.ts';
import { registerOidcRoutes } from './oidc.routes.ts';
import { registerProfileRoutes } from './profile.routes.ts';
import { registerStaffRoutes } from './staff.routes.ts';
import { registerTwoFactorRoutes } from './two-factor.routes.ts';
import { welcomeEmail } from './emails/welcome.ts';
import { verificationEmail } from './emails/verify-email.ts';
import { passwordResetEmail } from './emails/password-reset.ts';

export { createAuthenticator } from './authenticator.service.ts';
export { countUsers, createMemberForSeed, createStaffUser, findMemberIdByVerifiedEmail, listAdminEmails, getMemberContact, getMemberWithSecurity, memberContacts, type MemberWithSecurity } from './members.service.ts';
export { getMemberAddress, type MemberAddress } from './addresses.service.ts';
export type { Address } from './addresses.repository.ts';
export { addressText, addressTextFields, profilePatchBody, addressPatchBody, memberIdParam, addressParam, toMemberView, memberView, addressView, toAddressView } from './accounts.schemas.ts';
export { getMemberWithSecurity as getMemberView } from './members.service.ts';
export { signUp, type SignUpInput, type SignUpResult } from './sign-up.service.ts';
export { updateProfile, type ProfileChanges, type ProfileUpdate, type ProfileField, type Actor } from './profile.service.ts';
export { hashNewPassword, type NewPasswordHash } from './passwords.service.ts';
export { isProfileComplete, normalizeEmail, type ProfileCompleteness } from './profile.rules.ts';
export { ageInYears, assertEligible, calendarDateOfMs, parseCalendarDate, minimumAgeYears, minimumAgeYearsByCountry, defaultMinimumAgeYears, type CountryCode } from './eligibility.rules.ts';
export { membersReadScope } from './staff.routes.ts';
export { jobHandlers, schedules, purgeExpiredAccountState } from './accounts.jobs.ts';
export type { Member, MemberAudienceFacts } from './members.repository.ts';
export type { NewSession } from './sessions.service.ts';
export { signedInRecently, recentSignInMs } from './sessions.service.ts';
export { clearSessionCookie } from './session-cookie.routes.ts';
export { importMember, findImportedMemberId, type ImportMemberInput } from './import.service.ts';
export { closeMemberAccount, lockMemberForClosure, wasEmailClosedBefore, findClosedMemberIdsByEmail, type ClosedMember, type KeyedCtx } from './closure.service.ts';
export { getProfileHistory, type ProfileHistoryEntry, type ChangeReason } from './profile-history.service.ts';
export { changeAddress, getAddresses } from './addresses.service.ts';
export { profileChangeReasons, type ProfileChangeReason } from './accounts.table.ts';

/** Country, date of birth and status of many members at once, for audience checks (PV-25); unknown IDs are left out. */
export async function memberAudienceFacts(ctx: Pick<Ctx, 'db'>, memberIds: readonly string[]): Promise<MemberAudienceFacts[]> {
  const facts: MemberAudienceFacts[] = [];
  for (let start = 0; start < memberIds.length; start += 500) facts.push(...(await selectMemberAudienceFacts(ctx.db, memberIds.slice(start, start + 500))));
  return facts;
}

/** One page of active members' IDs in ID order, after `afterId` (at most 1,000). */
export function activeMemberIdsAfter(ctx: Pick<Ctx, 'db'>, afterId: string | null, limit: number): Promise<string[]> {
  return selectActiveMemberIdsAfter(ctx.db, afterId, Math.min(Math.max(1, limit), 1000));
}

/** A member by ID, or undefined (for modules that need the country or date of birth). */
export async function getMember(ctx: Ctx, memberId: string): Promise<Member | undefined> {
  return findMemberById(ctx.db, memberId);
}

export const registerRoutes: RegisterRoutes = (app, deps) => {
  registerAuthRoutes(app, deps);
  registerTwoFactorRoutes(app, deps);
  registerProfileRoutes(app, deps);
  registerStaffRoutes(app, deps);
  registerOidcRoutes(app, deps);
};

/** This module's emails (src/modules.ts lists them for the mail preview and the template test). */
export const templates = [welcomeEmail, verificationEmail, passwordResetEmail];

/** The personal-data columns of this module's tables (PV-16; docs/PERSONAL-DATA.md). */
export { accountsPersonalData as personalData } from './accounts.data-map.ts';
