// The suppression list in the console: view, add (manual, bounced, complaint) and remove, each audit-recorded.
import { z } from 'zod';
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit } from '../audit/index.ts';
import { deleteSuppression, insertSuppression, selectSuppressions, setContactState } from './contacts.repository.ts';
import { suppressionReasons, type Channel, type SuppressionReason, type SuppressionRow } from './marketing.table.ts';
import { emailSchema, phoneSchema } from './subscriptions.service.ts';

export interface Suppression {
  id: string;
  channel: Channel;
  address: string;
  memberId: string | null;
  reason: SuppressionReason;
  note: string | null;
  createdBy: string | null;
  createdAtMs: number;
}

function toSuppression(row: SuppressionRow): Suppression {
  return { id: row.id, channel: row.channel, address: row.address, memberId: row.member_id, reason: row.reason, note: row.note, createdBy: row.created_by, createdAtMs: Number(row.created_at_ms) };
}

export const addSuppressionInput = z.discriminatedUnion('channel', [
  z.strictObject({ channel: z.literal('email'), address: emailSchema, reason: z.enum(suppressionReasons), note: z.string().trim().max(500).nullable().default(null) }),
  z.strictObject({ channel: z.literal('sms'), address: phoneSchema, reason: z.enum(suppressionReasons), note: z.string().trim().max(500).nullable().default(null) }),
]);

type StaffActor = { id: string; role: 'agent' | 'admin' };

export async function listSuppressions(ctx: Pick<Ctx, 'db'>, filter: { channel?: Channel; search?: string; before?: string }): Promise<Suppression[]> {
  return (await selectSuppressions(ctx.db, { ...filter, limit: 100 })).map(toSuppression);
}

export async function addSuppression(ctx: Ctx, actor: StaffActor, input: z.input<typeof addSuppressionInput>): Promise<Suppression> {
  const parsed = addSuppressionInput.parse(input);
  const row: SuppressionRow = { id: ctx.ids.next('mks'), channel: parsed.channel, address: parsed.address, member_id: null, reason: parsed.reason, note: parsed.note, created_by: actor.id, created_at_ms: ctx.clock.nowMs() };
  if (!(await insertSuppression(ctx.db, row))) throw new AppError('already_exists', 'This address is already on the suppression list.');
  await recordAudit(ctx, { actor, action: 'marketing.suppression.added', memberId: null, subject: row.id, details: { channel: row.channel, reason: row.reason } });
  return toSuppression(row);
}

/**
 * Removes an entry (an agent lifting a bounce after the mailbox works again). Consent is not granted by this: the
 * contact receives promotional messages again only if its consent record says granted.
 */
export async function removeSuppression(ctx: Ctx, actor: StaffActor, input: { channel: Channel; address: string }): Promise<void> {
  if (!(await deleteSuppression(ctx.db, input.channel, input.address, suppressionReasons))) throw new AppError('not_found', 'This address is not on the suppression list.');
  await setContactState(ctx.db, input.channel, input.address, 'subscribed', ctx.clock.nowMs());
  await recordAudit(ctx, { actor, action: 'marketing.suppression.removed', memberId: null, subject: `${input.channel}`, details: { channel: input.channel } });
}
