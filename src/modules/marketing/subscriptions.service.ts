// Subscriptions per channel (PV-26): the state is the consent record (purposes marketing_email / marketing_sms) plus
// the suppression list; the contact list is where campaigns find their audience, kept in step in the same transaction.
// Double opt-in where the region's regime is opt-in: a single-use link, and the consent is recorded only on confirming.
import { z } from 'zod';
import type { Ctx, Deps } from '../../deps.ts';
import { assert } from '../../platform/assert.ts';
import { DAY_MS } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { randomToken } from '../../platform/ids.ts';
import { normalizeEmail } from '../accounts/index.ts';
import { queueEmail } from '../notifications/index.ts';
import { consentRegime, currentConsents, recordConsent, type ConsentMethod, type ConsentSubject } from '../privacy/index.ts';
import { deleteSuppression, findContact, findSuppression, insertConfirmation, insertSuppression, selectMemberContacts, takeConfirmation, upsertContact } from './contacts.repository.ts';
import { confirmSubscriptionEmail } from './emails/confirm-subscription.ts';
import { hashToken } from './marketing.rules.ts';
import type { Channel, ConfirmationRow, SuppressionReason } from './marketing.table.ts';

export const confirmationLifetimeMs = 7 * DAY_MS;

export const phoneSchema = z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'a phone number in E.164 form (+15551234567)');
export const emailSchema = z.string().trim().max(254).pipe(z.email()).transform(normalizeEmail);

export function purposeOf(channel: Channel): 'marketing_email' | 'marketing_sms' {
  return channel === 'email' ? 'marketing_email' : 'marketing_sms';
}

export function consentSubjectOf(channel: Channel, address: string, memberId: string | null): ConsentSubject {
  return channel === 'email' ? { memberId, email: address } : { memberId, phone: address };
}

/** Suppressions a person lifts by subscribing again; bounces, complaints and an agent's entry stay until an agent acts. */
const liftedBySubscribing: readonly SuppressionReason[] = ['unsubscribed', 'sms_stop'];

export interface SubscriptionChange {
  channel: Channel;
  address: string;
  memberId: string | null;
  region: string | null;
  choice: 'granted' | 'denied';
  method: ConsentMethod;
  source: string;
  /** On withdrawal: the suppression reason recorded with it (SMS STOP → sms_stop). */
  suppressionReason?: SuppressionReason;
}

/**
 * Records the channel's consent (only when it changes) and keeps the contact list and the suppression list in step,
 * in the caller's transaction. Returns whether anything was recorded, so a repeated unsubscribe is a no-op.
 */
export async function changeSubscription(ctx: Ctx, change: SubscriptionChange): Promise<{ changed: boolean }> {
  assert(ctx.db.isTransaction, 'changeSubscription runs in the caller’s transaction');
  const nowMs = ctx.clock.nowMs();
  const written = await recordConsent(ctx, { subject: consentSubjectOf(change.channel, change.address, change.memberId), choices: [{ purpose: purposeOf(change.channel), choice: change.choice }], method: change.method, region: change.region, source: change.source });
  await upsertContact(ctx.db, {
    id: ctx.ids.next('mkc'),
    channel: change.channel,
    address: change.address,
    member_id: change.memberId,
    region: change.region,
    state: change.choice === 'granted' ? 'subscribed' : 'unsubscribed',
    source: change.source,
    created_at_ms: nowMs,
    updated_at_ms: nowMs,
  });
  let suppressionChanged: boolean;
  if (change.choice === 'denied') {
    suppressionChanged = await insertSuppression(ctx.db, { id: ctx.ids.next('mks'), channel: change.channel, address: change.address, member_id: change.memberId, reason: change.suppressionReason ?? (change.channel === 'sms' ? 'sms_stop' : 'unsubscribed'), note: null, created_by: null, created_at_ms: nowMs });
  } else {
    suppressionChanged = await deleteSuppression(ctx.db, change.channel, change.address, liftedBySubscribing);
  }
  return { changed: written.length > 0 || suppressionChanged };
}

export interface ChannelStatus {
  channel: Channel;
  address: string | null;
  /** True when a message would go out now: consent granted and not suppressed. */
  subscribed: boolean;
  consent: 'granted' | 'denied';
  suppressed: SuppressionReason | null;
}

/** A subject's effective subscription on one channel, read as a campaign send would read it. */
export async function channelStatus(ctx: Pick<Ctx, 'db'>, input: { channel: Channel; address: string | null; memberId: string | null; region: string | null }): Promise<ChannelStatus> {
  if (input.address === null && input.memberId === null) return { channel: input.channel, address: null, subscribed: false, consent: 'denied', suppressed: null };
  const subject = input.address === null ? { memberId: input.memberId } : consentSubjectOf(input.channel, input.address, input.memberId);
  const consent = (await currentConsents(ctx, subject, { region: input.region }))[purposeOf(input.channel)];
  const suppression = input.address === null ? undefined : await findSuppression(ctx.db, input.channel, input.address);
  const granted = consent.choice === 'granted' && consent.recorded;
  return { channel: input.channel, address: input.address, subscribed: granted && !suppression, consent: granted ? 'granted' : 'denied', suppressed: suppression?.reason ?? null };
}

/** The member's listed contacts (their addresses and numbers on the list), for the preferences page. */
export function memberContactsOnList(ctx: Pick<Ctx, 'db'>, memberId: string) {
  return selectMemberContacts(ctx.db, memberId);
}

export function findListedContact(ctx: Pick<Ctx, 'db'>, channel: Channel, address: string) {
  return findContact(ctx.db, channel, address);
}

export type SignUpOutcome = { status: 'subscribed' } | { status: 'confirmation_sent' };

/**
 * An email sign-up (the newsletter form): where the region is opt-in, a confirmation link goes out and nothing is
 * recorded until it is followed; elsewhere the consent is recorded now (method `signup`). Caller's transaction.
 */
export async function signUpForEmail(ctx: Deps, input: { email: string; memberId: string | null; region: string | null; source: string }, onSubscribed: (ctx: Deps, confirmation: Pick<ConfirmationRow, 'address' | 'member_id' | 'region' | 'source'>) => Promise<void>): Promise<SignUpOutcome> {
  assert(ctx.db.isTransaction, 'signUpForEmail runs in the caller’s transaction');
  if (consentRegime(input.region) === 'opt_in') {
    const token = randomToken(24);
    const nowMs = ctx.clock.nowMs();
    await insertConfirmation(ctx.db, { token_hash: hashToken(token), channel: 'email', address: input.email, member_id: input.memberId, region: input.region, source: input.source, created_at_ms: nowMs, expires_at_ms: nowMs + confirmationLifetimeMs, used_at_ms: null });
    await queueEmail(ctx, { memberId: input.memberId, to: input.email, template: confirmSubscriptionEmail, data: { link: `${ctx.config.http.publicUrl}/newsletter/confirm?token=${token}` } });
    return { status: 'confirmation_sent' };
  }
  await changeSubscription(ctx, { channel: 'email', address: input.email, memberId: input.memberId, region: input.region, choice: 'granted', method: 'signup', source: input.source });
  await onSubscribed(ctx, { address: input.email, member_id: input.memberId, region: input.region, source: input.source });
  return { status: 'subscribed' };
}

/** Follows a double opt-in link once: records the consent (method `signup`) and runs what the sign-up promised. */
export async function confirmEmailSignUp(ctx: Deps, token: string, onSubscribed: (ctx: Deps, confirmation: Pick<ConfirmationRow, 'address' | 'member_id' | 'region' | 'source'>) => Promise<void>): Promise<{ email: string }> {
  const confirmation = await takeConfirmation(ctx.db, hashToken(token), ctx.clock.nowMs());
  if (!confirmation) throw new AppError('not_found', 'This confirmation link is invalid, expired or already used.');
  await changeSubscription(ctx, { channel: 'email', address: confirmation.address, memberId: confirmation.member_id, region: confirmation.region, choice: 'granted', method: 'signup', source: confirmation.source });
  await onSubscribed(ctx, confirmation);
  return { email: confirmation.address };
}
