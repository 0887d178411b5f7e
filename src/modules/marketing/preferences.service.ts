// "Communication preferences" in the member center (PV-26, PV-27): promotional email and texts on or off, the
// number texts go to, and the campaigns the member left one by one. The member's own choice in the settings is
// recorded at once (method `settings`): a signed-in member is who the address belongs to, so no double opt-in.
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { getMember } from '../accounts/index.ts';
import { marketingTables } from './marketing.table.ts';
import { changeSubscription, channelStatus, memberContactsOnList, phoneSchema, type ChannelStatus } from './subscriptions.service.ts';

export const preferencesInput = z.strictObject({
  email: z.boolean().optional(),
  sms: z.boolean().optional(),
  /** The number for marketing texts (E.164); defaults to the profile's phone. */
  phone: phoneSchema.nullable().optional(),
});

export interface Preferences {
  email: ChannelStatus;
  sms: ChannelStatus;
  region: string | null;
  campaignOptOuts: { campaignId: string; campaignName: string; atMs: number }[];
}

async function memberOf(ctx: Pick<Ctx, 'db'>, memberId: string) {
  const member = await getMember(ctx as Ctx, memberId);
  if (!member || member.status !== 'active') throw new AppError('not_found', 'Member was not found.');
  return member;
}

export async function getPreferences(ctx: Pick<Ctx, 'db'>, memberId: string): Promise<Preferences> {
  const member = await memberOf(ctx, memberId);
  const listed = await memberContactsOnList(ctx, memberId);
  const phone = listed.filter((c) => c.channel === 'sms').sort((a, b) => Number(b.updated_at_ms) - Number(a.updated_at_ms))[0]?.address ?? member.phone;
  const optOuts = await marketingTables(ctx.db)
    .selectFrom('marketing_campaign_optouts as o')
    .innerJoin('marketing_campaigns as c', 'c.id', 'o.campaign_id')
    .select(['o.campaign_id', 'c.name', 'o.created_at_ms'])
    .where('o.member_id', '=', memberId)
    .orderBy('o.created_at_ms', 'desc')
    .limit(100)
    .execute();
  return {
    email: await channelStatus(ctx, { channel: 'email', address: member.email.toLowerCase(), memberId, region: member.country }),
    sms: await channelStatus(ctx, { channel: 'sms', address: phone && /^\+[1-9]\d{6,14}$/.test(phone) ? phone : null, memberId, region: member.country }),
    region: member.country,
    campaignOptOuts: optOuts.map((o) => ({ campaignId: o.campaign_id, campaignName: o.name, atMs: Number(o.created_at_ms) })),
  };
}

/** Applies the member's switches in the caller's transaction; unchanged switches record nothing. */
export async function setPreferences(ctx: Ctx, memberId: string, input: z.input<typeof preferencesInput>): Promise<void> {
  const parsed = preferencesInput.parse(input);
  const member = await memberOf(ctx, memberId);
  if (parsed.email !== undefined) {
    await changeSubscription(ctx, { channel: 'email', address: member.email.toLowerCase(), memberId, region: member.country, choice: parsed.email ? 'granted' : 'denied', method: 'settings', source: 'preferences' });
  }
  if (parsed.sms !== undefined || parsed.phone !== undefined) {
    const current = await getPreferences(ctx, memberId);
    const phone = parsed.phone === undefined ? current.sms.address : parsed.phone;
    const wantSms = parsed.sms ?? current.sms.subscribed;
    if (current.sms.address && current.sms.address !== phone && current.sms.subscribed) {
      // A new number: the old one stops getting texts (its consent is withdrawn, not left behind).
      await changeSubscription(ctx, { channel: 'sms', address: current.sms.address, memberId, region: member.country, choice: 'denied', method: 'settings', source: 'preferences', suppressionReason: 'unsubscribed' });
    }
    if (wantSms && !phone) throw new AppError('validation', 'Give the phone number marketing texts should go to.', { field: 'phone' });
    if (phone) await changeSubscription(ctx, { channel: 'sms', address: phone, memberId, region: member.country, choice: wantSms ? 'granted' : 'denied', method: 'settings', source: 'preferences', suppressionReason: 'unsubscribed' });
  }
}
