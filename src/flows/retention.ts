// Retention (PV-30, PV-31): the daily job that applies the rules of src/modules/privacy/retention.rules.ts, in
// bounded batches and idempotently, and logs what it did (counts only, no personal data):
//
//   account              a closed account whose closure is older than the rule's period is erased with the
//                        erasure flow (reason `retention`); the closure time is the member row's last update while
//                        closed (a closed account is not edited)
//   transaction_records  an erased subject whose erasure is older than the period loses the values kept for law
//                        (expireKeptRecords), once (privacy_erasures.records_expired_at_ms); and every row of a
//                        table with transaction_records values, erased subject or not, whose own record time (the
//                        map's recordTimeColumn) is older than the period loses its name, contact, address, free-text,
//                        network, message and payload values (clearExpiredRecordValues); amounts, SKUs and IDs stay
//   security_log, operational_short
//                        pruned by their own jobs (sessions, tokens, throttles, idempotency answers, webhook
//                        bodies, finished flow runs, done jobs) within the rule's window
//   legal_hold           rights requests closed longer ago than the period (PV-31: at least 24 months) are deleted
//                        with their timeline, codes and documents (files too) by the privacy module
//                        (expirePrivacyRecords); the audit trail and the erasure registry are kept
//   operational_short    also there: expired and failed export records (their ZIPs went at expiry, after 7 days)
import { transact, type Deps } from '../deps.ts';
import type { JobHandler, Schedule } from '../jobs/index.ts';
import { DAY_MS } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { clearExpiredRecordValues, closedAccountsDueForErasure, erasuresWithRecordsDue, expireKeptRecords, expirePrivacyRecords, markRecordsExpired, retentionPeriodMs } from '../modules/privacy/index.ts';
import { eraseSubject } from './erasure.ts';

export const retentionJobType = 'privacy-retention';
export const retentionBatchSize = 100;

export interface RetentionResult {
  accountsErased: number;
  /** Accounts due but refused now (an unfinished flow run): tried again the next day. */
  accountsDeferred: number;
  recordsExpired: number;
  rowsChanged: number;
  /** Rows of commercial records past their own period whose personal values were cleared (members not erased too). */
  recordRowsCleared: number;
  /** Tables in which such rows were cleared. */
  recordTablesTouched: number;
  /** Rights requests past the legal-hold period, deleted with their timeline, codes and documents (PV-31). */
  requestsDeleted: number;
  documentFilesDeleted: number;
  /** Expired or failed export records past the operational period. */
  exportsDeleted: number;
}

/** One pass of every retention rule, each in a bounded batch. */
export async function runRetention(deps: Deps, batchSize = retentionBatchSize): Promise<RetentionResult> {
  const nowMs = deps.clock.nowMs();
  const result: RetentionResult = { accountsErased: 0, accountsDeferred: 0, recordsExpired: 0, rowsChanged: 0, recordRowsCleared: 0, recordTablesTouched: 0, requestsDeleted: 0, documentFilesDeleted: 0, exportsDeleted: 0 };
  for (const memberId of await closedAccountsDueForErasure(deps.db, nowMs - retentionPeriodMs('account'), batchSize)) {
    try {
      await eraseSubject(deps, { memberId, requestId: null, reason: 'retention' });
      result.accountsErased += 1;
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'conflict') throw error;
      result.accountsDeferred += 1;
    }
  }
  for (const memberId of await erasuresWithRecordsDue(deps.db, nowMs - retentionPeriodMs('transaction_records'), batchSize)) {
    result.rowsChanged += await transact(deps, async (trx) => {
      const changed = await expireKeptRecords(trx, memberId);
      await markRecordsExpired(trx.db, memberId, trx.clock.nowMs());
      return changed;
    });
    result.recordsExpired += 1;
  }
  const cleared = await clearExpiredRecordValues(deps, nowMs - retentionPeriodMs('transaction_records'), batchSize);
  result.recordRowsCleared = cleared.recordRowsCleared;
  result.recordTablesTouched = cleared.recordTablesTouched;
  const records = await expirePrivacyRecords(deps, batchSize);
  result.requestsDeleted = records.requestsDeleted;
  result.documentFilesDeleted = records.documentFilesDeleted;
  result.exportsDeleted = records.exportsDeleted;
  return result;
}

export const retentionJobHandlers: Record<string, JobHandler> = {
  [retentionJobType]: async (deps) => {
    const result = await runRetention(deps);
    deps.logger.info({ job: retentionJobType, ...result }, 'privacy retention applied');
  },
};

export const retentionSchedules: Schedule[] = [{ type: retentionJobType, everyMs: DAY_MS }];
