// Recording, listing and verifying audit entries (PV-33).
import { z } from 'zod';
import { transact, type Ctx } from '../../deps.ts';
import { yieldBetweenBatches } from '../../db/batches.ts';
import { assert } from '../../platform/assert.ts';
import { actorRoles, type ActorRole, type AuditEntryRow } from './audit.table.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import { assertCodesOnly, assertNoSecrets, auditCodePattern, checkEntry, genesisHash, hashEntry, maxDetailsLength } from './audit.rules.ts';
import { appendEntry, lockChainHead, readChainHead, selectEntries, selectEntriesAfter } from './audit.repository.ts';

export interface AuditEntry {
  id: string;
  seq: number;
  atMs: number;
  actor: { id: string | null; role: ActorRole };
  action: string;
  memberId: string | null;
  subject: string | null;
  details: Record<string, unknown>;
}

const recordInput = z.strictObject({
  actor: z.strictObject({ id: z.string().min(1).max(100).nullable(), role: z.enum(actorRoles) }),
  /** Dotted lower-case names such as `privacy.export.created` or `credits.adjusted`. */
  action: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/).max(100),
  memberId: z.string().min(1).max(100).nullable(),
  /** The ID of what the action touched (`ord_…`, `address:2`, `policy:3`): an ID or code, never a sentence. */
  subject: z.string().min(1).max(200).regex(auditCodePattern, 'the audit subject is an ID or a code').optional(),
  details: z.record(z.string(), z.json()).optional(),
});

export type RecordAuditInput = z.input<typeof recordInput>;

const storedDetails = z.record(z.string(), z.json());

function toEntry(row: AuditEntryRow): AuditEntry {
  return {
    id: row.id,
    seq: row.seq,
    atMs: row.at_ms,
    actor: { id: row.actor_id, role: row.actor_role },
    action: row.action,
    memberId: row.member_id,
    subject: row.subject,
    details: storedDetails.parse(JSON.parse(row.details)),
  };
}

/**
 * Appends one hash-chained entry in the caller's transaction (or in one of its own when given none). The chain
 * head is locked first, so concurrent appends wait for each other and form a single chain.
 */
export async function recordAudit(ctx: Ctx, input: RecordAuditInput): Promise<AuditEntry> {
  const parsed = recordInput.parse(input);
  const details = parsed.details ?? {};
  assertNoSecrets(details);
  assertCodesOnly(details);
  const detailsText = canonicalJson(details);
  assert(detailsText.length <= maxDetailsLength, `audit details are limited to ${maxDetailsLength} characters`);
  const append = async (trx: Ctx): Promise<AuditEntry> => {
    const head = await lockChainHead(trx.db);
    const fields = {
      id: trx.ids.next('aud'),
      seq: head.last_seq + 1,
      at_ms: trx.clock.nowMs(),
      actor_id: parsed.actor.id,
      actor_role: parsed.actor.role,
      action: parsed.action,
      member_id: parsed.memberId,
      subject: parsed.subject ?? null,
      details: detailsText,
      prev_hash: head.last_hash,
    };
    const row: AuditEntryRow = { ...fields, hash: hashEntry(fields) };
    await appendEntry(trx.db, row);
    return toEntry(row);
  };
  return ctx.db.isTransaction ? append(ctx) : transact(ctx, append);
}

export const maxListLimit = 200;

/** Newest first; `before` is a sequence number from a previous page. */
export async function listAuditEntries(ctx: Ctx, input: { memberId?: string; limit: number; before?: number }): Promise<AuditEntry[]> {
  assert(Number.isInteger(input.limit) && input.limit >= 1 && input.limit <= maxListLimit, `list limit must be 1..${maxListLimit}`);
  const rows = await selectEntries(ctx.db, input);
  return rows.map(toEntry);
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBadEntryId?: string;
  reason?: string;
}

const verifyPageSize = 500;

/**
 * Recomputes the chain from the first entry up to the head as it stood when verification began, a page at a time,
 * and reports the first entry that is out of sequence, points to the wrong predecessor or no longer matches its
 * hash. Entries appended meanwhile are left for the next run. Finally the head must name the last entry, which
 * catches entries removed from the end.
 */
export async function verifyAuditChain(ctx: Ctx): Promise<AuditVerification> {
  const head = await readChainHead(ctx.db);
  let checked = 0;
  let expectedPrevHash = genesisHash;
  let lastSeq = 0;
  for (let pages = 0; ; pages++) {
    if (pages > 0) await yieldBetweenBatches();
    const page = await selectEntriesAfter(ctx.db, lastSeq, head.last_seq, verifyPageSize);
    for (const row of page) {
      const problem = checkEntry(row, lastSeq + 1, expectedPrevHash);
      if (problem) return { ok: false, checked, firstBadEntryId: problem.entryId, reason: problem.reason };
      checked++;
      lastSeq = row.seq;
      expectedPrevHash = row.hash;
    }
    if (page.length < verifyPageSize) break;
  }
  if (lastSeq !== head.last_seq) {
    return { ok: false, checked, reason: `the chain head records ${head.last_seq} entries but the log ends at #${lastSeq}: entries were removed` };
  }
  if (expectedPrevHash !== head.last_hash) {
    return { ok: false, checked, reason: `the last entry's hash differs from the one the chain head recorded` };
  }
  return { ok: true, checked };
}
