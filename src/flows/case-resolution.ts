// Resolving an after-sales case (AS-7, AS-8, AS-11; CR-16). The case must be approved (nothing comes back) or
// received, and the remedy one its eligibility allowed. What the remedy does depends on where the item came from:
//
//   store order, refund        a durable run per case (`case-resolution:<caseId>`), the refund flow's own steps:
//                                reserve  (tx, with the run)  claim the case, reserve the refund of exactly the line  ← undo: failRefund, free the case
//                                refund   gateway, key refund:<refundId> (the refund flow's step)
//                                resolve  (tx)  complete the refund (credits reversed per line, CR-16) and resolve the
//                                         case with what the refund did, in ONE transaction
//   storefront order, refund   the storefront refunds its own orders (beginRefund refuses them) and its webhook
//                              reverses the credits; the case links the storefront's refund of the line once it has
//                              arrived, and until then the agent is told to refund there first
//   marketplace, refund        no money and no credits move here (AS-8: the marketplace refunds); resolved with the
//                              remedy and a detail saying so
//   exchange / replacement     a zero-price replacement order that earns nothing (of the line; for a marketplace
//                              purchase, of the catalog product with the case's SKU)
//   redemption damage report   replacement: a zero-credit shipment of the same reward; credit_restore: the credits
//                              spent on it given back under a key of the case; never money (AS-7)
//   none (support)             resolved with no resolution
//
// Everything but the store refund has no outside call, so it is one transaction (the replacement or restore and the
// resolve together): a crash leaves all or nothing, and a retry finds the case resolved. A run would only add rows.
import { z } from 'zod';
import { transact, type Deps } from '../deps.ts';
import { isUniqueViolation } from '../db/unique-violation.ts';
import { AppError } from '../platform/errors.ts';
import { recordAudit } from '../modules/audit/index.ts';
import {
  assertCaseResolvable,
  claimCaseForResolution,
  creditRestoreDetail,
  getCaseForResolution,
  isRedemptionRef,
  marketplaceRefundDetail,
  moveCase,
  refundDetail,
  refundReasonForCase,
  refundsLinkedToCases,
  releaseCaseAfterRefusal,
  replacementOrderDetail,
  replacementRedemptionDetail,
  type Case,
  type CaseResolution,
  type Remedy,
} from '../modules/aftersales/index.ts';
import {
  beginRefund,
  createReplacementOrder,
  createReplacementRedemption,
  findExternalOrder,
  findStorefrontLineRefunds,
  getOrderDetail,
  restoreRedemptionCredits,
  type OrderDetail,
} from '../modules/store/index.ts';
import { completeRefundAfterGateway, gatewayRefundStep, refundFailureAnswer, reserveRefundStep } from './refund.ts';
import { executeRun, findRunOf, startRun, type FlowDefinition, type StepResult } from './runner.ts';
import type { FlowState } from './flows.table.ts';

export interface ResolveCaseInput {
  caseId: string;
  remedy: Remedy;
  /** Words for the requester on the timeline and in the email. */
  note: string | null;
  /** How many of the line's items the refund or replacement covers; 1 by default. */
  quantity: number | null;
  actor: { id: string; role: 'agent' | 'admin' };
}

export interface CaseResolutionAnswer {
  case: Case;
  /** The state of the case's refund run; null when the resolution needed none (one transaction). */
  flowState: FlowState | null;
}

const id = z.string().min(1).max(100);

/** IDs and amounts only (flow_runs.input): the agent's note rides along as transient data, never stored here. */
const caseResolutionRunInput = z.strictObject({
  caseId: id,
  orderId: id,
  lineId: id,
  quantity: z.number().int().min(1).max(1000),
  refundId: id,
  amountMinor: z.number().int().nonnegative(),
  gatewayPaymentId: z.string().min(1).max(200).nullable(),
  actorId: id,
  actorRole: z.enum(['agent', 'admin']),
});
type CaseResolutionRunInput = z.infer<typeof caseResolutionRunInput>;

/** Never stored: if the resume job finishes the run, the case is resolved without the agent's words. */
interface CaseResolutionTransient {
  note: string | null;
}

export const caseResolutionFlowType = 'case-resolution';
/** The first run of a case has the plain key; a run after a refused refund gets the next attempt's key. */
export const caseResolutionKey = (caseId: string, attempt = 0) => (attempt === 0 ? `case-resolution:${caseId}` : `case-resolution:${caseId}:retry-${attempt}`);
/** Refused refunds after which a case must be looked at another way (bounds the key search). */
const maxRefundAttempts = 20;
/** The resume job finishes a resolution whose gateway answer or last step was lost after this long. */
export const resumeCaseResolutionAfterMs = 10 * 60_000;

export const caseResolutionFlow: FlowDefinition<CaseResolutionRunInput, CaseResolutionTransient> = {
  type: caseResolutionFlowType,
  input: caseResolutionRunInput,
  leaseMs: resumeCaseResolutionAfterMs,
  // The money may be on its way back: a crashed run is finished, never undone.
  whenStale: 'resume',
  steps: [
    reserveRefundStep((input) => input, (trx, input) => releaseCaseAfterRefusal(trx, input.caseId)),
    gatewayRefundStep((input) => input),
    {
      name: 'resolve',
      kind: 'transaction',
      async run(trx, { input, results, transient }): Promise<StepResult> {
        const refund = await completeRefundAfterGateway(trx, { refundId: input.refundId, caseId: input.caseId }, results);
        const resolution: CaseResolution = {
          refundId: refund.id,
          orderId: null,
          amountMinor: refund.amountMinor,
          creditsReversed: refund.creditsReversed,
          creditsRestored: refund.creditsRestored,
          detail: refundDetail({ amountMinor: refund.amountMinor, creditsReversed: refund.creditsReversed, creditsRestored: refund.creditsRestored }),
        };
        const actor = { id: input.actorId, role: input.actorRole };
        const resolved = await moveCase(trx, { caseId: input.caseId, action: 'resolve', actor, remedy: 'refund', note: transient?.note ?? null, resolution });
        await auditResolution(trx, actor, resolved, 'refund');
        return { caseId: resolved.id, refundId: refund.id };
      },
    },
  ],
};

async function auditResolution(ctx: Deps, actor: ResolveCaseInput['actor'], record: Case, remedy: Remedy): Promise<void> {
  const resolution = record.resolution;
  await recordAudit(ctx, {
    actor,
    action: 'aftersales.case.resolved',
    memberId: record.memberId,
    subject: record.id,
    details: {
      remedy,
      refundId: resolution?.refundId ?? null,
      orderId: resolution?.orderId ?? null,
      amountMinor: resolution?.amountMinor ?? null,
      creditsReversed: resolution?.creditsReversed ?? null,
      creditsRestored: resolution?.creditsRestored ?? null,
    },
  });
}

/** The key for a new refund run of the case: after refused runs, the next attempt's; a run under way is a 409. */
async function nextRunKey(deps: Deps, definition: FlowDefinition<CaseResolutionRunInput, CaseResolutionTransient>, caseId: string): Promise<string> {
  for (let attempt = 0; attempt < maxRefundAttempts; attempt++) {
    const key = caseResolutionKey(caseId, attempt);
    const run = await findRunOf(deps, definition, key);
    if (!run) return key;
    if (run.state !== 'compensated' && run.state !== 'failed') throw new AppError('conflict', 'A refund for this case is already on its way; the case will be resolved in a moment.');
  }
  throw new AppError('invalid_state', `The refund of this case was refused ${maxRefundAttempts} times. Resolve it another way.`);
}

/** The state of the case's latest refund run, or null when it never had one. */
export async function caseResolutionFlowState(deps: Deps, caseId: string): Promise<FlowState | null> {
  let state: FlowState | null = null;
  for (let attempt = 0; attempt < maxRefundAttempts; attempt++) {
    const run = await findRunOf(deps, caseResolutionFlow, caseResolutionKey(caseId, attempt));
    if (!run) break;
    state = run.state;
  }
  return state;
}

function lineOf(record: Case): string {
  if (!record.orderLineId) throw new AppError('validation', 'This case names no order line, so there is nothing to refund or replace.', { field: 'orderLineId' });
  return record.orderLineId;
}

/** The store refund of the case's line, as a durable run; the case is resolved in the run's last transaction. */
async function refundStoreLine(deps: Deps, input: ResolveCaseInput, record: Case, definition: FlowDefinition<CaseResolutionRunInput, CaseResolutionTransient>): Promise<CaseResolutionAnswer> {
  const lineId = lineOf(record);
  const quantity = input.quantity ?? 1;
  const key = await nextRunKey(deps, definition, record.id);
  const run = await transact(deps, async (trx) => {
    // Checked again inside the transaction that takes the case: it may have moved since it was read.
    const current = await getCaseForResolution(trx, record.id);
    assertCaseResolvable(current, 'refund');
    await claimCaseForResolution(trx, current);
    const begun = await beginRefund(trx, {
      orderId: current.orderRef,
      request: { kind: 'lines', lines: [{ lineId, quantity }] },
      reason: refundReasonForCase(current.reason),
      // The case ID on the refund links the two both ways (the case records the refund's ID).
      note: current.id,
      source: 'agent',
      requestedBy: input.actor.id,
    });
    return startRun(trx, definition, {
      key,
      input: {
        caseId: current.id,
        orderId: begun.order.id,
        lineId,
        quantity,
        refundId: begun.refund.id,
        amountMinor: begun.refund.amountMinor,
        gatewayPaymentId: begun.gatewayPaymentId,
        actorId: input.actor.id,
        actorRole: input.actor.role,
      },
      memberId: current.memberId,
      done: [{ step: 'reserve', result: {} }],
    });
  });
  let finished;
  try {
    finished = await executeRun(deps, definition, run, { transient: { note: input.note } });
  } catch (error) {
    throw refundFailureAnswer(error, run.input.refundId);
  }
  return { case: await getCaseForResolution(deps, record.id), flowState: finished.state };
}

/** One transaction: what the remedy makes (a replacement, a restore, nothing) and the resolve that records it. */
async function resolveInOneTransaction(deps: Deps, input: ResolveCaseInput, make: (trx: Deps, record: Case) => Promise<CaseResolution | undefined>): Promise<CaseResolutionAnswer> {
  const resolved = await transact(deps, async (trx) => {
    const record = await getCaseForResolution(trx, input.caseId);
    assertCaseResolvable(record, input.remedy);
    await claimCaseForResolution(trx, record);
    const resolution = await make(trx, record);
    const after = await moveCase(trx, { caseId: record.id, action: 'resolve', actor: input.actor, remedy: input.remedy, note: input.note, resolution });
    await auditResolution(trx, input.actor, after, input.remedy);
    return after;
  });
  return { case: resolved, flowState: null };
}

async function replacementOrderResolution(trx: Deps, record: Case, input: ResolveCaseInput, order: OrderDetail | null): Promise<CaseResolution> {
  const quantity = input.quantity ?? 1;
  let replacement;
  if (order) {
    replacement = await createReplacementOrder(trx, { source: { kind: 'order', sourceOrderId: order.id, lineId: lineOf(record) }, quantity, caseId: record.id });
  } else {
    // A marketplace purchase has no order here to copy: the catalog product with the case's SKU ships instead.
    const external = await findExternalOrder(trx, { source: 'amazon', externalOrderId: record.orderRef });
    const region = external?.marketplace ?? 'US';
    replacement = await createReplacementOrder(trx, { source: { kind: 'product', sku: record.productSku, memberId: record.memberId, guestEmail: record.guestEmail, region }, quantity, caseId: record.id });
  }
  const line = replacement.lines[0]!;
  return { refundId: null, orderId: replacement.id, amountMinor: 0, creditsReversed: 0, creditsRestored: 0, detail: replacementOrderDetail({ name: line.name, quantity: line.quantity, orderId: replacement.id }) };
}

/**
 * Resolves a case with a remedy (POST /agent/cases/:caseId/resolve). Refusals: a case not approved or received, or
 * already being resolved (409); a remedy its eligibility did not allow (422); a refund the gateway refused (409,
 * nothing moved, the case as it was); an unanswered gateway (503, the resume job finishes the run).
 */
export async function resolveCase(deps: Deps, input: ResolveCaseInput, definition: FlowDefinition<CaseResolutionRunInput, CaseResolutionTransient> = caseResolutionFlow): Promise<CaseResolutionAnswer> {
  const record = await getCaseForResolution(deps, input.caseId);
  assertCaseResolvable(record, input.remedy);
  const remedy = input.remedy;
  if (remedy === 'none') return resolveInOneTransaction(deps, input, async () => undefined);

  if (isRedemptionRef(record.orderRef)) {
    // AS-7: a redeemed product's damage is made good in kind or in credits, never in money.
    if (remedy === 'replacement') {
      return resolveInOneTransaction(deps, input, async (trx, current) => {
        const replacement = await createReplacementRedemption(trx, { sourceRedemptionId: current.orderRef, caseId: current.id });
        return { refundId: null, orderId: replacement.id, amountMinor: 0, creditsReversed: 0, creditsRestored: 0, detail: replacementRedemptionDetail({ name: replacement.name, quantity: replacement.quantity }) };
      });
    }
    if (remedy === 'credit_restore') {
      return resolveInOneTransaction(deps, input, async (trx, current) => {
        const restored = await restoreRedemptionCredits(trx, { redemptionId: current.orderRef, caseId: current.id });
        return { refundId: null, orderId: null, amountMinor: 0, creditsReversed: 0, creditsRestored: restored.restored, detail: creditRestoreDetail(restored) };
      });
    }
    throw new AppError('not_eligible', 'A redeemed product is made good with a replacement or its credits back, never with money.', { field: 'remedy' });
  }

  if (record.orderSource === 'marketplace') {
    if (remedy === 'refund') {
      // AS-8: the marketplace holds the money and no credits were earned on it: nothing moves here.
      return resolveInOneTransaction(deps, input, async () => ({ refundId: null, orderId: null, amountMinor: null, creditsReversed: 0, creditsRestored: 0, detail: marketplaceRefundDetail }));
    }
    if (remedy === 'exchange' || remedy === 'replacement') return resolveInOneTransaction(deps, input, (trx, current) => replacementOrderResolution(trx, current, input, null));
    throw new AppError('not_eligible', 'A marketplace purchase is resolved with a refund by the marketplace, an exchange or a replacement.', { field: 'remedy' });
  }

  const order = await getOrderDetail(deps, record.orderRef);
  if (remedy === 'exchange' || remedy === 'replacement') return resolveInOneTransaction(deps, input, (trx, current) => replacementOrderResolution(trx, current, input, order));
  if (remedy !== 'refund') throw new AppError('not_eligible', 'A store order is resolved with a refund, an exchange or a replacement.', { field: 'remedy' });
  if (order.channel === 'storefront') {
    const lineId = lineOf(record);
    try {
      return await resolveInOneTransaction(deps, input, async (trx) => {
        // The storefront's refund of this line that no other case has linked yet (two cases on one line each need one).
        const refunds = await findStorefrontLineRefunds(trx, { orderId: order.id, lineId });
        const linked = await refundsLinkedToCases(trx, refunds.map((refund) => refund.id));
        const refund = refunds.find((candidate) => !linked.has(candidate.id));
        if (!refund) {
          throw new AppError(
            'invalid_state',
            'This order was placed on the storefront, so it is refunded there: refund the line on the storefront (its refund webhook reverses the credits earned on it), then resolve this case again to link that refund.',
            { orderId: order.id, lineId },
          );
        }
        const part = refund.lines.find((line) => line.orderLineId === lineId)!;
        return {
          refundId: refund.id,
          orderId: null,
          amountMinor: part.amountMinor,
          creditsReversed: part.creditsReversed,
          creditsRestored: part.creditsRestored,
          detail: refundDetail({ amountMinor: part.amountMinor, creditsReversed: part.creditsReversed, creditsRestored: part.creditsRestored, where: 'storefront' }),
        };
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new AppError('conflict', 'That storefront refund was linked to another case a moment ago. Refund this item on the storefront, then resolve this case again.', { orderId: order.id, lineId });
    }
  }
  return refundStoreLine(deps, input, record, definition);
}
