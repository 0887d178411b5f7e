// Lifetime support becomes a warranty claim (AS-13) without the requester typing anything again: the agent converts
// an open support case, the claim is decided anew from the order (AS-4, AS-5, AS-8) and opened with the support
// case's contact, order, product, serial, details and photos; the support case is resolved with a link to it.
import { transact, type Deps } from '../../deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { convertibleStates, isRequesterKnown } from './agent.rules.ts';
import { markCaseConverted } from './agent.repository.ts';
import { findCase, insertCase, insertImage, listImages, type Case, type CaseImage } from './cases.repository.ts';
import type { CaseAction, CaseState } from './cases.rules.ts';
import { decideEligibility, defaultEligibilitySettings } from './eligibility.rules.ts';
import { gatherOrderFacts, type Claimant } from './order-facts.service.ts';
import { emailCaseReceived, moveCase, recordCaseOpened, type CaseActor } from './transitions.service.ts';
import type { StaffActor } from './agent-cases.service.ts';

/** The legal moves that close a support case from where it stands (approve, then resolve with nothing to come back). */
const closingMoves = {
  submitted: ['approve', 'resolve'],
  under_review: ['approve', 'resolve'],
  needs_info: ['review', 'approve', 'resolve'],
  approved: ['resolve'],
} as const satisfies Record<(typeof convertibleStates)[number], readonly CaseAction[]>;

function assertConvertible(record: Case): asserts record is Case & { state: keyof typeof closingMoves } {
  if (record.kind !== 'support') throw new AppError('invalid_state', 'Only a support case can be turned into a warranty claim.', { kind: record.kind });
  if (record.convertedToCaseId !== null) throw new AppError('invalid_state', `This support case was already turned into warranty claim ${record.convertedToCaseId}.`, { convertedToCaseId: record.convertedToCaseId });
  if (!isRequesterKnown(record)) throw new AppError('invalid_state', 'The requester has not confirmed their email address yet, so the case cannot be worked on.');
  if (!(convertibleStates as readonly CaseState[]).includes(record.state)) {
    throw new AppError('invalid_state', `A support case that is ${record.state.replaceAll('_', ' ')} cannot be turned into a warranty claim; only an open one before anything was sent back.`, { state: record.state });
  }
}

/**
 * Converts the support case; returns the new warranty claim. A claim the rules refuse (the warranty ended, say) is a
 * 422 with the agent-worded reasons and changes nothing. The photos are copied to the new case's own files before the
 * transaction (file storage is outside the database), so erasing either case deletes only its own files.
 */
export async function convertSupportCase(deps: Deps, input: { caseId: string; staff: StaffActor }): Promise<Case> {
  const support = await findCase(deps.db, input.caseId);
  if (!support) throw notFound('The case');
  assertConvertible(support);
  // The order is read again as its requester would name it (the support case proved it theirs when it was opened).
  const claimant: Claimant = support.memberId !== null ? { kind: 'member', memberId: support.memberId } : { kind: 'guest', email: support.guestEmail! };
  const { order } = await gatherOrderFacts(deps, claimant, { orderRef: support.orderRef, orderLineId: support.orderLineId, productSku: support.productSku });
  const nowMs = deps.clock.nowMs();
  const eligibility = decideEligibility({ kind: 'warranty_claim', reason: 'defective', remedy: 'replacement', order, nowMs, settings: defaultEligibilitySettings });
  if (eligibility.outcome === 'refused') {
    throw new AppError('not_eligible', `The warranty claim is refused: ${eligibility.trace.at(-1)?.decided ?? 'no rule allowed it'}`, { trace: eligibility.trace });
  }
  const claimId = deps.ids.next('cas');
  const copies: CaseImage[] = [];
  for (const image of await listImages(deps.db, support.id)) {
    const file = await deps.ports.files.get(image.storageKey);
    if (!file) continue; // an erased or lost file: the claim goes ahead with the photos that exist
    const storageKey = `aftersales/${claimId}/${image.storageKey.split('/').at(-1)!}`;
    await deps.ports.files.put(storageKey, file);
    copies.push({ ...image, id: deps.ids.next('cim'), caseId: claimId, storageKey, createdAtMs: nowMs });
  }
  const actor: CaseActor = { role: input.staff.role, id: input.staff.id };
  try {
    return await transact(deps, async (trx) => {
      const current = await findCase(trx.db, support.id);
      if (!current) throw notFound('The case');
      assertConvertible(current);
      if (!(await markCaseConverted(trx.db, current.id, claimId, nowMs))) throw new AppError('conflict', 'Someone else converted this case a moment ago. Reload it.');
      await insertCase(
        trx.db,
        {
          id: claimId,
          memberId: current.memberId,
          guestEmail: current.guestEmail,
          contactName: current.contactName,
          kind: 'warranty_claim',
          state: 'submitted',
          reason: 'defective',
          remedy: 'replacement',
          orderRef: current.orderRef,
          orderSource: current.orderSource,
          orderLineId: current.orderLineId,
          productSku: current.productSku,
          serial: current.serial,
          details: current.details,
          priority: current.priority,
          eligibility,
          createdAtMs: nowMs,
          emailConfirmedAtMs: current.emailConfirmedAtMs,
          convertedFromCaseId: current.id,
        },
        { id: trx.ids.next('cst'), action: 'submit', actorRole: actor.role, actorId: actor.id, note: `Opened from support case ${current.id}.`, atMs: nowMs },
      );
      await recordCaseOpened(trx, { id: claimId, memberId: current.memberId, kind: 'warranty_claim', reason: 'defective', remedy: 'replacement', convertedFromCaseId: current.id });
      for (const copy of copies) await insertImage(trx.db, current.memberId, copy);
      const moves = closingMoves[current.state];
      for (const [index, action] of moves.entries()) {
        const last = index === moves.length - 1;
        await moveCase(trx, {
          caseId: current.id,
          action,
          actor,
          ...(action === 'approve' || action === 'resolve' ? { remedy: 'none' as const } : {}),
          ...(last ? { reasonCode: 'converted_to_warranty', note: `Continued as warranty claim ${claimId}: you do not need to send anything again.` } : { quiet: true }),
        });
      }
      await recordAudit(trx, { actor: input.staff, action: 'aftersales.case.converted', memberId: current.memberId, subject: current.id, details: { warrantyCaseId: claimId, outcome: eligibility.outcome } });
      const claim = await findCase(trx.db, claimId);
      if (!claim) throw notFound('The case');
      await emailCaseReceived(trx, claim);
      return claim;
    });
  } catch (error) {
    // No claim was written, so no row points at the copies: remove them (removing is idempotent) and report the cause.
    for (const copy of copies) await deps.ports.files.remove(copy.storageKey);
    throw error;
  }
}
