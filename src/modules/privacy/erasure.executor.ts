// The erasure executor (PV-18): erases one subject by executing `ctx.ports.personalData` and nothing else; no module's
// tables are named here. Decisions (src/modules/privacy/README.md):
//
// - Rows are grouped by (table, member column). A group whose declared columns all say `delete` loses its rows; a
//   mixed group keeps its rows and its `delete` and `anonymize` columns are overwritten (value semantics);
//   `keep_for_law` columns stay and are listed in the report with their legal basis and the day they go.
// - An overwrite satisfies the column: NULL where nullable; for NOT NULL, `erased+<memberId>@invalid` in a column
//   named like an email (unique and non-identifying), `[erased]` in other text, 0 in numbers. A guest row's email
//   gets the placeholder rather than NULL (a row without a member may need a contact: a case's requester check).
// - Guest rows of the same person: a group that declares a `contact` column named like an email also matches rows
//   whose member column is NULL and whose email equals the member's (case-insensitive): storefront guest orders,
//   after-sales guest cases, marketplace orders not yet matched. A group without an email column matches rows whose
//   member column is NULL and whose foreign key points at such a guest row (a guest case's timeline notes and photos).
// - Rows to delete that other rows point at (foreign keys) take those rows with them first (a run's steps with the
//   run, a cart's lines with the cart); a pointing row the map keeps for law stops the erasure as an invariant.
// - Columns of category `file` named `*_key` hold storage keys: `planErasure` lists them; the flow deletes the files first.
import { sql, type RawBuilder } from 'kysely';
import { isPostgres, type Executor } from '../../db/database.ts';
import { memberColumnOf, type PersonalDataColumn, type PersonalDataMap, type RetentionClass } from '../../db/personal-data.ts';
import type { Ctx } from '../../deps.ts';
import { InvariantError } from '../../platform/assert.ts';
import { keptUntil, retentionRules } from './retention.rules.ts';

export const erasedText = '[erased]';
export const erasedEmail = (memberId: string) => `erased+${memberId}@invalid`;

export interface ErasedColumns {
  table: string;
  columns: string[];
  rows: number;
}

export interface KeptColumn {
  table: string;
  column: string;
  legalBasis: string;
  retention: RetentionClass;
  /** The last day the value is kept (YYYY-MM-DD), counted from the erasure. */
  until: string;
  /** How the rule counts, in words. */
  rule: string;
}

export interface ErasureReport {
  memberId: string;
  erasedAtMs: number;
  /** Rows deleted, per table. */
  deleted: ErasedColumns[];
  /** Values overwritten in rows that stay, per table. */
  anonymized: ErasedColumns[];
  /** Values kept because a law requires them. */
  kept: KeptColumn[];
  /** Stored files deleted (photos, documents). */
  filesDeleted: number;
}

interface Group {
  table: string;
  memberColumn: string;
  columns: PersonalDataColumn[];
  /** A contact column named like an email, to find the person's guest rows. */
  emailColumn: string | null;
}

export interface ColumnFacts {
  nullable: boolean;
  numeric: boolean;
}

interface ForeignKey {
  fromTable: string;
  fromColumn: string;
  toTable: string;
  toColumn: string;
}

export const emailLike = /e_?mail/;

function groupsOf(map: PersonalDataMap): Group[] {
  const groups = new Map<string, Group>();
  for (const column of map) {
    const memberColumn = memberColumnOf(column);
    if (memberColumn === null) continue;
    const key = `${column.table}|${memberColumn}`;
    const group = groups.get(key) ?? { table: column.table, memberColumn, columns: [], emailColumn: null };
    group.columns.push(column);
    if (column.category === 'contact' && emailLike.test(column.column) && column.column !== memberColumn) group.emailColumn ??= column.column;
    groups.set(key, group);
  }
  return [...groups.values()];
}

const deletesRows = (group: Group) => group.columns.every((column) => column.erase.kind === 'delete');

export async function readColumnFacts(db: Executor): Promise<Map<string, ColumnFacts>> {
  const facts = new Map<string, ColumnFacts>();
  const numeric = (type: string) => /int|numeric|real|double|decimal|float/.test(type);
  if (isPostgres(db)) {
    const result = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>`
      select table_name, column_name, data_type, is_nullable from information_schema.columns where table_schema = current_schema()`.execute(db);
    for (const row of result.rows) facts.set(`${row.table_name}.${row.column_name}`, { nullable: row.is_nullable === 'YES', numeric: numeric(row.data_type.toLowerCase()) });
    return facts;
  }
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
  for (const { name } of tables.rows) {
    const info = await sql<{ name: string; type: string; notnull: number; pk: number }>`select name, type, "notnull", pk from pragma_table_info(${name})`.execute(db);
    for (const row of info.rows) facts.set(`${name}.${row.name}`, { nullable: row.notnull === 0 && row.pk === 0, numeric: numeric(row.type.toLowerCase()) });
  }
  return facts;
}

async function readForeignKeys(db: Executor): Promise<ForeignKey[]> {
  if (isPostgres(db)) {
    const result = await sql<ForeignKey>`
      select cl.relname as "fromTable", att.attname as "fromColumn", rcl.relname as "toTable", ratt.attname as "toColumn"
      from pg_constraint c
      join pg_class cl on cl.oid = c.conrelid
      join pg_namespace n on n.oid = cl.relnamespace
      join pg_class rcl on rcl.oid = c.confrelid
      join pg_attribute att on att.attrelid = c.conrelid and att.attnum = c.conkey[1]
      join pg_attribute ratt on ratt.attrelid = c.confrelid and ratt.attnum = c.confkey[1]
      where c.contype = 'f' and n.nspname = current_schema()`.execute(db);
    return result.rows;
  }
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
  const keys: ForeignKey[] = [];
  for (const { name } of tables.rows) {
    const list = await sql<{ table: string; from: string; to: string | null }>`select "table", "from", "to" from pragma_foreign_key_list(${name})`.execute(db);
    for (const row of list.rows) keys.push({ fromTable: name, fromColumn: row.from, toTable: row.table, toColumn: row.to ?? 'id' });
  }
  return keys;
}

/**
 * How a group's guest rows are found. A group with an email column matches rows without a member by the address; a
 * group without one (a case's timeline, its photos) matches rows without a member whose foreign key points at a guest
 * row of a parent group that has one and names its member by the same column. The live schema's foreign keys say
 * which parent, so no module's table is named here.
 */
interface GuestParent {
  fromColumn: string;
  table: string;
  column: string;
  memberColumn: string;
  emailColumn: string;
}

type GuestParents = ReadonlyMap<Group, GuestParent>;

function guestParentsOf(groups: readonly Group[], keys: readonly ForeignKey[]): GuestParents {
  const parents = new Map<Group, GuestParent>();
  for (const group of groups) {
    if (group.emailColumn) continue;
    for (const key of keys.filter((k) => k.fromTable === group.table && k.fromTable !== k.toTable)) {
      const parent = groups.find((candidate) => candidate.table === key.toTable && candidate.emailColumn !== null && candidate.memberColumn === group.memberColumn);
      if (!parent?.emailColumn) continue;
      parents.set(group, { fromColumn: key.fromColumn, table: parent.table, column: key.toColumn, memberColumn: parent.memberColumn, emailColumn: parent.emailColumn });
      break;
    }
  }
  return parents;
}

/**
 * The addresses a guest row of the subject carries: the member's, and the pseudonymous placeholder an earlier pass
 * (or an earlier group of this pass) wrote into a guest row, so a child row is still found once its parent's address
 * is gone and a second run finds the same rows.
 */
const guestAddresses = (memberId: string, emails: readonly string[]) => [...emails, erasedEmail(memberId).toLowerCase()];

/** The subject's rows of a group: by member ID, and guest rows by any of the member's addresses (directly or through the parent row). */
function subjectRows(group: Group, memberId: string, emails: readonly string[], parents: GuestParents): RawBuilder<unknown> {
  const byMember = sql`${sql.ref(group.memberColumn)} = ${memberId}`;
  const addresses = sql.join(guestAddresses(memberId, emails));
  if (group.emailColumn) return sql`(${byMember} or (${sql.ref(group.memberColumn)} is null and lower(${sql.ref(group.emailColumn)}) in (${addresses})))`;
  const parent = parents.get(group);
  if (!parent) return byMember;
  const guestParentRows = sql`select ${sql.ref(`${parent.table}.${parent.column}`)} from ${sql.table(parent.table)} where ${sql.ref(`${parent.table}.${parent.memberColumn}`)} is null and lower(${sql.ref(`${parent.table}.${parent.emailColumn}`)}) in (${addresses})`;
  return sql`(${byMember} or (${sql.ref(`${group.table}.${group.memberColumn}`)} is null and ${sql.ref(`${group.table}.${parent.fromColumn}`)} in (${guestParentRows})))`;
}

async function countRows(db: Executor, table: string, where: RawBuilder<unknown>): Promise<number> {
  const result = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)} where ${where}`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** The member's own row: the group whose member column is its key (`members.id`) and that declares an email. */
function ownGroup(map: PersonalDataMap): Group | undefined {
  return groupsOf(map).find((group) => group.memberColumn === 'id' && group.emailColumn !== null && group.columns.some((column) => column.column === 'id'));
}

/** Whether the map's member row exists for this ID. */
export async function subjectExists(ctx: Ctx, memberId: string): Promise<boolean> {
  const own = ownGroup(ctx.ports.personalData);
  if (!own) throw new InvariantError('erasure: the personal-data map declares no member row');
  return (await countRows(ctx.db, own.table, sql`${sql.ref(own.memberColumn)} = ${memberId}`)) > 0;
}

/**
 * The subject's addresses: every email-like contact column of the subject's own rows (the member row, and the
 * address a closure moved off it into the accounts module's closed-address table), lower-cased. Placeholders under the
 * reserved `invalid` top-level domain (an erased or closed account's) are no one's address.
 */
async function memberEmails(ctx: Ctx, map: PersonalDataMap, memberId: string): Promise<string[]> {
  const emails = new Set<string>();
  for (const group of groupsOf(map)) {
    if (!group.emailColumn) continue;
    const result = await sql<{ email: string | null }>`select distinct lower(${sql.ref(group.emailColumn)}) as email from ${sql.table(group.table)} where ${sql.ref(group.memberColumn)} = ${memberId}`.execute(ctx.db);
    for (const row of result.rows) if (row.email && !/[@.]invalid$/.test(row.email)) emails.add(row.email);
  }
  return [...emails].sort();
}

/**
 * A `file` column that holds the stored file's key (`storage_key`, `document_key`…): the map also files a photo's
 * format and digest under `file`, which are deleted with the row but name no stored file.
 */
const holdsStorageKey = (column: PersonalDataColumn) => column.category === 'file' && /(^|_)key$/.test(column.column);

export interface ErasurePlan {
  /** Storage keys of the subject's files (columns of category `file`), deleted before the rows. */
  fileKeys: string[];
}

/** What the flow's first step records: the subject's stored files. */
export async function planErasure(ctx: Ctx, memberId: string): Promise<ErasurePlan> {
  const map = ctx.ports.personalData;
  const emails = await memberEmails(ctx, map, memberId);
  const groups = groupsOf(map);
  const parents = guestParentsOf(groups, await readForeignKeys(ctx.db));
  const fileKeys: string[] = [];
  for (const group of groups) {
    for (const column of group.columns.filter(holdsStorageKey)) {
      const result = await sql<{ key: string | null }>`select ${sql.ref(column.column)} as key from ${sql.table(group.table)} where ${subjectRows(group, memberId, emails, parents)}`.execute(ctx.db);
      for (const row of result.rows) if (row.key) fileKeys.push(row.key);
    }
  }
  return { fileKeys: [...new Set(fileKeys)].sort() };
}

function overwriteValue(column: PersonalDataColumn, facts: ColumnFacts | undefined, memberId: string): unknown {
  if (!facts || facts.nullable) return null;
  if (facts.numeric) return 0;
  return emailLike.test(column.column) ? erasedEmail(memberId) : erasedText;
}

async function deleteWithDependents(db: Executor, table: string, where: RawBuilder<unknown>, keys: readonly ForeignKey[], map: PersonalDataMap, depth = 0): Promise<number> {
  if (depth > 4) throw new InvariantError(`erasure: foreign keys nest too deep under ${table}`);
  for (const key of keys.filter((k) => k.toTable === table && k.fromTable !== table)) {
    const kept = map.find((column) => column.table === key.fromTable && column.erase.kind !== 'delete');
    const pointing = sql`${sql.ref(`${key.fromTable}.${key.fromColumn}`)} in (select ${sql.ref(key.toColumn)} from ${sql.table(table)} where ${where})`;
    if (kept && (await countRows(db, key.fromTable, pointing)) > 0) {
      throw new InvariantError(`erasure: ${key.fromTable}.${kept.column} is kept but points at ${table} rows the map deletes`);
    }
    await deleteWithDependents(db, key.fromTable, pointing, keys, map, depth + 1);
  }
  const result = await sql`delete from ${sql.table(table)} where ${where}`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * Erases the subject's rows in the caller's transaction, as the map says; idempotent (a second run finds nothing
 * left to delete, overwrites placeholders with themselves, and reports the same kept columns).
 */
export async function executeErasure(ctx: Ctx, memberId: string): Promise<Omit<ErasureReport, 'filesDeleted'>> {
  const map = ctx.ports.personalData;
  const [facts, keys] = await Promise.all([readColumnFacts(ctx.db), readForeignKeys(ctx.db)]);
  const emails = await memberEmails(ctx, map, memberId);
  const nowMs = ctx.clock.nowMs();
  const report: Omit<ErasureReport, 'filesDeleted'> = { memberId, erasedAtMs: nowMs, deleted: [], anonymized: [], kept: [] };
  // Later modules first (their rows point at earlier modules' rows); the member's email was read above, before its
  // own row is overwritten, to find the guest rows.
  const groups = groupsOf(map).reverse();
  const parents = guestParentsOf(groups, keys);
  for (const group of groups) {
    const where = subjectRows(group, memberId, emails, parents);
    const keptColumns = group.columns.filter((c) => c.erase.kind === 'keep_for_law');
    // Kept columns are reported where the subject has rows (a policy they never published is not "kept about them").
    if (keptColumns.length > 0 && (await countRows(ctx.db, group.table, where)) > 0) {
      for (const column of keptColumns) {
        if (column.erase.kind !== 'keep_for_law') continue;
        report.kept.push({ table: group.table, column: column.column, legalBasis: column.erase.legalBasis, retention: column.retention, until: keptUntil(column.retention, nowMs), rule: retentionRules[column.retention].description });
      }
    }
    if (deletesRows(group)) {
      const rows = await deleteWithDependents(ctx.db, group.table, where, keys, map);
      if (rows > 0) report.deleted.push({ table: group.table, columns: group.columns.map((c) => c.column), rows });
      continue;
    }
    const overwritten = group.columns.filter((c) => c.erase.kind !== 'keep_for_law' && c.column !== group.memberColumn);
    const clearsLink = group.columns.find((c) => c.column === group.memberColumn && c.erase.kind !== 'keep_for_law');
    if (overwritten.length === 0 && !clearsLink) continue;
    const rows = await countRows(ctx.db, group.table, where);
    if (rows === 0) continue;
    // The member column goes last in the row's update (it is what the WHERE reads).
    const targets = clearsLink ? [...overwritten, clearsLink] : overwritten;
    const assignments = targets.map((column) => {
      const value = overwriteValue(column, facts.get(`${group.table}.${column.column}`), memberId);
      // A guest row's email becomes the pseudonymous placeholder, not NULL: a row without a member may need a contact
      // (a case's requester check). The CASE reads the row's old member column.
      if (value === null && column.column === group.emailColumn) return sql`${sql.ref(column.column)} = case when ${sql.ref(group.memberColumn)} is null then ${erasedEmail(memberId)} else null end`;
      return sql`${sql.ref(column.column)} = ${value}`;
    });
    await sql`update ${sql.table(group.table)} set ${sql.join(assignments)} where ${where}`.execute(ctx.db);
    report.anonymized.push({ table: group.table, columns: targets.map((c) => c.column), rows });
  }
  report.kept.sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
  return report;
}

/** Tables made append-only by makeAppendOnly (src/db/schema-helpers.ts), known by its trigger names. */
export async function appendOnlyTables(db: Executor): Promise<Set<string>> {
  if (isPostgres(db)) {
    const result = await sql<{ name: string }>`select tgname as name from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = current_schema() and tgname like '%_append_only'`.execute(db);
    return new Set(result.rows.map((row) => row.name.replace(/_append_only$/, '')));
  }
  const result = await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and name like '%_no_update'`.execute(db);
  return new Set(result.rows.map((row) => row.name.replace(/_no_update$/, '')));
}

/**
 * PV-30: the end of the transaction-records period of an erased subject. The values kept for law with retention
 * `transaction_records` (the ship-to postal code, the serial, the case's reason…) are removed where the column is
 * nullable and the table is not append-only; the member column stays (it is the pseudonymous ID the ledger's
 * append-only rows hold too). Returns the number of rows changed; a second run changes the same rows to the same
 * NULLs and the caller marks the erasure done, so it is not repeated.
 */
export async function expireKeptRecords(ctx: Ctx, memberId: string): Promise<number> {
  const [facts, appendOnly] = await Promise.all([readColumnFacts(ctx.db), appendOnlyTables(ctx.db)]);
  let changed = 0;
  for (const group of groupsOf(ctx.ports.personalData)) {
    if (appendOnly.has(group.table)) continue;
    const expiring = group.columns.filter(
      (column) => column.erase.kind === 'keep_for_law' && column.retention === 'transaction_records' && column.column !== group.memberColumn && column.column !== 'id' && facts.get(`${group.table}.${column.column}`)?.nullable === true,
    );
    if (expiring.length === 0) continue;
    const result = await sql`update ${sql.table(group.table)} set ${sql.join(expiring.map((column) => sql`${sql.ref(column.column)} = null`))} where ${sql.ref(group.memberColumn)} = ${memberId}`.execute(ctx.db);
    changed += Number(result.numAffectedRows ?? 0n);
  }
  return changed;
}
