// The membership module's personal data (PV-16). A subscription, its paid periods and its dated history are the
// record of fees charged and of the benefits they bought (MB-10: after-sales reads purchase-time Plus status), so
// erasure keeps them under the member's pseudonymous ID for the legal period of commercial records; the reusable
// payment method reference is removed at once, and vouchers, notices and benefit uses go with the account.
import { declareTable, eraseByAnonymizing, eraseByDelete, keepForLaw, type ColumnDeclaration, type PersonalDataMap } from '../../db/personal-data.ts';

const feeRecord = keepForLaw(
  'Records of membership fees charged and of the periods they paid for: commercial and tax records kept for the statutory period (7 years by default), and the proof of what a member was entitled to on a given day (warranty, returns).',
);
const record = (purpose: string, category: ColumnDeclaration['category'] = 'order'): ColumnDeclaration => ({ category, purpose, retention: 'transaction_records', erase: feeRecord });
const withAccount = (purpose: string, category: ColumnDeclaration['category'] = 'order'): ColumnDeclaration => ({ category, purpose, retention: 'account', erase: eraseByDelete });
const noticeProof = keepForLaw('Proof that the legally required renewal notice (MB-3: automatic-renewal laws) was sent, with its date and price, kept with the fee records.');

export const membershipPersonalData: PersonalDataMap = [
  ...declareTable('membership_policies', 'published_by', {
    published_by: { category: 'identifier', purpose: 'The staff member who published a membership policy version.', retention: 'legal_hold', erase: keepForLaw('The history of the plan prices and terms and who set them (accountability).') },
    note: { category: 'free_text', purpose: 'Why the membership policy changed, written by the staff member who published it.', retention: 'legal_hold', erase: keepForLaw('The history of the plan prices and terms and who set them (accountability).') },
    settings: { category: 'financial', purpose: 'The plan prices and rules of the version (no personal data; declared as the JSON it is).', retention: 'legal_hold', erase: keepForLaw('The plan prices and terms members were charged under.') },
  }),
  ...declareTable('membership_subscriptions', 'member_id', {
    member_id: record('Whose Plus subscription this is (MB-2: it belongs to the paying account).', 'identifier'),
    plan: record('The plan the member pays for.'),
    next_plan: record('A plan switch the member asked for, taking effect at the next renewal.'),
    end_reason: record('Why the subscription ended (canceled, not renewed, payment failed).'),
    payment_method: { category: 'financial', purpose: 'The gateway’s reusable payment method reference the renewals charge (never card data).', retention: 'account', erase: eraseByAnonymizing },
    claimed_by: { category: 'identifier', purpose: 'The renewal run holding the subscription during a charge (a worker ID, not a person).', retention: 'operational_short', erase: eraseByAnonymizing },
  }, { recordTimeColumn: 'created_at_ms' }),
  ...declareTable('membership_periods', 'member_id', {
    member_id: record('Whose paid period this is.', 'identifier'),
    plan: record('The plan the period was paid for (MB-9: annual-only benefits).'),
  }, { recordTimeColumn: 'paid_at_ms' }),
  ...declareTable('membership_history', 'member_id', {
    member_id: record('Whose membership changed (MB-10).', 'identifier'),
    event: record('What changed (joined, renewed, paused…).'),
    from_state: record('The state before the change.'),
    to_state: record('The state after the change.'),
    plan: record('The plan at the change.'),
    reason: record('A code for the change (a support request, the retry number, the scheduled plan).'),
  }, { recordTimeColumn: 'effective_at_ms' }),
  ...declareTable('membership_history', 'actor_id', {
    actor_id: record('The member or staff member who made the change (accountability).', 'identifier'),
  }),
  ...declareTable('membership_notices', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Whom the membership notice was for.', retention: 'transaction_records', erase: noticeProof },
    plan: { category: 'order', purpose: 'The plan the notice was about.', retention: 'transaction_records', erase: noticeProof },
  }, { recordTimeColumn: 'created_at_ms' }),
  ...declareTable('membership_vouchers', 'member_id', { member_id: withAccount('Whose next-day delivery voucher this is (MB-8).', 'identifier') }),
  ...declareTable('membership_benefit_uses', 'member_id', { member_id: withAccount('Who used a Plus benefit on an order (MB-8, benefits used).', 'identifier') }),
];
