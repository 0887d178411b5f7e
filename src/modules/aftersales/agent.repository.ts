// What the agent side reads and writes beyond a case and its timeline (AS-2, AS-10, AS-13): internal notes, the
// serial-reuse flags of a queue page in one query, the serials recorded for an order, the support → warranty link,
// and the cases whose waiting time ran out. The caller owns the transaction (CONVENTIONS 3).
import type { Executor } from '../../db/database.ts';
import type { CaseState } from './cases.rules.ts';
import { aftersalesTables, type NoteRow } from './aftersales.table.ts';
import { grantedStates, toShipmentSerial, type ShipmentSerial } from './cases.repository.ts';

export interface CaseNote {
  id: string;
  caseId: string;
  authorId: string;
  body: string;
  createdAtMs: number;
}

function toNote(row: NoteRow): CaseNote {
  return { id: row.id, caseId: row.case_id, authorId: row.author_id, body: row.body, createdAtMs: Number(row.created_at_ms) };
}

export async function insertNote(db: Executor, memberId: string | null, note: CaseNote): Promise<void> {
  await aftersalesTables(db)
    .insertInto('aftersales_notes')
    .values({ id: note.id, case_id: note.caseId, member_id: memberId, author_id: note.authorId, body: note.body, created_at_ms: note.createdAtMs })
    .execute();
}

export async function listNotes(db: Executor, caseId: string): Promise<CaseNote[]> {
  const rows = await aftersalesTables(db).selectFrom('aftersales_notes').selectAll().where('case_id', '=', caseId).orderBy('created_at_ms', 'asc').orderBy('id', 'asc').execute();
  return rows.map(toNote);
}

/**
 * AS-2 for a queue page: of the given cases (ID and serial), those whose serial was already refunded or replaced on
 * another case (approved or further) of any member or guest. One query for the whole page, served by the serial index.
 */
export async function flaggedSerialCases(db: Executor, cases: readonly { id: string; serial: string | null }[]): Promise<Set<string>> {
  const serials = [...new Set(cases.flatMap((c) => (c.serial === null ? [] : [c.serial])))];
  if (serials.length === 0) return new Set();
  const granted = await aftersalesTables(db)
    .selectFrom('aftersales_cases')
    .select(['id', 'serial'])
    .where('serial', 'in', serials)
    .where('state', 'in', grantedStates)
    .where('remedy', 'in', ['refund', 'replacement'])
    .execute();
  const grantedBySerial = new Map<string, string[]>();
  for (const row of granted) grantedBySerial.set(row.serial!, [...(grantedBySerial.get(row.serial!) ?? []), row.id]);
  return new Set(cases.filter((c) => c.serial !== null && (grantedBySerial.get(c.serial) ?? []).some((id) => id !== c.id)).map((c) => c.id));
}

/** The serials recorded as shipped on an order, by line and serial. */
export async function findOrderShipmentSerials(db: Executor, orderId: string): Promise<ShipmentSerial[]> {
  const rows = await aftersalesTables(db).selectFrom('aftersales_shipment_serials').selectAll().where('order_id', '=', orderId).orderBy('order_line_id', 'asc').orderBy('serial', 'asc').execute();
  return rows.map(toShipmentSerial);
}

/** Where any of these serials was already recorded as shipped (one serial is one physical item). */
export async function findShipmentSerialsBySerial(db: Executor, serials: readonly string[]): Promise<ShipmentSerial[]> {
  if (serials.length === 0) return [];
  const rows = await aftersalesTables(db).selectFrom('aftersales_shipment_serials').selectAll().where('serial', 'in', serials).execute();
  return rows.map(toShipmentSerial);
}

/** AS-13: links a support case to the warranty claim it became; false when it already was (the guarded update). */
export async function markCaseConverted(db: Executor, supportCaseId: string, warrantyCaseId: string, atMs: number): Promise<boolean> {
  const result = await aftersalesTables(db)
    .updateTable('aftersales_cases')
    .set({ converted_to_case_id: warrantyCaseId, updated_at_ms: atMs })
    .where('id', '=', supportCaseId)
    .where('converted_to_case_id', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Cases that have waited in `state` since `enteredBeforeMs` or earlier (inclusive), oldest first, at most `limit`:
 * a range on the (state, state_entered_at_ms) index, so a sweep never scans the table.
 */
export async function findCasesWaitingSince(db: Executor, state: CaseState, enteredAtOrBeforeMs: number, limit: number): Promise<string[]> {
  const rows = await aftersalesTables(db)
    .selectFrom('aftersales_cases')
    .select('id')
    .where('state', '=', state)
    .where('state_entered_at_ms', '<=', enteredAtOrBeforeMs)
    .orderBy('state_entered_at_ms', 'asc')
    .orderBy('id', 'asc')
    .limit(limit)
    .execute();
  return rows.map((row) => row.id);
}
