// Open and click tracking (PV-29), only for deliveries queued with the recipient's recorded `analytics` consent: the
// pixel and the redirect links exist only in those messages, and an event is recorded only for a tracked delivery,
// so a forwarded or guessed token of an untracked message records nothing. Rows are in the data map (export, erasure).
import type { Deps } from '../../deps.ts';
import { findCampaign, findDelivery, insertTrackingEvent } from './campaigns.repository.ts';
import { linksOf, verifyToken } from './marketing.rules.ts';

export async function recordOpen(deps: Deps, token: string): Promise<void> {
  const deliveryId = verifyToken(deps.secret, 'open', token);
  const delivery = deliveryId === null ? undefined : await findDelivery(deps.db, deliveryId);
  if (!delivery || delivery.tracked !== 1) return;
  await insertTrackingEvent(deps.db, { id: deps.ids.next('mkv'), delivery_id: delivery.id, campaign_id: delivery.campaign_id, member_id: delivery.member_id, kind: 'open', link_url: null, occurred_at_ms: deps.clock.nowMs() });
}

/** The campaign link a click token and index name (never any other address: no open redirect), recording the click. */
export async function followClick(deps: Deps, token: string, index: number): Promise<string | null> {
  const deliveryId = verifyToken(deps.secret, 'click', token);
  const delivery = deliveryId === null ? undefined : await findDelivery(deps.db, deliveryId);
  if (!delivery) return null;
  const campaign = await findCampaign(deps.db, delivery.campaign_id);
  const url = campaign ? linksOf(campaign.body)[index] : undefined;
  if (url === undefined) return null;
  if (delivery.tracked === 1) {
    await insertTrackingEvent(deps.db, { id: deps.ids.next('mkv'), delivery_id: delivery.id, campaign_id: delivery.campaign_id, member_id: delivery.member_id, kind: 'click', link_url: url, occurred_at_ms: deps.clock.nowMs() });
  }
  return url;
}
