// Retention of the privacy module's own records (PV-30, PV-31), called by the daily retention job
// (src/flows/retention.ts): rights requests closed longer ago than the `legal_hold` period (at least 24 months; the
// rule says 6 years + 2 months) go with their timeline, verification codes and authorized agents' documents, files
// included; expired and failed export records go after the `operational_short` period (their ZIPs went at expiry).
// The data map keeps the request records through erasure (`keep_for_law`, legal_hold) and the rule's end is
// `delete_rows`, so they are deleted, not anonymized. Bounded batches; a second run the same day finds nothing.
import { transact, type Ctx } from '../../deps.ts';
import { deleteExports, selectExportsPastRetention } from './export.repository.ts';
import { deleteRequestRecords, selectRequestsPastRetention } from './requests.repository.ts';
import { retentionPeriodMs } from './retention.rules.ts';

export interface RecordRetentionResult {
  requestsDeleted: number;
  documentFilesDeleted: number;
  exportsDeleted: number;
}

/**
 * One bounded pass. Files are removed before their rows and outside the transaction (no outside call inside one): a
 * crash in between leaves rows whose files are gone, which the next run deletes (removing a missing file is fine).
 */
export async function expirePrivacyRecords(ctx: Ctx, limit: number): Promise<RecordRetentionResult> {
  const nowMs = ctx.clock.nowMs();
  const result: RecordRetentionResult = { requestsDeleted: 0, documentFilesDeleted: 0, exportsDeleted: 0 };
  const closedBeforeMs = nowMs - retentionPeriodMs('legal_hold');
  const requests = await selectRequestsPastRetention(ctx.db, closedBeforeMs, limit);
  for (const request of requests) {
    for (const key of request.documentKeys) {
      await ctx.ports.files.remove(key);
      result.documentFilesDeleted += 1;
    }
  }
  result.requestsDeleted = await transact(ctx, (trx) =>
    deleteRequestRecords(
      trx.db,
      requests.map((request) => request.id),
      closedBeforeMs,
      nowMs,
    ),
  );
  const exports = await selectExportsPastRetention(ctx.db, nowMs - retentionPeriodMs('operational_short'), limit);
  for (const record of exports) if (record.storageKey) await ctx.ports.files.remove(record.storageKey);
  result.exportsDeleted = await deleteExports(
    ctx.db,
    exports.map((record) => record.id),
  );
  return result;
}
