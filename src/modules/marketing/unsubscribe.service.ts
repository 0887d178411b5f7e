// One-click and page unsubscribe (PV-27, RFC 8058): the token names a delivery, never a person. "This campaign only"
// records a per-campaign opt-out; "all promotional email" withdraws the channel's consent and suppresses the address.
// Both are idempotent: a second request records nothing and sends no second confirmation (NT-3).
import type { Deps } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { queueEmail } from '../notifications/index.ts';
import { findCampaign, findDelivery, hasCampaignOptOut, insertCampaignOptOut } from './campaigns.repository.ts';
import { findSuppression } from './contacts.repository.ts';
import { unsubscribedEmail } from './emails/unsubscribed.ts';
import { verifyToken } from './marketing.rules.ts';
import type { Channel } from './marketing.table.ts';
import { changeSubscription } from './subscriptions.service.ts';

export type UnsubscribeScope = 'campaign' | 'all';

export interface UnsubscribeView {
  campaignName: string;
  channel: Channel;
  /** The address with most of its local part hidden (the page shows whose subscription this is without revealing it). */
  maskedAddress: string;
  unsubscribedFromCampaign: boolean;
  unsubscribedFromAll: boolean;
}

export function maskAddress(address: string): string {
  const at = address.indexOf('@');
  if (at < 0) return `${address.slice(0, 3)}•••${address.slice(-2)}`;
  return `${address.slice(0, 1)}•••${address.slice(at)}`;
}

async function deliveryOf(deps: Pick<Deps, 'db' | 'secret'>, token: string) {
  const deliveryId = verifyToken(deps.secret, 'unsubscribe', token);
  const delivery = deliveryId === null ? undefined : await findDelivery(deps.db, deliveryId);
  if (!delivery) throw new AppError('not_found', 'This unsubscribe link is not valid.');
  const campaign = await findCampaign(deps.db, delivery.campaign_id);
  if (!campaign) throw new AppError('not_found', 'This unsubscribe link is not valid.');
  return { delivery, campaign };
}

/** What the unsubscribe page shows (a GET never changes anything). */
export async function describeUnsubscribe(deps: Pick<Deps, 'db' | 'secret'>, token: string): Promise<UnsubscribeView> {
  const { delivery, campaign } = await deliveryOf(deps, token);
  return {
    campaignName: campaign.name,
    channel: delivery.channel,
    maskedAddress: maskAddress(delivery.address),
    unsubscribedFromCampaign: await hasCampaignOptOut(deps.db, campaign.id, delivery.channel, delivery.address),
    unsubscribedFromAll: (await findSuppression(deps.db, delivery.channel, delivery.address)) !== undefined,
  };
}

/**
 * Unsubscribes in the caller's transaction. `method` is `api` for the mail client's one-click POST and `settings`
 * for the page's buttons. Returns whether anything changed (false for a repeat).
 */
export async function unsubscribe(deps: Deps, input: { token: string; scope: UnsubscribeScope; method: 'api' | 'settings' }): Promise<{ changed: boolean; view: UnsubscribeView }> {
  const { delivery, campaign } = await deliveryOf(deps, input.token);
  let changed: boolean;
  if (input.scope === 'campaign') {
    changed = await insertCampaignOptOut(deps.db, { campaign_id: campaign.id, channel: delivery.channel, address: delivery.address, member_id: delivery.member_id, created_at_ms: deps.clock.nowMs() });
  } else {
    ({ changed } = await changeSubscription(deps, { channel: delivery.channel, address: delivery.address, memberId: delivery.member_id, region: null, choice: 'denied', method: input.method, source: `campaign:${campaign.id}`, suppressionReason: 'unsubscribed' }));
  }
  if (changed) {
    await recordAudit(deps, { actor: { id: delivery.member_id, role: delivery.member_id ? 'member' : 'system' }, action: 'marketing.unsubscribed', memberId: delivery.member_id, subject: campaign.id, details: { scope: input.scope, channel: delivery.channel } });
    if (delivery.channel === 'email') {
      // A confirmation per delivery and scope at most (NT-3): the dedupe key makes a racing repeat a no-op too.
      await queueEmail(deps, { memberId: delivery.member_id, to: delivery.address, template: unsubscribedEmail, data: { scope: input.scope, campaignName: campaign.name }, dedupeKey: `marketing-unsubscribed:${delivery.id}:${input.scope}` });
    }
  }
  return { changed, view: await describeUnsubscribe(deps, input.token) };
}
