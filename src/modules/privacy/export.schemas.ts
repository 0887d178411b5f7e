// The export slice's HTTP shapes (OpenAPI through zod): an export's record as its member sees it, the "know" report.
import { z } from 'zod';
import { exportStates, type PrivacyExportRow } from './export.table.ts';

export const exportParams = z.strictObject({ exportId: z.string().min(1).max(100) });
export const downloadCodeQuery = z.strictObject({ code: z.string().regex(/^\d{6}$/, 'The code has 6 digits.') });

export const exportView = z.strictObject({
  id: z.string(),
  state: z.enum(exportStates),
  requestId: z.string().nullable(),
  createdAt: z.iso.datetime(),
  readyAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  sizeBytes: z.number().int().nullable(),
  sha256: z.string().nullable(),
  downloadCount: z.number().int(),
  downloadPath: z.string().nullable(),
});
export const exportListView = z.strictObject({ exports: z.array(exportView) });

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toExportView(row: PrivacyExportRow): z.infer<typeof exportView> {
  return {
    id: row.id,
    state: row.state,
    requestId: row.request_id,
    createdAt: iso(row.created_at_ms)!,
    readyAt: iso(row.ready_at_ms),
    expiresAt: iso(row.expires_at_ms),
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    downloadCount: row.download_count,
    downloadPath: row.state === 'ready' ? `/api/v1/me/privacy/exports/${row.id}/download` : null,
  };
}

export const codeSentView = z.strictObject({ message: z.string() });

export const knowView = z.strictObject({
  memberId: z.string(),
  categories: z.array(z.string()),
  sources: z.array(z.string()),
  purposes: z.array(z.string()),
  recipientCategories: z.array(z.string()),
  sections: z.array(z.strictObject({ table: z.string(), rows: z.number().int(), categories: z.array(z.string()), purposes: z.array(z.string()), retention: z.array(z.string()), source: z.string() })),
  disclosures: z.array(z.strictObject({ recipient: z.string(), what: z.string(), count: z.number().int() })),
});

export const jsonSchemaView = z.record(z.string(), z.unknown());
