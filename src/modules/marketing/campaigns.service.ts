// Campaigns (PV-26, PV-27, PV-29, NT-5): an agent composes, previews the audience with counts and schedules; a job
// sends in bounded batches through the outbox, deciding per recipient AT THE MOMENT OF SENDING whether the message may
// go: the channel's consent, the suppression list, a per-campaign opt-out, restriction (PV-20) and an objection to
// direct marketing (PV-4) are all read again then, so a member who withdrew after scheduling gets nothing.
import { z } from 'zod';
import { transact, type Ctx, type Deps } from '../../deps.ts';
import { enqueueJob, type JobHandler } from '../../jobs/index.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { plusStatusAt } from '../membership/index.ts';
import { queueEmail } from '../notifications/index.ts';
import { currentConsents, excludeRestricted, isRestricted, subjectChoices } from '../privacy/index.ts';
import { countAudience, findSuppression, selectSubscribedContacts, selectSuppressedAmong } from './contacts.repository.ts';
import { advanceCampaign, countTracking, findCampaign, hasCampaignOptOut, insertCampaign, insertDeliveries, selectCampaignOptOuts, selectCampaigns, updateCampaign } from './campaigns.repository.ts';
import { audienceSchema, describeAudience, maxTextLength, parseAudience, sendBatchSize, type Audience } from './campaigns.rules.ts';
import { campaignEmail } from './emails/campaign.ts';
import { linksOf, listUnsubscribeHeaders, signToken } from './marketing.rules.ts';
import type { CampaignRow, CampaignState, Channel, ContactRow, DeliveryRow } from './marketing.table.ts';
import { consentSubjectOf, purposeOf } from './subscriptions.service.ts';
import { queueText } from './texts.service.ts';

export const sendCampaignJobType = 'marketing-send-campaign';

export const campaignInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    channel: z.enum(['email', 'sms']),
    subject: z.string().trim().min(1).max(200).nullable().default(null),
    body: z.string().trim().min(1).max(20_000),
    audience: audienceSchema,
  })
  .refine((c) => c.channel === 'sms' || c.subject !== null, { message: 'An email campaign needs a subject.', path: ['subject'] })
  .refine((c) => c.channel === 'email' || c.body.length <= maxTextLength, { message: `A text is at most ${maxTextLength} characters.`, path: ['body'] });
export type CampaignInput = z.input<typeof campaignInput>;

export interface Campaign {
  id: string;
  name: string;
  channel: Channel;
  subject: string | null;
  body: string;
  audience: Audience;
  audienceLabel: string;
  state: CampaignState;
  scheduledAtMs: number | null;
  queuedCount: number;
  skippedCount: number;
  createdAtMs: number;
  completedAtMs: number | null;
}

function toCampaign(row: CampaignRow): Campaign {
  const audience = parseAudience(row.audience);
  return {
    id: row.id,
    name: row.name,
    channel: row.channel,
    subject: row.subject,
    body: row.body,
    audience,
    audienceLabel: describeAudience(audience),
    state: row.state,
    scheduledAtMs: row.scheduled_at_ms === null ? null : Number(row.scheduled_at_ms),
    queuedCount: Number(row.queued_count),
    skippedCount: Number(row.skipped_count),
    createdAtMs: Number(row.created_at_ms),
    completedAtMs: row.completed_at_ms === null ? null : Number(row.completed_at_ms),
  };
}

type StaffActor = { id: string; role: 'agent' | 'admin' };

export async function createCampaign(ctx: Ctx, actor: StaffActor, input: CampaignInput): Promise<Campaign> {
  const parsed = campaignInput.parse(input);
  const nowMs = ctx.clock.nowMs();
  const row: CampaignRow = {
    id: ctx.ids.next('cmp'),
    name: parsed.name,
    channel: parsed.channel,
    subject: parsed.channel === 'email' ? parsed.subject : null,
    body: parsed.body,
    audience: JSON.stringify(parsed.audience),
    state: 'draft',
    scheduled_at_ms: null,
    cursor: null,
    queued_count: 0,
    skipped_count: 0,
    created_by: actor.id,
    created_at_ms: nowMs,
    updated_at_ms: nowMs,
    completed_at_ms: null,
  };
  await insertCampaign(ctx.db, row);
  await recordAudit(ctx, { actor, action: 'marketing.campaign.created', memberId: null, subject: row.id, details: { channel: row.channel } });
  return toCampaign(row);
}

export async function getCampaign(ctx: Pick<Ctx, 'db'>, id: string): Promise<Campaign & { opens: number; clicks: number }> {
  const row = await findCampaign(ctx.db, id);
  if (!row) throw notFound('The campaign');
  return { ...toCampaign(row), ...(await countTracking(ctx.db, id)) };
}

export async function listCampaigns(ctx: Pick<Ctx, 'db'>): Promise<Campaign[]> {
  return (await selectCampaigns(ctx.db, 200)).map(toCampaign);
}

export interface AudiencePreview {
  /** Contacts on the list for the channel (and country) with a subscribed state. */
  listed: number;
  /** Of those, on the suppression list. */
  suppressed: number;
  /** Listed minus suppressed: what would be sent now; consent, restriction and objections are checked again per recipient when sending. */
  estimated: number;
}

/** Counts for the audience preview (the Plus filter is applied per recipient at sending time, so it counts the list). */
export async function previewAudience(ctx: Pick<Ctx, 'db'>, input: { channel: Channel; audience: Audience }): Promise<AudiencePreview> {
  const audience = audienceSchema.parse(input.audience);
  const counts = await countAudience(ctx.db, { channel: input.channel, country: audience.kind === 'country' ? audience.country : null });
  return { ...counts, estimated: counts.listed - counts.suppressed };
}

export function sendJobKey(campaignId: string, cursor: string | null): string {
  return `${sendCampaignJobType}:${campaignId}:${cursor ?? 'start'}`;
}

/** Schedules a draft (or moves a scheduled campaign's time); the first batch's job runs at that time. */
export async function scheduleCampaign(ctx: Ctx, actor: StaffActor, id: string, atMs: number): Promise<Campaign> {
  const nowMs = ctx.clock.nowMs();
  const when = Math.max(atMs, nowMs);
  if (!(await updateCampaign(ctx.db, id, ['draft', 'scheduled'], { state: 'scheduled', scheduled_at_ms: when, updated_at_ms: nowMs }))) {
    if (!(await findCampaign(ctx.db, id))) throw notFound('The campaign');
    throw new AppError('invalid_state', 'Only a draft or scheduled campaign can be scheduled.');
  }
  // The job re-reads the campaign, so a job left from an earlier schedule that runs early finds it not yet due.
  await enqueueJob(ctx, { type: sendCampaignJobType, payload: { campaignId: id, cursor: null }, key: `${sendJobKey(id, null)}:${when}`, runAtMs: when });
  await recordAudit(ctx, { actor, action: 'marketing.campaign.scheduled', memberId: null, subject: id, details: { scheduledAtMs: when } });
  return getCampaign(ctx, id);
}

export async function cancelCampaign(ctx: Ctx, actor: StaffActor, id: string): Promise<Campaign> {
  if (!(await updateCampaign(ctx.db, id, ['draft', 'scheduled', 'sending'], { state: 'canceled', updated_at_ms: ctx.clock.nowMs() }))) {
    if (!(await findCampaign(ctx.db, id))) throw notFound('The campaign');
    throw new AppError('invalid_state', 'This campaign has already been sent or canceled.');
  }
  await recordAudit(ctx, { actor, action: 'marketing.campaign.canceled', memberId: null, subject: id });
  return getCampaign(ctx, id);
}

export type SkipReason = 'account_closed' | 'no_consent' | 'suppressed' | 'campaign_optout' | 'restricted' | 'objected';
type Decision = { send: true; tracked: boolean } | { send: false; reason: SkipReason | 'not_in_audience' };

/**
 * What a send batch reads for all its recipients at once, in the batch's own transaction (so still at the moment of
 * sending): the suppressed addresses, the per-campaign opt-outs and the restricted members among them.
 */
export interface BatchFacts {
  suppressed: Set<string>;
  optedOut: Set<string>;
  unrestricted: Set<string>;
}

export async function readBatchFacts(ctx: Ctx, campaign: { id: string; channel: Channel }, contacts: readonly ContactRow[]): Promise<BatchFacts> {
  const addresses = contacts.map((c) => c.address);
  const memberIds = contacts.flatMap((c) => (c.member_id === null ? [] : [c.member_id]));
  return {
    suppressed: await selectSuppressedAmong(ctx.db, campaign.channel, addresses),
    optedOut: await selectCampaignOptOuts(ctx.db, campaign.id, campaign.channel, addresses),
    unrestricted: new Set(await excludeRestricted(ctx, memberIds)),
  };
}

/**
 * Whether one recipient may get this campaign now (PV-26): read at the moment of sending, never from the schedule.
 * Tracking (PV-29) needs the recipient's own recorded `analytics` consent; a regional default never counts. `facts`
 * are the batch's reads of the same things (readBatchFacts), taken in the same transaction.
 */
export async function decideRecipient(ctx: Ctx, campaign: { id: string; channel: Channel; audience: Audience }, contact: ContactRow, facts?: BatchFacts): Promise<Decision> {
  const memberId = contact.member_id;
  if (memberId !== null && (await ctx.ports.memberContacts.memberStatus(ctx.db, memberId)) !== 'active') return { send: false, reason: 'account_closed' };
  if (campaign.audience.kind === 'plus' && (memberId === null || (await plusStatusAt(ctx, memberId, ctx.clock.nowMs())).plan === null)) return { send: false, reason: 'not_in_audience' };
  const consents = await currentConsents(ctx, consentSubjectOf(campaign.channel, contact.address, memberId), { region: contact.region });
  const consent = consents[purposeOf(campaign.channel)];
  if (!(consent.recorded && consent.choice === 'granted')) return { send: false, reason: 'no_consent' };
  if (facts ? facts.suppressed.has(contact.address) : await findSuppression(ctx.db, campaign.channel, contact.address)) return { send: false, reason: 'suppressed' };
  if (facts ? facts.optedOut.has(contact.address) : await hasCampaignOptOut(ctx.db, campaign.id, campaign.channel, contact.address)) return { send: false, reason: 'campaign_optout' };
  if (memberId !== null && (facts ? !facts.unrestricted.has(memberId) : await isRestricted(ctx, memberId))) return { send: false, reason: 'restricted' };
  const objections = await subjectChoices(ctx, { memberId, email: campaign.channel === 'email' ? contact.address : null });
  if (objections.choices.includes('object') || objections.choices.includes('withdraw_consent')) return { send: false, reason: 'objected' };
  const tracked = campaign.channel === 'email' && consents.analytics.recorded && consents.analytics.choice === 'granted';
  return { send: true, tracked };
}

function linkLabel(url: string): string {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`.slice(0, 200);
}

async function queueCampaignMessage(ctx: Deps, campaign: CampaignRow, contact: ContactRow, deliveryId: string, tracked: boolean): Promise<string> {
  if (campaign.channel === 'sms') {
    const { textId } = await queueText(ctx, { memberId: contact.member_id, phone: contact.address, body: `${campaign.body}\nReply STOP to opt out.`, kind: 'campaign', dedupeKey: `campaign:${campaign.id}:${contact.id}` });
    return textId;
  }
  const base = ctx.config.http.publicUrl;
  const unsubscribeToken = signToken(ctx.secret, 'unsubscribe', deliveryId);
  const links = linksOf(campaign.body).slice(0, 20).map((url, index) => ({
    label: linkLabel(url),
    url: tracked ? `${base}/api/v1/m/c/${signToken(ctx.secret, 'click', deliveryId)}/${index}` : url,
  }));
  const { messageId } = await queueEmail(ctx, {
    memberId: contact.member_id,
    to: contact.address,
    template: campaignEmail,
    data: {
      subject: campaign.subject ?? campaign.name,
      body: campaign.body,
      links,
      unsubscribeUrl: `${base}/unsubscribe/${unsubscribeToken}`,
      ...(tracked ? { pixelUrl: `${base}/api/v1/m/o/${signToken(ctx.secret, 'open', deliveryId)}` } : {}),
    },
    headers: listUnsubscribeHeaders(`${base}/api/v1/u/${unsubscribeToken}`, null),
    dedupeKey: `campaign:${campaign.id}:${contact.id}`,
  });
  return messageId;
}

export interface BatchResult {
  queued: number;
  skipped: number;
  done: boolean;
}

/**
 * One bounded batch of a campaign in one transaction: the next `sendBatchSize` listed contacts after the cursor, a
 * decision per recipient, the messages and delivery rows, the cursor moved, and the next batch's job. A job whose
 * cursor is no longer the campaign's (a repeat) does nothing.
 */
export async function sendCampaignBatch(deps: Deps, input: { campaignId: string; cursor: string | null }): Promise<BatchResult> {
  return transact(deps, async (ctx) => {
    let campaign = await findCampaign(ctx.db, input.campaignId);
    const nowMs = ctx.clock.nowMs();
    if (campaign?.state === 'scheduled' && input.cursor === null && campaign.scheduled_at_ms !== null && nowMs >= Number(campaign.scheduled_at_ms)) {
      await updateCampaign(ctx.db, campaign.id, ['scheduled'], { state: 'sending', updated_at_ms: nowMs });
      campaign = { ...campaign, state: 'sending' };
    }
    if (!campaign || campaign.state !== 'sending' || campaign.cursor !== input.cursor) return { queued: 0, skipped: 0, done: true };
    const audience = parseAudience(campaign.audience);
    const contacts = await selectSubscribedContacts(ctx.db, { channel: campaign.channel, afterId: campaign.cursor, country: audience.kind === 'country' ? audience.country : null, limit: sendBatchSize });
    const deliveries: DeliveryRow[] = [];
    let queued = 0;
    let skipped = 0;
    const facts = await readBatchFacts(ctx, campaign, contacts);
    for (const contact of contacts) {
      const decision = await decideRecipient(ctx, { id: campaign.id, channel: campaign.channel, audience }, contact, facts);
      if (!decision.send && decision.reason === 'not_in_audience') continue;
      const id = ctx.ids.next('dlv');
      const messageId = decision.send ? await queueCampaignMessage(ctx, campaign, contact, id, decision.tracked) : null;
      if (decision.send) queued++;
      else skipped++;
      deliveries.push({ id, campaign_id: campaign.id, contact_id: contact.id, member_id: contact.member_id, channel: campaign.channel, address: contact.address, state: decision.send ? 'queued' : 'skipped', skip_reason: decision.send ? null : decision.reason, message_id: messageId, tracked: decision.send && decision.tracked ? 1 : 0, created_at_ms: nowMs });
    }
    await insertDeliveries(ctx.db, deliveries);
    const done = contacts.length < sendBatchSize;
    const toCursor = contacts.at(-1)?.id ?? campaign.cursor;
    await advanceCampaign(ctx.db, campaign.id, { fromCursor: campaign.cursor, toCursor, queued, skipped, done, nowMs });
    if (!done) await enqueueJob(ctx, { type: sendCampaignJobType, payload: { campaignId: campaign.id, cursor: toCursor }, key: sendJobKey(campaign.id, toCursor) });
    return { queued, skipped, done };
  });
}

const sendPayload = z.strictObject({ campaignId: z.string().regex(/^cmp_[0-9a-z]+$/), cursor: z.string().nullable() });

export const sendCampaignJob: JobHandler = async (deps, payload) => {
  await sendCampaignBatch(deps, sendPayload.parse(payload));
};
