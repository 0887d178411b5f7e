// The erasure slice's personal data (PV-16, PV-19): the registry of erased subjects holds the pseudonymous member ID
// and the report (table and column names, counts, legal bases), never a value. It is the proof that the erasure was
// done and what restore re-applies, so it is kept as long as the privacy records are (PV-31).
import { declareTable, keepForLaw, type PersonalDataMap } from '../../db/personal-data.ts';

const erasureRecord = keepForLaw(
  'The record that the erasure was done and what it did (accountability, GDPR Art. 5(2) and 17): restoring a backup re-applies it (PV-19). It holds the pseudonymous ID only.',
);

export const erasurePersonalData: PersonalDataMap = [
  ...declareTable('privacy_erasures', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Which (now pseudonymous) member was erased, so a restored backup erases them again (PV-19).', retention: 'legal_hold', erase: erasureRecord },
    request_id: { category: 'identifier', purpose: 'The rights request the erasure fulfilled, when there was one.', retention: 'legal_hold', erase: erasureRecord },
    reason: { category: 'identifier', purpose: 'Why the subject was erased: a code (request, retention, agent, restore), never a sentence.', retention: 'legal_hold', erase: erasureRecord },
    report: { category: 'identifier', purpose: 'What the erasure deleted, anonymized and kept (table and column names, counts, legal bases).', retention: 'legal_hold', erase: erasureRecord },
  }),
];
