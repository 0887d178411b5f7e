// Row types of the consent records (PV-22) and the versioned notices they refer to; they never leave this module.
import type { Executor } from '../../db/database.ts';
import { tables } from '../../db/database.ts';
import type { ConsentChoice, ConsentMethod, ConsentPurpose } from './consent.rules.ts';

/** One choice, append-only: a later row for the same subject and purpose supersedes it; none is ever changed. */
export interface ConsentRecordRow {
  id: string;
  member_id: string | null;
  /** A random ID the browser keeps in a necessary cookie (or the storefront's own visitor ID). */
  device_id: string | null;
  /** Normalized email (accounts' normalizeEmail) for a subject known by address only (newsletter, unsubscribe). */
  email: string | null;
  /** E.164 phone number for a subject known by number only (SMS). */
  phone: string | null;
  purpose: ConsentPurpose;
  notice_version: number;
  choice: ConsentChoice;
  method: ConsentMethod;
  region: string | null;
  recorded_at_ms: number;
  /** A short code naming where the choice was made (`newsletter`, `campaign:cmp_…`, `sms:STOP`), never free text. */
  source: string | null;
}

/** The text a purpose was asked with; a new text is a new version and re-asks the purpose (PV-22). */
export interface ConsentNoticeRow {
  purpose: ConsentPurpose;
  version: number;
  text: string;
  published_at_ms: number;
}

export interface ConsentTables {
  privacy_consents: ConsentRecordRow;
  privacy_consent_notices: ConsentNoticeRow;
}

export function consentTables(db: Executor) {
  return tables<ConsentTables>(db);
}
