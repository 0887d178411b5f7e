// The accounts module's personal data (PV-16): who a member is, how they sign in, where they live. Erasure keeps the
// members row as a pseudonymous stub (its ID is what the ledger and order records point at, LG-2) and removes the
// rest; credentials, sessions and addresses are deleted.
import { declareTable, eraseByAnonymizing, eraseByDelete, keepForLaw, type PersonalDataMap } from '../../db/personal-data.ts';

const profile = { retention: 'account', erase: eraseByAnonymizing } as const;
const credential = { category: 'credential', erase: eraseByDelete } as const;
const shortLived = { retention: 'security_log', erase: eraseByDelete } as const;

export const accountsPersonalData: PersonalDataMap = [
  ...declareTable('members', 'id', {
    id: {
      category: 'identifier',
      purpose: "The member's own ID: every member-scoped row of every module points at it.",
      retention: 'account',
      erase: keepForLaw('After erasure it is the pseudonymous ID under which the credits ledger and the order records the law requires stay consistent (LG-2, PV-18); nothing beside it identifies the person.'),
    },
    email: { category: 'contact', purpose: 'Sign-in, account and order messages, and matching storefront orders to the member (ST-8).', ...profile },
    email_verified_at_ms: { category: 'contact', purpose: 'When the member confirmed the email address: only confirmed addresses match storefront orders.', ...profile },
    country: { category: 'demographic', purpose: 'The program rules and privacy regime of the member’s region.', ...profile },
    date_of_birth: { category: 'birth_date', purpose: 'Age eligibility (members under 16 are never in sale/share audiences, PV-25).', ...profile },
    first_name: { category: 'name', purpose: 'Greeting in messages and the recipient name of shipments.', ...profile },
    last_name: { category: 'name', purpose: 'Greeting in messages and the recipient name of shipments.', ...profile },
    preferred_name: { category: 'name', purpose: 'How the member wants to be addressed.', ...profile },
    phone: { category: 'contact', purpose: 'Contact about orders and account security.', ...profile },
    language: { category: 'demographic', purpose: 'The language of messages and pages.', ...profile },
  }),
  ...declareTable('member_credentials', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Whose sign-in secrets these are.', retention: 'account', erase: eraseByDelete },
    password_hash: { ...credential, purpose: 'Sign-in by password (argon2id hash; never exported).', retention: 'account' },
    password_changed_at_ms: { ...credential, purpose: 'Ends the sessions that predate a password change.', retention: 'account' },
    totp_secret: { ...credential, purpose: '2-step verification (encrypted at rest; never exported).', retention: 'account' },
    totp_pending_secret: { ...credential, purpose: '2-step verification being set up, until the first code confirms it.', retention: 'account' },
    totp_enabled_at_ms: { ...credential, purpose: 'Whether and since when 2-step verification is on.', retention: 'account' },
    totp_last_time_step: { ...credential, purpose: 'Refuses a second use of the same one-time code (replay protection).', retention: 'account' },
  }),
  ...declareTable('member_recovery_codes', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Whose recovery codes these are.', retention: 'account', erase: eraseByDelete },
    code_hash: { ...credential, purpose: 'Sign-in when the authenticator is lost (SHA-256 of each code; never exported).', retention: 'account' },
  }),
  ...declareTable('sessions', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Whose session this is.', ...shortLived },
    token_hash: { ...credential, purpose: 'Recognises the session cookie (SHA-256 of the token).', retention: 'security_log' },
    csrf_token: { ...credential, purpose: 'Protects the session’s writes against cross-site requests (PL-14).', retention: 'security_log' },
    user_agent: { category: 'network', purpose: 'Shows the member their signed-in browsers, so they can end one they do not recognise.', ...shortLived },
  }),
  ...declareTable('account_tokens', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Whose verification or reset link this is.', ...shortLived },
    token_hash: { ...credential, purpose: 'Recognises a single-use email link (SHA-256 of the token).', retention: 'security_log' },
    email: { category: 'contact', purpose: 'The address the link was sent to: a link confirms only that address.', ...shortLived },
  }),
  ...declareTable('sign_in_throttles', null, {
    scope_key: { category: 'network', purpose: 'Throttles failed sign-ins per account and per network address (a keyed hash that cannot be read back).', ...shortLived },
  }),
  ...declareTable('two_factor_challenges', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Who is completing a 2-step sign-in.', ...shortLived },
    challenge_hash: { ...credential, purpose: 'Recognises the pending 2-step sign-in (SHA-256).', retention: 'security_log' },
  }),
  ...declareTable('oidc_flows', null, {
    state_hash: { ...credential, purpose: 'Ties an identity provider’s answer to the browser that asked (OpenID Connect state, minutes).', retention: 'security_log' },
    nonce: { ...credential, purpose: 'Ties the identity token to this sign-in (OpenID Connect nonce, minutes).', retention: 'security_log' },
    code_verifier: { ...credential, purpose: 'Proves this server asked for the code (PKCE, minutes).', retention: 'security_log' },
  }),
  ...declareTable('oidc_links', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Which member signs in with this identity provider account.', retention: 'account', erase: eraseByDelete },
    subject: { category: 'identifier', purpose: 'The member’s account ID at the identity provider, to sign them in with it.', retention: 'account', erase: eraseByDelete },
  }),
  ...declareTable('oidc_pending_sign_ups', null, {
    token_hash: { ...credential, purpose: 'Recognises a sign-up through an identity provider waiting for the terms to be accepted (minutes).', retention: 'security_log' },
    subject: { category: 'identifier', purpose: 'The person’s account ID at the identity provider, for the account being created.', ...shortLived },
    email: { category: 'contact', purpose: 'The email address the identity provider gave, for the account being created.', ...shortLived },
    email_verified: { category: 'contact', purpose: 'Whether the identity provider confirmed that address.', ...shortLived },
    first_name: { category: 'name', purpose: 'The name the identity provider gave, for the account being created.', ...shortLived },
    last_name: { category: 'name', purpose: 'The name the identity provider gave, for the account being created.', ...shortLived },
  }),
  ...declareTable('api_keys', 'created_by_member_id', {
    created_by_member_id: { category: 'identifier', purpose: 'Which admin created the key (accountability).', retention: 'account', erase: eraseByAnonymizing },
    key_hash: { ...credential, purpose: 'Authenticates an integration (SHA-256 of the key).', retention: 'account' },
  }),
  ...declareTable('member_addresses', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Whose saved address this is.', retention: 'account', erase: eraseByDelete },
    line1: { category: 'address', purpose: 'Shipping orders and rewards to a saved address (AC-8).', retention: 'account', erase: eraseByDelete },
    line2: { category: 'address', purpose: 'Shipping orders and rewards to a saved address (AC-8).', retention: 'account', erase: eraseByDelete },
    city: { category: 'address', purpose: 'Shipping orders and rewards to a saved address (AC-8).', retention: 'account', erase: eraseByDelete },
    region: { category: 'address', purpose: 'Shipping, and the sales-tax region of orders shipped there.', retention: 'account', erase: eraseByDelete },
    postal_code: { category: 'address', purpose: 'Shipping, and the sales-tax jurisdiction of orders shipped there.', retention: 'account', erase: eraseByDelete },
    country: { category: 'address', purpose: 'Shipping, and which countries the store ships to.', retention: 'account', erase: eraseByDelete },
  }),
  // Account closure (AC-10, CR-1) and rectification history (PV-21), migration 0110.
  ...declareTable('member_closed_emails', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Which closed account had this address.', retention: 'account', erase: eraseByDelete },
    email: { category: 'contact', purpose: 'The address a closed account had, kept storage-only for the retention period that closure starts (PV-30): it answers a former member’s rights request and legal claims.', retention: 'account', erase: eraseByDelete },
  }),
  ...declareTable('closed_email_digests', null, {
    email_digest: {
      category: 'identifier',
      purpose: 'One sign-up bonus per person, ever (CR-1): a later sign-up with an address a closed account had earns none. A keyed hash that cannot be read back and names no member.',
      retention: 'transaction_records',
      erase: keepForLaw('Legitimate interest in the program terms (CR-1): without it an erased member could join again for a second bonus; it is a keyed hash, not the address, and names no member.'),
    },
  }),
  ...declareTable('member_profile_history', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Whose profile or address value this was (PV-21).', retention: 'account', erase: eraseByDelete },
    previous_value: { category: 'free_text', purpose: 'The value a profile or address field had before it was changed or rectified (PV-21 keeps the history): a name, phone, date of birth, country, language or address part.', retention: 'account', erase: eraseByDelete },
    actor_id: { category: 'identifier', purpose: 'Who changed the value: the member or the agent who rectified it (accountability).', retention: 'account', erase: eraseByDelete },
  }),
];
