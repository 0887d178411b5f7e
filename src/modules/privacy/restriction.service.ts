// Restriction of processing (PV-20): a restricted member's data is storage-only. Marketing, analytics and
// personalization reads must return nothing for them; orders, refunds, after-sales, the credits ledger and legal
// duties go on unchanged (PV-34). No such read exists in Patron yet: every future one (campaign audiences,
// recommendations, analytics exports) filters its members through `isRestricted` / `excludeRestricted` here, or,
// in a module below privacy, through a port wired to them (docs/CONTRACTS.md).
import type { Ctx } from '../../deps.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit, type ActorRole } from '../audit/index.ts';
import { getMember } from '../accounts/index.ts';
import type { RestrictionReason } from './closure.table.ts';
import { findRestriction, insertRestrictionEvent, saveRestriction, selectRestrictedAmong, selectRestrictionEvents, type RestrictionEvent } from './restriction.repository.ts';

export type { RestrictionEvent };

export interface RestrictionActor {
  id: string | null;
  role: ActorRole;
}

export interface Restriction {
  memberId: string;
  restricted: boolean;
  reason: RestrictionReason | null;
  sinceMs: number | null;
}

export interface SetRestrictionInput {
  memberId: string;
  restricted: boolean;
  reason: RestrictionReason;
  actor: RestrictionActor;
  /** The rights request (PV-1 `restrict`) this answers, when there is one. */
  requestId?: string | null;
}

/** Whether the member's processing is restricted now (PV-20): the predicate every marketing-type read must ask. */
export async function isRestricted(ctx: Pick<Ctx, 'db'>, memberId: string): Promise<boolean> {
  return (await findRestriction(ctx.db, memberId))?.state === 'restricted';
}

/** The given members minus the restricted ones, in their order: for audiences and exports built from a list. */
export async function excludeRestricted(ctx: Pick<Ctx, 'db'>, memberIds: readonly string[]): Promise<string[]> {
  const restricted = new Set<string>();
  for (let start = 0; start < memberIds.length; start += 500) {
    for (const id of await selectRestrictedAmong(ctx.db, memberIds.slice(start, start + 500))) restricted.add(id);
  }
  return memberIds.filter((id) => !restricted.has(id));
}

export async function getRestriction(ctx: Pick<Ctx, 'db'>, memberId: string): Promise<Restriction> {
  const row = await findRestriction(ctx.db, memberId);
  if (!row || row.state !== 'restricted') return { memberId, restricted: false, reason: row?.reason ?? null, sinceMs: row?.sinceMs ?? null };
  return { memberId, restricted: true, reason: row.reason, sinceMs: row.sinceMs };
}

/** Every set and lift, newest first. */
export async function getRestrictionHistory(ctx: Pick<Ctx, 'db'>, memberId: string, limit = 100): Promise<RestrictionEvent[]> {
  return selectRestrictionEvents(ctx.db, memberId, Math.min(Math.max(1, limit), 500));
}

/**
 * Sets or lifts the restriction in the caller's transaction: the current state, one history event (who, when, why,
 * which request) and an audit entry. Asking for the state the member is already in changes nothing.
 */
export async function setRestriction(ctx: Ctx, input: SetRestrictionInput): Promise<Restriction> {
  const member = await getMember(ctx, input.memberId);
  if (!member || member.role !== 'member') throw new AppError('not_found', 'Member was not found.');
  const current = await findRestriction(ctx.db, input.memberId, { lock: true });
  const wasRestricted = current?.state === 'restricted';
  if (wasRestricted === input.restricted) return getRestriction(ctx, input.memberId);
  const nowMs = ctx.clock.nowMs();
  const state = input.restricted ? 'restricted' : 'lifted';
  await saveRestriction(ctx.db, { memberId: input.memberId, state, reason: input.reason, sinceMs: nowMs }, current !== undefined);
  await insertRestrictionEvent(ctx.db, { id: ctx.ids.next('prs'), memberId: input.memberId, state, reason: input.reason, actor: input.actor, requestId: input.requestId ?? null, atMs: nowMs });
  await recordAudit(ctx, {
    actor: input.actor,
    action: input.restricted ? 'privacy.restriction.set' : 'privacy.restriction.lifted',
    memberId: input.memberId,
    details: { reasonCode: input.reason, ...(input.requestId ? { requestId: input.requestId } : {}) },
  });
  return getRestriction(ctx, input.memberId);
}
