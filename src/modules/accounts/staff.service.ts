// Staff access to member data (AC-9): every read of a member's record by an agent, admin or API key is audited.
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { listAddresses, type Address } from './addresses.repository.ts';
import { searchMembers as selectMembers, type Member } from './members.repository.ts';
import { getMemberDetails, getMemberWithSecurity, type MemberDetails, type MemberWithSecurity } from './members.service.ts';
import { listOidcLinks } from './oidc.repository.ts';
import type { Actor } from './profile.service.ts';

export const maxSearchResults = 25;

export interface StaffMemberView extends MemberDetails {
  addresses: Address[];
  signInProviders: string[];
}

export async function searchMembers(ctx: Ctx, input: { query: string; actor: Actor }): Promise<Member[]> {
  const members = await selectMembers(ctx.db, input.query, maxSearchResults);
  // The search itself shows emails and names, so it is recorded too; the query text is not (it may be an email).
  await recordAudit(ctx, { actor: input.actor, action: 'member.searched', memberId: null, details: { results: members.length } });
  return members;
}

export async function viewMemberAsStaff(ctx: Ctx, input: { memberId: string; actor: Actor }): Promise<StaffMemberView> {
  const details = await getMemberDetails(ctx, input.memberId);
  if (!details) throw new AppError('not_found', 'Member was not found.');
  await recordAudit(ctx, { actor: input.actor, action: 'member.viewed', memberId: input.memberId });
  const addresses = await listAddresses(ctx.db, input.memberId);
  const links = await listOidcLinks(ctx.db, input.memberId);
  return { ...details, addresses, signInProviders: links.map((link) => link.providerId) };
}

/** GET /members/:id for staff and API keys: the member's record, with the read recorded (AC-9). */
export async function viewMember(ctx: Ctx, input: { memberId: string; actor: Actor }): Promise<MemberWithSecurity> {
  const found = await getMemberWithSecurity(ctx, input.memberId);
  if (!found) throw new AppError('not_found', 'Member was not found.');
  await recordAudit(ctx, { actor: input.actor, action: 'member.viewed', memberId: input.memberId });
  return found;
}
