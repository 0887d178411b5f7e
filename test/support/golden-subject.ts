// The "golden subject" of PV-16: a member with a row in EVERY table the personal-data map declares, seeded straight
// from the map (so a module that adds a table is covered without touching this file). Each declared column holds a
// distinctive marker (`<prefix>-<table>-<column>`, a number, or a storage key whose file is put in the file store);
// every member column of the table names the subject. Constraints that would refuse such synthetic rows (foreign
// keys, CHECK lists) are switched off for the suite's own throw-away database first.
import { sql } from 'kysely';
import { isPostgres, type Executor } from '../../src/db/database.ts';
import { memberColumnOf, type PersonalDataColumn, type PersonalDataMap } from '../../src/db/personal-data.ts';
import type { FileStorage } from '../../src/ports/file-storage.port.ts';
import { columnKindOf, type TableLayout } from '../../src/modules/privacy/export.rules.ts';

/** Only for a test's own database: drops foreign keys and CHECK constraints (PostgreSQL) or ignores them (SQLite). */
export async function relaxConstraints(db: Executor): Promise<void> {
  if (isPostgres(db)) {
    const constraints = await sql<{ table_name: string; conname: string }>`
      select c.relname as table_name, k.conname from pg_constraint k join pg_class c on c.oid = k.conrelid
      where k.connamespace = current_schema()::regnamespace and k.contype in ('c', 'f')`.execute(db);
    for (const row of constraints.rows) await sql`alter table ${sql.table(row.table_name)} drop constraint ${sql.ref(row.conname)}`.execute(db);
  } else {
    await sql`pragma foreign_keys = off`.execute(db);
    await sql`pragma ignore_check_constraints = on`.execute(db);
  }
}

export interface SeededValue {
  declaration: PersonalDataColumn;
  value: string | number | boolean;
}

export interface GoldenSubject {
  memberId: string;
  /** What each declared column of each table was given. */
  values: SeededValue[];
  /** Storage keys of the files put in the store (the map's `file` columns). */
  files: Map<string, Uint8Array>;
}

function markerNumber(subjectIndex: number, position: number): number {
  return 700_000_000 + subjectIndex * 1_000_000 + position * 7 + 3;
}

export async function seedGoldenSubject(
  db: Executor,
  input: { map: PersonalDataMap; layouts: ReadonlyMap<string, TableLayout>; memberId: string; prefix: string; subjectIndex: number; files: FileStorage },
): Promise<GoldenSubject> {
  const byTable = new Map<string, PersonalDataColumn[]>();
  for (const declaration of input.map) byTable.set(declaration.table, [...(byTable.get(declaration.table) ?? []), declaration]);
  const values: SeededValue[] = [];
  const files = new Map<string, Uint8Array>();
  let position = 0;
  for (const [table, declarations] of byTable) {
    const memberColumns = new Set(declarations.map(memberColumnOf).filter((column): column is string => column !== null));
    if (memberColumns.size === 0) continue;
    const layout = input.layouts.get(table)!;
    const row: Record<string, unknown> = {};
    for (const [column, type] of layout.types) {
      position += 1;
      const kind = columnKindOf(type);
      const declaration = declarations.find((item) => item.column === column);
      let value: string | number | boolean;
      if (memberColumns.has(column)) value = input.memberId;
      else if (kind === 'number') value = markerNumber(input.subjectIndex, position);
      else if (kind === 'boolean') value = input.subjectIndex % 2 === 0;
      else if (/date|timestamp/.test(type)) value = '2001-02-03';
      else if (declaration?.category === 'file') value = `golden/${input.prefix}-${table}-${column}`.toLowerCase();
      else value = `${input.prefix}-${table}-${column}`;
      // A JSON column (jsonb on PostgreSQL, text on SQLite) gets an array holding the marker: the export shows JSON
      // as its text on both databases, and the marker stays findable in it.
      if (typeof value === 'string' && /json/.test(type)) value = JSON.stringify([value]);
      row[column] = value;
      if (declaration) values.push({ declaration, value });
      if (declaration?.category === 'file' && typeof value === 'string') {
        const bytes = new TextEncoder().encode(`file of ${input.prefix} ${table}.${column}`);
        await input.files.put(value, { bytes, contentType: 'image/jpeg' });
        files.set(value, bytes);
      }
    }
    // The member's own row (members.id) is also the member column; nothing else to adjust.
    await sql`insert into ${sql.table(table)} (${sql.join(Object.keys(row).map((column) => sql.ref(column)))}) values (${sql.join(Object.values(row).map((value) => sql`${value}`))})`.execute(db);
  }
  return { memberId: input.memberId, values, files };
}
