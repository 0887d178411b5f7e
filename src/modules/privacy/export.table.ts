// The privacy module's export table (migration 0810), as the repository reads and writes it.

export const exportStates = ['queued', 'ready', 'failed', 'expired'] as const;
export type ExportState = (typeof exportStates)[number];

export interface PrivacyExportRow {
  id: string;
  member_id: string;
  request_id: string | null;
  state: ExportState;
  dedupe_key: string | null;
  storage_key: string | null;
  size_bytes: number | null;
  sha256: string | null;
  file_count: number | null;
  failure_code: string | null;
  download_count: number;
  last_downloaded_at_ms: number | null;
  code_hash: string | null;
  code_expires_at_ms: number | null;
  code_attempts: number;
  created_at_ms: number;
  ready_at_ms: number | null;
  expires_at_ms: number | null;
}

export interface ExportTables {
  privacy_exports: PrivacyExportRow;
}
