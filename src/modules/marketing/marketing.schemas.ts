// Request and response schemas of the marketing routes (they appear in /api/v1/docs).
import { z } from 'zod';
import { audienceSchema } from './campaigns.rules.ts';
import type { Campaign } from './campaigns.service.ts';
import { campaignStates, channels, suppressionReasons, textKinds, textStates } from './marketing.table.ts';
import type { Suppression } from './suppressions.service.ts';
import type { TextView } from './texts.service.ts';

export const tags = ['marketing'];

const isoTime = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const newsletterBody = z.strictObject({
  email: z.string().trim().min(3).max(254),
  /** Where the visitor is (`DE`, `US-CA`), as the storefront knows it; unknown is treated as opt-in (double opt-in). */
  region: z.string().trim().toUpperCase().regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/).nullable().default(null),
});
export const newsletterResult = z.object({ status: z.enum(['subscribed', 'confirmation_sent']) });
export const confirmBody = z.strictObject({ token: z.string().min(20).max(100) });
export const confirmResult = z.object({ status: z.literal('subscribed') });

export const tokenParams = z.strictObject({ token: z.string().min(10).max(120) });
export const clickParams = z.strictObject({ token: z.string().min(10).max(120), index: z.coerce.number().int().min(0).max(19) });

/**
 * The one-click POST (RFC 8058) carries `List-Unsubscribe=One-Click` (form-encoded or multipart, as mail clients send
 * it); the unsubscribe page sends `{ scope }` as JSON. An empty body counts as one-click.
 */
export const unsubscribeBody = z
  .union([z.strictObject({ scope: z.enum(['campaign', 'all']) }), z.strictObject({ 'List-Unsubscribe': z.literal('One-Click') })])
  .nullish();

export const unsubscribeView = z.object({
  campaignName: z.string(),
  channel: z.enum(channels),
  maskedAddress: z.string(),
  unsubscribedFromCampaign: z.boolean(),
  unsubscribedFromAll: z.boolean(),
});
export const unsubscribeResult = unsubscribeView.extend({ scope: z.enum(['campaign', 'all']), changed: z.boolean() });

const channelStatusView = z.object({
  address: z.string().nullable(),
  subscribed: z.boolean(),
  consent: z.enum(['granted', 'denied']),
  suppressed: z.enum(suppressionReasons).nullable(),
});
export const preferencesView = z.object({
  email: channelStatusView,
  sms: channelStatusView,
  region: z.string().nullable(),
  campaignOptOuts: z.array(z.object({ campaignId: z.string(), campaignName: z.string(), at: z.string() })),
});

export const campaignBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  channel: z.enum(channels),
  subject: z.string().trim().min(1).max(200).nullable().default(null),
  body: z.string().trim().min(1).max(20_000),
  audience: audienceSchema,
});
export const campaignIdParams = z.strictObject({ campaignId: z.string().regex(/^cmp_[0-9a-z]+$/, 'Not a campaign ID.') });
export const scheduleBody = z.strictObject({ at: z.iso.datetime({ offset: true }).nullable().default(null) });
export const previewBody = z.strictObject({ channel: z.enum(channels), audience: audienceSchema });
export const previewView = z.object({ listed: z.number().int(), suppressed: z.number().int(), estimated: z.number().int() });

export const campaignView = z.object({
  id: z.string(),
  name: z.string(),
  channel: z.enum(channels),
  subject: z.string().nullable(),
  body: z.string(),
  audience: audienceSchema,
  audienceLabel: z.string(),
  state: z.enum(campaignStates),
  scheduledAt: z.string().nullable(),
  queuedCount: z.number().int(),
  skippedCount: z.number().int(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  opens: z.number().int().optional(),
  clicks: z.number().int().optional(),
});
export const campaignList = z.object({ campaigns: z.array(campaignView) });

export function toCampaignView(c: Campaign & { opens?: number; clicks?: number }): z.infer<typeof campaignView> {
  return {
    id: c.id,
    name: c.name,
    channel: c.channel,
    subject: c.subject,
    body: c.body,
    audience: c.audience,
    audienceLabel: c.audienceLabel,
    state: c.state,
    scheduledAt: isoTime(c.scheduledAtMs),
    queuedCount: c.queuedCount,
    skippedCount: c.skippedCount,
    createdAt: new Date(c.createdAtMs).toISOString(),
    completedAt: isoTime(c.completedAtMs),
    ...(c.opens === undefined ? {} : { opens: c.opens, clicks: c.clicks }),
  };
}

export const suppressionQuery = z.strictObject({ channel: z.enum(channels).optional(), search: z.string().trim().max(100).optional(), before: z.string().max(100).optional() });
export const suppressionBody = z.strictObject({ channel: z.enum(channels), address: z.string().trim().min(3).max(254), reason: z.enum(suppressionReasons), note: z.string().trim().max(500).nullable().default(null) });
export const suppressionRemoveBody = z.strictObject({ channel: z.enum(channels), address: z.string().trim().min(3).max(254) });
export const suppressionView = z.object({ id: z.string(), channel: z.enum(channels), address: z.string(), memberId: z.string().nullable(), reason: z.enum(suppressionReasons), note: z.string().nullable(), createdBy: z.string().nullable(), createdAt: z.string() });
export const suppressionList = z.object({ suppressions: z.array(suppressionView) });

export function toSuppressionView(s: Suppression): z.infer<typeof suppressionView> {
  return { id: s.id, channel: s.channel, address: s.address, memberId: s.memberId, reason: s.reason, note: s.note, createdBy: s.createdBy, createdAt: new Date(s.createdAtMs).toISOString() };
}

export const textView = z.object({ id: z.string(), memberId: z.string().nullable(), phone: z.string(), body: z.string(), kind: z.enum(textKinds), state: z.enum(textStates), createdAt: z.string(), sentAt: z.string().nullable() });
export const textList = z.object({ texts: z.array(textView) });

export function toTextView(t: TextView): z.infer<typeof textView> {
  return { id: t.id, memberId: t.memberId, phone: t.phone, body: t.body, kind: t.kind, state: t.state, createdAt: new Date(t.createdAtMs).toISOString(), sentAt: isoTime(t.sentAtMs) };
}

export const smsWebhookAck = z.object({ received: z.literal(true), keyword: z.enum(['stop', 'start', 'help']).nullable(), duplicate: z.boolean() });
