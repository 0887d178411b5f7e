// The marketing tables' personal data (PV-16, PV-29). Contacts, deliveries, opt-outs, tracking rows and texts are the
// member's and are exported and erased with the account. The suppression list is kept through erasure: it is the
// record that an address or number must not be written to again (a deleted suppression would let a later import
// mail a person who objected). The newsletter register keeps no address, only a keyed hash (ST-10).
import { declareTable, eraseByAnonymizing, eraseByDelete, keepForLaw, type PersonalDataMap } from '../../db/personal-data.ts';

const objectionRecord = keepForLaw('The record that this address or number objected to direct marketing or could not be reached, which must be honoured for good (GDPR Art. 21(3), ePrivacy Art. 13, TCPA 47 CFR 64.1200); kept so it is never written to again.');
const oneCodeEver = keepForLaw('A keyed hash (not the address) proving the newsletter welcome code was already issued to this address, so it is issued once per address ever (ST-10; fraud prevention, GDPR Art. 6(1)(f)).');
const account = { retention: 'account', erase: eraseByDelete } as const;

export const marketingPersonalData: PersonalDataMap = [
  ...declareTable('marketing_contacts', 'member_id', {
    member_id: { ...account, category: 'identifier', purpose: 'Whose subscription it is when the subscriber is a member.' },
    address: { ...account, category: 'contact', purpose: 'Where promotional email or texts go (PV-26).' },
    region: { ...account, category: 'demographic', purpose: 'Where the subscriber is, which decides whether double opt-in is needed and country audiences.' },
    state: { ...account, category: 'preference', purpose: 'Whether the subscriber is currently on the list.' },
    source: { ...account, category: 'preference', purpose: 'Where the subscription started (newsletter form, member center, text).' },
  }),
  ...declareTable('marketing_suppressions', 'member_id', {
    member_id: { category: 'identifier', purpose: 'The member the suppressed address belonged to.', retention: 'legal_hold', erase: objectionRecord },
    address: { category: 'contact', purpose: 'The address or number that must not receive promotional messages.', retention: 'legal_hold', erase: objectionRecord },
    reason: { category: 'preference', purpose: 'Why (unsubscribed, bounced, complaint, manual, SMS STOP).', retention: 'legal_hold', erase: objectionRecord },
    note: { category: 'free_text', purpose: 'An agent’s note on a manual suppression.', retention: 'legal_hold', erase: objectionRecord },
  }),
  ...declareTable('marketing_suppressions', 'created_by', {
    created_by: { category: 'identifier', purpose: 'The staff member who added a suppression by hand.', retention: 'account', erase: eraseByAnonymizing },
  }),
  ...declareTable('marketing_campaigns', 'created_by', {
    created_by: { category: 'identifier', purpose: 'The staff member who composed the campaign.', retention: 'account', erase: eraseByAnonymizing },
  }),
  ...declareTable('marketing_confirmations', 'member_id', {
    member_id: { ...account, category: 'identifier', purpose: 'The member a double opt-in confirmation was sent to.' },
    address: { ...account, category: 'contact', purpose: 'The address waiting for its double opt-in confirmation.' },
    region: { ...account, category: 'demographic', purpose: 'The region that asked for double opt-in.' },
    token_hash: { ...account, category: 'credential', purpose: 'The hash of the single-use confirmation link.' },
  }),
  ...declareTable('marketing_deliveries', 'member_id', {
    member_id: { ...account, category: 'identifier', purpose: 'Who a campaign message went to.' },
    address: { ...account, category: 'contact', purpose: 'Where a campaign message went.' },
    skip_reason: { ...account, category: 'preference', purpose: 'Why a campaign message was not sent (no consent, suppressed, restricted, objected).' },
  }),
  ...declareTable('marketing_campaign_optouts', 'member_id', {
    member_id: { ...account, category: 'identifier', purpose: 'The member who unsubscribed from one campaign.' },
    address: { ...account, category: 'contact', purpose: 'The address unsubscribed from one campaign (PV-27).' },
  }),
  ...declareTable('marketing_tracking_events', 'member_id', {
    member_id: { ...account, category: 'identifier', purpose: 'Whose open or click this was; recorded only with tracking consent (PV-29).' },
    kind: { ...account, category: 'preference', purpose: 'Opened the email or clicked a link (PV-29).' },
    link_url: { ...account, category: 'preference', purpose: 'Which campaign link was clicked (PV-29).' },
  }),
  ...declareTable('marketing_texts', 'member_id', {
    member_id: { ...account, category: 'identifier', purpose: 'Who a text went to.' },
    phone: { ...account, category: 'contact', purpose: 'The number a text went to.' },
    body: { ...account, category: 'message', purpose: 'The text as sent (campaign, STOP confirmation, HELP answer).' },
  }),
  ...declareTable('marketing_inbound_texts', null, {
    phone: { category: 'contact', purpose: 'The number an inbound text (STOP, HELP) came from.', retention: 'operational_short', erase: eraseByDelete },
    body: { category: 'free_text', purpose: 'What the inbound text said.', retention: 'operational_short', erase: eraseByDelete },
  }),
  ...declareTable('marketing_newsletter_codes', null, {
    email_key: { category: 'identifier', purpose: 'Which address already received the newsletter welcome code, as a keyed hash (ST-10).', retention: 'legal_hold', erase: oneCodeEver },
  }),
];
