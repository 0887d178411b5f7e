// The membership's emails and their proof (MB-3: what was sent, when). A change enqueues one `membership-notice` job
// in its own transaction, keyed by the notice, so the email is written exactly once however often the work behind it
// is retried; the job queues the email and records the notice with its outbox message on the subscription.
import { z } from 'zod';
import type { Ctx, Deps } from '../../deps.ts';
import { transact } from '../../deps.ts';
import { enqueueJob, type JobHandler } from '../../jobs/index.ts';
import { formatAmount } from '../../platform/money.ts';
import { getMemberContact } from '../accounts/index.ts';
import { queueEmail } from '../notifications/index.ts';
import { plans } from './membership.rules.ts';
import { membershipTables, noticeKinds, type NoticeKind, type NoticeRow } from './membership.table.ts';
import { membershipJoinedEmail } from './emails/membership-joined.ts';
import { membershipRenewalReminderEmail } from './emails/membership-renewal-reminder.ts';
import { membershipRenewedEmail } from './emails/membership-renewed.ts';
import { membershipPaymentFailedEmail } from './emails/membership-payment-failed.ts';
import { membershipLapsedEmail } from './emails/membership-lapsed.ts';
import { membershipCanceledEmail } from './emails/membership-canceled.ts';

export const membershipNoticeJobType = 'membership-notice';

const noticePayload = z.strictObject({
  subscriptionId: z.string().min(1).max(100),
  memberId: z.string().min(1).max(100),
  kind: z.enum(noticeKinds),
  dedupeKey: z.string().min(1).max(200),
  plan: z.enum(plans),
  priceMinor: z.number().int().min(0).nullable(),
  /** The renewal (reminder, joined, renewed), the next try (payment failed) or the end (canceled), as epoch ms. */
  atMs: z.number().int().nullable(),
  reason: z.enum(['canceled', 'not_renewed']).nullable(),
});
export type NoticeRequest = z.infer<typeof noticePayload>;

export async function queueMembershipNotice(ctx: Ctx, notice: NoticeRequest): Promise<void> {
  await enqueueJob(ctx, { type: membershipNoticeJobType, payload: noticePayload.parse(notice), key: `${membershipNoticeJobType}:${notice.dedupeKey}` });
}

function iso(atMs: number | null): string {
  return new Date(atMs ?? 0).toISOString();
}

async function queueNoticeEmail(ctx: Ctx, notice: NoticeRequest, to: string, firstName: string | undefined, manageLink: string): Promise<string> {
  const base = { memberId: notice.memberId, to, dedupeKey: notice.dedupeKey };
  const price = formatAmount(notice.priceMinor ?? 0);
  const kind: NoticeKind = notice.kind;
  switch (kind) {
    case 'joined':
      return (await queueEmail(ctx, { ...base, template: membershipJoinedEmail, data: { firstName, plan: notice.plan, price, renewsAt: iso(notice.atMs), manageLink } })).messageId;
    case 'renewal_reminder':
      return (await queueEmail(ctx, { ...base, template: membershipRenewalReminderEmail, data: { firstName, plan: notice.plan, price, renewsAt: iso(notice.atMs), manageLink } })).messageId;
    case 'renewed':
      return (await queueEmail(ctx, { ...base, template: membershipRenewedEmail, data: { firstName, plan: notice.plan, price, renewsAt: iso(notice.atMs), manageLink } })).messageId;
    case 'payment_failed':
      return (await queueEmail(ctx, { ...base, template: membershipPaymentFailedEmail, data: { firstName, plan: notice.plan, price, nextTryAt: notice.atMs === null ? null : iso(notice.atMs), manageLink } })).messageId;
    case 'lapsed':
      return (await queueEmail(ctx, { ...base, template: membershipLapsedEmail, data: { firstName, plan: notice.plan, joinLink: manageLink } })).messageId;
    case 'canceled':
      return (await queueEmail(ctx, { ...base, template: membershipCanceledEmail, data: { firstName, plan: notice.plan, endedAt: iso(notice.atMs), reason: notice.reason ?? 'canceled', joinLink: manageLink } })).messageId;
  }
}

export const deliverMembershipNotice: JobHandler = async (deps: Deps, payload) => {
  const notice = noticePayload.parse(payload);
  const manageLink = `${deps.config.http.publicUrl}/account/membership`;
  await transact(deps, async (trx) => {
    const contact = await getMemberContact(trx, notice.memberId);
    const messageId = contact ? await queueNoticeEmail(trx, notice, contact.email, contact.firstName ?? undefined, manageLink) : null;
    const row: NoticeRow = {
      id: trx.ids.next('mbn'),
      member_id: notice.memberId,
      subscription_id: notice.subscriptionId,
      kind: notice.kind,
      dedupe_key: notice.dedupeKey,
      plan: notice.plan,
      price_minor: notice.priceMinor,
      renews_at_ms: notice.kind === 'renewal_reminder' || notice.kind === 'renewed' || notice.kind === 'joined' ? notice.atMs : null,
      message_id: messageId,
      sent_to_member: contact ? 1 : 0,
      created_at_ms: trx.clock.nowMs(),
    };
    await membershipTables(trx.db).insertInto('membership_notices').values(row).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
  });
};

export interface Notice {
  id: string;
  kind: NoticeKind;
  plan: 'monthly' | 'annual';
  priceMinor: number | null;
  renewsAtMs: number | null;
  messageId: string | null;
  sentToMember: boolean;
  createdAtMs: number;
}

export async function listNotices(ctx: Pick<Ctx, 'db'>, subscriptionId: string): Promise<Notice[]> {
  const rows = await membershipTables(ctx.db).selectFrom('membership_notices').selectAll().where('subscription_id', '=', subscriptionId).orderBy('created_at_ms', 'asc').orderBy('id', 'asc').execute();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    plan: row.plan,
    priceMinor: row.price_minor === null ? null : Number(row.price_minor),
    renewsAtMs: row.renews_at_ms === null ? null : Number(row.renews_at_ms),
    messageId: row.message_id,
    sentToMember: row.sent_to_member === 1,
    createdAtMs: Number(row.created_at_ms),
  }));
}
