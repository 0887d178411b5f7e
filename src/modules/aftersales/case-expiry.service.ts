// Cases that waited too long expire (the state list of aftersales.md): `needs_info` when the requester did not answer,
// `awaiting_return` when the item did not come back. A sweep in bounded batches, each case moved by moveCase with the
// system as actor (on the timeline, emailed, AS-12) in a transaction of its own; running it twice changes nothing.
import { transact, type Deps } from '../../deps.ts';
import type { Config } from '../../config.ts';
import { isAppError } from '../../platform/errors.ts';
import { findCasesWaitingSince } from './agent.repository.ts';
import { caseExpiresAtMs, defaultCaseExpirySettings, type CaseExpirySettings } from './cases.rules.ts';
import { moveCase, systemActor } from './transitions.service.ts';

const dayMs = 86_400_000;

/** The expiry settings of this installation: PATRON_CASE_*_EXPIRY_DAYS, else the module's defaults (14 and 30 days). */
export function caseExpirySettingsOf(config: Pick<Config, 'aftersales'>): CaseExpirySettings {
  const { needsInfoExpiryDays, awaitingReturnExpiryDays } = config.aftersales;
  return {
    needsInfoExpiryMs: needsInfoExpiryDays === undefined ? defaultCaseExpirySettings.needsInfoExpiryMs : needsInfoExpiryDays * dayMs,
    awaitingReturnExpiryMs: awaitingReturnExpiryDays === undefined ? defaultCaseExpirySettings.awaitingReturnExpiryMs : awaitingReturnExpiryDays * dayMs,
  };
}

export interface ExpiryReport {
  expired: number;
  /** Cases another actor moved between the read and the write (an answer racing the sweep): left as they are. */
  skipped: number;
}

/**
 * Expires every case whose waiting time has run out at the clock's now (due from the expiry moment on, inclusive),
 * `batchSize` at a time, oldest first. Stops when a batch comes back short or after `maxBatches`.
 */
export async function expireDueCases(deps: Deps, options: { batchSize?: number; maxBatches?: number } = {}): Promise<ExpiryReport> {
  const batchSize = options.batchSize ?? 200;
  const maxBatches = options.maxBatches ?? 50;
  const settings = caseExpirySettingsOf(deps.config);
  const nowMs = deps.clock.nowMs();
  const report: ExpiryReport = { expired: 0, skipped: 0 };
  for (const state of ['needs_info', 'awaiting_return'] as const) {
    // caseExpiresAtMs(state, entered) <= now  ⇔  entered <= now − wait: the newest entry time that is due.
    const waitMs = caseExpiresAtMs(state, 0, settings)!;
    for (let batch = 0; batch < maxBatches; batch++) {
      const ids = await findCasesWaitingSince(deps.db, state, nowMs - waitMs, batchSize);
      for (const caseId of ids) {
        try {
          await transact(deps, (trx) => moveCase(trx, { caseId, action: 'expire', actor: systemActor }));
          report.expired++;
        } catch (error) {
          // The case moved on (answered, canceled) after the read: the guarded update refused, and the next read no
          // longer finds it in this state, so nothing is retried.
          if (!isAppError(error) || (error.code !== 'conflict' && error.code !== 'invalid_state')) throw error;
          report.skipped++;
        }
      }
      if (ids.length < batchSize) break;
    }
  }
  return report;
}
