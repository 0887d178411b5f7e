// PV-12: requests still unverified 7 days after they began to wait for verification close as `closed_unverified`.
// A sweep in bounded batches, each request moved by moveRequest with the system as actor (timeline, audit, email)
// in a transaction of its own; running it twice changes nothing. The same sweep deletes verification codes a day
// after they expired.
import { transact, type Deps } from '../../deps.ts';
import { DAY_MS } from '../../platform/clock.ts';
import { isAppError } from '../../platform/errors.ts';
import { findUnverifiedSince, pruneCodes } from './requests.repository.ts';
import { moveRequest, systemRequestActor } from './request-transitions.service.ts';
import { unverifiedRequestLifetimeMs } from './verification.rules.ts';

export interface UnverifiedSweepReport {
  closed: number;
  /** Verification codes deleted a day after they expired (the code table's security_log retention). */
  codesPruned: number;
  /** Requests verified or withdrawn between the read and the write: left as they are. */
  skipped: number;
}

export async function closeUnverifiedRequests(deps: Deps, options: { batchSize?: number; maxBatches?: number } = {}): Promise<UnverifiedSweepReport> {
  const batchSize = options.batchSize ?? 200;
  const maxBatches = options.maxBatches ?? 50;
  const report: UnverifiedSweepReport = { closed: 0, skipped: 0, codesPruned: 0 };
  const waitingSinceMs = deps.clock.nowMs() - unverifiedRequestLifetimeMs;
  for (let batch = 0; batch < maxBatches; batch++) {
    const ids = await findUnverifiedSince(deps.db, waitingSinceMs, batchSize);
    for (const requestId of ids) {
      try {
        await transact(deps, (trx) => moveRequest(trx, { requestId, action: 'close_unverified', actor: systemRequestActor, reasonCode: 'identity_not_verified' }));
        report.closed++;
      } catch (error) {
        if (!isAppError(error) || (error.code !== 'conflict' && error.code !== 'invalid_state')) throw error;
        report.skipped++;
      }
    }
    if (ids.length < batchSize) break;
  }
  for (let batch = 0; batch < maxBatches; batch++) {
    const pruned = await pruneCodes(deps.db, deps.clock.nowMs() - DAY_MS, batchSize);
    report.codesPruned += pruned;
    if (pruned < batchSize) break;
  }
  return report;
}
