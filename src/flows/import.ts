// `patron import members|orders FILE.csv` (PL-11): members into accounts with their old balance as a migrated lot in
// the credits ledger, and past orders into the store's external orders. The file is streamed: one record (or one
// order's lines) in memory at a time. Each row is one transaction, so a row imports entirely or not at all, and a
// re-run finds what the first run wrote (members by email, the balance by its idempotency key, orders by their
// ID) and changes nothing. A dry run does the same work and rolls every transaction back.
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

/** Thrown inside a row's transaction in a dry run, so the database rolls back what the row wrote. */
class DryRunRollback extends Error {}

/** The header of the file is wrong: nothing can be imported (the CLI exits 2). */
export class ImportFileError extends Error {}

type RowOutcome = { outcome: 'created' | 'unchanged'; credits: number };

function reasonOf(error: unknown): string {
  if (error instanceof RowError) return error.message;
  if (isAppError(error)) {
    if (error.code === 'idempotency_conflict') return 'a different balance was already imported for this member; the first one stays';
    return error.message;
  }
  throw error;
}

async function inRowTransaction(deps: Deps, dryRun: boolean, work: (trx: Deps) => Promise<RowOutcome>): Promise<RowOutcome> {
  if (!dryRun) return transact(deps, work);
  let outcome: RowOutcome | undefined;
  try {
    await transact(deps, async (trx) => {
      outcome = await work(trx);
      throw new DryRunRollback('dry run');
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  return outcome!;
}

async function importMemberRecord(deps: Deps, header: Header<MemberFormat>, record: CsvRecord, options: ImportOptions): Promise<RowOutcome> {
  const row = parseMemberRow(header, record.fields, { country: options.defaultCountry ?? null });
  return inRowTransaction(deps, options.dryRun ?? false, async (trx) => {
    const member = await importMember(trx, { email: row.email, country: row.country, dateOfBirth: row.dateOfBirth, firstName: row.firstName, lastName: row.lastName });
    let credits = 0;
    let balanceCreated = false;
    if (row.credits > 0) {
      const balance = await importMigratedBalance(trx, { memberId: member.memberId, credits: row.credits, expiresAtMs: row.expiresAtMs, source: `${header.format} import` });
      balanceCreated = balance.created;
      if (balance.created) credits = row.credits;
    }
    return { outcome: member.created || balanceCreated ? 'created' : 'unchanged', credits };
  });
}

async function importOrderGroup(deps: Deps, header: Header<'patron'>, group: CsvRecord[], options: ImportOptions): Promise<RowOutcome> {
  const order = parseOrderRows(header, group.map((record) => record.fields));
  return inRowTransaction(deps, options.dryRun ?? false, async (trx) => {
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
  });
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
  const progress: ImportProgress = { rows: 0, created: 0, unchanged: 0, rejected: 0, bytesRead: 0 };
  const report: ImportReport = { ...progress, kind: options.kind, format: '', dryRun: options.dryRun ?? false, rejectedRows: [], creditsImported: 0 };
  const reject = (line: number, reason: string) => {
    progress.rejected += 1;
    if (report.rejectedRows.length < maxListed) report.rejectedRows.push({ line, reason });
  };
  const settle = async (line: number, count: number, work: () => Promise<RowOutcome>) => {
    try {
      const result = await work();
      progress[result.outcome] += 1;
      report.creditsImported += result.credits;
    } catch (error) {
      reject(line, reasonOf(error));
    }
    progress.rows += count;
    options.onProgress?.(progress);
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
        await settle(record.line, 1, () => importMemberRecord(deps, header, record, options));
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
        await settle(lines[0]!.line, lines.length, () => importOrderGroup(deps, header, lines, options));
      }
      group.push(record);
      if (group.length > maxOrderLines) {
        reject(group[0]!.line, `an order has at most ${maxOrderLines} lines`);
        progress.rows += group.length;
        skipping = orderId;
        group = [];
      }
    }
    if (orderFormat && group.length > 0) {
      const header = orderFormat;
      const lines = group;
      await settle(lines[0]!.line, lines.length, () => importOrderGroup(deps, header, lines, options));
    }
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      // The file cannot be read past this point: what came before stays imported (each row was its own transaction).
      reject(error.line, `unreadable CSV: ${error.message.replace(/^line \d+: /, '')}; the rest of the file was not read`);
    } else throw error;
  }
  if (!memberFormat && !orderFormat) throw new ImportFileError('the file is empty: expected a header line');
  return { ...report, ...progress, rejectedRows: report.rejectedRows };
}
