// After-sales case rules (AS-1, AS-10, AS-12 and the state list of aftersales.md) as pure data and functions: case
// kinds, remedies, reason codes, the case state machine with its guard, and when a waiting state expires. No
// database, no clock: the caller passes the times.
import { AppError } from '../../platform/errors.ts';
import { assert, assertNever } from '../../platform/assert.ts';

const dayMs = 86_400_000;

export const caseKinds = ['return', 'exchange', 'warranty_claim', 'damage_report', 'support'] as const;
export type CaseKind = (typeof caseKinds)[number];

export const remedies = ['refund', 'exchange', 'replacement', 'credit_restore', 'none'] as const;
export type Remedy = (typeof remedies)[number];

/** The reason codes of the form (AS-1). */
export const reasonCodes = ['damaged_on_arrival', 'defective', 'wrong_item_sent', 'ordered_wrong_item', 'no_longer_needed', 'other'] as const;
export type ReasonCode = (typeof reasonCodes)[number];

/**
 * The states of aftersales.md plus `expired`. The spec says `needs_info` and `awaiting_return` expire but names no
 * state for it; a case that ran out of time is neither the requester's cancellation nor an agent's rejection, and the
 * timeline, the status page and the email (AS-12) should say which, so it gets its own final state.
 */
export const caseStates = ['submitted', 'under_review', 'needs_info', 'approved', 'awaiting_return', 'received', 'resolved', 'rejected', 'canceled', 'expired'] as const;
export type CaseState = (typeof caseStates)[number];

export const finalCaseStates = ['resolved', 'rejected', 'canceled', 'expired'] as const satisfies readonly CaseState[];

/**
 * The state machine. `approved → resolved` is for cases where nothing comes back (damage reports, keep-item, support).
 * The requester may cancel until the item is on its way back: from every open state before `received` (once we hold
 * the item, cancelling would leave it with us and no outcome). `received` means received and inspected: the agent
 * marks both at once (AS-10) and the inspection result is the transition's reason, because nothing waits between
 * the two and `resolve` must not happen before either.
 */
export const caseTransitions = {
  submitted: ['approved', 'under_review', 'rejected', 'canceled'],
  under_review: ['needs_info', 'approved', 'rejected', 'canceled'],
  needs_info: ['under_review', 'canceled', 'expired'],
  approved: ['awaiting_return', 'resolved', 'canceled'],
  awaiting_return: ['received', 'canceled', 'expired'],
  received: ['resolved'],
  resolved: [],
  rejected: [],
  canceled: [],
  expired: [],
} as const satisfies Record<CaseState, readonly CaseState[]>;

/** What an actor does to a case; each action leads to exactly one state, so the timeline can record the action. */
export const caseActions = ['review', 'ask_for_info', 'answer', 'approve', 'reject', 'await_return', 'mark_received', 'resolve', 'cancel', 'expire'] as const;
export type CaseAction = (typeof caseActions)[number];

export const caseActionTarget = {
  review: 'under_review',
  ask_for_info: 'needs_info',
  answer: 'under_review',
  approve: 'approved',
  reject: 'rejected',
  await_return: 'awaiting_return',
  mark_received: 'received',
  resolve: 'resolved',
  cancel: 'canceled',
  expire: 'expired',
} as const satisfies Record<CaseAction, CaseState>;

const stateWords: Record<CaseState, string> = {
  submitted: 'submitted',
  under_review: 'under review',
  needs_info: 'waiting for more information',
  approved: 'approved',
  awaiting_return: 'waiting for the item to come back',
  received: 'received and inspected',
  resolved: 'resolved',
  rejected: 'rejected',
  canceled: 'canceled',
  expired: 'closed because it ran out of time',
};

const actionWords: Record<CaseAction, string> = {
  review: 'taken into review',
  ask_for_info: 'sent back for more information',
  answer: 'answered',
  approve: 'approved',
  reject: 'rejected',
  await_return: 'set to wait for the item',
  mark_received: 'marked received and inspected',
  resolve: 'resolved',
  cancel: 'canceled',
  expire: 'expired',
};

export function canCaseTransition(from: CaseState, to: CaseState): boolean {
  return (caseTransitions[from] as readonly CaseState[]).includes(to);
}

export function isFinalCaseState(state: CaseState): boolean {
  return caseTransitions[state].length === 0;
}

/**
 * Refuses a transition the machine does not have (a user-visible 409). An action that does not lead to `to` is a bug
 * in the caller, not a user's mistake, so it fails an assert instead.
 */
export function assertCaseTransition(from: CaseState, to: CaseState, action: CaseAction): void {
  assert(caseActionTarget[action] === to, `case action ${action} leads to ${caseActionTarget[action]}, not ${to}`);
  if (!canCaseTransition(from, to)) {
    throw new AppError('invalid_state', `The case is ${stateWords[from]}, so it cannot be ${actionWords[action]}.`, { state: from, to, action });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Expiry

export interface CaseExpirySettings {
  /** How long a case waits for the requester's answer before it expires. */
  needsInfoExpiryMs: number;
  /** How long an approved return waits for the item before it expires. */
  awaitingReturnExpiryMs: number;
}

export const defaultCaseExpirySettings: CaseExpirySettings = {
  needsInfoExpiryMs: 14 * dayMs,
  awaitingReturnExpiryMs: 30 * dayMs,
};

/** When a case that entered `state` at `enteredAtMs` expires; null for states that wait for no one outside. */
export function caseExpiresAtMs(state: CaseState, enteredAtMs: number, settings: CaseExpirySettings): number | null {
  switch (state) {
    case 'needs_info':
      return enteredAtMs + settings.needsInfoExpiryMs;
    case 'awaiting_return':
      return enteredAtMs + settings.awaitingReturnExpiryMs;
    case 'submitted':
    case 'under_review':
    case 'approved':
    case 'received':
    case 'resolved':
    case 'rejected':
    case 'canceled':
    case 'expired':
      return null;
    default:
      return assertNever(state, 'case state');
  }
}

/** Due from the expiry moment on (inclusive), so a sweep that runs exactly then expires the case. */
export function isCaseExpiryDue(state: CaseState, enteredAtMs: number, nowMs: number, settings: CaseExpirySettings): boolean {
  const expiresAtMs = caseExpiresAtMs(state, enteredAtMs, settings);
  return expiresAtMs !== null && nowMs >= expiresAtMs;
}
