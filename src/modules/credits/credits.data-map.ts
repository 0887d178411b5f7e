// The credits module's personal data (PV-16). The ledger holds IDs and amounts: the member ID is its only link to a
// person, and the rows are bookkeeping facts (LG-1, append-only), so erasure keeps them under the member's now
// pseudonymous ID (LG-2, PV-18) and they are deleted when the legal period ends. Balances, lots and holds are
// numbers about that ID and are not declared column by column; their member_id is.
import { declareTable, keepForLaw, type PersonalDataMap } from '../../db/personal-data.ts';

const bookkeeping = keepForLaw(
  'Bookkeeping records of the credits liability: the ledger must stay complete and consistent for the statutory retention of commercial and tax records (7 years by default), kept under the pseudonymous member ID (LG-2).',
);
const ledgerLink = { category: 'identifier', purpose: 'Whose credits these are.', retention: 'transaction_records', erase: bookkeeping } as const;
const programRecord = keepForLaw('The history of the program terms and of who changed or audited them, which the rewards program must be able to show (accountability, PV-33).');

export const creditsPersonalData: PersonalDataMap = [
  ...declareTable('credit_accounts', 'member_id', { member_id: ledgerLink }),
  ...declareTable('credit_transactions', 'member_id', {
    member_id: ledgerLink,
    note: {
      category: 'free_text',
      purpose: 'The agent’s explanation of a manual adjustment (CR-21), part of the adjustment’s record; it is about the adjustment, not the person.',
      retention: 'transaction_records',
      erase: bookkeeping,
    },
    result: { category: 'financial', purpose: 'The operation’s answer (IDs and credit amounts), replayed to a retry with the same key (PL-4).', retention: 'transaction_records', erase: bookkeeping },
    postings: { category: 'financial', purpose: 'The transaction’s double-entry postings (bucket or program account, lot and hold IDs, credits), the ledger’s facts (LG-1).', retention: 'transaction_records', erase: bookkeeping },
    // SQLite only (migration 0429).
    lots: { category: 'financial', purpose: 'The lots an earning issued (amounts, order and line IDs, times) until they are copied into credit_lots (PF-1).', retention: 'transaction_records', erase: bookkeeping },
  }, { recordTimeColumn: 'at_ms' }),
  ...declareTable('credit_transactions', 'actor_id', {
    actor_id: { category: 'identifier', purpose: 'The staff member or member who caused the transaction (CR-21 accountability).', retention: 'transaction_records', erase: bookkeeping },
  }),
  // Postings written before migration 0420 (later ones are in their transaction's row).
  ...declareTable('credit_postings_legacy', 'member_id', { member_id: ledgerLink }),
  ...declareTable('credit_lots', 'member_id', { member_id: ledgerLink }),
  ...declareTable('credit_holds', 'member_id', { member_id: ledgerLink }),
  ...declareTable('credit_hold_lots', 'member_id', { member_id: ledgerLink }),
  // PF-7 balance snapshots: derived sums of the member's postings, kept (and erased) like the postings they sum.
  ...declareTable('credit_balance_snapshots', 'member_id', {
    member_id: ledgerLink,
    sums: {
      category: 'financial',
      purpose: 'The member’s credits per lot and hold up to a ledger version (lot and hold IDs with amounts), so past balances read fast (PF-7); derived from the postings.',
      retention: 'transaction_records',
      erase: bookkeeping,
    },
  }, { recordTimeColumn: 'at_ms' }),
  ...declareTable('credit_policies', 'published_by', {
    published_by: { category: 'identifier', purpose: 'The staff member who published a program policy version.', retention: 'legal_hold', erase: programRecord },
    note: { category: 'free_text', purpose: 'Why the program policy changed, written by the staff member who published it.', retention: 'legal_hold', erase: programRecord },
  }),
  // Four-eyes requests (CR-21): the member they are about, the agent's note, and the two staff members involved. An
  // approved request is the approval record of a ledger adjustment, so it is kept as long as the ledger is.
  ...declareTable('credit_adjustment_requests', 'member_id', {
    member_id: ledgerLink,
    note: {
      category: 'free_text',
      purpose: 'The requesting agent’s explanation of an adjustment above the approval threshold (CR-21), copied into the ledger on approval.',
      retention: 'transaction_records',
      erase: bookkeeping,
    },
    decision_note: {
      category: 'free_text',
      purpose: 'The deciding staff member’s reason for approving or rejecting the adjustment (CR-21).',
      retention: 'transaction_records',
      erase: bookkeeping,
    },
  }, { recordTimeColumn: 'requested_at_ms' }),
  ...declareTable('credit_adjustment_requests', 'requested_by', {
    requested_by: { category: 'identifier', purpose: 'The staff member who asked for the adjustment (CR-21 accountability).', retention: 'transaction_records', erase: bookkeeping },
  }),
  ...declareTable('credit_adjustment_requests', 'decided_by', {
    decided_by: { category: 'identifier', purpose: 'The second staff member who approved or rejected it (CR-21 four-eyes).', retention: 'transaction_records', erase: bookkeeping },
  }),
  ...declareTable('credit_audit_runs', 'actor_id', {
    actor_id: { category: 'identifier', purpose: 'The staff member who started a manual auditor run.', retention: 'legal_hold', erase: programRecord },
  }),
  ...declareTable('credit_audit_runs', null, {
    problems: { category: 'identifier', purpose: 'The first inconsistencies the auditor found: member and transaction IDs with amounts.', retention: 'legal_hold', erase: programRecord },
  }),
];
