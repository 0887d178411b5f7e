// The erasure's steps as the flow (src/flows/erasure.ts) calls them (PV-18, PV-19): plan, delete files, erase rows,
// journal, record. Each is idempotent, so a resumed run may repeat any of them.
import { z } from 'zod';
import type { Ctx, Deps } from '../../deps.ts';
import { recordAudit } from '../audit/index.ts';
import { forfeitOnClosure } from '../credits/index.ts';
import { cancelMembership } from '../membership/index.ts';
import { closeMemberAccount, getMember, type KeyedCtx } from '../accounts/index.ts';
import { isAppError } from '../../platform/errors.ts';
import { appendErasureJournal } from './erasure-journal.ts';
import { executeErasure, type ErasureReport } from './erasure.executor.ts';
import { findErasureOfMember, insertErasure, type ErasureReason } from './erasures.repository.ts';

export const erasureReportSchema = z.object({
  memberId: z.string(),
  erasedAtMs: z.number().int(),
  deleted: z.array(z.object({ table: z.string(), columns: z.array(z.string()), rows: z.number().int() })),
  anonymized: z.array(z.object({ table: z.string(), columns: z.array(z.string()), rows: z.number().int() })),
  kept: z.array(z.object({ table: z.string(), column: z.string(), legalBasis: z.string(), retention: z.string(), until: z.string(), rule: z.string() })),
  filesDeleted: z.number().int(),
});

/** Deletes the subject's stored files (photos, documents); removing a missing key is not an error. */
export async function deleteSubjectFiles(ctx: Ctx, fileKeys: readonly string[]): Promise<number> {
  for (const key of fileKeys) await ctx.ports.files.remove(key);
  return fileKeys.length;
}

/**
 * Erases the subject's rows in the caller's transaction: the credits are forfeited with the closing posting (CR-22,
 * so the ledger stays whole, LG-2), an open Plus membership is canceled, the account is closed, then the map is
 * executed (the cancellation's email is in the outbox rows the map deletes).
 */
export async function eraseSubjectRows(ctx: KeyedCtx, memberId: string): Promise<Omit<ErasureReport, 'filesDeleted'>> {
  await forfeitOnClosure(ctx, { memberId, idempotencyKey: `erasure:${memberId}` });
  // Plus ends without a refund (as at closure, AC-10): no renewal charges an erased member. None open is fine.
  try {
    await cancelMembership(ctx, { memberId, actor: { id: null, role: 'system' }, reason: 'erasure' });
  } catch (error) {
    if (!isAppError(error) || error.code !== 'not_found') throw error;
  }
  // Closed through the accounts module, as a closure would (retention starts, sessions end); already closed is fine.
  const member = await getMember(ctx, memberId);
  if (member?.status === 'active') await closeMemberAccount(ctx, { memberId });
  return executeErasure(ctx, memberId);
}

export function journalErasure(deps: Deps, memberId: string, erasedAtMs: number): void {
  appendErasureJournal(deps.config.dataDir, { memberId, erasedAtMs });
}

/** Records the erasure in the registry and the audit log (PV-19, PV-33), once per member. */
export async function recordErasure(ctx: Ctx, input: { memberId: string; requestId: string | null; reason: ErasureReason; actorId: string | null; report: ErasureReport }): Promise<string> {
  const existing = await findErasureOfMember(ctx.db, input.memberId);
  if (existing) return existing.id;
  const id = ctx.ids.next('per');
  await insertErasure(ctx.db, { id, member_id: input.memberId, request_id: input.requestId, reason: input.reason, report: JSON.stringify(input.report), erased_at_ms: input.report.erasedAtMs, records_expired_at_ms: null });
  await recordAudit(ctx, {
    actor: { id: input.actorId, role: input.actorId ? 'admin' : 'system' },
    action: 'privacy.erasure.completed',
    memberId: input.memberId,
    subject: id,
    details: { reason: input.reason, deletedTables: input.report.deleted.length, anonymizedTables: input.report.anonymized.length, keptColumns: input.report.kept.length, filesDeleted: input.report.filesDeleted },
  });
  return id;
}


