// What of a member's money is still on its way (AC-10): an account closure is refused while a checkout or a refund
// is unsettled, because both end in credits postings (a capture, a restore) that a closed ledger account refuses.
import type { Ctx } from '../../deps.ts';
import { selectCheckoutsInProgress } from './orders.repository.ts';
import { selectPendingRefundIdsOfMember } from './refunds.repository.ts';

export interface MoneyInFlight {
  checkoutOrderIds: string[];
  pendingRefundIds: string[];
}

export async function findMoneyInFlight(ctx: Pick<Ctx, 'db'>, memberId: string): Promise<MoneyInFlight> {
  return { checkoutOrderIds: await selectCheckoutsInProgress(ctx.db, memberId), pendingRefundIds: await selectPendingRefundIdsOfMember(ctx.db, memberId) };
}
