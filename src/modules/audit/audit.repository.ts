// SQL for the audit log: the chain head is read under a row lock so appends queue up into one chain.
import type { Executor } from '../../db/database.ts';
import { forUpdate } from '../../db/database.ts';
import { assert } from '../../platform/assert.ts';
import { auditTables, type AuditChainHeadRow, type AuditEntryRow } from './audit.table.ts';

/** FOR UPDATE on PostgreSQL; on SQLite the caller's write transaction already holds the database's write lock. */
export async function lockChainHead(db: Executor): Promise<AuditChainHeadRow> {
  const head = await forUpdate(db, auditTables(db).selectFrom('audit_chain_head').selectAll().where('id', '=', 'head')).executeTakeFirst();
  assert(head, 'the audit chain head row is missing (migration 0200 seeds it)');
  return head;
}

export async function readChainHead(db: Executor): Promise<AuditChainHeadRow> {
  const head = await auditTables(db).selectFrom('audit_chain_head').selectAll().where('id', '=', 'head').executeTakeFirst();
  assert(head, 'the audit chain head row is missing (migration 0200 seeds it)');
  return head;
}

/** Inserts the entry and moves the head past it; the head update is guarded by the sequence it was read at. */
export async function appendEntry(db: Executor, row: AuditEntryRow): Promise<void> {
  await auditTables(db).insertInto('audit_entries').values(row).execute();
  const result = await auditTables(db)
    .updateTable('audit_chain_head')
    .set({ last_seq: row.seq, last_hash: row.hash })
    .where('id', '=', 'head')
    .where('last_seq', '=', row.seq - 1)
    .executeTakeFirst();
  assert(Number(result.numUpdatedRows) === 1, 'the audit chain head moved while an entry was being appended');
}

/** Entries in chain order after `afterSeq`, a page at a time. */
export function selectEntriesAfter(db: Executor, afterSeq: number, uptoSeq: number, limit: number): Promise<AuditEntryRow[]> {
  return auditTables(db)
    .selectFrom('audit_entries')
    .selectAll()
    .where('seq', '>', afterSeq)
    .where('seq', '<=', uptoSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** Newest first, optionally for one member, before a sequence number. */
export function selectEntries(db: Executor, filter: { memberId?: string; before?: number; limit: number }): Promise<AuditEntryRow[]> {
  let query = auditTables(db).selectFrom('audit_entries').selectAll();
  if (filter.memberId !== undefined) query = query.where('member_id', '=', filter.memberId);
  if (filter.before !== undefined) query = query.where('seq', '<', filter.before);
  return query.orderBy('seq', 'desc').limit(filter.limit).execute();
}
