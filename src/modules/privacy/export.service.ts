// Access and portability exports (PV-15, PV-16) and "know" (PV-17), built only from `ctx.ports.personalData`: for each
// declared table and member column, the subject's rows are read in keyset batches and streamed to temporary files
// (data.json, one CSV per entity, index.html), the after-sales photos and other `file` columns are copied under
// files/, manifest.json lists every file's SHA-256 and size, and the ZIP is streamed (yazl) into the file store
// through `putStream`. Memory holds one batch of rows and one stored file at a time, whatever the subject's history.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ZipFile } from 'yazl';
import { sql } from 'kysely';
import { transact, type Ctx, type Deps } from '../../deps.ts';
import { retentionClasses } from '../../db/personal-data.ts';
import { isSafeStorageKey } from '../../ports/file-storage.port.ts';
import { enqueueJob } from '../../jobs/index.ts';
import { MINUTE_MS } from '../../platform/clock.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { randomInt } from '../../platform/ids.ts';
import { recordAudit } from '../audit/index.ts';
import { queueEmail } from '../notifications/index.ts';
import { exportDownloadCodeEmail } from './emails/export-download-code.ts';
import {
  claimCodeTry, consumeCode, countDownload, failStaleQueued, findExport, findExportByDedupeKey, insertExport, listMemberExports, readSubjectBatch, readTableLayouts, selectDueExpiries, updateExport,
} from './export.repository.ts';
import {
  csvLine, escapeHtml, exportEntities, exportFormat, exportJsonSchema, exportLifetimeMs, exportStorageKey, exportStoragePrefix, exportValue, retentionLabels, zipPathOfFile, type ExportEntity,
} from './export.rules.ts';
import type { PrivacyExportRow } from './export.table.ts';

export const exportJobType = 'privacy-export';
export const exportExpiryJobType = 'privacy-export-expire';
export const exportSchemaPath = '/api/v1/privacy/export-schema.json';
/** Rows per keyset batch: memory holds at most this many rows of one table. */
export const exportBatchSize = 500;
export const downloadCodeLifetimeMs = 10 * MINUTE_MS;
export const downloadCodeMaxTries = 3;

export interface ExportFile {
  path: string;
  sizeBytes: number;
  sha256: string;
}

export interface SubjectExport {
  exportId: string;
  storageKey: string;
  sizeBytes: number;
  sha256: string;
  expiresAtMs: number;
  files: ExportFile[];
}

type SchemaCtx = Pick<Deps, 'db' | 'ports' | 'config'>;

export function exportSchemaUrl(ctx: Pick<Deps, 'config'>): string {
  return `${ctx.config.http.publicUrl.replace(/\/$/, '')}${exportSchemaPath}`;
}

/** The entities of this installation's export: the map's tables and member columns, typed from the live schema. */
export async function loadExportEntities(ctx: Pick<Ctx, 'db' | 'ports'>): Promise<ExportEntity[]> {
  return exportEntities(ctx.ports.personalData, await readTableLayouts(ctx.db));
}

/** The published JSON Schema of data.json (GET /api/v1/privacy/export-schema.json). */
export async function exportSchema(ctx: SchemaCtx): Promise<Record<string, unknown>> {
  return exportJsonSchema(await loadExportEntities(ctx), exportSchemaUrl(ctx));
}

/** A file being written in the temporary folder, with its digest and size kept as it grows. */
class TempFile {
  readonly path: string;
  readonly zipPath: string;
  private readonly hash = createHash('sha256');
  private size = 0;
  private readonly handle: FileHandle;
  private constructor(path: string, zipPath: string, handle: FileHandle) {
    this.path = path;
    this.zipPath = zipPath;
    this.handle = handle;
  }
  static async create(folder: string, zipPath: string): Promise<TempFile> {
    const path = join(folder, zipPath);
    await mkdir(dirname(path), { recursive: true });
    return new TempFile(path, zipPath, await open(path, 'w', 0o600));
  }
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.hash.update(bytes);
    this.size += bytes.byteLength;
    await this.handle.write(bytes);
  }
  async close(): Promise<ExportFile> {
    await this.handle.close();
    return { path: this.zipPath, sizeBytes: this.size, sha256: this.hash.digest('hex') };
  }
}

const htmlHead = (title: string) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
  '<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:0 0 1.5rem}td,th{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top;font-size:.85rem}th{background:#f2f2f2}h2{margin-top:2.5rem}</style></head><body>\n';

function htmlSection(entity: ExportEntity): string {
  const declared = entity.columns.filter((column) => column.declaration);
  const rows = declared
    .map((column) => {
      const declaration = column.declaration!;
      return `<tr><td>${escapeHtml(column.name)}</td><td>${escapeHtml(declaration.category)}</td><td>${escapeHtml(declaration.purpose)}</td><td>${escapeHtml(retentionLabels[declaration.retention] ?? declaration.retention)}</td></tr>`;
    })
    .join('');
  return (
    `<section id="${escapeHtml(entity.name)}"><h2>${escapeHtml(entity.name)}</h2>` +
    `<p>Rows of <code>${escapeHtml(entity.table)}</code> whose <code>${escapeHtml(entity.memberColumn)}</code> is you. CSV: <code>csv/${escapeHtml(entity.name)}.csv</code></p>` +
    `<table><thead><tr><th>Column</th><th>Category</th><th>Purpose</th><th>How long we keep it</th></tr></thead><tbody>${rows}</tbody></table>` +
    `<table><thead><tr>${entity.columns.map((column) => `<th>${escapeHtml(column.name)}</th>`).join('')}</tr></thead><tbody>\n`
  );
}

function htmlCell(value: string | number | boolean | null): string {
  return `<td>${value === null ? '' : escapeHtml(String(value))}</td>`;
}

/** Streams the ZIP made of the finished temporary files into the file store; returns its size and digest. */
async function storeZip(ctx: Pick<Ctx, 'ports' | 'clock'>, storageKey: string, files: readonly { path: string; zipPath: string }[]): Promise<{ sizeBytes: number; sha256: string }> {
  const zip = new ZipFile();
  const mtime = new Date(ctx.clock.nowMs());
  // Stored files (JPEG, PNG, WebP photos) are compressed already: stored as they are. The text files get the fastest
  // deflate level (repetitive JSON, CSV and HTML shrink about as much, several times faster than the default).
  for (const file of files) {
    const compressionLevel = file.zipPath.startsWith('files/') ? 0 : 1;
    zip.addReadStreamLazy(file.zipPath, { mtime, mode: 0o100600, compressionLevel }, (callback) => callback(null, createReadStream(file.path)));
  }
  zip.end();
  const hash = createHash('sha256');
  let sizeBytes = 0;
  async function* hashed(): AsyncIterable<Uint8Array> {
    for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      sizeBytes += chunk.byteLength;
      yield chunk;
    }
  }
  await ctx.ports.files.putStream(storageKey, hashed(), 'application/zip');
  return { sizeBytes, sha256: hash.digest('hex') };
}

/**
 * Writes the subject's export ZIP under `privacy/exports/<id>.zip` (PV-15, PV-16). Without `exportId` it creates the
 * export record itself; with one (the job), it fills that queued record. The record is ready when this returns.
 */
export async function buildSubjectExport(deps: Deps, input: { memberId: string; requestId?: string | null; exportId?: string }): Promise<SubjectExport> {
  const exportId = input.exportId ?? (await createExportRecord(deps, { memberId: input.memberId, requestId: input.requestId ?? null, dedupeKey: null })).id;
  const entities = await loadExportEntities(deps);
  const folder = await mkdtemp(join(tmpdir(), 'patron-export-'));
  try {
    const generatedAtMs = deps.clock.nowMs();
    const storedFiles: string[] = [];
    const finished: ExportFile[] = [];
    const data = await TempFile.create(folder, 'data.json');
    const html = await TempFile.create(folder, 'index.html');
    await data.write(`{"$schema":${JSON.stringify(exportSchemaUrl(deps))},"format":${JSON.stringify(exportFormat)},"subject":${JSON.stringify({ memberId: input.memberId })},"generatedAt":${JSON.stringify(new Date(generatedAtMs).toISOString())},"entities":{`);
    await html.write(
      `${htmlHead('Your personal data')}<h1>Your personal data</h1><p>Everything Patron holds about member <code>${escapeHtml(input.memberId)}</code>, generated ${escapeHtml(new Date(generatedAtMs).toISOString())}. ` +
        'The same data is in <code>data.json</code> (machine-readable, described by its JSON Schema) and in one CSV file per section. Password hashes, 2-step secrets and token hashes are never included.</p>\n',
    );
    const csvFiles: ExportFile[] = [];
    for (const [index, entity] of entities.entries()) {
      await data.write(`${index === 0 ? '' : ','}${JSON.stringify(entity.name)}:[`);
      const names = entity.columns.map((column) => column.name);
      const selected = [...new Set([...names, ...entity.keyColumns])];
      let csv: TempFile | null = null;
      let after: unknown[] | null = null;
      let count = 0;
      for (;;) {
        const rows = await readSubjectBatch(deps.db, { table: entity.table, memberColumn: entity.memberColumn, columns: selected, keyColumns: entity.keyColumns, subject: input.memberId, after, limit: exportBatchSize });
        if (rows.length === 0) break;
        if (!csv) {
          csv = await TempFile.create(folder, `csv/${entity.name}.csv`);
          await csv.write(csvLine(names));
          await html.write(htmlSection(entity));
        }
        let jsonChunk = '';
        let csvChunk = '';
        let htmlChunk = '';
        for (const row of rows) {
          const values = entity.columns.map((column) => exportValue(row[column.name], column.kind));
          const object: Record<string, unknown> = {};
          for (const [position, column] of entity.columns.entries()) {
            object[column.name] = values[position];
            const value = values[position];
            if (column.declaration?.category === 'file' && typeof value === 'string' && isSafeStorageKey(value) && !value.startsWith(exportStoragePrefix) && !storedFiles.includes(value)) storedFiles.push(value);
          }
          jsonChunk += `${count === 0 ? '' : ','}${JSON.stringify(object)}`;
          csvChunk += csvLine(values);
          htmlChunk += `<tr>${values.map(htmlCell).join('')}</tr>\n`;
          count += 1;
        }
        await data.write(jsonChunk);
        await csv.write(csvChunk);
        await html.write(htmlChunk);
        const last = rows[rows.length - 1]!;
        after = entity.keyColumns.map((column) => last[column]);
        if (rows.length < exportBatchSize) break;
      }
      await data.write(']');
      if (csv) {
        csvFiles.push(await csv.close());
        await html.write('</tbody></table></section>\n');
      }
    }
    await data.write('}}');
    // Files the map points at (after-sales photos): one at a time, each bounded by its upload limit.
    const copied: ExportFile[] = [];
    for (const key of storedFiles) {
      const file = await deps.ports.files.get(key);
      if (!file) continue;
      const temp = await TempFile.create(folder, zipPathOfFile(key));
      await temp.write(file.bytes);
      copied.push(await temp.close());
    }
    if (copied.length > 0) {
      await html.write(`<h2>Files</h2><ul>${copied.map((file) => `<li><code>${escapeHtml(file.path)}</code> (${file.sizeBytes} bytes)</li>`).join('')}</ul>\n`);
    }
    await html.write('</body></html>\n');
    finished.push(await data.close(), ...csvFiles, await html.close(), ...copied);
    const manifest = await TempFile.create(folder, 'manifest.json');
    await manifest.write(`${JSON.stringify({ format: exportFormat, exportId, memberId: input.memberId, generatedAt: new Date(generatedAtMs).toISOString(), files: finished }, null, 2)}\n`);
    const manifestFile = await manifest.close();
    const storageKey = exportStorageKey(exportId);
    const zipFiles = [manifestFile, ...finished].map((file) => ({ path: join(folder, file.path), zipPath: file.path }));
    const { sizeBytes, sha256 } = await storeZip(deps, storageKey, zipFiles);
    const readyAtMs = deps.clock.nowMs();
    const expiresAtMs = readyAtMs + exportLifetimeMs;
    await transact(deps, async (trx) => {
      await updateExport(trx.db, exportId, { state: 'ready', storage_key: storageKey, size_bytes: sizeBytes, sha256, file_count: finished.length + 1, ready_at_ms: readyAtMs, expires_at_ms: expiresAtMs });
      await recordAudit(trx, {
        actor: { id: null, role: 'system' },
        action: 'privacy.export.built',
        memberId: input.memberId,
        subject: exportId,
        details: { files: finished.length + 1, sizeBytes, ...(input.requestId ? { requestId: input.requestId } : {}) },
      });
    });
    return { exportId, storageKey, sizeBytes, sha256, expiresAtMs, files: [manifestFile, ...finished] };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function createExportRecord(ctx: Ctx, input: { memberId: string; requestId: string | null; dedupeKey: string | null }): Promise<PrivacyExportRow> {
  const row: PrivacyExportRow = {
    id: ctx.ids.next('pex'),
    member_id: input.memberId,
    request_id: input.requestId,
    state: 'queued',
    dedupe_key: input.dedupeKey,
    storage_key: null,
    size_bytes: null,
    sha256: null,
    file_count: null,
    failure_code: null,
    download_count: 0,
    last_downloaded_at_ms: null,
    code_hash: null,
    code_expires_at_ms: null,
    code_attempts: 0,
    created_at_ms: ctx.clock.nowMs(),
    ready_at_ms: null,
    expires_at_ms: null,
  };
  await insertExport(ctx.db, row);
  return row;
}

/**
 * Queues an export for a subject (a member's own request) in a transaction of its own: the record and the
 * `privacy-export` job. With a dedupe key, a second call returns the first record.
 */
export async function queueSubjectExport(ctx: Ctx, input: QueueExportInput): Promise<{ record: PrivacyExportRow; created: boolean }> {
  return transact(ctx, (trx) => queueSubjectExportIn(trx, input));
}

export interface QueueExportInput {
  memberId: string;
  requestId?: string | null;
  dedupeKey?: string | null;
  actor: { id: string | null; role: 'member' | 'agent' | 'admin' | 'system' };
}

/** The same inside the caller's transaction (a rights request's fulfilment queues its export with the answer). */
export async function queueSubjectExportIn(trx: Ctx, input: QueueExportInput): Promise<{ record: PrivacyExportRow; created: boolean }> {
  if (input.dedupeKey) {
    const existing = await findExportByDedupeKey(trx.db, input.dedupeKey);
    if (existing) return { record: existing, created: false };
  }
  const record = await createExportRecord(trx, { memberId: input.memberId, requestId: input.requestId ?? null, dedupeKey: input.dedupeKey ?? null });
  const stored = (input.dedupeKey && (await findExportByDedupeKey(trx.db, input.dedupeKey))) || record;
  if (stored.id !== record.id) return { record: stored, created: false };
  await enqueueJob(trx, { type: exportJobType, payload: { exportId: record.id }, key: `${exportJobType}:${record.id}`, maxAttempts: 3 });
  await recordAudit(trx, { actor: input.actor, action: 'privacy.export.requested', memberId: input.memberId, subject: record.id, details: input.requestId ? { requestId: input.requestId } : {} });
  return { record, created: true };
}

export async function requestOwnExport(ctx: Ctx, memberId: string): Promise<{ record: PrivacyExportRow; created: boolean }> {
  const day = new Date(ctx.clock.nowMs()).toISOString().slice(0, 10);
  return queueSubjectExport(ctx, { memberId, dedupeKey: `self:${memberId}:${day}`, actor: { id: memberId, role: 'member' } });
}

/** The `privacy-export` job: builds a queued export; a subject that no longer exists fails it with a code. */
export async function runExportJob(deps: Deps, exportId: string): Promise<void> {
  const record = await findExport(deps.db, exportId);
  if (!record || record.state !== 'queued') return;
  if (!(await deps.ports.memberContacts.memberStatus(deps.db, record.member_id))) {
    await updateExport(deps.db, exportId, { state: 'failed', failure_code: 'subject_not_found' }, 'queued');
    return;
  }
  await buildSubjectExport(deps, { memberId: record.member_id, requestId: record.request_id, exportId });
}

/** A queued export not built within this time (the job's 3 tries failed) is marked failed (`not_built`). */
export const exportBuildDeadlineMs = 24 * 60 * 60 * 1000;

/**
 * Deletes the files of exports whose time is up and marks them expired, and fails exports still queued a day after
 * they were asked for (idempotent; the scheduled job). Returns how many expired.
 */
export async function expireDueExports(deps: Deps, limit = 100): Promise<number> {
  await failStaleQueued(deps.db, deps.clock.nowMs() - exportBuildDeadlineMs);
  let expired = 0;
  for (const record of await selectDueExpiries(deps.db, deps.clock.nowMs(), limit)) {
    if (record.storage_key) await deps.ports.files.remove(record.storage_key);
    if (await updateExport(deps.db, record.id, { state: 'expired' }, 'ready')) expired += 1;
  }
  return expired;
}

export function listOwnExports(ctx: Pick<Ctx, 'db'>, memberId: string): Promise<PrivacyExportRow[]> {
  return listMemberExports(ctx.db, memberId, 20);
}

export interface ExportDownload {
  record: PrivacyExportRow;
  stream: AsyncIterable<Uint8Array>;
  fileName: string;
}

function assertDownloadable(ctx: Pick<Ctx, 'clock'>, record: PrivacyExportRow): void {
  if (record.state === 'expired' || (record.state === 'ready' && record.expires_at_ms !== null && record.expires_at_ms <= ctx.clock.nowMs())) {
    throw new AppError('gone', 'This export has expired: exports can be downloaded for 7 days. Please ask for a new one.');
  }
  if (record.state !== 'ready') throw new AppError('invalid_state', record.state === 'failed' ? 'This export could not be built. Please ask for a new one.' : 'This export is still being prepared. Please try again in a few minutes.');
}

async function openDownload(ctx: Ctx, record: PrivacyExportRow, actor: { id: string | null; role: 'member' | 'system' }, via: 'session' | 'code'): Promise<ExportDownload> {
  const file = await ctx.ports.files.getStream(record.storage_key!);
  if (!file) throw new AppError('gone', 'This export is no longer available. Please ask for a new one.');
  await transact(ctx, async (trx) => {
    await countDownload(trx.db, record.id, trx.clock.nowMs());
    await recordAudit(trx, { actor, action: 'privacy.export.downloaded', memberId: record.member_id, subject: record.id, details: { via } });
  });
  return { record, stream: file.stream, fileName: `patron-export-${record.id}.zip` };
}

/** A signed-in member downloads their export; the route has checked the re-authentication (PV-11, PV-15). */
export async function downloadOwnExport(ctx: Ctx, memberId: string, exportId: string): Promise<ExportDownload> {
  const record = await findExport(ctx.db, exportId);
  if (!record || record.member_id !== memberId) throw notFound('The export');
  assertDownloadable(ctx, record);
  return openDownload(ctx, record, { id: memberId, role: 'member' }, 'session');
}

function codeHash(secret: string, exportId: string, code: string): string {
  return createHmac('sha256', secret).update(`privacy-export-code:${exportId}:${code}`).digest('hex');
}

/**
 * Emails a 6-digit download code to the export's subject (someone who cannot sign in: PV-12). The answer is the same
 * whether or not the export exists, so the route tells nothing; a new code replaces the previous one.
 */
export async function sendDownloadCode(ctx: Ctx & { secret: string }, exportId: string): Promise<void> {
  const record = await findExport(ctx.db, exportId);
  if (!record || record.state !== 'ready' || (record.expires_at_ms ?? 0) <= ctx.clock.nowMs()) return;
  const contact = await ctx.ports.memberContacts.contactOf(ctx.db, record.member_id);
  if (!contact) return;
  const code = String(randomInt(1_000_000)).padStart(6, '0');
  await transact(ctx, async (trx) => {
    await updateExport(trx.db, exportId, { code_hash: codeHash(ctx.secret, exportId, code), code_expires_at_ms: trx.clock.nowMs() + downloadCodeLifetimeMs, code_attempts: 0 });
    await queueEmail(trx, { template: exportDownloadCodeEmail, memberId: record.member_id, to: contact.email, data: { firstName: contact.firstName ?? undefined, code, validMinutes: downloadCodeLifetimeMs / MINUTE_MS } });
    await recordAudit(trx, { actor: { id: null, role: 'system' }, action: 'privacy.export.code_sent', memberId: record.member_id, subject: exportId });
  });
}

/** Downloads with the emailed code: 10 minutes, 3 tries, compared in constant time, single use. */
export async function downloadExportByCode(ctx: Ctx & { secret: string }, exportId: string, code: string): Promise<ExportDownload> {
  const record = await findExport(ctx.db, exportId);
  const refused = new AppError('forbidden', 'This code is not valid. Ask for a new code and use it within 10 minutes.');
  if (!record) throw notFound('The export');
  assertDownloadable(ctx, record);
  // The try is taken before the comparison, in one conditional update, so parallel guesses cannot exceed 3.
  if (!(await claimCodeTry(ctx.db, exportId, ctx.clock.nowMs(), downloadCodeMaxTries))) {
    const live = record.code_hash !== null && (record.code_expires_at_ms ?? 0) > ctx.clock.nowMs();
    if (live && record.code_attempts >= downloadCodeMaxTries) throw new AppError('rate_limited', 'Too many wrong codes. Ask for a new code.');
    throw refused;
  }
  const expected = Buffer.from(record.code_hash ?? '', 'hex');
  const givenHash = codeHash(ctx.secret, exportId, code);
  const given = Buffer.from(givenHash, 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given) || !(await consumeCode(ctx.db, exportId, givenHash))) {
    await recordAudit(ctx, { actor: { id: null, role: 'system' }, action: 'privacy.export.code_refused', memberId: record.member_id, subject: exportId, details: { attempt: record.code_attempts + 1 } });
    throw refused;
  }
  return openDownload(ctx, record, { id: null, role: 'system' }, 'code');
}

// ---- know (PV-17) -------------------------------------------------------------------------------------------------

/** Where a table's data comes from, by the table's module prefix (the map says what and why; this says from whom). */
const sourcesByPrefix: ReadonlyArray<[RegExp, string]> = [
  [/^(members|member_|oidc_|sessions|account_tokens|two_factor)/, 'You (sign-up, profile, sign-in) and your identity provider when you sign in with one'],
  [/^store_(webhook_events|external_orders)/, 'The storefront and marketplaces where you bought (order notifications)'],
  [/^store_/, 'You (orders, carts, rewards) and our staff (shipments, refunds)'],
  [/^aftersales_/, 'You (cases, photos, answers) and our support staff (notes, decisions)'],
  [/^credit_/, 'Patron’s rewards program (your purchases and activity) and staff adjustments'],
  [/^membership_/, 'You (Plus sign-up and changes) and the payment processor (renewals)'],
  [/^payments$/, 'The payment processor'],
  [/^outbox_messages$/, 'Patron (messages sent to you)'],
  [/^privacy_/, 'You (privacy requests and exports)'],
];

/** Who receives data outside Patron, by table: the disclosure record PV-17 reports. */
export const disclosureChannels: ReadonlyArray<{ table: string; memberColumn: string; recipient: string; what: string; where?: string }> = [
  { table: 'outbox_messages', memberColumn: 'member_id', recipient: 'Email delivery (our SMTP relay) and your mailbox provider', what: 'Emails sent to you', where: "state = 'sent'" },
  { table: 'payments', memberColumn: 'member_id', recipient: 'Payment processor', what: 'Payments and refunds sent to the payment gateway' },
  { table: 'store_shipments', memberColumn: 'member_id', recipient: 'Carriers and fulfilment', what: 'Shipments handed to a carrier (name and address)', where: 'shipped_at_ms is not null' },
];

export interface KnowReport {
  memberId: string;
  categories: string[];
  sources: string[];
  purposes: string[];
  recipientCategories: string[];
  sections: Array<{ table: string; rows: number; categories: string[]; purposes: string[]; retention: string[]; source: string }>;
  disclosures: Array<{ recipient: string; what: string; count: number }>;
}

async function countRows(ctx: Pick<Ctx, 'db'>, table: string, memberColumn: string, memberId: string, where?: string): Promise<number> {
  const extra = where ? sql` and ${sql.raw(where)}` : sql``;
  const result = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(memberColumn)} = ${memberId}${extra}`.execute(ctx.db);
  return Number(result.rows[0]?.n ?? 0);
}

/** What Patron holds about the subject and where it went (PV-17), from the map, only for tables holding their rows. */
export async function know(ctx: Pick<Ctx, 'db' | 'ports'>, memberId: string): Promise<KnowReport> {
  const entities = await loadExportEntities(ctx);
  const sections: KnowReport['sections'] = [];
  for (const entity of entities) {
    const rows = await countRows(ctx, entity.table, entity.memberColumn, memberId);
    if (rows === 0) continue;
    const declarations = ctx.ports.personalData.filter((column) => column.table === entity.table && (column.memberColumn === undefined ? 'member_id' : column.memberColumn) === entity.memberColumn);
    const existing = sections.find((section) => section.table === entity.table);
    const source = sourcesByPrefix.find(([pattern]) => pattern.test(entity.table))?.[1] ?? 'Patron, from your use of the service';
    const categories = [...new Set(declarations.map((column) => column.category))];
    const purposes = [...new Set(declarations.map((column) => column.purpose))];
    const retention = [...new Set(declarations.map((column) => column.retention))].sort((a, b) => retentionClasses.indexOf(a) - retentionClasses.indexOf(b));
    if (existing) {
      existing.rows += rows;
      existing.categories = [...new Set([...existing.categories, ...categories])];
      existing.purposes = [...new Set([...existing.purposes, ...purposes])];
      existing.retention = [...new Set([...existing.retention, ...retention])];
    } else sections.push({ table: entity.table, rows, categories, purposes, retention, source });
  }
  const disclosures: KnowReport['disclosures'] = [];
  for (const channel of disclosureChannels) {
    if (!ctx.ports.personalData.some((column) => column.table === channel.table)) continue;
    const count = await countRows(ctx, channel.table, channel.memberColumn, memberId, channel.where);
    if (count > 0) disclosures.push({ recipient: channel.recipient, what: channel.what, count });
  }
  return {
    memberId,
    categories: [...new Set(sections.flatMap((section) => section.categories))].sort(),
    sources: [...new Set(sections.map((section) => section.source))],
    purposes: [...new Set(sections.flatMap((section) => section.purposes))],
    recipientCategories: [...new Set(disclosures.map((disclosure) => disclosure.recipient))],
    sections,
    disclosures,
  };
}
