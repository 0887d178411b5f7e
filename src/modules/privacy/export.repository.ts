// Storage of the export slice: the privacy_exports rows, the schema facts the export needs (column types and primary
// keys, read from the live database), and the keyset batches of a subject's rows in any declared table.
import { sql, type RawBuilder } from 'kysely';
import { isPostgres, tables, type Executor } from '../../db/database.ts';
import { readSchemaColumns } from '../../db/schema-introspection.ts';
import type { TableLayout } from './export.rules.ts';
import type { ExportTables, PrivacyExportRow } from './export.table.ts';

const exportsTable = (db: Executor) => tables<ExportTables>(db);

/** Column types and primary keys of every table (PostgreSQL's constraints, SQLite's pragma_table_info). */
export async function readTableLayouts(db: Executor): Promise<Map<string, TableLayout>> {
  const columns = await readSchemaColumns(db);
  const types = new Map<string, Map<string, string>>();
  for (const column of columns) {
    const map = types.get(column.table) ?? new Map<string, string>();
    map.set(column.column, column.type);
    types.set(column.table, map);
  }
  const keys = new Map<string, string[]>();
  if (isPostgres(db)) {
    const result = await sql<{ table_name: string; column_name: string }>`
      select k.table_name, k.column_name
      from information_schema.table_constraints t
      join information_schema.key_column_usage k on k.constraint_name = t.constraint_name and k.table_schema = t.table_schema and k.table_name = t.table_name
      where t.table_schema = current_schema() and t.constraint_type = 'PRIMARY KEY'
      order by k.table_name, k.ordinal_position`.execute(db);
    for (const row of result.rows) keys.set(row.table_name, [...(keys.get(row.table_name) ?? []), row.column_name]);
  } else {
    for (const table of types.keys()) {
      const info = await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${table}) where pk > 0 order by pk`.execute(db);
      keys.set(table, info.rows.map((row) => row.name));
    }
  }
  const layouts = new Map<string, TableLayout>();
  for (const [table, map] of types) layouts.set(table, { types: map, keyColumns: keys.get(table) ?? [] });
  return layouts;
}

/**
 * One batch of the subject's rows of a table, in key order after `after` (the last row's key of the previous batch):
 * `where <member column> = subject and (key…) > (after…) order by key… limit n`, so no batch holds more than `limit`.
 */
export async function readSubjectBatch(
  db: Executor,
  input: { table: string; memberColumn: string; columns: readonly string[]; keyColumns: readonly string[]; subject: string; after: readonly unknown[] | null; limit: number },
): Promise<Record<string, unknown>[]> {
  const select = sql.join(input.columns.map((column) => sql.ref(column)));
  const keys = sql.join(input.keyColumns.map((column) => sql.ref(column)));
  // The member column is fixed by the filter, so it is left out of the comparison: `(version, seq) > (?, ?)` on
  // credit_postings' (member_id, version, seq) key is an index range both databases seek to, batch after batch.
  const compared = input.keyColumns.map((column, position) => ({ column, value: input.after?.[position] })).filter(({ column }) => column !== input.memberColumn);
  let after: RawBuilder<unknown> = sql``;
  if (input.after && compared.length > 0) {
    after = sql` and (${sql.join(compared.map(({ column }) => sql.ref(column)))}) > (${sql.join(compared.map(({ value }) => sql`${value}`))})`;
  }
  const result = await sql<Record<string, unknown>>`select ${select} from ${sql.table(input.table)} where ${sql.ref(input.memberColumn)} = ${input.subject}${after} order by ${keys} limit ${input.limit}`.execute(db);
  return result.rows;
}

export async function insertExport(db: Executor, row: PrivacyExportRow): Promise<boolean> {
  const result = await exportsTable(db).insertInto('privacy_exports').values(row).onConflict((conflict) => conflict.column('dedupe_key').doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function findExport(db: Executor, exportId: string): Promise<PrivacyExportRow | undefined> {
  return exportsTable(db).selectFrom('privacy_exports').selectAll().where('id', '=', exportId).executeTakeFirst();
}

export async function findExportByDedupeKey(db: Executor, dedupeKey: string): Promise<PrivacyExportRow | undefined> {
  return exportsTable(db).selectFrom('privacy_exports').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirst();
}

export async function listMemberExports(db: Executor, memberId: string, limit: number): Promise<PrivacyExportRow[]> {
  return exportsTable(db).selectFrom('privacy_exports').selectAll().where('member_id', '=', memberId).orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function updateExport(db: Executor, exportId: string, changes: Partial<Omit<PrivacyExportRow, 'id' | 'member_id'>>, whereState?: PrivacyExportRow['state']): Promise<boolean> {
  let query = exportsTable(db).updateTable('privacy_exports').set(changes).where('id', '=', exportId);
  if (whereState) query = query.where('state', '=', whereState);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function countDownload(db: Executor, exportId: string, atMs: number): Promise<void> {
  await exportsTable(db)
    .updateTable('privacy_exports')
    .set((eb) => ({ download_count: eb('download_count', '+', 1), last_downloaded_at_ms: atMs }))
    .where('id', '=', exportId)
    .execute();
}

/** Takes one of the code's tries, atomically: false when there is no live code or its tries are used up. */
export async function claimCodeTry(db: Executor, exportId: string, nowMs: number, maxTries: number): Promise<boolean> {
  const result = await exportsTable(db)
    .updateTable('privacy_exports')
    .set((eb) => ({ code_attempts: eb('code_attempts', '+', 1) }))
    .where('id', '=', exportId)
    .where('code_hash', 'is not', null)
    .where('code_expires_at_ms', '>', nowMs)
    .where('code_attempts', '<', maxTries)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Uses the code up (single use): false when another request used it first. */
export async function consumeCode(db: Executor, exportId: string, codeHash: string): Promise<boolean> {
  const result = await exportsTable(db).updateTable('privacy_exports').set({ code_hash: null, code_expires_at_ms: null }).where('id', '=', exportId).where('code_hash', '=', codeHash).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Ready exports whose time is up, oldest first. */
export async function selectDueExpiries(db: Executor, nowMs: number, limit: number): Promise<PrivacyExportRow[]> {
  return exportsTable(db).selectFrom('privacy_exports').selectAll().where('state', '=', 'ready').where('expires_at_ms', '<=', nowMs).orderBy('expires_at_ms').limit(limit).execute();
}

/** Queued exports the job never finished (its tries used up) by `beforeMs`: marked failed so the member can ask again. */
export async function failStaleQueued(db: Executor, beforeMs: number): Promise<number> {
  const result = await exportsTable(db).updateTable('privacy_exports').set({ state: 'failed', failure_code: 'not_built' }).where('state', '=', 'queued').where('created_at_ms', '<=', beforeMs).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Expired and failed exports created at or before `createdBeforeMs` (the `operational_short` period of the data map),
 * oldest first: the record of what was handed out, which retention deletes (PV-30). An expired export's file went at
 * expiry; the key is returned all the same, so a file left by a crash goes too.
 */
export async function selectExportsPastRetention(db: Executor, createdBeforeMs: number, limit: number): Promise<Array<{ id: string; storageKey: string | null }>> {
  const rows = await exportsTable(db).selectFrom('privacy_exports').select(['id', 'storage_key']).where('state', 'in', ['expired', 'failed']).where('created_at_ms', '<=', createdBeforeMs).orderBy('created_at_ms').orderBy('id').limit(limit).execute();
  return rows.map((row) => ({ id: row.id, storageKey: row.storage_key }));
}

/** Deletes those export rows (still expired or failed); returns how many went. */
export async function deleteExports(db: Executor, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await exportsTable(db).deleteFrom('privacy_exports').where('id', 'in', ids).where('state', 'in', ['expired', 'failed']).executeTakeFirst();
  return Number(result.numDeletedRows);
}
