// Closing an account (AC-10, PV-32: the loyalty-program withdrawal of the privacy notice; CR-22). One transaction,
// not a durable run: nothing here calls an outside system (Plus ends without a refund, so no gateway call), and the
// writes to membership, credits, accounts, privacy, notifications and audit commit or roll back together, so there is
// no partial closure to resume or compensate. Order inside the transaction: the member row is locked first (a second
// closure waits, then finds the record), unsettled money refuses the closure, Plus ends, the credits are forfeited
// with one closing posting (holds released inside it), the member is closed (sessions ended, address freed, retention
// started), the closure is recorded, the confirmation queued and the audit entry written.
import { transact, type Deps } from '../deps.ts';
import { AppError } from '../platform/errors.ts';
import { recordAudit, type ActorRole } from '../modules/audit/index.ts';
import { closeMemberAccount, lockMemberForClosure, recentSignInMs, signedInRecently, type Member } from '../modules/accounts/index.ts';
import { forfeitOnClosure } from '../modules/credits/index.ts';
import { endMembershipOnClosure } from '../modules/membership/index.ts';
import { queueEmail } from '../modules/notifications/index.ts';
import { findMoneyInFlight } from '../modules/store/index.ts';
import { accountClosedEmail, findClosureOfMember, recordClosure, type ClosureRecord } from '../modules/privacy/index.ts';

export interface CloseAccountInput {
  memberId: string;
  /** The member's own session: required when the member closes (re-authentication, AC-10). */
  sessionId?: string | null;
  /** Who closes: the member (the default) or staff answering a rights request or a written request. */
  actor?: { id: string | null; role: ActorRole };
  /** The rights request this closure fulfils, when there is one. */
  requestId?: string | null;
}

/** The refusal a stale session gets; the UI offers "sign in again" on this code. */
export function reauthenticationRequired(): AppError {
  return new AppError('reauthentication_required', 'For your security, sign in again to close your account.', { withinMinutes: recentSignInMs / 60_000 });
}

/**
 * Closes the member's account (see the file comment). A member needs a sign-in less than 10 minutes old; staff do not
 * (they act on a verified request). Closing an account that is already closed returns its closure record.
 */
export async function closeAccount(deps: Deps, input: CloseAccountInput): Promise<ClosureRecord> {
  const actor = input.actor ?? { id: input.memberId, role: 'member' as const };
  if (actor.role === 'member') {
    if (actor.id !== input.memberId) throw new AppError('forbidden', 'You can close only your own account.');
    if (!input.sessionId || !(await signedInRecently(deps, { memberId: input.memberId, sessionId: input.sessionId }))) throw reauthenticationRequired();
  }
  return transact(deps, async (ctx) => {
    const earlier = await findClosureOfMember(ctx, input.memberId);
    if (earlier) return earlier;
    let member: Member;
    try {
      member = await lockMemberForClosure(ctx, input.memberId);
    } catch (error) {
      // A concurrent closure committed while this one waited for the member row: answer with its record.
      const committed = await findClosureOfMember(ctx, input.memberId);
      if (committed) return committed;
      throw error;
    }

    const inFlight = await findMoneyInFlight(ctx, member.id);
    if (inFlight.checkoutOrderIds.length > 0) {
      throw new AppError('conflict', 'An order is still being paid for. Try again in a few minutes, once its payment has gone through or been cancelled.', { reason: 'checkout_in_progress', orderIds: inFlight.checkoutOrderIds });
    }
    if (inFlight.pendingRefundIds.length > 0) {
      throw new AppError('conflict', 'A refund is still on its way to you. Try again once it has completed.', { reason: 'refund_pending', refundIds: inFlight.pendingRefundIds });
    }

    const plus = await endMembershipOnClosure(ctx, { memberId: member.id, actor });
    const closureId = ctx.ids.next('pcl');
    const forfeit = await forfeitOnClosure(ctx, { memberId: member.id, idempotencyKey: `closure:${closureId}` });
    const closed = await closeMemberAccount(ctx, { memberId: member.id });
    const record: ClosureRecord = {
      id: closureId,
      memberId: member.id,
      actor: { id: actor.id, role: actor.role },
      requestId: input.requestId ?? null,
      creditsForfeited: forfeit.forfeited,
      creditsTransactionId: forfeit.transactionId,
      plusSubscriptionId: plus?.id ?? null,
      sessionsEnded: closed.sessionsEnded,
      closedAtMs: closed.closedAtMs,
    };
    await recordClosure(ctx, record);
    await queueEmail(ctx, {
      memberId: member.id,
      to: closed.email,
      template: accountClosedEmail,
      data: { closedAt: new Date(closed.closedAtMs).toISOString(), creditsForfeited: forfeit.forfeited, plusEnded: plus !== null, ...(closed.firstName ? { firstName: closed.firstName } : {}) },
      dedupeKey: `account-closed:${member.id}`,
    });
    await recordAudit(ctx, {
      actor,
      action: 'privacy.account.closed',
      memberId: member.id,
      subject: closureId,
      details: {
        creditsForfeited: forfeit.forfeited,
        sessionsEnded: closed.sessionsEnded,
        ...(forfeit.transactionId ? { creditTransactionId: forfeit.transactionId } : {}),
        ...(plus ? { subscriptionId: plus.id } : {}),
        ...(input.requestId ? { requestId: input.requestId } : {}),
      },
    });
    return record;
  });
}
