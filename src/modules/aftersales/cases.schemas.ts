// What the customer-side after-sales routes accept and return (AS-1, AS-9, AS-12; PL-13: unknown keys refused,
// responses name every field they show). The customer's view never carries internal notes, staff IDs or the agents'
// wording of the eligibility trace.
import { z } from 'zod';
import { caseExpiresAtMs, caseKinds, caseStates, canCaseTransition, reasonCodes, remedies, type CaseExpirySettings } from './cases.rules.ts';
import type { Case, CaseImage, CaseTransition } from './cases.repository.ts';
import { maxImagesPerCase } from './images.rules.ts';
import { amazonMarketplaces } from '../store/index.ts';

const iso = z.iso.datetime();
const toIso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : toIso(ms));

const text = (max: number) => z.string().trim().min(1).max(max);

/** The form's fields (AS-1), sent as the JSON of the multipart field `case`. */
export const caseFormFields = {
  kind: z.enum(caseKinds),
  remedy: z.enum(remedies),
  reason: z.enum(reasonCodes),
  orderRef: text(64),
  orderLineId: z.string().trim().min(1).max(100).nullish(),
  productSku: z.string().trim().min(1).max(64).nullish(),
  /** For an Amazon order: the store it was bought on; checked against the recorded order when both are known. */
  marketplace: z.enum(amazonMarketplaces).nullish(),
  serial: z.string().trim().max(40).nullish().transform((value) => (value ? value : null)),
  details: text(4000),
};

export const memberCaseForm = z.strictObject({ ...caseFormFields, contactName: text(200).nullish() });
export const guestCaseForm = z.strictObject({
  ...caseFormFields,
  email: z.email().max(254),
  contactName: text(200),
  /** The ALTCHA widget's payload (base64 JSON of the solved challenge). */
  altcha: z.string().min(1).max(4000),
});

const binaryFile = z.string().meta({ format: 'binary' });

/** The multipart form of a new case, for the OpenAPI document; the handler reads and validates it (http/multipart.ts). */
export const caseMultipartBody = z.strictObject({
  case: z.string().describe('JSON of the form: { kind, remedy, reason, orderRef, orderLineId?, productSku?, marketplace?, serial?, details, contactName? } (guests add email, contactName, altcha).'),
  images: z.array(binaryFile).max(maxImagesPerCase).optional().describe('Up to 5 photos (JPEG, PNG, WebP, HEIC), each at most 10 MB.'),
});

export const answerMultipartBody = z.strictObject({
  message: z.string().describe('The answer to the question (1 to 4000 characters).'),
  images: z.array(binaryFile).max(maxImagesPerCase).optional().describe('More photos, up to 5 on the case in all.'),
});
export const answerMessage = text(4000);

export const caseParams = z.strictObject({ caseId: z.string().min(1).max(100) });
export const caseImageParams = z.strictObject({ caseId: z.string().min(1).max(100), imageId: z.string().min(1).max(100) });
export const statusTokenQuery = z.strictObject({ t: z.string().min(1).max(100) });
export const confirmBody = z.strictObject({ token: z.string().trim().min(10).max(200) });

export const captchaView = z.object({ algorithm: z.string(), challenge: z.string(), maxnumber: z.number().int().optional(), salt: z.string(), signature: z.string() });
export const guestCaseAccepted = z.object({ caseId: z.string(), message: z.string() });
export const confirmedView = z.object({ caseId: z.string(), statusUrl: z.string() });

const decisionView = z.object({
  outcome: z.enum(['eligible', 'auto_approved', 'refused']),
  allowedRemedies: z.array(z.enum(remedies)),
  texts: z.array(z.string()),
});

const timelineEntryView = z.object({
  at: iso,
  fromState: z.enum(caseStates).nullable(),
  toState: z.enum(caseStates),
  action: z.string(),
  actor: z.enum(['you', 'agent', 'system']),
  reasonCode: z.string().nullable(),
  note: z.string().nullable(),
});

const imageView = z.object({ id: z.string(), contentType: z.string(), width: z.number().int(), height: z.number().int(), sizeBytes: z.number().int() });

export const caseSummaryView = z.object({
  id: z.string(),
  kind: z.enum(caseKinds),
  state: z.enum(caseStates),
  reason: z.enum(reasonCodes),
  remedy: z.enum(remedies),
  orderRef: z.string(),
  orderSource: z.enum(['store', 'storefront', 'marketplace']),
  productSku: z.string(),
  createdAt: iso,
  updatedAt: iso,
});
export const caseListView = z.object({ cases: z.array(caseSummaryView) });

export const customerCaseView = caseSummaryView.extend({
  serial: z.string().nullable(),
  details: z.string(),
  contactName: z.string(),
  resolvedAt: iso.nullable(),
  emailConfirmed: z.boolean(),
  decision: decisionView,
  expiresAt: iso.nullable(),
  canAnswer: z.boolean(),
  canCancel: z.boolean(),
  timeline: z.array(timelineEntryView),
  images: z.array(imageView),
  resolution: z.object({ remedy: z.enum(remedies), detail: z.string().nullable() }).nullable(),
});

export function toCaseSummaryView(record: Case): z.infer<typeof caseSummaryView> {
  return {
    id: record.id,
    kind: record.kind,
    state: record.state,
    reason: record.reason,
    remedy: record.remedy,
    orderRef: record.orderRef,
    orderSource: record.orderSource,
    productSku: record.productSku,
    createdAt: toIso(record.createdAtMs),
    updatedAt: toIso(record.updatedAtMs),
  };
}

function actorWord(role: CaseTransition['actorRole']): 'you' | 'agent' | 'system' {
  switch (role) {
    case 'member':
    case 'guest':
      return 'you';
    case 'agent':
    case 'admin':
      return 'agent';
    case 'system':
    case 'api_key':
      return 'system';
  }
}

const cancelable = (record: Case) => record.resolvingSinceMs === null && canCaseTransition(record.state, 'canceled');

export function toCustomerCaseView(record: Case, timeline: readonly CaseTransition[], images: readonly CaseImage[], expiry: CaseExpirySettings): z.infer<typeof customerCaseView> {
  return {
    ...toCaseSummaryView(record),
    serial: record.serial,
    details: record.details,
    contactName: record.contactName,
    resolvedAt: isoOrNull(record.resolvedAtMs),
    emailConfirmed: record.memberId !== null || record.emailConfirmedAtMs !== null,
    decision: { outcome: record.eligibility.outcome, allowedRemedies: record.eligibility.allowedRemedies, texts: record.eligibility.trace.map((entry) => entry.customerText) },
    expiresAt: isoOrNull(caseExpiresAtMs(record.state, record.stateEnteredAtMs, expiry)),
    canAnswer: record.state === 'needs_info',
    canCancel: cancelable(record),
    timeline: timeline.map((entry) => ({
      at: toIso(entry.atMs),
      fromState: entry.fromState,
      toState: entry.toState,
      action: entry.action,
      actor: actorWord(entry.actorRole),
      reasonCode: entry.reasonCode,
      note: entry.note,
    })),
    images: images.map((image) => ({ id: image.id, contentType: image.contentType, width: image.width, height: image.height, sizeBytes: image.sizeBytes })),
    resolution: record.state === 'resolved' ? { remedy: record.remedy, detail: record.resolution?.detail ?? null } : null,
  };
}
