// The audit log's personal data (PV-16, PV-33): who did what to whose data. Entries hold IDs, codes and field names
// only (audit.rules.ts refuses free text, email addresses and the like), and they are append-only and hash-chained,
// so erasure keeps them: the member ID they name is pseudonymous once the member's profile is erased.
import { declareTable, keepForLaw, type PersonalDataMap } from '../../db/personal-data.ts';

const auditTrail = keepForLaw(
  'The append-only, hash-chained record of access to and changes of personal data and credits (PV-33), which accountability and the security of processing require (GDPR Art. 5(2) and 32); changing an entry would break the chain.',
);

export const auditPersonalData: PersonalDataMap = [
  ...declareTable('audit_entries', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Whose data the recorded action concerned.', retention: 'legal_hold', erase: auditTrail },
    subject: { category: 'identifier', purpose: 'The ID of what the action touched (an order, a refund, an address number, a policy version).', retention: 'legal_hold', erase: auditTrail },
    details: { category: 'payload', purpose: 'IDs, codes, numbers and the names of changed fields, never their values.', retention: 'legal_hold', erase: auditTrail },
  }),
  ...declareTable('audit_entries', 'actor_id', {
    actor_id: { category: 'identifier', purpose: 'Who acted: the staff member, member or API key (accountability).', retention: 'legal_hold', erase: auditTrail },
  }),
];
