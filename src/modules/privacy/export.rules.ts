// What an access and portability export contains and how it is written (PV-15, PV-16), as pure functions of the
// personal-data map and the schema: which entities (one per table and member column), which columns (every declared
// column except credentials, plus the row's key), the published JSON Schema of data.json, and the CSV and HTML
// encodings. The service (export.service.ts) reads the rows and streams them through these.
import { memberColumnOf, type PersonalDataCategory, type PersonalDataColumn, type PersonalDataMap } from '../../db/personal-data.ts';

/** Never in an export (PV-15): password hashes, TOTP secrets, token and code hashes. */
export const unexportedCategories: ReadonlySet<PersonalDataCategory> = new Set(['credential']);

/** The generated export ZIPs live under this prefix; an export never includes another export's file. */
export const exportStoragePrefix = 'privacy/exports/';

export const exportFormat = 'patron-export/1';

/** Longest an export stays downloadable (PV-15: at most 7 days). */
export const exportLifetimeMs = 7 * 24 * 60 * 60 * 1000;

export type ColumnKind = 'number' | 'boolean' | 'string';

export interface ExportColumn {
  name: string;
  kind: ColumnKind;
  /**
   * The declaration, or null for a column the map does not declare: the row's key, or (in the entity of the table's
   * own member column) a column of the record that holds no personal data by itself (amounts, states, dates), which
   * the rules of personal-data.rules.ts allow only for numbers, flags, times, enumerations and machine codes.
   */
  declaration: PersonalDataColumn | null;
}

export interface ExportEntity {
  /** The key in data.json and the CSV's file name: the table, or `<table>__by_<member column>`. */
  name: string;
  table: string;
  memberColumn: string;
  /** The table's primary key, the order of the keyset batches (read, but output only when not a credential). */
  keyColumns: readonly string[];
  columns: readonly ExportColumn[];
}

/** A column's JSON kind from its SQLite or PostgreSQL type. */
export function columnKindOf(type: string): ColumnKind {
  if (/bool/.test(type)) return 'boolean';
  if (/int|real|double|numeric|decimal|float/.test(type)) return 'number';
  return 'string';
}

export interface TableLayout {
  /** Column name → declared type, in table order. */
  types: ReadonlyMap<string, string>;
  keyColumns: readonly string[];
}

/**
 * The export's entities: for each declared table, one per member column its declarations name (a row of
 * credit_transactions reached through `actor_id` shows only what the map says is the actor's). Rows without a member
 * column (guests, throttles) are reached by no member's export. Credentials are left out.
 */
export function exportEntities(map: PersonalDataMap, layouts: ReadonlyMap<string, TableLayout>): ExportEntity[] {
  const groups = new Map<string, { table: string; memberColumn: string; declarations: PersonalDataColumn[] }>();
  for (const declaration of map) {
    const memberColumn = memberColumnOf(declaration);
    if (memberColumn === null) continue;
    const key = `${declaration.table}\u0000${memberColumn}`;
    const group = groups.get(key) ?? { table: declaration.table, memberColumn, declarations: [] };
    group.declarations.push(declaration);
    groups.set(key, group);
  }
  const entities: ExportEntity[] = [];
  for (const group of groups.values()) {
    const layout = layouts.get(group.table);
    if (!layout) throw new Error(`the personal-data map names table ${group.table}, which does not exist`);
    const exported = group.declarations.filter((declaration) => !unexportedCategories.has(declaration.category));
    if (exported.length === 0) continue;
    const names = new Set(exported.map((declaration) => declaration.column));
    // A credential that is part of the key (member_recovery_codes.code_hash) orders the batches but is never output.
    const hidden = new Set(group.declarations.filter((declaration) => unexportedCategories.has(declaration.category)).map((declaration) => declaration.column));
    const keyColumns = layout.keyColumns.length > 0 ? layout.keyColumns : [group.memberColumn];
    const columns: ExportColumn[] = [
      ...keyColumns.filter((column) => !names.has(column) && !hidden.has(column)).map((column) => ({ name: column, kind: columnKindOf(layout.types.get(column) ?? 'text'), declaration: null })),
      ...exported.map((declaration) => ({ name: declaration.column, kind: columnKindOf(layout.types.get(declaration.column) ?? 'text'), declaration })),
    ];
    const isDefault = group.memberColumn === 'member_id' || group.memberColumn === 'id';
    // The record's context (order totals, posting amounts, case states) comes with the row reached through the table's
    // own member column; a row reached as its actor or author (another person's record) shows only the declared columns.
    if (isDefault) {
      const declaredAnywhere = new Set(map.filter((declaration) => declaration.table === group.table).map((declaration) => declaration.column));
      for (const [column, type] of layout.types) {
        if (declaredAnywhere.has(column) || columns.some((item) => item.name === column)) continue;
        columns.push({ name: column, kind: columnKindOf(type), declaration: null });
      }
    }
    entities.push({ name: isDefault ? group.table : `${group.table}__by_${group.memberColumn}`, table: group.table, memberColumn: group.memberColumn, keyColumns, columns });
  }
  return entities;
}

/** A database value as data.json holds it: numbers, booleans, strings (JSON and bytes as text), or null. */
export function exportValue(value: unknown, kind: ColumnKind): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (kind === 'number' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (kind === 'boolean' && typeof value === 'number') return value !== 0;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return JSON.stringify(value);
}

/** JSON Schema (draft 2020-12) of data.json, derived from the map's entities (PV-16). */
export function exportJsonSchema(entities: readonly ExportEntity[], schemaUrl: string): Record<string, unknown> {
  const typeOf = (kind: ColumnKind) => ({ type: [kind, 'null'] });
  const entityProperties: Record<string, unknown> = {};
  for (const entity of entities) {
    const properties: Record<string, unknown> = {};
    for (const column of entity.columns) {
      properties[column.name] = { ...typeOf(column.kind), description: column.declaration ? `${column.declaration.category}: ${column.declaration.purpose}` : entity.keyColumns.includes(column.name) ? 'The row’s key.' : 'Context of the record (no personal data by itself).' };
    }
    entityProperties[entity.name] = {
      type: 'array',
      description: `Rows of ${entity.table} whose ${entity.memberColumn} names the subject.`,
      items: { type: 'object', properties, required: entity.columns.map((column) => column.name), additionalProperties: false },
    };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: schemaUrl,
    title: 'Patron access and portability export (data.json)',
    type: 'object',
    required: ['$schema', 'format', 'subject', 'generatedAt', 'entities'],
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      format: { const: exportFormat },
      subject: { type: 'object', required: ['memberId'], additionalProperties: false, properties: { memberId: { type: 'string' } } },
      generatedAt: { type: 'string', format: 'date-time' },
      entities: { type: 'object', required: entities.map((entity) => entity.name), additionalProperties: false, properties: entityProperties },
    },
  };
}

/** One CSV cell (RFC 4180), safe to open in a spreadsheet: a cell starting with = + - @ (or a tab or CR) gets a leading `'`. */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: ReadonlyArray<string | number | boolean | null>): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

export const retentionLabels: Record<string, string> = {
  account: 'While the account is open; erased on request or closure',
  transaction_records: 'The legal period for commercial and tax records (7 years by default), then deleted',
  security_log: 'Days (sessions, sign-in security)',
  operational_short: 'At most 90 days (queues, messages in transit, replays)',
  legal_hold: 'As long as the law requires (accountability records)',
};

/** The ZIP's name of a stored file (`files/<storage key>`), kept inside the archive's folder. */
export function zipPathOfFile(storageKey: string): string {
  return `files/${storageKey}`;
}

export function exportStorageKey(exportId: string): string {
  return `${exportStoragePrefix}${exportId}.zip`;
}
