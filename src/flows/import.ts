// `patron import members|orders FILE.csv` (PL-11): members into accounts with their old balance as a migrated lot in
// the credits ledger, and past orders into the store's external orders. The file is streamed: memory holds one batch
// of parsed rows at a time. Each batch is one transaction with every row (or order) behind its own savepoint, so a
// row imports entirely or not at all, and a re-run finds what the first run wrote (members by email, the balance by
// its idempotency key, orders by their ID) and changes nothing. A dry run does the same work and rolls back.
import { sql } from 'kysely';
import { ZodError } from 'zod';
import { transact, type Deps } from '../deps.ts';
import { isAppError } from '../platform/errors.ts';
import { readCsv, CsvSyntaxError, type CsvRecord } from '../platform/csv.ts';
import { findImportedMemberId, importMember } from '../modules/accounts/index.ts';
import { importMigratedBalance } from '../modules/credits/index.ts';
import { recordExternalOrder } from '../modules/store/index.ts';
import { memberHeader, orderHeader, orderIdOf, parseMemberRow, parseOrderRows, RowError, type Header, type ImportKind, type MemberFormat } from './import.rules.ts';

export interface RejectedRow {
  line: number;
  reason: string;
}

export interface ImportProgress {
  rows: number;
  created: number;
  unchanged: number;
  rejected: number;
  bytesRead: number;
}

export interface ImportReport extends ImportProgress {
  kind: ImportKind;
  format: string;
  dryRun: boolean;
  /** The first `maxRejectedListed` rejected rows, by line (the count is in `rejected`). */
  rejectedRows: RejectedRow[];
  /** Credits posted as migrated lots (members). */
  creditsImported: number;
}

export interface ImportOptions {
  kind: ImportKind;
  source: AsyncIterable<Uint8Array | string>;
  dryRun?: boolean;
  /** Country for member rows without one (ISO two letters). */
  defaultCountry?: string | null;
  /** Called after every row; the CLI draws its progress from it. */
  onProgress?: (progress: ImportProgress) => void;
  maxRejectedListed?: number;
}

const maxOrderLines = 100;

/** Thrown inside a batch's transaction in a dry run, so the database rolls back what its rows wrote. */
class DryRunRollback extends Error {}

/** The header of the file is wrong: nothing can be imported (the CLI exits 2). */
export class ImportFileError extends Error {}

type RowOutcome = { outcome: 'created' | 'unchanged'; credits: number };

/** One row (a member) or one group of rows (an order), parsed, waiting for its batch's transaction. */
interface Unit {
  line: number;
  rows: number;
  write(trx: Deps): Promise<RowOutcome>;
}

type UnitResult = RowOutcome | { rejected: string };

/** A refusal that belongs to the row (bad data, a rule of the domain); anything else stops the import. */
function rowReason(error: unknown): string | undefined {
  if (error instanceof RowError) return error.message;
  if (isAppError(error)) {
    if (error.code === 'idempotency_conflict') return 'a different balance was already imported for this member; the first one stays';
    return error.message;
  }
  // A service's own input schema refused a value the row parser let through (a currency, a too-long SKU).
  if (error instanceof ZodError) return error.issues.map((issue) => `${issue.path.join('.') || 'row'}: ${issue.message}`).join('; ');
  return undefined;
}

/**
 * Rows per transaction: a commit per row would make the commit the cost (≈ 2 ms each on SQLite); a savepoint per row
 * keeps each row all-or-nothing inside the batch. Small enough that the server's writes wait at most a few ms.
 */
export const importBatchRows = 100;

/** Writes a batch in one transaction, each unit behind its own savepoint: a refused unit leaves nothing behind. */
async function writeBatch(deps: Deps, units: Unit[], dryRun: boolean): Promise<UnitResult[]> {
  let results: UnitResult[] = [];
  const work = async (trx: Deps) => {
    results = [];
    for (const unit of units) {
      await sql`savepoint import_row`.execute(trx.db);
      try {
        results.push(await unit.write(trx));
        await sql`release savepoint import_row`.execute(trx.db);
      } catch (error) {
        const reason = rowReason(error);
        if (reason === undefined) throw error;
        await sql`rollback to savepoint import_row`.execute(trx.db);
        await sql`release savepoint import_row`.execute(trx.db);
        results.push({ rejected: reason });
      }
    }
    if (dryRun) throw new DryRunRollback('dry run');
  };
  try {
    await transact(deps, work);
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  return results;
}

function memberUnit(header: Header<MemberFormat>, record: CsvRecord, options: ImportOptions): Unit {
  const row = parseMemberRow(header, record.fields, { country: options.defaultCountry ?? null });
  return {
    line: record.line,
    rows: 1,
    async write(trx) {
      const member = await importMember(trx, { email: row.email, country: row.country, dateOfBirth: row.dateOfBirth, firstName: row.firstName, lastName: row.lastName });
      let credits = 0;
      let balanceCreated = false;
      if (row.credits > 0) {
        const balance = await importMigratedBalance(trx, { memberId: member.memberId, credits: row.credits, expiresAtMs: row.expiresAtMs, source: `${header.format} import` });
        balanceCreated = balance.created;
        if (balance.created) credits = row.credits;
      }
      return { outcome: member.created || balanceCreated ? 'created' : 'unchanged', credits };
    },
  };
}

function orderUnit(header: Header<'patron'>, group: CsvRecord[]): Unit {
  const order = parseOrderRows(header, group.map((record) => record.fields));
  return {
    line: group[0]!.line,
    rows: group.length,
    async write(trx) {
      const memberId = order.email ? ((await findImportedMemberId(trx, order.email)) ?? null) : null;
      try {
        await recordExternalOrder(
          trx,
          {
            source: 'storefront',
            externalOrderId: order.orderId,
            memberId,
            customerEmail: order.email || null,
            purchasedAt: order.purchasedAt,
            currency: order.currency as 'USD',
            totalMinor: order.totalMinor,
            items: order.items,
          },
          'import',
        );
        return { outcome: 'created', credits: 0 };
      } catch (error) {
        // The order is there from an earlier run (or was recorded by hand): nothing to do, nothing changed.
        if (isAppError(error) && error.code === 'already_exists') return { outcome: 'unchanged', credits: 0 };
        throw error;
      }
    },
  };
}

/** Counts the bytes that pass, for the progress display's share of the file. */
async function* counted(source: AsyncIterable<Uint8Array | string>, progress: ImportProgress): AsyncGenerator<Uint8Array | string> {
  for await (const chunk of source) {
    progress.bytesRead += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    yield chunk;
  }
}

/** Imports a members or orders file; see the file comment. Throws ImportFileError when the header is unusable. */
export async function runImport(deps: Deps, options: ImportOptions): Promise<ImportReport> {
  const maxListed = options.maxRejectedListed ?? 1000;
  const dryRun = options.dryRun ?? false;
  const progress: ImportProgress = { rows: 0, created: 0, unchanged: 0, rejected: 0, bytesRead: 0 };
  const report: ImportReport = { ...progress, kind: options.kind, format: '', dryRun, rejectedRows: [], creditsImported: 0 };
  const reject = (line: number, rows: number, reason: string) => {
    progress.rejected += 1;
    progress.rows += rows;
    if (report.rejectedRows.length < maxListed) report.rejectedRows.push({ line, reason });
  };
  let batch: Unit[] = [];
  const flush = async () => {
    const units = batch;
    batch = [];
    if (units.length === 0) return;
    const results = await writeBatch(deps, units, dryRun);
    for (const [index, result] of results.entries()) {
      const unit = units[index]!;
      if ('rejected' in result) {
        reject(unit.line, unit.rows, result.rejected);
        continue;
      }
      progress[result.outcome] += 1;
      progress.rows += unit.rows;
      report.creditsImported += result.credits;
    }
    options.onProgress?.(progress);
  };
  /** Parses a unit (a refusal is reported at once) and writes the batch when it is full. */
  const add = async (line: number, rows: number, parse: () => Unit) => {
    try {
      batch.push(parse());
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      reject(line, rows, error.message);
    }
    if (batch.length >= importBatchRows) await flush();
  };

  let memberFormat: Header<MemberFormat> | undefined;
  let orderFormat: Header<'patron'> | undefined;
  let group: CsvRecord[] = [];
  let skipping: string | null = null;
  try {
    for await (const record of readCsv(counted(options.source, progress))) {
      if (!memberFormat && !orderFormat) {
        try {
          if (options.kind === 'members') memberFormat = memberHeader(record.fields);
          else orderFormat = orderHeader(record.fields);
        } catch (error) {
          if (error instanceof RowError) throw new ImportFileError(`header (line ${record.line}): ${error.message}`);
          throw error;
        }
        report.format = (memberFormat ?? orderFormat)!.format;
        continue;
      }
      if (memberFormat) {
        const header = memberFormat;
        await add(record.line, 1, () => memberUnit(header, record, options));
        continue;
      }
      const header = orderFormat!;
      const orderId = orderIdOf(header, record.fields);
      if (skipping !== null && orderId === skipping) {
        // The rest of an order refused for its size: refused with it, never imported as a smaller order.
        progress.rows += 1;
        continue;
      }
      skipping = null;
      // An order's lines are adjacent rows with one order_id; the group is imported when the next order starts.
      if (group.length > 0 && orderIdOf(header, group[0]!.fields) !== orderId) {
        const lines = group;
        group = [];
        await add(lines[0]!.line, lines.length, () => orderUnit(header, lines));
      }
      group.push(record);
      if (group.length > maxOrderLines) {
        reject(group[0]!.line, group.length, `an order has at most ${maxOrderLines} lines`);
        skipping = orderId;
        group = [];
      }
    }
    if (orderFormat && group.length > 0) {
      const header = orderFormat;
      const lines = group;
      await add(lines[0]!.line, lines.length, () => orderUnit(header, lines));
    }
    await flush();
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    // The file cannot be read past this point: the rows before it are imported, the broken one is reported.
    await flush();
    reject(error.line, 0, `unreadable CSV: ${error.message.replace(/^line \d+: /, '')}; the rest of the file was not read`);
  }
  if (!memberFormat && !orderFormat) throw new ImportFileError('the file is empty: expected a header line');
  report.rejectedRows.sort((a, b) => a.line - b.line);
  return { ...report, ...progress, rejectedRows: report.rejectedRows };
}
