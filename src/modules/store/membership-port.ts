// The store's question to the Plus membership (CR-5, ST-2, MB-8): was this member's Plus active at a moment?
//
// Until the membership module lands this port answers "not Plus" for everyone, so no order gets the Plus multiplier
// or the Plus member discount yet. The membership module will answer from its dated history (MB-10); only this file
// changes then, and every caller already passes the moment that matters (payment time for earning, placement time for
// the member discount).
import type { Ctx } from '../../deps.ts';

export async function isPlusActiveAt(_ctx: Ctx, _memberId: string, _atMs: number): Promise<boolean> {
  return false;
}
