// The consent records' personal data (PV-16, PV-22). A consent record is the proof that processing (cookies,
// promotional email and texts) had a lawful basis when it happened (GDPR Art. 7(1): the controller must be able to
// demonstrate consent), so erasure keeps the records of an erased member for that purpose; their member ID is
// pseudonymous once the profile is gone. The address or number a choice was made for is part of that proof, and a
// refusal is also what keeps the address from being written to again.
import { declareTable, keepForLaw, type ColumnDeclaration, type PersonalDataMap } from '../../db/personal-data.ts';

const proofOfConsent = keepForLaw('The record that a subject consented or refused, which the controller must be able to demonstrate (GDPR Art. 7(1), 5(2)); kept for as long as processing based on it could be questioned.');
const proof = (purpose: string, category: ColumnDeclaration['category']): ColumnDeclaration => ({ category, purpose, retention: 'legal_hold', erase: proofOfConsent });

export const consentPersonalData: PersonalDataMap = [
  ...declareTable('privacy_consents', 'member_id', {
    member_id: proof('Whose choice it is when the subject is a member.', 'identifier'),
    device_id: proof('The browser the choice was made in (a random ID in a necessary cookie).', 'identifier'),
    email: proof('The address an email choice was made for (which address agreed, or must not be written to again).', 'contact'),
    phone: proof('The number a text-message choice was made for (which number agreed, or must not be texted again).', 'contact'),
    purpose: proof('What the choice was about (analytics, advertising, personalization, promotional email or texts).', 'preference'),
    choice: proof('Granted or denied.', 'preference'),
    method: proof('How the choice was made (banner, settings, Global Privacy Control, API, sign-up).', 'preference'),
    region: proof('Where the subject was, which decides whether consent was needed first.', 'demographic'),
    source: proof('Where the choice was made (the newsletter form, a campaign’s unsubscribe link, an SMS keyword).', 'preference'),
  }),
];
