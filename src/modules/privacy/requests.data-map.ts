// The rights-request records' personal data (PV-16, PV-31). A request, its timeline and the verification evidence
// are the record that a data subject's right was honoured (or why it was not): the laws that grant the rights ask
// for that record (CCPA regulations §7101: 24 months; GDPR Art. 5(2) accountability), so erasure keeps them under
// the legal-hold class and retention keeps them at least 24 months (PV-31). Verification codes are kept as keyed
// hashes and die with their 10 minutes; the opt-out choices are the subject's preference and live as long as the
// relationship (a later consent module reads them).
import { declareTable, eraseByDelete, keepForLaw, type ColumnDeclaration, type PersonalDataMap } from '../../db/personal-data.ts';

const requestRecord = keepForLaw(
  'Records of privacy rights requests and how they were answered are kept for at least 24 months (CCPA regulations 11 CCR §7101; GDPR Art. 5(2) and 30 accountability) to show the right was honoured.',
);
const record = (purpose: string, category: ColumnDeclaration['category'] = 'free_text'): ColumnDeclaration => ({ category, purpose, retention: 'legal_hold', erase: requestRecord });

export const requestsPersonalData: PersonalDataMap = [
  ...declareTable('privacy_requests', 'member_id', {
    member_id: record('Whose request this is when the subject is a member.', 'identifier'),
    type: record('Which right was exercised (PV-1).', 'preference'),
    requester_name: record('Who made the request (the subject or their authorized agent, PV-2).', 'name'),
    requester_email: record('Where the acknowledgement and the answer go (PV-2, PV-6).', 'contact'),
    relationship: record('Whether the requester is the subject or an authorized agent (PV-14).', 'preference'),
    brands: record('Which brands the request concerns (PV-2).', 'preference'),
    subject_email: record('Whose data the request is about; where the verification code goes (PV-12).', 'contact'),
    subject_country: record('Where the subject lives, which decides the law and the deadlines (PV-7, PV-8).', 'address'),
    subject_state: record('The US state the subject lives in (PV-7).', 'address'),
    subject_zip: record('The subject’s zip code as given on the form (PV-2).', 'address'),
    comments: record('What the requester wrote with the request.'),
    group_id: record('Which duplicate group the request belongs to (PV-5).', 'identifier'),
    outcome: record('What was done, in the words of the answer.'),
    decision_reason_code: record('Why a request was denied or partly fulfilled (PV-3).', 'preference'),
    decision_legal_basis: record('The legal basis of a denial or partial answer (PV-3).'),
    decided_by: record('The staff member who answered (appeals go to someone else).', 'identifier'),
    entered_by: record('The staff member who entered an emailed or agent-taken request.', 'identifier'),
    appeal_decision: record('The outcome of an appeal.', 'preference'),
    verification_method: record('How the identity was verified (PV-11..PV-13).', 'preference'),
    verification_level: record('How much proof the request needed (PV-12, PV-13).', 'preference'),
    regime: record('Which law’s rules the request follows, from where the subject lives (PV-7, PV-8).', 'demographic'),
    received_date: record('The day the request was received (UTC), which starts the deadlines (PV-6..PV-10).', 'preference'),
    acknowledge_due_date: record('When the acknowledgement was due (PV-6).', 'preference'),
    original_due_date: record('When the answer was first due (PV-7, PV-8, PV-10).', 'preference'),
    due_date: record('When the answer is due now, after extensions or an appeal (PV-9).', 'preference'),
  }),
  ...declareTable('privacy_request_events', 'member_id', {
    member_id: record('Whose request changed (the timeline of PV-3).', 'identifier'),
    from_state: record('The state before the change.', 'preference'),
    to_state: record('The state after the change.', 'preference'),
    action: record('What was done.', 'preference'),
    reason_code: record('The coded reason of the change.', 'preference'),
    legal_basis: record('The legal basis given with a decision.'),
    note: record('What the requester or agent wrote with the change.'),
  }),
  ...declareTable('privacy_request_events', 'actor_id', {
    actor_id: record('The member or staff member who changed the request (accountability).', 'identifier'),
  }),
  ...declareTable('privacy_request_documents', 'member_id', {
    member_id: record('Whose request the authorization document belongs to.', 'identifier'),
    storage_key: record('Where the power of attorney or signed letter is stored (PV-14); kept with the request record (PV-31).', 'file'),
    content_type: record('The stored document’s format.', 'file'),
    sha256: record('The digest of the stored document (integrity).', 'file'),
  }),
  // A code's keyed hash names the request, not a person, and is useless after its 10 minutes.
  ...declareTable('privacy_verification_codes', null, {
    code_hash: { category: 'credential', purpose: 'Recognises the 6-digit verification code emailed to the subject (HMAC-SHA256, 10 minutes, PV-12).', retention: 'security_log', erase: eraseByDelete },
  }),
  ...declareTable('privacy_subject_choices', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Whose opt-out this is (PV-4), when the subject is a member.', retention: 'account', erase: eraseByDelete },
    subject_email: { category: 'contact', purpose: 'Whose opt-out this is (PV-4), by normalized email, so it holds before and without an account.', retention: 'account', erase: eraseByDelete },
    choice: { category: 'preference', purpose: 'Which opt-out the subject chose (sale/share, targeted ads, sensitive data, consent, direct marketing).', retention: 'account', erase: eraseByDelete },
  }),
];
