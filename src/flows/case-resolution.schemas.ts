// The resolve route's shapes (console: the case page's "Resolve" panel): the agent's choice and what it did.
import { z } from 'zod';
import { caseStates, remedies, resolutionFactsView, toResolutionFactsView } from '../modules/aftersales/index.ts';
import { flowStates } from './flows.table.ts';
import type { CaseResolutionAnswer } from './case-resolution.ts';

export const caseIdParams = z.strictObject({ caseId: z.string().min(1).max(100) });

export const resolveCaseBody = z.strictObject({
  remedy: z.enum(remedies),
  /** Words for the requester, shown on the timeline and in the resolved email. */
  note: z.string().trim().min(1).max(2000).optional(),
  /** How many of the line's items a refund or replacement covers; 1 by default. */
  quantity: z.number().int().min(1).max(100).optional(),
});

/** The resolution part of the agent's case view (docs/CONTRACTS.md). */
export const caseResolutionView = z.object({
  caseId: z.string(),
  state: z.enum(caseStates),
  remedy: z.enum(remedies),
  /** The case's refund run: completed, or still running when the gateway did not answer; null without a run. */
  resolution: resolutionFactsView.extend({ flowState: z.enum(flowStates).nullable() }).nullable(),
});
export type CaseResolutionView = z.infer<typeof caseResolutionView>;

export function toCaseResolutionView(answer: CaseResolutionAnswer): CaseResolutionView {
  const record = answer.case;
  const resolution = record.resolution;
  return {
    caseId: record.id,
    state: record.state,
    remedy: record.remedy,
    resolution: resolution === null && answer.flowState === null ? null : { ...toResolutionFactsView(record), flowState: answer.flowState },
  };
}
