// Retention rules per data class of the personal-data map (PV-30, PV-31). Pure: what triggers the clock, how long
// the data is active, the limitation period after it, the 2 months' grace, and what happens at the end. Defaults
// are written here and documented in src/modules/privacy/README.md; the retention job (retention.service.ts) and the
// erasure report's "kept until" read them and nothing else.
import type { RetentionClass } from '../../db/personal-data.ts';

const dayMs = 86_400_000;

export interface RetentionRule {
  /** What starts the clock. */
  trigger: 'account_closure' | 'record_date' | 'created' | 'request_closed';
  /** How long the data serves its purpose after the trigger. */
  activeDays: number;
  /** How long claims can still be made about it (storage-only meanwhile). */
  limitationDays: number;
  /** Added to every period before the end (PV-30: + 2 months). */
  graceDays: number;
  /** What happens at the end: the subject is erased with the executor, or the rows are deleted. */
  atEnd: 'erase_subject' | 'delete_rows';
  /** In words, for the docs and the erasure report. */
  description: string;
}

export const retentionRules: Readonly<Record<RetentionClass, RetentionRule>> = {
  account: {
    trigger: 'account_closure',
    activeDays: 0,
    limitationDays: 3 * 365,
    graceDays: 61,
    atEnd: 'erase_subject',
    description: 'From the account’s closure: storage-only for the 3-year general limitation period of claims, + 2 months, then the subject is erased.',
  },
  transaction_records: {
    trigger: 'record_date',
    activeDays: 0,
    limitationDays: 7 * 365,
    graceDays: 61,
    atEnd: 'delete_rows',
    description: 'From the record’s date: 7 years (statutory retention of commercial and tax records), + 2 months, then deleted.',
  },
  security_log: {
    trigger: 'created',
    activeDays: 30,
    limitationDays: 0,
    graceDays: 0,
    atEnd: 'delete_rows',
    description: 'Sessions, sign-in throttles and single-use tokens: 30 days at most, pruned by their own jobs.',
  },
  operational_short: {
    trigger: 'created',
    activeDays: 90,
    limitationDays: 0,
    graceDays: 0,
    atEnd: 'delete_rows',
    description: 'Queues, outbox copies, webhook bodies and idempotency answers: 90 days at most, pruned by their own jobs.',
  },
  legal_hold: {
    trigger: 'request_closed',
    activeDays: 0,
    limitationDays: 6 * 365,
    graceDays: 61,
    atEnd: 'delete_rows',
    description: 'The audit trail and privacy request records (PV-31: at least 24 months): 6 years from the record, + 2 months.',
  },
};

/** How long after the trigger the rule's end comes. */
export function retentionPeriodMs(retention: RetentionClass): number {
  const rule = retentionRules[retention];
  return (rule.activeDays + rule.limitationDays + rule.graceDays) * dayMs;
}

/** The day (YYYY-MM-DD, UTC) until which a value kept at `fromMs` under this class stays. */
export function keptUntil(retention: RetentionClass, fromMs: number): string {
  return new Date(fromMs + retentionPeriodMs(retention)).toISOString().slice(0, 10);
}
