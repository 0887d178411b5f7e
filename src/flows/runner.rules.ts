// The flow runner's pure rules: the run state machine as data (CONVENTIONS 10) and the safe failure codes.
import { isAppError } from '../platform/errors.ts';
import { GatewayUnavailableError } from '../ports/index.ts';
import type { FlowState } from './flows.table.ts';

/**
 * running → completed (every step recorded) | compensating (a step failed, something to undo) | failed (a step
 * failed before anything needed undoing). compensating → compensated | needs_attention (a compensation was refused
 * or unanswered); a retry of a run needing attention compensates again.
 */
export const flowTransitions = {
  running: ['completed', 'compensating', 'failed'],
  compensating: ['compensated', 'needs_attention'],
  needs_attention: ['compensating'],
  completed: [],
  compensated: [],
  failed: [],
} as const satisfies Record<FlowState, readonly FlowState[]>;

export function flowSourcesOf(target: FlowState): FlowState[] {
  return (Object.keys(flowTransitions) as FlowState[]).filter((from) => (flowTransitions[from] as readonly FlowState[]).includes(target));
}

/** A business failure of a step (a decline, a refusal): the run stops and what was done is undone. */
export class FlowStepFailed extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: string, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlowStepFailed';
    this.code = code;
    this.details = options.details ?? {};
  }
}

/**
 * The outside system definitely refused a compensation (it answered, nothing happened). The next attempt asks under
 * a new idempotency key, since a gateway answers a repeated key with its first answer; an unanswered call (any other
 * error) is repeated under the same key, so it can never take effect twice.
 */
export class CompensationRefused extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'CompensationRefused';
    this.code = code;
  }
}

const safeCode = /^[a-z][a-z0-9_]{0,63}$/;

/** What goes into cause_code and last_error_code: a code, never a message (messages may quote people). */
export function failureCodeOf(error: unknown): string {
  let code = 'internal';
  if (error instanceof FlowStepFailed || error instanceof CompensationRefused) code = error.code;
  else if (isAppError(error)) code = error.code;
  else if (error instanceof GatewayUnavailableError) code = 'gateway_unavailable';
  return safeCode.test(code) ? code : 'internal';
}
