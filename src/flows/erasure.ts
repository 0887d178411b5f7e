// Erasure (PV-18, PV-19) as a durable flow (runner.ts), one run per subject (`erasure:<memberId>`):
//
//   plan    (tx)    the subject exists; the storage keys of their files (the map's `file` columns)
//   files   (call)  delete the stored files (photos, documents); a missing file is not an error
//   erase   (tx)    forfeit the credits (CR-22), close the account, execute the personal-data map: one transaction,
//                   as the work is bounded by one person's rows (PF-11: 1k orders, 50 cases in well under a second)
//   journal (call)  append { memberId, erasedAtMs } to the journal in the data folder (restore re-applies it)
//   record  (tx)    the registry row (privacy_erasures) with the report, and the audit entry
//
// Nothing here is undone: a failed step leaves the run to the resume job, which repeats it (every step is
// idempotent). The run's own member_id is null, so the erase step (which deletes the subject's flow runs) never
// deletes the run that is erasing. A subject with an unfinished run (a checkout, a refund, a case resolution) is
// refused: that run's state must not be deleted under it; the agent retries once it has finished.
import { z } from 'zod';
import { transact, type Ctx, type Deps } from '../deps.ts';
import { AppError, notFound } from '../platform/errors.ts';
import { InvariantError } from '../platform/assert.ts';
import {
  deleteSubjectFiles,
  eraseSubjectRows,
  erasedMemberIds,
  erasureReportSchema,
  findErasureOfMember,
  journalErasure,
  planErasure,
  readErasureJournal,
  recordErasure,
  subjectExists,
  type ErasureReason,
  type ErasureReport,
} from '../modules/privacy/index.ts';
import { flowTables } from './flows.table.ts';
import { executeRun, findRunOf, startRun, type FlowDefinition, type StepResult } from './runner.ts';

const erasureInput = z.strictObject({
  memberId: z.string().min(1).max(100),
  requestId: z.string().min(1).max(100).nullable(),
  reason: z.enum(['request', 'retention', 'agent', 'restore']),
  actorId: z.string().min(1).max(100).nullable(),
});
type ErasureInput = z.infer<typeof erasureInput>;

export const erasureKey = (memberId: string) => `erasure:${memberId}`;
const planResult = z.object({ fileKeys: z.array(z.string()) });
const filesResult = z.object({ filesDeleted: z.number().int() });
const eraseResult = erasureReportSchema.omit({ filesDeleted: true });

function reportOf(results: ReadonlyMap<string, StepResult>): ErasureReport {
  return { ...eraseResult.parse(results.get('erase')), filesDeleted: filesResult.parse(results.get('files')).filesDeleted } as ErasureReport;
}

export const erasureFlow: FlowDefinition<ErasureInput> = {
  type: 'erasure',
  input: erasureInput,
  leaseMs: 10 * 60_000,
  whenStale: 'resume',
  steps: [
    {
      name: 'plan',
      kind: 'transaction',
      async run(trx, { input }) {
        if (!(await subjectExists(trx, input.memberId))) throw new InvariantError(`erasure: member ${input.memberId} vanished`);
        return { ...(await planErasure(trx, input.memberId)) };
      },
    },
    {
      name: 'files',
      kind: 'call',
      retryUnanswered: true,
      async run(deps, { results }) {
        return { filesDeleted: await deleteSubjectFiles(deps, planResult.parse(results.get('plan')).fileKeys) };
      },
    },
    {
      name: 'erase',
      kind: 'transaction',
      async run(trx, { input }) {
        return { ...(await eraseSubjectRows(trx, input.memberId)) };
      },
    },
    {
      name: 'journal',
      kind: 'call',
      retryUnanswered: true,
      async run(deps, { input, results }) {
        journalErasure(deps, input.memberId, eraseResult.parse(results.get('erase')).erasedAtMs);
        return {};
      },
    },
    {
      name: 'record',
      kind: 'transaction',
      async run(trx, { input, results }) {
        const erasureId = await recordErasure(trx, { memberId: input.memberId, requestId: input.requestId, reason: input.reason, actorId: input.actorId, report: reportOf(results) });
        return { erasureId };
      },
    },
  ],
};

const unfinished = ['running', 'compensating', 'needs_attention'] as const;

/** The subject's runs that have not finished (their state must not be erased under them). */
async function unfinishedRunsOf(ctx: Ctx, memberId: string): Promise<string[]> {
  const rows = await flowTables(ctx.db).selectFrom('flow_runs').select(['id']).where('member_id', '=', memberId).where('state', 'in', unfinished).execute();
  return rows.map((row) => row.id);
}

export interface EraseSubjectInput {
  memberId: string;
  requestId: string | null;
  reason: ErasureReason;
  /** The staff member who ordered it; null for the retention job and restore. */
  actorId?: string | null;
}

/**
 * Erases one subject (PV-18) and returns the report: a subject erased before gets its first report back; a run left
 * unfinished by a crash is finished. Refused (409) while the subject has an unfinished flow run.
 */
export async function eraseSubject(deps: Deps, input: EraseSubjectInput): Promise<ErasureReport & { erasureId: string }> {
  const done = await findErasureOfMember(deps.db, input.memberId);
  if (done) return { ...done.report, erasureId: done.id };
  let run = await findRunOf(deps, erasureFlow, erasureKey(input.memberId));
  if (!run) {
    if (!(await subjectExists(deps, input.memberId))) throw notFound('The member');
    const running = await unfinishedRunsOf(deps, input.memberId);
    if (running.length > 0) {
      throw new AppError('conflict', 'The member has an operation in progress (a checkout, refund or case resolution). Erase them once it has finished.', { runIds: running });
    }
    const runInput: ErasureInput = { memberId: input.memberId, requestId: input.requestId, reason: input.reason, actorId: input.actorId ?? null };
    run = await transact(deps, (trx) => startRun(trx, erasureFlow, { key: erasureKey(input.memberId), input: runInput, memberId: null }));
  }
  if (run.state === 'running') await executeRun(deps, erasureFlow, run);
  const recorded = await findErasureOfMember(deps.db, input.memberId);
  if (!recorded) {
    const state = (await findRunOf(deps, erasureFlow, erasureKey(input.memberId)))?.state ?? run.state;
    if (state === 'running') throw new AppError('unavailable', 'The erasure did not finish; it is retried automatically.', { runId: run.id });
    throw new AppError('invalid_state', 'The erasure run stopped with an error; an operator must look at it before it is started again.', { runId: run.id, state });
  }
  return { ...recorded.report, erasureId: recorded.id };
}

export interface ReapplyReport {
  /** Subjects erased again (journaled, not in the restored registry). */
  reapplied: string[];
  /** Journaled subjects the restored database does not know (created after the backup): nothing to erase. */
  unknown: number;
  /** Subjects that could not be erased now (an unfinished run in the backup), with the error code. */
  failed: Array<{ memberId: string; code: string }>;
}

/**
 * PV-19: after a restore, erases again every subject of the journal (the data folder's erasures.jsonl) that the
 * restored registry does not list. Idempotent: a second call finds them all in the registry.
 */
export async function reapplyJournaledErasures(deps: Deps, dataDir: string = deps.config.dataDir): Promise<ReapplyReport> {
  const registry = await erasedMemberIds(deps.db);
  const report: ReapplyReport = { reapplied: [], unknown: 0, failed: [] };
  for (const entry of readErasureJournal(dataDir)) {
    if (registry.has(entry.memberId)) continue;
    if (!(await subjectExists(deps, entry.memberId))) {
      report.unknown += 1;
      continue;
    }
    try {
      await eraseSubject(deps, { memberId: entry.memberId, requestId: null, reason: 'restore' });
      report.reapplied.push(entry.memberId);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      report.failed.push({ memberId: entry.memberId, code: error.code });
    }
  }
  return report;
}
