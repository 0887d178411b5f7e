// What an agent may do to a case (AS-10, AS-13) as pure data: the actions of the actions route, the reason codes a
// rejection and an inspection record, the checks an action's input must pass, and the actions a case offers now.
// No database, no clock.
import { AppError } from '../../platform/errors.ts';
import { assertNever } from '../../platform/assert.ts';
import { canCaseTransition, caseActionTarget, isFinalCaseState, type CaseKind, type CaseState, type Remedy } from './cases.rules.ts';

/** The actions of POST /agent/cases/:caseId/actions; `resolve` is the resolution flow's route, `convert` its own. */
export const agentCaseActions = ['review', 'ask_for_info', 'approve', 'reject', 'await_return', 'mark_received'] as const;
export type AgentCaseAction = (typeof agentCaseActions)[number];

/** Why a case is rejected (AS-10: a rejection carries a reason code). */
export const rejectionReasons = ['outside_window', 'not_covered', 'no_defect_found', 'missing_information', 'suspected_fraud', 'other'] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

/** What the inspection of a returned item found (AS-10: received and inspected are marked together). */
export const inspectionResults = ['as_described', 'not_as_described', 'not_received_complete'] as const;
export type InspectionResult = (typeof inspectionResults)[number];

/** Everything the case view's availableActions may name. */
export type AvailableCaseAction = AgentCaseAction | 'resolve' | 'convert';

/** States a support case can be turned into a warranty claim from: before anything was sent back (AS-13). */
export const convertibleStates = ['submitted', 'under_review', 'needs_info', 'approved'] as const satisfies readonly CaseState[];

export interface AgentActionInput {
  action: AgentCaseAction;
  reasonCode?: string | null;
  note?: string | null;
  remedy?: Remedy | null;
}

const listOf = (codes: readonly string[]) => codes.join(', ');

/**
 * The input an action needs, checked before the state machine is asked (a 400 names the field): a rejection's reason
 * code, an inspection result, the question of ask_for_info (it is emailed to the requester), a remedy among those the
 * eligibility decision allowed. Fields an action does not take are refused rather than ignored.
 */
export function assertAgentActionInput(input: AgentActionInput, allowedRemedies: readonly Remedy[]): void {
  const reasonCode = input.reasonCode ?? null;
  const refuse = (field: string, message: string) => {
    throw new AppError('validation', message, { field });
  };
  if (input.remedy != null && input.action !== 'approve') refuse('remedy', `A remedy is chosen when approving, not with ${input.action}.`);
  switch (input.action) {
    case 'reject':
      if (reasonCode === null) refuse('reasonCode', `A rejection needs a reason code: one of ${listOf(rejectionReasons)}.`);
      if (!(rejectionReasons as readonly string[]).includes(reasonCode!)) refuse('reasonCode', `Unknown rejection reason "${reasonCode}": use one of ${listOf(rejectionReasons)}.`);
      return;
    case 'mark_received':
      if (reasonCode === null) refuse('reasonCode', `Marking an item received needs the inspection result: one of ${listOf(inspectionResults)}.`);
      if (!(inspectionResults as readonly string[]).includes(reasonCode!)) refuse('reasonCode', `Unknown inspection result "${reasonCode}": use one of ${listOf(inspectionResults)}.`);
      return;
    case 'ask_for_info':
      if (reasonCode !== null) refuse('reasonCode', 'Asking for information takes no reason code; write the question in note.');
      if ((input.note ?? '').trim() === '') refuse('note', 'Write the question for the requester in note: it is emailed to them.');
      return;
    case 'approve':
      if (reasonCode !== null) refuse('reasonCode', 'Approving takes no reason code.');
      if (input.remedy != null && !allowedRemedies.includes(input.remedy)) {
        refuse('remedy', `This case can be approved with ${listOf(allowedRemedies)}, not ${input.remedy}.`);
      }
      return;
    case 'review':
    case 'await_return':
      if (reasonCode !== null) refuse('reasonCode', `${input.action} takes no reason code.`);
      return;
    default:
      return assertNever(input.action, 'agent case action');
  }
}

export interface ActionableCase {
  kind: CaseKind;
  state: CaseState;
  memberId: string | null;
  emailConfirmedAtMs: number | null;
  convertedToCaseId: string | null;
  /** Set while a refund resolution is on its way: nothing else may move the case then. */
  resolvingSinceMs: number | null;
}

/** Whether agents may work the case: a member's, or a guest's whose email is confirmed (AS-1). */
export function isRequesterKnown(record: Pick<ActionableCase, 'memberId' | 'emailConfirmedAtMs'>): boolean {
  return record.memberId !== null || record.emailConfirmedAtMs !== null;
}

/**
 * What the console offers for a case now, from the state machine: none on a closed case, an unconfirmed guest's, or
 * one whose refund is on its way (the resolution finishes it).
 */
export function availableCaseActions(record: ActionableCase): AvailableCaseAction[] {
  if (isFinalCaseState(record.state) || !isRequesterKnown(record) || record.resolvingSinceMs !== null) return [];
  const actions: AvailableCaseAction[] = agentCaseActions.filter((action) => canCaseTransition(record.state, caseActionTarget[action]));
  if (canCaseTransition(record.state, caseActionTarget.resolve)) actions.push('resolve');
  if (record.kind === 'support' && record.convertedToCaseId === null && (convertibleStates as readonly CaseState[]).includes(record.state)) actions.push('convert');
  return actions;
}
