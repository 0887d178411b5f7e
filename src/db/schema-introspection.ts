// Reads the tables and columns of the connected database as they really are (not as the code believes), for the
// personal-data map's completeness check and, later, the privacy module's whole-database scan (PV-18).
import { sql } from 'kysely';
import { isPostgres, type Executor } from './database.ts';

export interface SchemaColumn {
  table: string;
  column: string;
  /** The declared type in lower case (`text`, `bigint`, `integer`, `character varying`…). */
  type: string;
}

/** Kysely's migration bookkeeping: written by the migrator only, holding migration names and a lock flag. */
export const migratorTables: readonly string[] = ['schema_migrations', 'schema_migrations_lock'];

/** Every column of every table of this installation, ordered by table and column position. */
export async function readSchemaColumns(db: Executor): Promise<SchemaColumn[]> {
  if (isPostgres(db)) {
    // current_schema(): each installation (and each test suite) lives in the schema of its connection's search_path.
    // Stored columns only, as SQLite's pragma_table_info lists them: a generated column (credit_lots.live) holds
    // nothing its source columns do not, is recomputed when they are erased, and cannot be written.
    const result = await sql<{ table_name: string; column_name: string; data_type: string }>`
      select c.table_name, c.column_name, c.data_type
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = current_schema() and t.table_type = 'BASE TABLE' and c.is_generated = 'NEVER'
      order by c.table_name, c.ordinal_position`.execute(db);
    return result.rows.map((row) => ({ table: row.table_name, column: row.column_name, type: row.data_type.toLowerCase() }));
  }
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db);
  const columns: SchemaColumn[] = [];
  for (const { name } of tables.rows) {
    const info = await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${name}) order by cid`.execute(db);
    for (const row of info.rows) columns.push({ table: name, column: row.name, type: row.type.toLowerCase() });
  }
  return columns;
}
