// The personal-data map's vocabulary (CONVENTIONS: personal data is declared where the table is). Each module
// declares, next to its tables, every column that can hold personal data; the privacy module's export, erasure and
// retention read these declarations and nothing else, and a test fails when a column that can hold personal data is
// not declared.

export const personalDataCategories = [
  'identifier', // an ID or key that points at one person (a member ID held by another module, an external customer ID)
  'name',
  'contact', // email address, phone number
  'address', // postal address parts
  'birth_date',
  'demographic', // country, language
  'credential', // password hashes, TOTP secrets, token hashes: never exported
  'network', // IP address, user agent
  'free_text', // anything a person typed: notes, details, reasons, messages
  'message', // rendered email bodies and subjects sent to a person
  'payload', // JSON or other blobs that may carry any of the above
  'financial', // amounts paid, credits, payment references
  'order', // purchases, shipments, serials
  'preference', // consent, marketing, settings
  'file', // uploaded images and documents (the column holds the storage key)
] as const;
export type PersonalDataCategory = (typeof personalDataCategories)[number];

export const retentionClasses = [
  'account', // kept while the account is open, handled by erasure
  'transaction_records', // tax and commercial records: kept for the legal period (7 years), then deleted
  'security_log', // sign-in throttles, sessions: short-lived by design (days)
  'operational_short', // queues, outbox, idempotency records, webhook bodies: pruned after a short time (≤ 90 days)
  'legal_hold', // kept as long as the law requires (audit trail, privacy request records)
] as const;
export type RetentionClass = (typeof retentionClasses)[number];

/** What erasure does with the column: remove the row, overwrite the value, or keep it because a law requires it. */
export type EraseAction =
  | { kind: 'delete' }
  | { kind: 'anonymize' }
  | { kind: 'keep_for_law'; legalBasis: string };

export interface PersonalDataColumn {
  table: string;
  column: string;
  category: PersonalDataCategory;
  /** Why Patron keeps it, in words a privacy notice could use. */
  purpose: string;
  retention: RetentionClass;
  erase: EraseAction;
  /**
   * The column of the same row that names the member it belongs to (`member_id` by default); null for rows that
   * hold personal data without a member (a guest's email), which then rely on `retention` alone.
   */
  memberColumn?: string | null;
  /**
   * The column of the same row that holds the record's own time in epoch milliseconds (an order's placement, a
   * refund's or a case's creation), from which the `transaction_records` period counts (PV-30). Required for every
   * table with a `transaction_records` column that is not an identifier (checkPersonalDataMap).
   */
  recordTimeColumn?: string;
}

/** One module's declaration, listed in its descriptor (src/modules.ts). */
export type PersonalDataMap = readonly PersonalDataColumn[];

/** What one column's declaration says besides where it is. */
export type ColumnDeclaration = Omit<PersonalDataColumn, 'table' | 'column' | 'memberColumn' | 'recordTimeColumn'>;

/** What a table's declaration says about all its rows. */
export interface TableOptions {
  /** The row's record time (epoch ms), from which the transaction-records period counts (PV-30). */
  recordTimeColumn?: string;
}

/**
 * Declares the personal columns of one table, all naming their member in `memberColumn` (default `member_id`;
 * null when the rows have no member), so a data-map file reads as one block per table.
 */
export function declareTable(table: string, memberColumn: string | null, columns: Readonly<Record<string, ColumnDeclaration>>, options: TableOptions = {}): PersonalDataColumn[] {
  const recordTime = options.recordTimeColumn === undefined ? {} : { recordTimeColumn: options.recordTimeColumn };
  return Object.entries(columns).map(([column, declaration]) => ({ table, column, ...declaration, memberColumn, ...recordTime }));
}

/**
 * The tables whose `transaction_records` values the retention pass clears after the period, with the column that
 * dates each row: every table declaring a `transaction_records` column that is not an identifier. A table declared in
 * several blocks (one per member column) names its record time in any of them; `undefined` when none does.
 */
export function recordTimeColumns(map: PersonalDataMap): Map<string, string | undefined> {
  const tables = new Map<string, string | undefined>();
  for (const column of map) {
    if (column.retention !== 'transaction_records' || column.category === 'identifier') continue;
    if (!tables.has(column.table)) tables.set(column.table, undefined);
  }
  for (const column of map) if (tables.has(column.table) && column.recordTimeColumn !== undefined) tables.set(column.table, tables.get(column.table) ?? column.recordTimeColumn);
  return tables;
}

export const eraseByDelete: EraseAction = { kind: 'delete' };
export const eraseByAnonymizing: EraseAction = { kind: 'anonymize' };

/** Kept through erasure because a law requires the record; the basis is shown in the subject's erasure report (PV-18). */
export function keepForLaw(legalBasis: string): EraseAction {
  return { kind: 'keep_for_law', legalBasis };
}

/** The column that names the row's member, as erasure and export read it (undefined means `member_id`). */
export function memberColumnOf(column: PersonalDataColumn): string | null {
  return column.memberColumn === undefined ? 'member_id' : column.memberColumn;
}
