// What the resolution flows (src/flows/case-resolution.ts) need from a case besides moveCase: the case itself, and
// taking it for a refund while the money is on its way (AS-11), in the caller's transaction.
import type { Ctx } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { claimCaseResolution, findCase, findRefundsLinkedToCases, releaseCaseResolution, type Case } from './cases.repository.ts';

export async function getCaseForResolution(ctx: Ctx, caseId: string): Promise<Case> {
  const record = await findCase(ctx.db, caseId);
  if (!record) throw notFound('The case');
  return record;
}

/**
 * Takes the case for a resolution: a refund's in the transaction that reserves the refund, from then on only
 * `resolve` moves it (moveCase refuses everything else), so a requester's cancel cannot land between the money going
 * back and the case being resolved; a one-transaction resolution's just before its resolve, so it cannot overtake a
 * refund under way (the guarded update waits for the other's commit and then finds the case taken). A case that moved
 * or was taken meanwhile is a 409.
 */
export async function claimCaseForResolution(ctx: Ctx, record: Pick<Case, 'id' | 'state'>): Promise<void> {
  if (!(await claimCaseResolution(ctx.db, record.id, record.state, ctx.clock.nowMs()))) {
    throw new AppError('conflict', 'Someone else changed this case a moment ago. Reload it and try again.', { caseId: record.id });
  }
}

/** The refund was refused: the case is free again, in the state it was in. */
export async function releaseCaseAfterRefusal(ctx: Ctx, caseId: string): Promise<void> {
  await releaseCaseResolution(ctx.db, caseId, ctx.clock.nowMs());
}

/** Which of these refunds already resolve a case (one refund resolves at most one case, AS-11). */
export async function refundsLinkedToCases(ctx: Pick<Ctx, 'db'>, refundIds: readonly string[]): Promise<Set<string>> {
  return findRefundsLinkedToCases(ctx.db, refundIds);
}
