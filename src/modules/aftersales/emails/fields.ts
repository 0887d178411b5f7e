// Field schemas and wording the after-sales emails share: the case's kind and state in customer words.
import { z } from 'zod';
import { templateFields } from '../../notifications/index.ts';
import { caseKinds, caseStates, type CaseKind, type CaseState } from '../cases.rules.ts';

export const { firstName, link } = templateFields;
export const caseId = z.string().min(1).max(100);
export const caseKind = z.enum(caseKinds);
export const caseState = z.enum(caseStates);
/** Customer-safe text written by us (an eligibility trace's wording, a reason's label), never a requester's own. */
export const safeText = z.string().trim().min(1).max(1000);

const kindLabels: Record<CaseKind, string> = {
  return: 'return',
  exchange: 'exchange',
  warranty_claim: 'warranty claim',
  damage_report: 'damage report',
  support: 'support request',
};

const stateLabels: Record<CaseState, string> = {
  submitted: 'Received',
  under_review: 'Under review',
  needs_info: 'Waiting for your answer',
  approved: 'Approved',
  awaiting_return: 'Waiting for the item',
  received: 'Item received and inspected',
  resolved: 'Resolved',
  rejected: 'Not approved',
  canceled: 'Canceled',
  expired: 'Closed (no answer in time)',
};

export function caseKindLabel(kind: CaseKind): string {
  return kindLabels[kind];
}

export function caseStateLabel(state: CaseState): string {
  return stateLabels[state];
}
