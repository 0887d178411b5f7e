// The outbox's personal data (PV-16): each email exactly as it was rendered and sent (NT-1), with the member it
// went to, so export finds a member's mail and erasure deletes it. Every caller passes the member's ID today; a
// future message to someone without an account (a privacy request's verification code) must pass null and be
// pruned by a short retention of its own before it is added.
import { declareTable, eraseByDelete, type PersonalDataMap } from '../../db/personal-data.ts';

const sentMail = { category: 'message', retention: 'account', erase: eraseByDelete } as const;

export const notificationsPersonalData: PersonalDataMap = [
  ...declareTable('outbox_messages', 'member_id', {
    member_id: { category: 'identifier', purpose: 'Who the message was for.', retention: 'account', erase: eraseByDelete },
    to_address: { category: 'contact', purpose: 'Where the message was delivered.', retention: 'account', erase: eraseByDelete },
    subject: { ...sentMail, purpose: 'The subject line as sent, shown in the console’s mail view.' },
    html: { ...sentMail, purpose: 'The message as sent (HTML), shown in the console’s mail view; it quotes names, credits and order details.' },
    text: { ...sentMail, purpose: 'The message as sent (plain text).' },
    headers: { ...sentMail, purpose: 'Extra headers of a promotional email as sent (its List-Unsubscribe link, PV-27).' },
  }),
];
