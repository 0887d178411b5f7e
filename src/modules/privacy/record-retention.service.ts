// PV-30 for people who are not erased: at the end of the transaction-records period, counted from each row's own
// record time (the map's `recordTimeColumn`), the personal values of commercial records go, whoever the member is.
// Data-map driven: no module's table is named here. Decisions (src/modules/privacy/README.md):
//
// - Cleared: columns with retention `transaction_records` whose category describes or reaches the person: name,
//   contact, address, free_text, network, message, payload. Kept: identifiers (the member ID alone is pseudonymous
//   once the values are gone, and the ledger's append-only rows hold it too), order and financial values (amounts,
//   SKUs, serials, plans, references: what makes the record a record, with no person in them).
// - The same overwrite rules as the erasure executor: a column the map says to anonymize becomes NULL where nullable,
//   else a placeholder within its constraints (`[erased]`, 0, an `@invalid` address); a column kept for law (the
//   ship-to postal code and region) only becomes NULL where nullable, as expireKeptRecords does, because a NOT NULL
//   kept value is what the record needs to read (the order's tax region, a case's eligibility trace).
// - Rows are never deleted (refunds, cases and ledger rows point at them); append-only tables are skipped.
// - Idempotent: a row is picked only while one of its targets still holds a value (not NULL, not a placeholder), so
//   a second run finds nothing and counts nothing. Batches are keyed by the row's `id`, each in its own transaction.
import { sql, type RawBuilder } from 'kysely';
import { memberColumnOf, recordTimeColumns, type PersonalDataCategory, type PersonalDataColumn } from '../../db/personal-data.ts';
import { transact, type Ctx } from '../../deps.ts';
import { yieldBetweenBatches } from '../../db/batches.ts';
import { InvariantError } from '../../platform/assert.ts';
import { appendOnlyTables, emailLike, erasedText, readColumnFacts, type ColumnFacts } from './erasure.executor.ts';

/** The categories whose values go at the end of the transaction-records period (see the file comment). */
export const expiringRecordCategories: readonly PersonalDataCategory[] = ['name', 'contact', 'address', 'free_text', 'network', 'message', 'payload'];

/** The placeholder for an email-like column that must keep a value: under the reserved `invalid` domain, no one's. */
export const expiredEmail = 'expired@invalid';

interface Target {
  column: string;
  /** The assignment that clears it. */
  assignment: RawBuilder<unknown>;
  /** True while the column still holds a personal value. */
  holdsValue: RawBuilder<unknown>;
}

interface TablePlan {
  table: string;
  recordTimeColumn: string;
  targets: Target[];
}

export interface ExpiredValuesResult {
  /** Rows whose personal values were cleared in this run. */
  recordRowsCleared: number;
  /** Tables in which at least one row was cleared. */
  recordTablesTouched: number;
}

function targetOf(column: PersonalDataColumn, facts: ColumnFacts): Target | null {
  const ref = sql.ref(column.column);
  if (column.erase.kind === 'keep_for_law') {
    if (!facts.nullable) return null;
    return { column: column.column, assignment: sql`${ref} = null`, holdsValue: sql`${ref} is not null` };
  }
  if (emailLike.test(column.column) && !facts.numeric) {
    // A row without a member keeps a placeholder address, as erasure leaves a guest row (a case's requester check).
    const memberColumn = memberColumnOf(column);
    const value = !facts.nullable ? sql`${expiredEmail}` : memberColumn === null ? sql`null` : sql`case when ${sql.ref(memberColumn)} is null then ${expiredEmail} else null end`;
    return { column: column.column, assignment: sql`${ref} = ${value}`, holdsValue: sql`(${ref} is not null and ${ref} not like ${'%@invalid'})` };
  }
  if (facts.nullable) return { column: column.column, assignment: sql`${ref} = null`, holdsValue: sql`${ref} is not null` };
  if (facts.numeric) return { column: column.column, assignment: sql`${ref} = ${0}`, holdsValue: sql`${ref} <> ${0}` };
  return { column: column.column, assignment: sql`${ref} = ${erasedText}`, holdsValue: sql`${ref} <> ${erasedText}` };
}

/** What the pass clears, per table, read from the map and the live schema. */
async function planRecordRetention(ctx: Ctx): Promise<TablePlan[]> {
  const map = ctx.ports.personalData;
  const [facts, appendOnly] = await Promise.all([readColumnFacts(ctx.db), appendOnlyTables(ctx.db)]);
  const plans: TablePlan[] = [];
  for (const [table, recordTimeColumn] of recordTimeColumns(map)) {
    if (appendOnly.has(table)) continue;
    if (recordTimeColumn === undefined) throw new InvariantError(`retention: ${table} holds transaction_records values but declares no record time`);
    const linkColumns = new Set(map.filter((entry) => entry.table === table).map((entry) => memberColumnOf(entry)));
    const targets: Target[] = [];
    for (const column of map.filter((entry) => entry.table === table && entry.retention === 'transaction_records')) {
      if (!expiringRecordCategories.includes(column.category) || linkColumns.has(column.column) || column.column === 'id' || column.column === recordTimeColumn) continue;
      const columnFacts = facts.get(`${table}.${column.column}`);
      if (!columnFacts) throw new InvariantError(`retention: ${table}.${column.column} is declared but not in the schema`);
      const target = targetOf(column, columnFacts);
      if (target) targets.push(target);
    }
    if (targets.length === 0) continue;
    if (!facts.has(`${table}.id`)) throw new InvariantError(`retention: ${table} has no id column to batch by`);
    plans.push({ table, recordTimeColumn, targets });
  }
  return plans;
}

/**
 * Clears the expiring personal values of every row recorded at or before `recordedBeforeMs`, in batches of
 * `batchSize` rows per transaction; returns counts only.
 */
export async function clearExpiredRecordValues(ctx: Ctx, recordedBeforeMs: number, batchSize: number): Promise<ExpiredValuesResult> {
  const result: ExpiredValuesResult = { recordRowsCleared: 0, recordTablesTouched: 0 };
  for (const plan of await planRecordRetention(ctx)) {
    let afterId = '';
    let cleared = 0;
    for (let batches = 0; ; batches++) {
      if (batches > 0) await yieldBetweenBatches();
      const batch = await transact(ctx, async (trx) => {
        const due = sql`${sql.ref(plan.recordTimeColumn)} <= ${recordedBeforeMs} and (${sql.join(plan.targets.map((target) => target.holdsValue), sql` or `)})`;
        const rows = await sql<{ id: string }>`select id from ${sql.table(plan.table)} where id > ${afterId} and ${due} order by id limit ${batchSize}`.execute(trx.db);
        const ids = rows.rows.map((row) => row.id);
        if (ids.length > 0) await sql`update ${sql.table(plan.table)} set ${sql.join(plan.targets.map((target) => target.assignment))} where id in (${sql.join(ids)})`.execute(trx.db);
        return ids;
      });
      cleared += batch.length;
      if (batch.length < batchSize) break;
      afterId = batch[batch.length - 1]!;
    }
    result.recordRowsCleared += cleared;
    if (cleared > 0) result.recordTablesTouched += 1;
  }
  return result;
}
