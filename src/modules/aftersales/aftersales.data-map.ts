// The after-sales module's personal data (PV-16). A case, its decision and its transition log are the record of a
// refund, replacement or exchange granted or refused, and of the warranty or return right it rested on: erasure
// keeps them under the member's now pseudonymous ID for the statutory period of commercial records, with the
// eligibility decision and its trace as the basis of the decision, and removes what a person typed (details, notes,
// the guest's email and name). Photos go: erasure deletes the image files and their rows. Which serial shipped on
// which order line is part of the sale's record. A guest's case has no member_id; it is found by its guest_email.
import { declareTable, eraseByAnonymizing, eraseByDelete, keepForLaw, type ColumnDeclaration, type PersonalDataMap } from '../../db/personal-data.ts';

const caseRecord = keepForLaw(
  'Records of returns, refunds, replacements and warranty claims are commercial records kept for the statutory period (7 years by default; e.g. EU VAT Directive Art. 242–247 for refunds and credit notes, 26 U.S.C. § 6001), and the proof of how a statutory warranty or return claim was decided.',
);
const decisionBasis = keepForLaw(
  'The basis for the decision on the claim (the rules applied, the dates and plan they read, the outcome): kept with the case record for the statutory period so the decision can be explained and defended.',
);
const record = (purpose: string, category: ColumnDeclaration['category'] = 'order', erase = caseRecord): ColumnDeclaration => ({ category, purpose, retention: 'transaction_records', erase });
const typed = (purpose: string, category: ColumnDeclaration['category'] = 'free_text'): ColumnDeclaration => ({ category, purpose, retention: 'transaction_records', erase: eraseByAnonymizing });
const photo = (purpose: string, category: ColumnDeclaration['category'] = 'file'): ColumnDeclaration => ({ category, purpose, retention: 'account', erase: eraseByDelete });

export const aftersalesPersonalData: PersonalDataMap = [
  ...declareTable('aftersales_cases', 'member_id', {
    member_id: record('Whose after-sales case this is (null for a guest’s case).', 'identifier'),
    guest_email: typed('How to reach a guest about their case (status emails, AS-12) and confirm it is theirs.', 'contact'),
    email_confirmed_at_ms: typed('When the requester confirmed the case’s email address (a guest’s proof of ownership).', 'contact'),
    contact_name: typed('Whom to address about the case.', 'name'),
    remedy: record('What the requester asked for and was granted (refund, exchange, replacement…).'),
    order_ref: record('The store or marketplace order the case is about.'),
    order_source: record('Where the order was placed (store, storefront, marketplace).'),
    product_sku: record('The product the case is about.'),
    reason: record('The reason code the requester chose (damaged, defective, wrong item…).'),
    serial: record('The serial number of the item claimed (AS-2), matched against the shipment and checked for reuse.'),
    details: typed('What the requester wrote about the problem.'),
    eligibility: record('The eligibility decision and its trace (rules, dates, plan, outcome) made when the case was submitted.', 'payload', decisionBasis),
    resolution_detail: record('What the resolution did, in the words sent to the requester (amount refunded, credits reversed or restored).'),
  }, { recordTimeColumn: 'created_at_ms' }),
  ...declareTable('aftersales_transitions', 'member_id', {
    member_id: record('Whose case changed state (AS-12).', 'identifier'),
    from_state: record('The state before the change.'),
    to_state: record('The state after the change.'),
    note: typed('What the requester or agent wrote with the change (shown on the timeline).'),
  }, { recordTimeColumn: 'at_ms' }),
  ...declareTable('aftersales_transitions', 'actor_id', {
    actor_id: record('The member, guest or staff member who changed the case (accountability, AS-12).', 'identifier'),
  }),
  ...declareTable('aftersales_images', 'member_id', {
    member_id: photo('Whose case the photo belongs to.', 'identifier'),
    storage_key: photo('Where the photo of the damage or defect is stored (AS-9); erasure deletes the file.'),
    content_type: photo('The stored photo’s format.'),
    sha256: photo('The digest of the stored photo (integrity, duplicate uploads).'),
  }),
  ...declareTable('aftersales_notes', 'member_id', {
    member_id: record('Whose case the internal note is about.', 'identifier'),
    body: typed('What an agent wrote internally about the case.'),
  }, { recordTimeColumn: 'created_at_ms' }),
  ...declareTable('aftersales_notes', 'author_id', {
    author_id: record('The staff member who wrote the note (accountability).', 'identifier'),
  }),
  ...declareTable('aftersales_shipment_serials', 'member_id', {
    member_id: record('Whose order line the serial shipped on.', 'identifier'),
    serial: record('Which serial shipped on which order line (AS-2), the record of the item sold.'),
    recorded_by: record('The staff member or API key that recorded the serial.', 'identifier'),
  }, { recordTimeColumn: 'recorded_at_ms' }),
  // Intake (migration 0710): a guest's confirmation link, kept as a digest, spent once, dead after 24 hours. It names
  // the case, not a person; the case's guest_email is the address it was sent to.
  ...declareTable('aftersales_case_confirmations', null, {
    token_hash: { category: 'credential', purpose: 'Recognises the single-use link that confirms a guest case’s email address (SHA-256 of the token, AS-1).', retention: 'security_log', erase: eraseByDelete },
  }),
];
