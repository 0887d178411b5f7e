// Inbound texts (PV-28, NT-6): a stop word withdraws the number's marketing_sms consent at once (method `api`, source
// `sms:STOP`) and suppresses the number, with one confirmation text at most however often it is repeated; HELP
// answers with the store's contact details; START/UNSTOP re-subscribes a number that had stopped. Each provider
// message is handled once (its ID is unique), so a redelivered webhook changes nothing.
import { z } from 'zod';
import type { Deps } from '../../deps.ts';
import { recordAudit } from '../audit/index.ts';
import { smsKeywordOf, type SmsKeyword } from './marketing.rules.ts';
import { marketingTables } from './marketing.table.ts';
import { findSuppression } from './contacts.repository.ts';
import { changeSubscription, findListedContact, phoneSchema } from './subscriptions.service.ts';
import { queueText } from './texts.service.ts';

export const inboundTextSchema = z.strictObject({
  /** The provider's ID of the inbound message: a redelivery carries the same one. */
  messageId: z.string().trim().min(1).max(200),
  from: phoneSchema,
  body: z.string().max(1600),
});
export type InboundText = z.infer<typeof inboundTextSchema>;

export const stopConfirmationText = 'You are unsubscribed and will receive no more marketing texts from us. Reply START to subscribe again.';
export const startConfirmationText = 'You are subscribed to marketing texts again. Reply STOP to opt out, HELP for help.';

export function helpText(storeContact: string): string {
  return `${storeContact}. Reply STOP to opt out of marketing texts.`;
}

/** Handles one inbound text in the caller's transaction; returns what it was. */
export async function receiveInboundText(deps: Deps, input: InboundText): Promise<{ keyword: SmsKeyword | null; duplicate: boolean }> {
  const keyword = smsKeywordOf(input.body);
  const nowMs = deps.clock.nowMs();
  const inserted = await marketingTables(deps.db)
    .insertInto('marketing_inbound_texts')
    .values({ id: deps.ids.next('mki'), provider_message_id: input.messageId, phone: input.from, body: input.body, keyword, received_at_ms: nowMs })
    .onConflict((oc) => oc.column('provider_message_id').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return { keyword, duplicate: true };
  const contact = await findListedContact(deps, 'sms', input.from);
  const memberId = contact?.member_id ?? null;
  switch (keyword) {
    case 'stop': {
      const { changed } = await changeSubscription(deps, { channel: 'sms', address: input.from, memberId, region: contact?.region ?? null, choice: 'denied', method: 'api', source: 'sms:STOP', suppressionReason: 'sms_stop' });
      if (changed) {
        await recordAudit(deps, { actor: { id: memberId, role: memberId ? 'member' : 'system' }, action: 'marketing.unsubscribed', memberId, subject: 'sms', details: { scope: 'all', channel: 'sms' } });
        await queueText(deps, { memberId, phone: input.from, body: stopConfirmationText, kind: 'stop_confirmation' });
      }
      break;
    }
    case 'start': {
      // START only undoes a STOP: a number that never subscribed is not subscribed by a keyword (TCPA needs the
      // written consent of the sign-up form or the member center for that).
      if ((await findSuppression(deps.db, 'sms', input.from))?.reason !== 'sms_stop') break;
      const { changed } = await changeSubscription(deps, { channel: 'sms', address: input.from, memberId, region: contact?.region ?? null, choice: 'granted', method: 'api', source: 'sms:START' });
      if (changed) await queueText(deps, { memberId, phone: input.from, body: startConfirmationText, kind: 'start_confirmation' });
      break;
    }
    case 'help':
      await queueText(deps, { memberId, phone: input.from, body: helpText(deps.config.marketing.storeContact), kind: 'help' });
      break;
    case null:
      break;
  }
  return { keyword, duplicate: false };
}
