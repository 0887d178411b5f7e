// SQL of the consent records and notices (PV-22).
import type { Executor } from '../../db/database.ts';
import type { ConsentPurpose } from './consent.rules.ts';
import { consentTables, type ConsentNoticeRow, type ConsentRecordRow } from './consent.table.ts';

export async function insertConsentRecords(db: Executor, rows: readonly ConsentRecordRow[]): Promise<void> {
  if (rows.length > 0) await consentTables(db).insertInto('privacy_consents').values([...rows]).execute();
}

export interface SubjectKeys {
  memberId?: string | null;
  deviceId?: string | null;
  email?: string | null;
  phone?: string | null;
}

/** Every record of the subject (any of its keys), oldest first; the caller picks the latest per purpose. */
export function selectConsentRecords(db: Executor, subject: SubjectKeys, purposes?: readonly ConsentPurpose[]): Promise<ConsentRecordRow[]> {
  return consentTables(db)
    .selectFrom('privacy_consents')
    .selectAll()
    .where((eb) => {
      const keys = [];
      if (subject.memberId) keys.push(eb('member_id', '=', subject.memberId));
      if (subject.deviceId) keys.push(eb('device_id', '=', subject.deviceId));
      if (subject.email) keys.push(eb('email', '=', subject.email));
      if (subject.phone) keys.push(eb('phone', '=', subject.phone));
      return keys.length === 0 ? eb.val(false) : eb.or(keys);
    })
    .$if(purposes !== undefined, (q) => q.where('purpose', 'in', [...(purposes ?? [])]))
    .orderBy('recorded_at_ms')
    .orderBy('id')
    .execute();
}

export async function selectCurrentNotices(db: Executor): Promise<ConsentNoticeRow[]> {
  const rows = await consentTables(db).selectFrom('privacy_consent_notices').selectAll().orderBy('purpose').orderBy('version').execute();
  const latest = new Map<string, ConsentNoticeRow>();
  for (const row of rows) latest.set(row.purpose, row);
  return [...latest.values()];
}

export async function insertNotice(db: Executor, row: ConsentNoticeRow): Promise<void> {
  await consentTables(db).insertInto('privacy_consent_notices').values(row).execute();
}
