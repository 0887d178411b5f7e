// The export slice's personal data (PV-16): the record of each access/portability export built for a member. The ZIP
// it points at expires within 7 days (the expiry job deletes the file); the row is an operational record of what was
// handed out, deleted with the member's other data on erasure.
import { declareTable, eraseByDelete, type ColumnDeclaration, type PersonalDataMap } from '../../db/personal-data.ts';

const exportRecord = (purpose: string, category: ColumnDeclaration['category']): ColumnDeclaration => ({ category, purpose, retention: 'operational_short', erase: eraseByDelete });

export const exportPersonalData: PersonalDataMap = declareTable('privacy_exports', 'member_id', {
  member_id: exportRecord('Whose access and portability export this is (PV-15), so only they can download it.', 'identifier'),
  storage_key: exportRecord('Where the export ZIP is kept until it expires (at most 7 days); an export never contains another export.', 'file'),
  sha256: exportRecord('The digest of the export ZIP, so the subject can check the download is complete.', 'file'),
  code_hash: exportRecord('Recognises the 6-digit download code emailed to the subject (HMAC; 10 minutes, 3 tries; never exported).', 'credential'),
});
