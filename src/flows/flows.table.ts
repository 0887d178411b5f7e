// The flow runner's tables (migration 0020-flows-runs): row types that never leave src/flows.
import { tables, type Executor } from '../db/database.ts';

export const flowStates = ['running', 'completed', 'compensating', 'compensated', 'failed', 'needs_attention'] as const;
export type FlowState = (typeof flowStates)[number];

export const stepStates = ['done', 'compensated', 'compensation_failed'] as const;
export type StepState = (typeof stepStates)[number];

export interface FlowRunRow {
  id: string;
  type: string;
  key: string;
  state: FlowState;
  input: string;
  member_id: string | null;
  current_step: string | null;
  attempts: number;
  next_attempt_at_ms: number | null;
  cause_code: string | null;
  last_error_code: string | null;
  created_at_ms: number;
  updated_at_ms: number;
  finished_at_ms: number | null;
}

export interface FlowStepRow {
  run_id: string;
  step: string;
  state: StepState;
  result: string;
  refusals: number;
  last_error_code: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface FlowTables {
  flow_runs: FlowRunRow;
  flow_steps: FlowStepRow;
}

export function flowTables(db: Executor) {
  return tables<FlowTables>(db);
}
