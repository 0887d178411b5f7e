// SQL of the consent records and notices (PV-22).
import type { Executor } from '../../db/database.ts';
import type { ConsentPurpose } from './consent.rules.ts';
import { consentTables, type ConsentNoticeRow, type ConsentRecordRow } from './consent.table.ts';
import type { OptOutType } from './requests.rules.ts';
import { requestTables } from './requests.table.ts';

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

/** Every record of one purpose for many members (oldest first per member), in batches of 500 IDs. */
export async function selectMemberPurposeRecords(db: Executor, memberIds: readonly string[], purpose: ConsentPurpose): Promise<ConsentRecordRow[]> {
  const rows: ConsentRecordRow[] = [];
  for (let start = 0; start < memberIds.length; start += 500) {
    const batch = memberIds.slice(start, start + 500);
    rows.push(...(await consentTables(db).selectFrom('privacy_consents').selectAll().where('member_id', 'in', batch).where('purpose', '=', purpose).orderBy('recorded_at_ms').orderBy('id').execute()));
  }
  return rows;
}

/**
 * Which of the given members and addresses have one of the opt-out requests (PV-4) in effect: the member IDs and
 * normalized emails of their `privacy_subject_choices` rows. The table belongs to this module's requests.
 */
export async function selectOptedOut(db: Executor, subjects: { memberIds: readonly string[]; emails: readonly string[] }, choices: readonly OptOutType[]): Promise<{ memberIds: Set<string>; emails: Set<string> }> {
  const memberIds = new Set<string>();
  const emails = new Set<string>();
  for (let start = 0; start < Math.max(subjects.memberIds.length, subjects.emails.length); start += 500) {
    const ids = subjects.memberIds.slice(start, start + 500);
    const addresses = subjects.emails.slice(start, start + 500);
    const rows = await requestTables(db)
      .selectFrom('privacy_subject_choices')
      .select(['member_id', 'subject_email'])
      .where('choice', 'in', [...choices])
      .where((eb) => eb.or([...(ids.length > 0 ? [eb('member_id', 'in', ids)] : []), ...(addresses.length > 0 ? [eb('subject_email', 'in', addresses)] : [])]))
      .execute();
    for (const row of rows) {
      if (row.member_id) memberIds.add(row.member_id);
      if (row.subject_email) emails.add(row.subject_email);
    }
  }
  return { memberIds, emails };
}
