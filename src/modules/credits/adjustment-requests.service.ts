// Four-eyes adjustments (CR-21): the staff entry point for adjusting a balance. An adjustment within the policy's
// threshold posts at once; a larger one is recorded as a pending request, and only a second staff member's approval
// writes the posting (a rejection closes the request without one). Who asked, who decided and when are kept on the
// request row and in the audit log; audit entries carry IDs and codes, the notes stay on the request.
import { z } from 'zod';
import { transact, type Ctx } from '../../deps.ts';
import { forUpdate } from '../../db/database.ts';
import { isUniqueViolation } from '../../db/unique-violation.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { adjustCredits, adjustmentReasonCodes, assertAdjustable, type AdjustCreditsResult, type AdjustmentReasonCode } from './adjust.service.ts';
import { requestHash } from './ledger.service.ts';
import { creditTables, type AdjustmentRequestStatus, type CreditAdjustmentRequestRow } from './ledger.table.ts';
import { needsSecondApproval } from './policy.rules.ts';
import { getCurrentPolicy } from './policy.service.ts';

export const adjustmentRequestStatuses = ['pending', 'approved', 'rejected'] as const satisfies readonly AdjustmentRequestStatus[];

type StaffRole = 'agent' | 'admin';

export interface AdjustmentRequest {
  id: string;
  memberId: string;
  credits: number;
  reasonCode: AdjustmentReasonCode;
  note: string;
  policyVersion: number;
  thresholdCredits: number;
  requestedBy: string;
  requestedByRole: StaffRole;
  requestedAtMs: number;
  status: AdjustmentRequestStatus;
  decidedBy: string | null;
  decidedByRole: StaffRole | null;
  decidedAtMs: number | null;
  decisionNote: string | null;
  transactionId: string | null;
}

function toRequest(row: CreditAdjustmentRequestRow): AdjustmentRequest {
  return {
    id: row.id,
    memberId: row.member_id,
    credits: Number(row.credits),
    reasonCode: z.enum(adjustmentReasonCodes).parse(row.reason_code),
    note: row.note,
    policyVersion: Number(row.policy_version),
    thresholdCredits: Number(row.threshold_credits),
    requestedBy: row.requested_by,
    requestedByRole: row.requested_by_role,
    requestedAtMs: Number(row.requested_at_ms),
    status: row.status,
    decidedBy: row.decided_by,
    decidedByRole: row.decided_by_role,
    decidedAtMs: row.decided_at_ms === null ? null : Number(row.decided_at_ms),
    decisionNote: row.decision_note,
    transactionId: row.transaction_id,
  };
}

const id = z.string().min(1).max(100);
const staff = z.strictObject({ id, role: z.enum(['agent', 'admin']) });

const requestInput = z.strictObject({
  memberId: id,
  credits: z.number().int().min(-1_000_000).max(1_000_000).refine((n) => n !== 0, 'an adjustment moves at least one credit'),
  reasonCode: z.enum(adjustmentReasonCodes),
  note: z.string().trim().min(3).max(1000),
  actor: staff,
  /** The caller's key behind the staff member's ID, as adjustCredits takes it. */
  idempotencyKey: z.string().min(1).max(320),
});
export type RequestAdjustmentInput = z.input<typeof requestInput>;

export type RequestAdjustmentOutcome = { status: 'posted'; adjustment: AdjustCreditsResult } | { status: 'pending_approval'; request: AdjustmentRequest };

/** Used by CR-21's staff route: posts within the threshold, otherwise records a request for a second staff member. */
export async function requestAdjustment(ctx: Ctx, input: RequestAdjustmentInput): Promise<RequestAdjustmentOutcome> {
  const parsed = requestInput.parse(input);
  const work = async (trx: Ctx): Promise<RequestAdjustmentOutcome> => {
    await assertAdjustable(trx, { memberId: parsed.memberId, actorId: parsed.actor.id });
    const table = creditTables(trx.db);
    // A retried request (same key) answers what the first one did, whichever way it went.
    const existing = await table.selectFrom('credit_adjustment_requests').selectAll().where('member_id', '=', parsed.memberId).where('idempotency_key', '=', parsed.idempotencyKey).executeTakeFirst();
    const hash = requestHash('adjustment-request', { credits: parsed.credits, reasonCode: parsed.reasonCode, note: parsed.note, actorId: parsed.actor.id });
    if (existing) {
      if (existing.request_hash !== hash) throw new AppError('idempotency_conflict', 'This idempotency key was already used with a different request.', { key: parsed.idempotencyKey });
      return { status: 'pending_approval', request: toRequest(existing) };
    }
    const policy = await getCurrentPolicy(trx);
    if (!needsSecondApproval(policy, parsed.credits)) return { status: 'posted', adjustment: await adjustCredits(trx, parsed) };
    const row: CreditAdjustmentRequestRow = {
      id: trx.ids.next('adr'),
      member_id: parsed.memberId,
      credits: parsed.credits,
      reason_code: parsed.reasonCode,
      note: parsed.note,
      idempotency_key: parsed.idempotencyKey,
      request_hash: hash,
      policy_version: policy.version,
      threshold_credits: policy.adjustmentApprovalThresholdCredits,
      requested_by: parsed.actor.id,
      requested_by_role: parsed.actor.role,
      requested_at_ms: trx.clock.nowMs(),
      status: 'pending',
      decided_by: null,
      decided_by_role: null,
      decided_at_ms: null,
      decision_note: null,
      transaction_id: null,
    };
    try {
      await table.insertInto('credit_adjustment_requests').values(row).execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new AppError('conflict', 'The same request is being recorded right now. Try again in a moment.');
    }
    await recordAudit(trx, {
      actor: parsed.actor,
      action: 'credits.adjustment_requested',
      memberId: parsed.memberId,
      subject: `credit-adjustment-request:${row.id}`,
      details: { requestId: row.id, credits: row.credits, reasonCode: row.reason_code, thresholdCredits: row.threshold_credits, policyVersion: row.policy_version },
    });
    return { status: 'pending_approval', request: toRequest(row) };
  };
  return ctx.db.isTransaction ? work(ctx) : transact(ctx, work);
}

const decideInput = z.strictObject({
  requestId: id,
  decision: z.enum(['approve', 'reject']),
  actor: staff,
  note: z.string().trim().min(3).max(1000).nullable().default(null),
});
export type DecideAdjustmentInput = z.input<typeof decideInput>;

/**
 * A second staff member approves (the posting is written now, under a key derived from the request, so a retry
 * cannot post twice) or rejects a pending request. The requester cannot decide their own request, nor can the
 * member it is about; a decided request stays decided.
 */
export async function decideAdjustmentRequest(ctx: Ctx, input: DecideAdjustmentInput): Promise<AdjustmentRequest> {
  const parsed = decideInput.parse(input);
  if (parsed.decision === 'reject' && parsed.note === null) throw new AppError('validation', 'Say why the adjustment is rejected.', { field: 'note' });
  const work = async (trx: Ctx): Promise<AdjustmentRequest> => {
    const table = creditTables(trx.db);
    const row = await forUpdate(trx.db, table.selectFrom('credit_adjustment_requests').selectAll().where('id', '=', parsed.requestId)).executeTakeFirst();
    if (!row) throw notFound('The adjustment request');
    if (row.status !== 'pending') throw new AppError('invalid_state', `This adjustment request was already ${row.status}.`, { status: row.status });
    if (row.requested_by === parsed.actor.id) throw new AppError('forbidden', 'A second staff member must decide on an adjustment you requested.');
    if (row.member_id === parsed.actor.id) throw new AppError('forbidden', 'Staff cannot decide on an adjustment of their own credits.');
    const nowMs = trx.clock.nowMs();
    let transactionId: string | null = null;
    if (parsed.decision === 'approve') {
      const posted = await adjustCredits(trx, {
        memberId: row.member_id,
        credits: Number(row.credits),
        reasonCode: z.enum(adjustmentReasonCodes).parse(row.reason_code),
        note: row.note,
        actor: { id: row.requested_by, role: row.requested_by_role },
        approvedBy: parsed.actor,
        idempotencyKey: `adjustment-request:${row.id}`,
      });
      transactionId = posted.transactionId;
    }
    const status: AdjustmentRequestStatus = parsed.decision === 'approve' ? 'approved' : 'rejected';
    const decided = { status, decided_by: parsed.actor.id, decided_by_role: parsed.actor.role, decided_at_ms: nowMs, decision_note: parsed.note, transaction_id: transactionId };
    // Guarded: only a pending request changes, so two deciders at once cannot both win (the row lock orders them).
    const updated = await table.updateTable('credit_adjustment_requests').set(decided).where('id', '=', row.id).where('status', '=', 'pending').executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new AppError('conflict', 'This adjustment request was decided at the same time. Reload it.');
    await recordAudit(trx, {
      actor: parsed.actor,
      action: parsed.decision === 'approve' ? 'credits.adjustment_approved' : 'credits.adjustment_rejected',
      memberId: row.member_id,
      subject: `credit-adjustment-request:${row.id}`,
      details: { requestId: row.id, credits: Number(row.credits), reasonCode: row.reason_code, requestedBy: row.requested_by, transactionId },
    });
    return toRequest({ ...row, ...decided });
  };
  return ctx.db.isTransaction ? work(ctx) : transact(ctx, work);
}

export async function listAdjustmentRequests(ctx: Pick<Ctx, 'db'>, filter: { status?: AdjustmentRequestStatus; memberId?: string; limit?: number }): Promise<AdjustmentRequest[]> {
  let query = creditTables(ctx.db).selectFrom('credit_adjustment_requests').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.memberId) query = query.where('member_id', '=', filter.memberId);
  const rows = await query.orderBy('requested_at_ms', 'desc').orderBy('id', 'desc').limit(Math.min(filter.limit ?? 50, 200)).execute();
  return rows.map(toRequest);
}
