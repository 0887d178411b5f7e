// Keeping the history of profile and address values (PV-21): every change through updateProfile or changeAddress,
// the member's own or an agent's rectification, records each changed field's previous value with who, when and why.
import type { Ctx } from '../../deps.ts';
import type { ProfileChangeReason } from './accounts.table.ts';
import { insertHistory, selectHistory, type ProfileHistoryEntry } from './profile-history.repository.ts';
import type { ActorRole } from '../audit/index.ts';

/** Who made a change (the same shape as profile.service's Actor). */
interface Actor {
  id: string | null;
  role: ActorRole;
}

export type { ProfileHistoryEntry };

/** Why a profile changed: the member's own edit, or a rectification (PV-21) answering a rights request. */
export interface ChangeReason {
  code: ProfileChangeReason;
  requestId?: string | null;
}

export const memberUpdate: ChangeReason = { code: 'member_update' };

export async function recordPreviousValues(
  ctx: Ctx,
  input: { memberId: string; addressNumber: number | null; actor: Actor; reason: ChangeReason; previous: ReadonlyArray<{ field: string; value: string | null }> },
): Promise<void> {
  const nowMs = ctx.clock.nowMs();
  await insertHistory(
    ctx.db,
    input.previous.map((change) => ({
      id: ctx.ids.next('mph'),
      memberId: input.memberId,
      addressNumber: input.addressNumber,
      field: change.field,
      previousValue: change.value,
      actor: { id: input.actor.id, role: input.actor.role },
      reason: input.reason.code,
      requestId: input.reason.requestId ?? null,
      changedAtMs: nowMs,
    })),
  );
}

/** A member's profile history, newest first (at most `limit` entries, 500 at most). */
export async function getProfileHistory(ctx: Pick<Ctx, 'db'>, memberId: string, limit = 200): Promise<ProfileHistoryEntry[]> {
  return selectHistory(ctx.db, memberId, Math.min(Math.max(1, limit), 500));
}
