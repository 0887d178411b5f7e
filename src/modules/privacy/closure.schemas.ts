// Request and response schemas of restriction, rectification and closure routes (PV-20, PV-21, AC-10).
import { z } from 'zod';
import { addressPatchBody, profilePatchBody } from '../accounts/index.ts';
import { restrictionReasons } from './closure.table.ts';
import type { Restriction, RestrictionEvent } from './restriction.service.ts';
import type { ProfileHistoryEntry } from '../accounts/index.ts';
import type { ClosureRecord } from './closure.service.ts';

export const tags = ['privacy'];

const iso = (ms: number) => new Date(ms).toISOString();
const requestId = z.string().regex(/^[a-z]{3}_[0-9a-z]{1,60}$/, 'Not a request ID.').optional();

export const restrictionBody = z.strictObject({
  restricted: z.boolean(),
  reason: z.enum(restrictionReasons),
  requestId,
});

export const restrictionView = z.object({
  restricted: z.boolean(),
  reason: z.enum(restrictionReasons).nullable(),
  since: z.iso.datetime().nullable(),
  /** What restriction means for the member, in words the member center shows. */
  effect: z.string(),
});

export const restrictionEventView = z.object({
  id: z.string(),
  state: z.enum(['restricted', 'lifted']),
  reason: z.enum(restrictionReasons),
  actor: z.object({ id: z.string().nullable(), role: z.string() }),
  requestId: z.string().nullable(),
  at: z.iso.datetime(),
});

export const agentRestrictionView = restrictionView.extend({ history: z.array(restrictionEventView) });

const restrictedEffect = 'Your data is kept but not used for marketing, analytics or personalization. Your orders, returns, credits and membership work as before.';
const openEffect = 'Your data is used as our privacy notice describes.';

export function toRestrictionView(restriction: Restriction): z.infer<typeof restrictionView> {
  return {
    restricted: restriction.restricted,
    reason: restriction.reason,
    since: restriction.sinceMs === null ? null : iso(restriction.sinceMs),
    effect: restriction.restricted ? restrictedEffect : openEffect,
  };
}

export function toRestrictionEventView(event: RestrictionEvent): z.infer<typeof restrictionEventView> {
  return { id: event.id, state: event.state, reason: event.reason, actor: event.actor, requestId: event.requestId, at: iso(event.atMs) };
}

/** An agent's rectification (PV-21): the profile fields to correct, and the rights request it answers. */
export const rectifyProfileBody = profilePatchBody.extend({ requestId });
export const rectifyAddressBody = addressPatchBody.extend({ requestId });

export const profileHistoryView = z.object({
  entries: z.array(
    z.object({
      id: z.string(),
      addressNumber: z.number().int().nullable(),
      field: z.string(),
      previousValue: z.string().nullable(),
      actor: z.object({ id: z.string().nullable(), role: z.string() }),
      reason: z.enum(['member_update', 'rectification']),
      requestId: z.string().nullable(),
      changedAt: z.iso.datetime(),
    }),
  ),
});

export function toProfileHistoryView(entries: readonly ProfileHistoryEntry[]): z.infer<typeof profileHistoryView> {
  return {
    entries: entries.map((entry) => ({
      id: entry.id,
      addressNumber: entry.addressNumber,
      field: entry.field,
      previousValue: entry.previousValue,
      actor: entry.actor,
      reason: entry.reason,
      requestId: entry.requestId,
      changedAt: iso(entry.changedAtMs),
    })),
  };
}

export const closureView = z.object({
  id: z.string(),
  memberId: z.string(),
  closedAt: z.iso.datetime(),
  /** Retention of the member's data starts at closure (PV-30); the retention job reads members.closed_at_ms. */
  retentionStartedAt: z.iso.datetime(),
  creditsForfeited: z.number().int(),
  creditTransactionId: z.string().nullable(),
  plusSubscriptionEnded: z.string().nullable(),
  sessionsEnded: z.number().int(),
  requestId: z.string().nullable(),
});

export function toClosureView(record: ClosureRecord): z.infer<typeof closureView> {
  return {
    id: record.id,
    memberId: record.memberId,
    closedAt: iso(record.closedAtMs),
    retentionStartedAt: iso(record.closedAtMs),
    creditsForfeited: record.creditsForfeited,
    creditTransactionId: record.creditsTransactionId,
    plusSubscriptionEnded: record.plusSubscriptionId,
    sessionsEnded: record.sessionsEnded,
    requestId: record.requestId,
  };
}

/** The member's explicit confirmation; anything but `true` is refused by the schema. */
export const closeAccountBody = z.strictObject({ confirm: z.literal(true) });
export const agentCloseAccountBody = z.strictObject({ confirm: z.literal(true), requestId });
