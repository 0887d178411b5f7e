// Row types of the intake's tables (migration 0710): guests' email confirmation links and used captcha solutions.
import type { Kysely } from 'kysely';
import { tables, type Executor } from '../../db/database.ts';
import type { CaseRow, ImageRow } from './aftersales.table.ts';

export interface CaseConfirmationRow {
  id: string;
  case_id: string;
  /** SHA-256 (hex) of the single-use token the link carries; the token itself is never stored. */
  token_hash: string;
  created_at_ms: number;
  expires_at_ms: number;
  used_at_ms: number | null;
}

export interface CaptchaUseRow {
  /** SHA-256 (hex) of the solved challenge's signature. */
  hash: string;
  expires_at_ms: number;
}

export interface IntakeTables {
  aftersales_cases: CaseRow;
  aftersales_images: ImageRow;
  aftersales_case_confirmations: CaseConfirmationRow;
  aftersales_captcha_uses: CaptchaUseRow;
}

export function intakeTables(db: Executor): Kysely<IntakeTables> {
  return tables<IntakeTables>(db);
}
