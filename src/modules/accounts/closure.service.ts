// Closing a member's account on the accounts side (AC-10, CR-1, PV-30). The flow that closes an account
// (src/flows/account-closure.ts) calls this last, in its one transaction, after Plus and the credits are settled.
import type { Ctx, Deps } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { closedEmailDigest, closedEmailPlaceholder } from './closed-emails.rules.ts';
import { clearSignInState, findClosedMemberIdsByEmail as selectClosedMemberIds, hasClosedEmailDigest, insertClosedEmail, insertClosedEmailDigest } from './closure.repository.ts';
import { findMemberById, updateMember, type Member } from './members.repository.ts';
import { normalizeEmail } from './profile.rules.ts';

/** What closing needs beyond a Ctx: the server secret the address digest is keyed with. */
export type KeyedCtx = Ctx & Pick<Deps, 'secret'>;

export interface ClosedMember {
  memberId: string;
  /** The address the account had, for the confirmation email (sent in the same transaction). */
  email: string;
  firstName: string | null;
  closedAtMs: number;
  sessionsEnded: number;
}

/** The open program member, locked for the closure, or a clear refusal. */
export async function lockMemberForClosure(ctx: Ctx, memberId: string): Promise<Member> {
  const member = await findMemberById(ctx.db, memberId, { lock: true });
  if (!member || member.role !== 'member') throw new AppError('not_found', 'Member was not found.');
  if (member.status !== 'active') throw new AppError('invalid_state', 'This account is already closed.');
  return member;
}

/**
 * Marks the member closed with the time retention starts (members.closed_at_ms), moves the address off the members
 * row (kept in member_closed_emails for the retention period; its keyed digest kept for CR-1), and ends every
 * session and sign-in secret. The flow that calls it records the closure in the audit log.
 */
export async function closeMemberAccount(ctx: KeyedCtx, input: { memberId: string }): Promise<ClosedMember> {
  const member = await lockMemberForClosure(ctx, input.memberId);
  const nowMs = ctx.clock.nowMs();
  await insertClosedEmail(ctx.db, { memberId: member.id, email: member.email, closedAtMs: nowMs });
  await insertClosedEmailDigest(ctx.db, closedEmailDigest(ctx.secret, member.email), nowMs);
  await updateMember(ctx.db, member.id, { status: 'closed', closed_at_ms: nowMs, email: closedEmailPlaceholder(member.id) }, nowMs);
  const sessionsEnded = await clearSignInState(ctx.db, member.id);
  return { memberId: member.id, email: member.email, firstName: member.preferredName ?? member.firstName, closedAtMs: nowMs, sessionsEnded };
}

/** Whether an address belonged to an account that was closed (CR-1), by its keyed digest. */
export async function wasEmailClosedBefore(ctx: KeyedCtx, email: string): Promise<boolean> {
  return hasClosedEmailDigest(ctx.db, closedEmailDigest(ctx.secret, email));
}

/**
 * The closed accounts that had this address, oldest first, while their retention lasts (a former member's rights
 * request names the address, not the member ID).
 */
export async function findClosedMemberIdsByEmail(ctx: Pick<Ctx, 'db'>, email: string): Promise<string[]> {
  return selectClosedMemberIds(ctx.db, normalizeEmail(email));
}
