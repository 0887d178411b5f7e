// The personal data of restriction and closure records (PV-16). They are records of how a member's rights were
// handled: kept for the legal period like the rights requests themselves (PV-31), then deleted.
import { declareTable, keepForLaw, type PersonalDataMap } from '../../db/personal-data.ts';

const proofOfCompliance = keepForLaw('Proof that the restriction or closure was carried out as the member asked (GDPR art. 5(2) accountability, art. 18 and 19); holds IDs and codes only.');

export const closurePersonalData: PersonalDataMap = [
  ...declareTable('privacy_restrictions', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Whose processing is restricted to storage only (PV-20): marketing, analytics and personalization reads leave them out.', retention: 'legal_hold', erase: proofOfCompliance },
  }),
  ...declareTable('privacy_restriction_events', 'member_id', {
    member_id: { category: 'identifier', purpose: 'The history of a member’s restriction: each set and lift, when and why (PV-20).', retention: 'legal_hold', erase: proofOfCompliance },
    actor_id: { category: 'identifier', purpose: 'Which member or agent set or lifted the restriction (accountability).', retention: 'legal_hold', erase: proofOfCompliance },
  }),
  ...declareTable('privacy_account_closures', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Whose account was closed, when (the start of the retention period) and what the closure did (AC-10, PV-30).', retention: 'legal_hold', erase: proofOfCompliance },
    actor_id: { category: 'identifier', purpose: 'Who closed the account: the member or the agent answering their request (accountability).', retention: 'legal_hold', erase: proofOfCompliance },
  }),
];
