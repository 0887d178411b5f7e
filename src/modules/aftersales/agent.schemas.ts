// What the agent routes of after-sales accept and return (AS-2, AS-10, AS-12, AS-13; docs/CONTRACTS.md): unknown
// keys refused, responses naming every field they show.
import { z } from 'zod';
import { caseActorRoles } from './aftersales.table.ts';
import { agentCaseActions, type AvailableCaseAction } from './agent.rules.ts';
import type { AgentCaseDetail, QueuePage } from './agent-cases.service.ts';
import type { CaseNote } from './agent.repository.ts';
import type { Case, ShipmentSerial } from './cases.repository.ts';
import { caseActions, caseKinds, caseStates, reasonCodes, remedies, type CaseExpirySettings } from './cases.rules.ts';
import { customerCaseView, toCustomerCaseView } from './cases.schemas.ts';

const iso = z.iso.datetime();
const toIso = (ms: number) => new Date(ms).toISOString();
const id = z.string().min(1).max(100);

export const caseParams = z.strictObject({ caseId: id });
export const caseImageParams = z.strictObject({ caseId: id, imageId: id });
export const orderParams = z.strictObject({ orderId: id });

export const queueQuery = z.strictObject({
  kind: z.enum(caseKinds).optional(),
  state: z.enum(caseStates).optional(),
  reason: z.enum(reasonCodes).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
});

const orderSource = z.enum(['store', 'storefront', 'marketplace']);

export const queueView = z.object({
  cases: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(caseKinds),
      state: z.enum(caseStates),
      reason: z.enum(reasonCodes),
      remedy: z.enum(remedies),
      priority: z.boolean(),
      orderRef: z.string(),
      orderSource,
      productSku: z.string(),
      contactName: z.string(),
      memberId: z.string().nullable(),
      createdAt: iso,
      stateEnteredAt: iso,
      ageDays: z.number().int(),
      serialFlagged: z.boolean(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export function toQueueView(page: QueuePage): z.infer<typeof queueView> {
  return {
    cases: page.entries.map(({ record, ageDays, serialFlagged }) => ({
      id: record.id,
      kind: record.kind,
      state: record.state,
      reason: record.reason,
      remedy: record.remedy,
      priority: record.priority,
      orderRef: record.orderRef,
      orderSource: record.orderSource,
      productSku: record.productSku,
      contactName: record.contactName,
      memberId: record.memberId,
      createdAt: toIso(record.createdAtMs),
      stateEnteredAt: toIso(record.stateEnteredAtMs),
      ageDays,
      serialFlagged,
    })),
    nextCursor: page.nextCursor,
  };
}

export const actionBody = z.strictObject({
  action: z.enum(agentCaseActions),
  reasonCode: z.string().trim().min(1).max(64).optional(),
  note: z.string().trim().min(1).max(4000).optional(),
  remedy: z.enum(remedies).optional(),
});

export const noteBody = z.strictObject({ body: z.string().trim().min(1).max(4000) });

export const noteView = z.object({ id: z.string(), authorId: z.string(), body: z.string(), at: iso });

export function toNoteView(note: CaseNote): z.infer<typeof noteView> {
  return { id: note.id, authorId: note.authorId, body: note.body, at: toIso(note.createdAtMs) };
}

const traceRules = ['AS-3', 'AS-4', 'AS-5', 'AS-6', 'AS-7', 'AS-8', 'AS-13'] as const;
const availableActions = [...agentCaseActions, 'resolve', 'convert'] as const satisfies readonly AvailableCaseAction[];

/** AgentCaseView (docs/CONTRACTS.md): what the requester sees of a case, plus what only staff may see. */
/** What a resolved case's resolution did (AS-11), as agents see it; the flows layer adds its run's state. */
export const resolutionFactsView = z.object({
  remedy: z.enum(remedies),
  refundId: z.string().nullable(),
  replacementOrderId: z.string().nullable(),
  amountMinor: z.number().int().nullable(),
  creditsReversed: z.number().int().nullable(),
  creditsRestored: z.number().int().nullable(),
  detail: z.string().nullable(),
});

export function toResolutionFactsView(record: Pick<Case, 'remedy' | 'resolution'>): z.infer<typeof resolutionFactsView> {
  const resolution = record.resolution;
  return {
    remedy: record.remedy,
    refundId: resolution?.refundId ?? null,
    replacementOrderId: resolution?.orderId ?? null,
    amountMinor: resolution?.amountMinor ?? null,
    creditsReversed: resolution?.creditsReversed ?? null,
    creditsRestored: resolution?.creditsRestored ?? null,
    detail: resolution?.detail ?? null,
  };
}

/** The customer's view of the case plus what only staff see (AS-10): requester, trace, notes, serial checks, actions. */
export const agentCaseView = customerCaseView.extend({
  orderLineId: z.string().nullable(),
  stateEnteredAt: iso,
  timeline: z.array(
    z.object({
      at: iso,
      fromState: z.enum(caseStates).nullable(),
      toState: z.enum(caseStates),
      action: z.enum([...caseActions, 'submit']),
      actorRole: z.enum(caseActorRoles),
      actorId: z.string().nullable(),
      reasonCode: z.string().nullable(),
      note: z.string().nullable(),
    }),
  ),
  memberId: z.string().nullable(),
  guestEmail: z.string().nullable(),
  priority: z.boolean(),
  eligibility: z.object({
    outcome: z.enum(['eligible', 'auto_approved', 'refused']),
    allowedRemedies: z.array(z.enum(remedies)),
    moneyMoves: z.boolean(),
    creditsMove: z.boolean(),
    requiresProofImage: z.boolean(),
    trace: z.array(z.object({ rule: z.enum(traceRules), decided: z.string(), customerText: z.string() })),
  }),
  notes: z.array(noteView),
  serialCheck: z.enum(['matches', 'mismatch', 'not_recorded']).nullable(),
  serialReuse: z.array(z.object({ caseId: z.string(), state: z.enum(caseStates), remedy: z.enum(remedies), orderRef: z.string(), createdAt: iso })),
  availableActions: z.array(z.enum(availableActions)),
  convertedFromCaseId: z.string().nullable(),
  convertedToCaseId: z.string().nullable(),
  resolution: resolutionFactsView.nullable(),
});

export function toAgentCaseView(detail: AgentCaseDetail, expiry: CaseExpirySettings): z.infer<typeof agentCaseView> {
  const { record } = detail;
  return {
    ...toCustomerCaseView(record, detail.transitions, detail.images, expiry),
    orderLineId: record.orderLineId,
    stateEnteredAt: toIso(record.stateEnteredAtMs),
    timeline: detail.transitions.map((t) => ({ at: toIso(t.atMs), fromState: t.fromState, toState: t.toState, action: t.action, actorRole: t.actorRole, actorId: t.actorId, reasonCode: t.reasonCode, note: t.note })),
    memberId: record.memberId,
    guestEmail: record.guestEmail,
    priority: record.priority,
    eligibility: record.eligibility,
    notes: detail.notes.map(toNoteView),
    serialCheck: detail.serialCheck,
    serialReuse: detail.serialReuse.map((other: Case) => ({ caseId: other.id, state: other.state, remedy: other.remedy, orderRef: other.orderRef, createdAt: toIso(other.createdAtMs) })),
    availableActions: detail.availableActions,
    convertedFromCaseId: record.convertedFromCaseId,
    convertedToCaseId: record.convertedToCaseId,
    resolution: record.resolution === null ? null : toResolutionFactsView(record),
  };
}

const serialText = z.string().min(1).max(40);

export const serialsBody = z.strictObject({
  lines: z
    .array(z.strictObject({ orderLineId: id, serials: z.array(serialText).min(1).max(1000) }))
    .min(1)
    .max(100),
});

export const serialsView = z.object({ serials: z.array(z.object({ orderLineId: z.string(), serial: z.string(), recordedAt: iso })) });

export function toSerialsView(serials: readonly ShipmentSerial[]): z.infer<typeof serialsView> {
  return { serials: serials.map((s) => ({ orderLineId: s.orderLineId, serial: s.serial, recordedAt: toIso(s.recordedAtMs) })) };
}
