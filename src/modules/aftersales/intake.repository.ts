// The intake's reads and writes: guests' confirmation links, used captcha solutions, a requester's own cases. The
// caller owns the transaction (CONVENTIONS 3).
import type { Executor } from '../../db/database.ts';
import { toCase, type Case } from './cases.repository.ts';
import { intakeTables } from './intake.table.ts';

export interface CaseConfirmation {
  id: string;
  caseId: string;
  createdAtMs: number;
  expiresAtMs: number;
  usedAtMs: number | null;
}

export async function insertCaseConfirmation(db: Executor, record: CaseConfirmation & { tokenHash: string }): Promise<void> {
  await intakeTables(db)
    .insertInto('aftersales_case_confirmations')
    .values({ id: record.id, case_id: record.caseId, token_hash: record.tokenHash, created_at_ms: record.createdAtMs, expires_at_ms: record.expiresAtMs, used_at_ms: record.usedAtMs })
    .execute();
}

export async function findCaseConfirmation(db: Executor, tokenHash: string): Promise<CaseConfirmation | undefined> {
  const row = await intakeTables(db).selectFrom('aftersales_case_confirmations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return (
    row && {
      id: row.id,
      caseId: row.case_id,
      createdAtMs: Number(row.created_at_ms),
      expiresAtMs: Number(row.expires_at_ms),
      usedAtMs: row.used_at_ms === null ? null : Number(row.used_at_ms),
    }
  );
}

/** Marks the link used if nobody did first (a guarded update): false when it was already used. */
export async function useCaseConfirmation(db: Executor, id: string, atMs: number): Promise<boolean> {
  const result = await intakeTables(db).updateTable('aftersales_case_confirmations').set({ used_at_ms: atMs }).where('id', '=', id).where('used_at_ms', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Records one use of a solved captcha; false when it was used before (a replay). Expired records are pruned on the
 * way, a bounded batch at a time, so the table holds about ten minutes of submissions.
 */
export async function recordCaptchaUse(db: Executor, hash: string, expiresAtMs: number, nowMs: number): Promise<boolean> {
  const t = intakeTables(db);
  const stale = await t.selectFrom('aftersales_captcha_uses').select('hash').where('expires_at_ms', '<', nowMs).limit(100).execute();
  if (stale.length > 0) await t.deleteFrom('aftersales_captcha_uses').where('hash', 'in', stale.map((row) => row.hash)).execute();
  const inserted = await t
    .insertInto('aftersales_captcha_uses')
    .values({ hash, expires_at_ms: expiresAtMs })
    .onConflict((oc) => oc.column('hash').doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** A member's own cases, newest first (bounded). */
export async function listMemberCases(db: Executor, memberId: string, limit: number): Promise<Case[]> {
  const rows = await intakeTables(db).selectFrom('aftersales_cases').selectAll().where('member_id', '=', memberId).orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toCase);
}

/** How many cases a guest address opened since `sinceMs` (the per-address submission bound). */
export async function countGuestCasesSince(db: Executor, guestEmail: string, sinceMs: number): Promise<number> {
  const row = await intakeTables(db)
    .selectFrom('aftersales_cases')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('guest_email', '=', guestEmail)
    .where('created_at_ms', '>=', sinceMs)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Guest cases still waiting for their email confirmation, opened before `beforeMs` (oldest first, bounded). */
export async function findUnconfirmedGuestCases(db: Executor, beforeMs: number, limit: number): Promise<Case[]> {
  const rows = await intakeTables(db)
    .selectFrom('aftersales_cases')
    .selectAll()
    .where('member_id', 'is', null)
    .where('email_confirmed_at_ms', 'is', null)
    .where('state', '=', 'submitted')
    .where('created_at_ms', '<', beforeMs)
    .orderBy('created_at_ms', 'asc')
    .limit(limit)
    .execute();
  return rows.map(toCase);
}

/** Deletes a case's image rows (their files are the caller's to remove) and answers their storage keys. */
export async function deleteCaseImages(db: Executor, caseId: string): Promise<string[]> {
  const rows = await intakeTables(db).deleteFrom('aftersales_images').where('case_id', '=', caseId).returning('storage_key').execute();
  return rows.map((row) => row.storage_key);
}
